"""A factor set resolved with its fallback chain: which records fill each accounting slot.

`FactorSet("epa")` answers a slot from the epa section of ``factors/sets.yaml`` and, where
the set has nothing, from the set it falls back to (ipcc), recording that it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from aurum.esg.categories import CATEGORIES
from aurum.esg.errors import EsgInputError
from aurum.esg.library import Library, SetSpec, load_library
from aurum.esg.records import EmissionFactor, Parameter


@dataclass(frozen=True)
class Resolved:
    """Records filling one slot, the set they came from, and whether that was a fallback."""

    records: tuple[EmissionFactor, ...]
    from_set: str
    fell_back: bool


class FactorSet:
    """The named set and its fallback chain (own set first)."""

    def __init__(self, name: str = "ipcc", library: Library | None = None) -> None:
        self.library = library or load_library()
        self.library.check_set(name)
        self.name = name
        chain: list[tuple[str, SetSpec]] = []
        current: str | None = name
        while current is not None and current not in dict(chain):
            spec = self.library.sets[current]
            chain.append((current, spec))
            current = spec.falls_back_to
        self.chain = tuple(chain)

    @property
    def spec(self) -> SetSpec:
        return self.chain[0][1]

    def categories(self, fuel: str | None = None) -> list[str]:
        """Source categories with a combustion factor (for one fuel, or any) plus electricity."""
        slots = {key for _, spec in self.chain for key in spec.combustion}
        cats = {s.partition("@")[2] for s in slots if fuel is None or s.startswith(fuel + "@")}
        return sorted(cats | {"electricity"})

    def combustion(self, fuel: str, category: str, path: str) -> Resolved:
        """Scope 1 records of a fuel burned in a source category."""
        if category not in CATEGORIES or category == "electricity":
            accepted = [c for c in self.categories() if c != "electricity"]
            raise EsgInputError(path, category, accepted, "unknown IPCC source category")
        found = self._first(lambda spec: spec.combustion.get(f"{fuel}@{category}"))
        if found is None:
            accepted = [c for c in self.categories(fuel) if c != "electricity"]
            raise EsgInputError(path, category, accepted, f"no {fuel} factor for this category")
        return found

    def wtt(self, fuel: str) -> Resolved | None:
        """Scope 3.3 upstream (well-to-tank) record of a fuel, if any."""
        return self._first(lambda spec: (spec.wtt[fuel],) if fuel in spec.wtt else None)

    def grid(self, region: str) -> Resolved | None:
        """Scope 2 location-based record of a canonical region."""
        return self._first(lambda spec: (spec.grid[region],) if region in spec.grid else None)

    def grid_upstream(self, region: str) -> Resolved | None:
        """Scope 3.3 upstream-electricity and T&D records of a canonical region (summed)."""
        return self._first(lambda spec: spec.grid_upstream.get(region))

    def conversions(self, fuel: str) -> tuple[Parameter, ...]:
        """Conversion parameters of a fuel: the set's own first, then its fallbacks'."""
        ids = [i for _, spec in self.chain for i in spec.conversions.get(fuel, ())]
        return tuple(self.library.get(i, Parameter) for i in ids)

    def notes(self) -> tuple[str, ...]:
        return tuple(f"[{name}] {note}" for name, spec in self.chain for note in spec.notes)

    def _first(self, pick: object) -> Resolved | None:
        assert callable(pick)
        for depth, (name, spec) in enumerate(self.chain):
            ids = pick(spec)
            if ids:
                records = tuple(self.library.get(i, EmissionFactor) for i in ids)
                return Resolved(records, name, depth > 0)
        return None
