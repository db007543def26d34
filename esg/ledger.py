"""The gas ledger: kg of each gas by GHG Protocol scope, per twin, for one period.

Gas masses are stored, never CO2e (the GWP set is a report choice): CO2, fossil CH4 and N2O,
plus ``co2e_embedded`` for sources published as CO2e only, whose GWP set is kept per scope in
`embedded_gwp`. CO2e is computed at report time (`esg.gwp.co2e`).

Scopes: ``scope1`` (fuel combustion), ``scope2_location`` and ``scope2_market`` (purchased
electricity, reported side by side), ``scope3_fuel_wtt`` (category 3a, upstream of fuels) and
``scope3_electricity`` (category 3b+3c, upstream of electricity and T&D losses).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]
SCOPES = ("scope1", "scope2_location", "scope2_market", "scope3_fuel_wtt", "scope3_electricity")
GASES = ("co2", "ch4_fossil", "n2o", "co2e_embedded")
LINES: tuple[tuple[str, str], ...] = tuple((s, g) for s in SCOPES for g in GASES)
LINE_INDEX = {line: i for i, line in enumerate(LINES)}
SCOPE_LABELS = {
    "scope1": "Scope 1",
    "scope2_location": "Scope 2 (location-based)",
    "scope2_market": "Scope 2 (market-based)",
    "scope3_fuel_wtt": "Scope 3.3 fuels (well-to-tank)",
    "scope3_electricity": "Scope 3.3 electricity (upstream + T&D)",
}


def column_name(scope: str, gas: str) -> str:
    """Column of one (scope, gas) line in tables: ``scope1_co2_kg``."""
    return f"{scope}_{gas}_kg"


COLUMNS = tuple(column_name(s, g) for s, g in LINES)


@dataclass(frozen=True, eq=False)
class GasLedger:
    """kg of gas per twin and (scope, gas) line for one period; `kg` has shape (n, len(LINES))."""

    kg: F64
    mb_fallback: NDArray[np.bool_]  # market-based kWh that took the location factor
    embedded_gwp: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return int(self.kg.shape[0])

    def __getitem__(self, line: tuple[str, str]) -> F64:
        """kg per twin of one (scope, gas) line, shape (n,)."""
        return self.kg[:, LINE_INDEX[line]]

    def columns(self) -> dict[str, F64]:
        """Every line as a column of shape (n,), named by `column_name`."""
        return {name: self.kg[:, i] for i, name in enumerate(COLUMNS)}

    def totals(self) -> dict[str, float]:
        """Fleet totals per column [kg]: the correctly rounded sum of the per-twin values.

        `math.fsum` makes the total independent of the twins' order, hence of sharding.
        """
        return {name: math.fsum(self.kg[:, i]) for i, name in enumerate(COLUMNS)}

    def __add__(self, other: GasLedger) -> GasLedger:
        """The same twins over two periods."""
        return self._combine(other, self.kg + other.kg, self.mb_fallback | other.mb_fallback)

    def __sub__(self, other: GasLedger) -> GasLedger:
        """Difference of two ledgers of the same twins (e.g. actual − healthy counterfactual)."""
        return self._combine(other, self.kg - other.kg, self.mb_fallback | other.mb_fallback)

    def _combine(self, other: GasLedger, kg: F64, flag: NDArray[np.bool_]) -> GasLedger:
        if other.kg.shape != self.kg.shape:
            raise ValueError(f"ledgers of {self.n} and {other.n} twins do not combine")
        scopes = set(self.embedded_gwp) | set(other.embedded_gwp)
        gwp = {
            s: tuple(sorted(set(self.embedded_gwp.get(s, ())) | set(other.embedded_gwp.get(s, ()))))
            for s in scopes
        }
        notes = tuple(dict.fromkeys(self.notes + other.notes))
        return GasLedger(kg, flag, gwp, notes)

    @classmethod
    def zeros(cls, n: int) -> GasLedger:
        return cls(np.zeros((n, len(LINES))), np.zeros(n, dtype=bool))

    @classmethod
    def from_columns(cls, table: Mapping[str, ArrayLike], **kwargs: object) -> GasLedger:
        """Rebuild from stored columns (e.g. a Parquet table); missing columns are zero."""
        n = len(np.asarray(table[next(c for c in COLUMNS if c in table)]))
        kg = np.zeros((n, len(LINES)))
        for i, name in enumerate(COLUMNS):
            if name in table:
                kg[:, i] = np.asarray(table[name], dtype=np.float64)
        flag = np.asarray(table.get("mb_fallback", np.zeros(n, dtype=bool)), dtype=bool)
        return cls(kg, flag, **kwargs)  # type: ignore[arg-type]
