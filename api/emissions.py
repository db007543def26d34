"""Emissions of a run by twin, kind, site or scope, in CO2e with a chosen GWP set.

The `emissions/` table stores gas masses by scope; CO2e is computed here at read time. A row's
total counts scope 1, scope 2 on one basis (location by default, as the GHG Protocol's dual
reporting allows one total) and scope 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from api.gwp import factor
from api.tables import read

GROUP_COLUMNS = {"twin": "twin_id", "kind": "kind", "site": "site", "scope": "scope"}


def grouped_kg(files: list[Path], group_by: str) -> list[dict[str, Any]]:
    """Sum of kg per (group, scope, gas): small enough to loop over in Python."""
    col = GROUP_COLUMNS[group_by]
    names = list(dict.fromkeys([col, "scope", "gas"]))
    table = read(files, [*names, "kg"])
    plain = pa.table({n: table.column(n).cast(pa.string()) for n in names} | {"kg": table["kg"]})
    out = plain.group_by(names).aggregate([("kg", "sum")]).to_pylist()
    return [{"group": r[col], "scope": r["scope"], "gas": r["gas"], "kg": r["kg_sum"]} for r in out]


def counted(scope: str, scope2: str) -> bool:
    """Whether a scope adds to the total (only one basis of scope 2 does)."""
    if scope.startswith("2"):
        return scope == f"2-{scope2}"
    return True


def summarise(
    sums: list[dict[str, Any]], gwp: str = "AR6", scope2: str = "location", per_scope: bool = False
) -> list[dict[str, Any]]:
    """Rows of {group, co2e_kg, by_scope, by_gas}, largest CO2e first.

    Grouped by scope (`per_scope`), each row is that scope's own CO2e; otherwise a row's CO2e
    and gases count only the scopes that add to a total.
    """
    rows: dict[str, dict[str, Any]] = {}
    for s in sums:
        row = rows.setdefault(
            s["group"], {"group": s["group"], "co2e_kg": 0.0, "by_scope": {}, "by_gas": {}}
        )
        kg = s["kg"] or 0.0
        co2e = kg * factor(s["gas"], gwp)
        row["by_scope"][s["scope"]] = row["by_scope"].get(s["scope"], 0.0) + co2e
        if per_scope or counted(s["scope"], scope2):
            row["co2e_kg"] += co2e
            row["by_gas"][s["gas"]] = row["by_gas"].get(s["gas"], 0.0) + kg
    return sorted(rows.values(), key=lambda r: -r["co2e_kg"])


def total(rows: list[dict[str, Any]], scope2: str = "location") -> float:
    """The run's CO2e: every counted scope once."""
    by_scope: dict[str, float] = {}
    for r in rows:
        for scope, kg in r["by_scope"].items():
            by_scope[scope] = by_scope.get(scope, 0.0) + kg
    return sum(kg for scope, kg in by_scope.items() if counted(scope, scope2))
