"""Scenario-facing options of the emissions layer (pydantic, strict, frozen).

The engine embeds these in its scenario schema: `EsgOptions` once per scenario, `SiteEsg` per
site. Names are checked against the library when the accounting plan is built
(`esg.plan.build_plan`), which raises `EsgInputError` naming the field and what is accepted.

Override targets (`FactorOverride.target`):

- ``grid``: the site's scope 2 location-based factor (mass per energy, e.g. ``kg/kWh``);
- ``grid_upstream``: its scope 3.3 upstream + T&D electricity factor (mass per energy);
- ``grid_loss_rate``: a T&D loss rate L (``1`` or ``%``) where no T&D figure is published:
  T&D = E × L / (1 − L) × EF_location (GHG Protocol scope 3 category 3);
- ``combustion:<fuel_code>@<category>``: one gas of a scope 1 factor, e.g.
  ``combustion:other_bituminous_coal@1.A.2.i`` (mass per volume, mass or energy + ``basis``);
- ``wtt:<fuel_code>``: the scope 3.3 upstream fuel factor (CO2e);
- ``density:<fuel_code>`` (``kg/L``), ``ncv:<fuel_code>`` (``TJ/Gg``),
  ``hhv_per_volume:<fuel_code>`` (``mmBtu/gal``), ``ncv_per_gcv:<fuel_code>`` (``1``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.esg.records import EmbeddedGwp

_STRICT = ConfigDict(extra="forbid", frozen=True)


class FactorOverride(BaseModel):
    """A site's own figure replacing one factor, gas or parameter (Tier 2/3, or a contract)."""

    model_config = _STRICT
    target: str = Field(description="What to replace, e.g. 'grid' or 'ncv:other_bituminous_coal'")
    gas: Literal["co2", "ch4", "n2o", "co2e"] | None = Field(
        None, description="Gas of an emission factor; co2e keeps the value as published"
    )
    value: float = Field(ge=0, description="The figure, in `unit`")
    unit: str = Field(description="e.g. kg/kWh, t/MWh, kg/TJ, kg/L, TJ/Gg, 1, %")
    basis: Literal["NCV", "GCV", "volume", "mass", "electricity"] | None = Field(
        None, description="Heating-value basis of an energy-based fuel factor (NCV or GCV)"
    )
    gwp_set: EmbeddedGwp = Field("unrecorded", description="GWP set behind a co2e value")
    source: str = Field(min_length=1, description="Where the figure comes from (for the audit)")
    note: str = ""


class SupplierFactor(BaseModel):
    """A supplier-specific emission factor of delivered electricity (market-based)."""

    model_config = _STRICT
    value: float = Field(ge=0)
    unit: str = Field(description="Mass per energy, e.g. kg/kWh or t/MWh")
    gas: Literal["co2", "co2e"] = "co2e"
    gwp_set: EmbeddedGwp = "unrecorded"
    source: str = Field(min_length=1)


class Contract(BaseModel):
    """Contractual instruments of a site's electricity (GHG Protocol Scope 2 Guidance).

    `renewable_share` of the kWh is covered by zero-emission instruments (PPA, EACs); the rest
    takes `supplier_factor`, or, if none, the location factor, flagged as a fallback (no
    residual mix is transcribed for any region of the library).
    """

    model_config = _STRICT
    instrument: str = Field(min_length=1, description="The instrument(s), e.g. 'PPA + I-RECs'")
    renewable_share: float = Field(0.0, ge=0, le=1)
    supplier_factor: SupplierFactor | None = None


class SiteEsg(BaseModel):
    """Per-site emissions options: factor set, overrides, electricity contract."""

    model_config = _STRICT
    factor_set: str | None = Field(None, description="Overrides the scenario's factor set")
    overrides: tuple[FactorOverride, ...] = ()
    contract: Contract | None = None


class EsgOptions(BaseModel):
    """Scenario-level emissions options."""

    model_config = _STRICT
    gwp_set: str = Field("AR6", description="GWP100 set for CO2e at report time")
    factor_set: str = Field("ipcc", description="ipcc (default), epa or desnz")
    monthly_grid: bool = Field(True, description="Use monthly grid factors where published")


@dataclass(frozen=True)
class SiteSpec:
    """A site as the accounting needs it: id, region code and its options."""

    id: str
    region: str
    options: SiteEsg = field(default_factory=SiteEsg)
