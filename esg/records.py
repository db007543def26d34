"""Factor records: pydantic models of the rows in ``esg/factors/*.yaml``.

One record per published figure (or per published row of gases in one unit), following the layout of
public factor databases (Climatiq's Open Emission Factors DB): identity and provenance,
applicability, time, units and basis, gas values (or ``co2e_embedded`` with the publisher's GWP
set), accounting boundary and GHG scope, quality. Three record types share the provenance fields: an
emission factor (kg of gas per activity unit), a parameter (density, NCV, heat content, loss rate)
and a GWP100 value. Every record carries the verification level (VL) of its transcription: S2 two
public transcriptions agree, S1 one, Q a quotation, M recalled (P: checked against the primary).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aurum.esg.categories import CATEGORIES, Basis
from aurum.esg.units import ENERGY, MASS, RATIO, VOLUME, parse_unit

Verification = Literal["P", "S2", "S1", "Q", "M", "site"]  # P = checked against the primary
QualityFlag = Literal["o", "e", "d", "p", "h", "m"]  # Climatiq OEFDB data-quality flags
Boundary = Literal["combustion", "direct", "WTT", "T&D", "upstream+T&D", "lifecycle"]
GhgScope = Literal["1", "2-LB", "2-MB", "3.3", "reference"]
GwpSetName = Literal["SAR", "TAR", "AR4", "AR5", "AR6"]
EmbeddedGwp = Literal["AR4", "AR5", "AR6", "unrecorded"]
Gas = Literal["co2", "ch4", "n2o"]
ValueField = Literal["co2", "ch4", "n2o", "co2e"]
Interval = tuple[float, float]
ParamQuantity = Literal["density", "ncv", "hhv_per_volume", "ncv_per_gcv", "grid_loss_rate"]

_STRICT = ConfigDict(extra="forbid", frozen=True)
BASIS_DIMENSION = {
    "NCV": ENERGY,
    "GCV": ENERGY,
    "electricity": ENERGY,
    "unrecorded": ENERGY,
    "volume": VOLUME,
    "mass": MASS,
}
PARAM_DIMS = {
    "density": (MASS, VOLUME),
    "ncv": (ENERGY, MASS),
    "hhv_per_volume": (ENERGY, VOLUME),
    "ncv_per_gcv": (RATIO, RATIO),
    "grid_loss_rate": (RATIO, RATIO),
}


class Provenance(BaseModel):
    """Identity and provenance shared by every record (identity, provenance and time)."""

    model_config = _STRICT
    factor_id: str = Field(pattern=r"^[a-z0-9][a-z0-9.+_-]*$")
    publisher: str = Field(min_length=1)
    dataset: str = Field(min_length=1)
    edition: str = Field(min_length=1)
    table_ref: str = Field(min_length=1)
    region: str = "GLOBAL"  # ISO 3166-1/-2 (+ grid), e.g. CL, AU-WA-NWIS; GLOBAL = anywhere
    data_year: int | None = None  # year the figure describes
    published_year: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    url: str | None = None
    retrieved_on: date | None = None
    licence: str | None = None
    hash: str | None = None  # of the primary file, once checked
    transcribed_from: str = Field(min_length=1)  # the secondary route the figure came by
    verification: Verification
    verified_by: str | None = None
    quality_flags: tuple[QualityFlag, ...] = ()
    note: str = ""


class EmissionFactor(Provenance):
    """Mass of each gas per activity unit (``unit`` = gas mass / activity), or CO2e embedded."""

    record_type: Literal["emission"] = "emission"
    fuel_code: str = Field(min_length=1)  # IPCC fuel name, or "electricity"
    product: str | None = None  # publisher's product wording where it matters (blend, gas oil)
    category: str | None = None  # IPCC source category tabulated for; None = any (e.g. CO2)
    mode: Literal["stationary", "mobile", "electricity"] | None = None
    equipment: str | None = None
    basis: Basis
    unit: str
    co2: float | None = Field(None, ge=0)
    ch4: float | None = Field(None, ge=0)
    ch4_origin: Literal["fossil", "non-fossil"] | None = None
    n2o: float | None = Field(None, ge=0)
    co2e_embedded: float | None = Field(None, ge=0)
    co2e_by_gas: dict[Gas, float] | None = None  # CO2e per gas as published (DESNZ split)
    gwp_set: EmbeddedGwp | None = None  # the set the publisher used for co2e values
    boundary: Boundary
    ghg_scope: GhgScope
    proxy: bool = False  # a lifecycle value standing in for a missing scope 2 factor
    tier: Literal["T1", "T2", "T3"] | None = None
    uncertainty_95: dict[ValueField, Interval] = Field(default_factory=dict)
    monthly: dict[ValueField, tuple[float, ...]] | None = None  # Jan..Dec, same unit

    def values(self) -> dict[str, float]:
        """Published values by field (co2, ch4, n2o, co2e), as in the file."""
        raw = {"co2": self.co2, "ch4": self.ch4, "n2o": self.n2o, "co2e": self.co2e_embedded}
        return {k: v for k, v in raw.items() if v is not None}

    def gases(self) -> frozenset[str]:
        """Gases this record accounts for; a CO2e-only record stands for all three."""
        if self.co2e_embedded is not None and self.co2e_by_gas is None:
            return frozenset({"co2", "ch4", "n2o"})
        if self.co2e_by_gas is not None:
            return frozenset(self.co2e_by_gas)
        return frozenset(k for k in ("co2", "ch4", "n2o") if k in self.values())

    @model_validator(mode="after")
    def _consistent(self) -> EmissionFactor:
        _check_values(self)
        _check_unit(self)
        _check_intervals(self)
        _check_monthly(self)
        _check_scope_rules(self)
        return self


class Parameter(Provenance):
    """A conversion parameter: density, NCV, heat content, NCV/GCV ratio, grid loss rate."""

    record_type: Literal["parameter"] = "parameter"
    quantity: ParamQuantity
    fuel_code: str = Field(min_length=1)
    value: float = Field(gt=0)
    unit: str
    basis: Basis | None = None
    assumption: bool = False  # a default chosen by this project, not a published figure
    uncertainty_95: Interval | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        dims = parse_unit(self.unit, f"{self.factor_id}.unit").dims
        if dims != PARAM_DIMS[self.quantity]:
            raise ValueError(f"{self.quantity} needs {PARAM_DIMS[self.quantity]}, got {dims}")
        if self.uncertainty_95 is not None:
            _check_interval("value", self.value, self.uncertainty_95)
        return self


class GwpValue(Provenance):
    """GWP100 of one gas in one assessment report [kg CO2e / kg gas]."""

    record_type: Literal["gwp"] = "gwp"
    gwp_set: GwpSetName
    gas: Literal["co2", "ch4", "ch4_fossil", "ch4_nonfossil", "n2o"]
    value: float = Field(gt=0)
    unit: Literal["1"] = "1"
    horizon: Literal["GWP100"] = "GWP100"


Record = Annotated[EmissionFactor | Parameter | GwpValue, Field(discriminator="record_type")]
AnyRecord = EmissionFactor | Parameter | GwpValue


def record_key(r: AnyRecord) -> tuple[object, ...]:
    """The uniqueness key: no two records may claim the same one (cf. Climatiq OEFDB key)."""
    if isinstance(r, GwpValue):
        return ("gwp", r.gwp_set, r.gas, r.horizon)
    if isinstance(r, Parameter):
        return ("parameter", r.quantity, r.fuel_code, r.region, r.publisher, r.edition)
    where = (r.fuel_code, r.product, r.category, r.mode, r.equipment, r.region)
    how = (r.basis, r.unit, r.boundary, r.ghg_scope, r.publisher, r.edition, r.data_year)
    return ("emission", *where, *how, tuple(sorted(r.values())))


def _check_values(r: EmissionFactor) -> None:
    masses = {k for k in ("co2", "ch4", "n2o") if k in r.values()}
    has_co2e = r.co2e_embedded is not None or r.co2e_by_gas is not None
    if not masses and not has_co2e:
        raise ValueError("a record needs co2/ch4/n2o or co2e_embedded")
    if masses and has_co2e:
        raise ValueError("give gas masses or CO2e, not both (which one did the source publish?)")
    if has_co2e and r.gwp_set is None:
        raise ValueError("co2e values need the publisher's gwp_set (or 'unrecorded')")
    if r.ch4 is not None and r.ch4_origin is None:
        raise ValueError("ch4 needs ch4_origin (fossil / non-fossil)")
    if r.co2e_by_gas is not None and r.gwp_set == "unrecorded":
        raise ValueError("a per-gas CO2e split needs the GWP set that made it")
    if r.co2e_by_gas is not None:
        total = sum(r.co2e_by_gas.values())
        if r.co2e_embedded is None or not math.isclose(total, r.co2e_embedded, rel_tol=1e-4):
            raise ValueError(f"co2e_by_gas sums to {total}, not co2e_embedded")


def _check_unit(r: EmissionFactor) -> None:
    num, den = parse_unit(r.unit, f"{r.factor_id}.unit").dims
    if num != MASS or den != BASIS_DIMENSION[r.basis]:
        raise ValueError(f"unit {r.unit!r} is not gas mass per {BASIS_DIMENSION[r.basis]}")
    if r.category is not None and r.category not in CATEGORIES:
        raise ValueError(f"unknown category {r.category!r}; known: {sorted(CATEGORIES)}")


def _check_interval(name: str, value: float, interval: Interval) -> None:
    lo, hi = interval
    if not lo < hi:
        raise ValueError(f"{name}: zero-width or inverted 95% interval {interval}")
    if not lo <= value <= hi:
        raise ValueError(f"{name}: value {value} outside its 95% interval {interval}")


def _check_intervals(r: EmissionFactor) -> None:
    values = r.values()
    for gas, interval in r.uncertainty_95.items():
        if gas not in values:
            raise ValueError(f"uncertainty for {gas} but no {gas} value")
        _check_interval(gas, values[gas], interval)


def _check_monthly(r: EmissionFactor) -> None:
    values = r.values()
    for gas, months in (r.monthly or {}).items():
        if len(months) != 12 or gas not in values:
            raise ValueError(f"monthly {gas}: need 12 values and an annual {gas}")
        mean = sum(months) / 12
        if not math.isclose(mean, values[gas], rel_tol=1e-3):
            raise ValueError(f"monthly {gas} mean {mean:.5g} differs from annual {values[gas]}")


def _check_scope_rules(r: EmissionFactor) -> None:
    if r.ghg_scope == "2-LB" and r.boundary != "direct" and not r.proxy:
        raise ValueError("a scope 2 location factor must have boundary 'direct' unless proxy")
    if r.proxy and (r.ghg_scope != "2-LB" or r.boundary != "lifecycle" or not r.note):
        raise ValueError("proxy records are lifecycle stand-ins for scope 2-LB, with a note")
    if r.ghg_scope == "2-MB" and 0.0 in r.values().values():
        raise ValueError("a market-based factor of exactly 0 needs an instrument, not a record")


# The library's own files (regions.yaml, sets.yaml), beside the records they point at.


class Region(BaseModel):
    """A region code a site may name (ISO 3166 + grid), with its aliases."""

    model_config = _STRICT
    code: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,4}){0,2}$")
    name: str
    aliases: tuple[str, ...] = ()
    note: str = ""


class SetSpec(BaseModel):
    """A factor set: which record fills each accounting slot (see factors/sets.yaml)."""

    model_config = _STRICT
    description: str
    falls_back_to: str | None = None
    conversions: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    combustion: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    wtt: dict[str, str] = Field(default_factory=dict)
    grid: dict[str, str] = Field(default_factory=dict)
    grid_upstream: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()
