"""Integrity of the factor sets against the records (run at load; a failure is a data defect).

Catches the known traps of public transcriptions that are about choosing a record rather than its
value: a mine boiler citing Table 2.2, a haul truck citing a road-transport table, a UK
biofuel-blend row used outside the UK, a scope 2 factor that is not scope 2, a GCV factor without a
declared conversion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from aurum.esg.categories import CATEGORIES, CHANNELS, ancestors
from aurum.esg.errors import FactorDataError
from aurum.esg.records import EmissionFactor, Parameter, Region, SetSpec

R = TypeVar("R", EmissionFactor, Parameter)


class Library(Protocol):
    """What the checks read of `esg.library.Library` (which calls them while it loads)."""

    @property
    def sets(self) -> Mapping[str, SetSpec]: ...
    @property
    def regions(self) -> Mapping[str, Region]: ...
    def get(self, factor_id: str, kind: type[R]) -> R: ...


def check_sets(library: Library) -> None:
    """Raise FactorDataError on any set entry that does not fit the slot it fills."""
    fuels = {c.fuel_code for c in CHANNELS.values()}
    for name, spec in library.sets.items():
        where = f"sets.yaml:{name}"
        if spec.falls_back_to is not None and spec.falls_back_to not in library.sets:
            raise FactorDataError(where, f"falls back to unknown set {spec.falls_back_to!r}")
        _check_combustion(library, spec, where)
        _check_electricity(library, spec, where)
        for fuel, factor_id in spec.wtt.items():
            r = library.get(factor_id, EmissionFactor)
            _require(r.fuel_code == fuel and r.ghg_scope == "3.3" and r.boundary == "WTT", r, where)
            _require(r.region == "GLOBAL", r, where + " (blend rows are region-bound)")
        for fuel, ids in spec.conversions.items():
            _require_fuel(fuel, fuels, where)
            for p in (library.get(i, Parameter) for i in ids):
                _require(p.fuel_code == fuel, p, where)
    root = [s for s in library.sets.values() if s.falls_back_to is None]
    for spec in root:
        missing = set(library.regions) - set(spec.grid)
        if missing:
            raise FactorDataError("sets.yaml", f"root set lacks grid factors for {missing}")


def _check_combustion(library: Library, spec: SetSpec, where: str) -> None:
    for slot, ids in spec.combustion.items():
        fuel, _, category = slot.partition("@")
        if category not in CATEGORIES:
            raise FactorDataError(where, f"unknown category in slot {slot!r}")
        records = [library.get(i, EmissionFactor) for i in ids]
        covered: list[str] = []
        for r in records:
            ok_cat = r.category is None or r.category in ancestors(category)
            ok_mode = r.mode in (None, CATEGORIES[category].mode)
            ok = r.fuel_code == fuel and r.ghg_scope == "1" and ok_cat and ok_mode
            _require(ok and r.region in ("GLOBAL", "US"), r, f"{where} {slot}")
            covered += sorted(r.gases())
        if sorted(covered) != ["ch4", "co2", "n2o"]:
            raise FactorDataError(f"{where} {slot}", f"gases covered {covered}, need each once")


def _check_electricity(library: Library, spec: SetSpec, where: str) -> None:
    for region, factor_id in spec.grid.items():
        r = library.get(factor_id, EmissionFactor)
        ok = r.ghg_scope == "2-LB" and r.region == region and r.fuel_code == "electricity"
        _require(ok and (r.boundary == "direct" or r.proxy), r, f"{where} grid {region}")
    for region, ids in spec.grid_upstream.items():
        for r in (library.get(i, EmissionFactor) for i in ids):
            loss = r.boundary in ("T&D", "upstream+T&D")
            ok = r.ghg_scope == "3.3" and r.region == region and loss
            _require(ok, r, f"{where} grid_upstream {region}")
    unknown = (set(spec.grid) | set(spec.grid_upstream)) - set(library.regions)
    if unknown:
        raise FactorDataError(where, f"regions not in regions.yaml: {sorted(unknown)}")


def _require(ok: bool, record: EmissionFactor | Parameter, where: str) -> None:
    if not ok:
        raise FactorDataError(where, f"record {record.factor_id} does not fit this slot")


def _require_fuel(fuel: str, fuels: set[str], where: str) -> None:
    if fuel not in fuels:
        raise FactorDataError(where, f"fuel {fuel!r} has no activity channel")
