"""IPCC 2006 source categories the accounting understands, and the activity channels it reads.

Machine kinds pass their activity channel names (``diesel_l``...) and each channel's IPCC source
category as plain strings; esg knows nothing of the kinds themselves (docs/architecture.md
layering). The category decides the CH4/N2O table: stationary 1.A.2 → IPCC Vol. 2 Table 2.3 (a mine
boiler, 1.A.2.i), off-road 1.A.2.g.vii → Table 3.3.1 (a haul truck); 2006 IPCC Guidelines Vol. 2,
Ch. 2-3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["stationary", "mobile", "electricity"]
STATIONARY: Mode = "stationary"
MOBILE: Mode = "mobile"
ELECTRICITY: Mode = "electricity"
Basis = Literal["NCV", "GCV", "volume", "mass", "electricity", "unrecorded"]


@dataclass(frozen=True)
class Category:
    """An IPCC 2006 source category (or purchased electricity)."""

    code: str
    name: str
    mode: Mode
    table: str  # where IPCC Tier 1 CH4/N2O factors for it are tabulated


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("1.A.1", "Energy industries", STATIONARY, "Vol.2 Ch.2 Table 2.2"),
        Category("1.A.2", "Manufacturing industries and construction", STATIONARY, "Table 2.3"),
        Category("1.A.2.i", "Mining (excluding fuels) and quarrying", STATIONARY, "Table 2.3"),
        Category("1.A.2.g.vii", "Off-road vehicles and machinery in industry", MOBILE, "T3.3.1"),
        Category("1.A.3.b", "Road transportation", MOBILE, "Vol.2 Ch.3 Table 3.2.2"),
        Category("1.A.4.a", "Commercial/institutional", STATIONARY, "Vol.2 Ch.2 Table 2.4"),
        Category("1.A.4.c.ii", "Agriculture/forestry/fishing: off-road", MOBILE, "T3.3.1"),
        Category("electricity", "Purchased electricity (GHG Protocol scope 2)", ELECTRICITY, "-"),
    )
}


def ancestors(code: str) -> tuple[str, ...]:
    """The code and its parents: ``1.A.2.i`` → (``1.A.2.i``, ``1.A.2``, ``1.A``, ``1``)."""
    parts = code.split(".")
    return tuple(".".join(parts[:k]) for k in range(len(parts), 0, -1))


@dataclass(frozen=True)
class ActivityChannel:
    """An activity channel a machine kind reports: which fuel, in which unit, on which basis."""

    name: str
    fuel_code: str  # IPCC fuel name used by factor records
    unit: str
    basis: Basis
    description: str


CHANNELS: dict[str, ActivityChannel] = {
    c.name: c
    for c in (
        ActivityChannel("diesel_l", "gas_diesel_oil", "L", "volume", "Diesel burned, litres"),
        ActivityChannel(
            "natural_gas_gj", "natural_gas", "GJ", "NCV", "Natural gas burned, GJ on NCV (LHV)"
        ),
        ActivityChannel(
            "coal_t", "other_bituminous_coal", "t", "mass", "Bituminous coal burned, tonnes"
        ),
        ActivityChannel(
            "electricity_kwh", "electricity", "kWh", "electricity", "Purchased electricity used"
        ),
    )
}
