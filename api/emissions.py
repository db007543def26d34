"""Emissions of a run by twin, kind, site or scope, in CO2e with a chosen GWP set.

The `emissions/` table stores gas masses by scope (one column per scope and gas, esg.COLUMNS);
CO2e is computed here at read time with esg's GWP sets. A row's total counts scope 1, scope 2 on
one basis (location by default, as the GHG Protocol's dual reporting allows one total) and 3.3.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from aurum import esg
from aurum.api.tables import read


def factor(gas: str, gwp: str = "AR6") -> float:
    """kg CO2e per kg of a ledger gas under a GWP set (co2e_embedded counts as published)."""
    return esg.gwp_weights(gwp).get(gas, 0.0)


GROUP_COLUMNS = {"twin": "twin_id", "kind": "kind", "site": "site"}
# esg's ledger scopes as the API names them (one basis of scope 2 adds to a total)
SCOPE_LABELS = {
    "scope1": "1",
    "scope2_location": "2-location",
    "scope2_market": "2-market",
    "scope3_fuel_wtt": "3.3-fuel",
    "scope3_electricity": "3.3-electricity",
}


def grouped_kg(files: list[Path], group_by: str) -> list[dict[str, Any]]:
    """Sum of kg per (group, scope, gas) from the wide `emissions/` table (one column per
    scope and gas): small enough to loop over in Python."""
    col = GROUP_COLUMNS.get(group_by)
    table = read(files, [*([col] if col else []), *esg.COLUMNS])
    if col:
        keys = pa.table(
            {col: table.column(col).cast(pa.string())} | {c: table[c] for c in esg.COLUMNS}
        )
        sums = keys.group_by([col]).aggregate([(c, "sum") for c in esg.COLUMNS]).to_pylist()
    else:
        sums = [{f"{c}_sum": pc.sum(table[c]).as_py() or 0.0 for c in esg.COLUMNS}]
    out = []
    for row in sums:
        for scope, label in SCOPE_LABELS.items():
            for gas in esg.GASES:
                kg = row[f"{esg.column_name(scope, gas)}_sum"] or 0.0
                group = row[col] if col else label
                out.append({"group": group, "scope": label, "gas": gas, "kg": kg})
    return out


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
        if (per_scope or counted(s["scope"], scope2)) and kg:
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
