"""Summaries behind the HTML and XLSX reports, from plain inputs (no engine, no file I/O).

The input is the emissions table the engine records: one row per (period, twin) with columns
``period``, ``twin_id``, optionally ``kind``, ``site``, ``country``, ``product_t`` and
``mb_fallback``, and the gas-mass columns of `esg.ledger.COLUMNS` (``scope1_co2_kg``...).
A pandas DataFrame or a dict of arrays both work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aurum.esg.gwp import co2e, gwp_records, total_co2e
from aurum.esg.ledger import COLUMNS, F64
from aurum.esg.records import AnyRecord, EmissionFactor, GwpValue, Parameter


@dataclass(frozen=True)
class ReportInput:
    """Everything a report shows; all plain data."""

    table: Mapping[str, ArrayLike]
    records: Sequence[AnyRecord] = ()  # factor records used (AccountingPlan.records)
    gwp_set: str = "AR6"
    factor_set: str = "ipcc"
    title: str = "Emissions report"
    subtitle: str = ""
    embedded_gwp: Mapping[str, Sequence[str]] = field(default_factory=dict)
    notes: Sequence[str] = ()
    wear: Mapping[str, ArrayLike] | None = None  # columns twin_id, mode, co2e_kg
    partial: str = ""  # a run that did not finish: what it covers (shown first in every report)


@dataclass(frozen=True)
class Grouped:
    """Per-group sums: labels and one array per measure, aligned."""

    labels: list[str]
    values: dict[str, F64]


def column(table: Mapping[str, ArrayLike], name: str, n: int, fill: object = 0.0) -> NDArray:
    """A column as an array, or `fill` repeated when the table lacks it."""
    if name in table:
        return np.asarray(table[name])
    return np.full(n, fill)


def row_count(table: Mapping[str, ArrayLike]) -> int:
    return len(np.asarray(table["twin_id"]))


def row_co2e(inp: ReportInput) -> dict[str, F64]:
    """kg CO2e per row and scope, plus 'total' (location-based) and 'total_market'."""
    per_scope = co2e(inp.table, inp.gwp_set)
    return per_scope | {
        "total": total_co2e(per_scope),
        "total_market": total_co2e(per_scope, market_based=True),
    }


def group_sum(keys: ArrayLike, values: Mapping[str, F64]) -> Grouped:
    """Sum every measure over rows sharing a key (vectorised: unique + bincount)."""
    labels, inverse = np.unique(np.asarray(keys).astype(str), return_inverse=True)
    sums = {k: _bincount(inverse, v, len(labels)) for k, v in values.items()}
    return Grouped([str(x) for x in labels], sums)


def by_period(inp: ReportInput) -> Grouped:
    """kg CO2e per period and scope, periods in time order."""
    n = row_count(inp.table)
    periods = column(inp.table, "period", n, "run")
    order_keys, inverse = np.unique(periods, return_inverse=True)
    rows = row_co2e(inp)
    sums = {s: _bincount(inverse, rows[s], len(order_keys)) for s in rows}
    return Grouped([_label(p) for p in order_keys], sums)


def by_key(inp: ReportInput, key: str) -> Grouped:
    """kg CO2e per scope and tonnes of product per value of a column (twin_id, kind...)."""
    n = row_count(inp.table)
    rows = row_co2e(inp) | {"product_t": column(inp.table, "product_t", n).astype(float)}
    return group_sum(column(inp.table, key, n, "all"), rows)


def gas_totals(inp: ReportInput) -> dict[str, float]:
    """Fleet totals of every gas-mass column [kg]."""
    return {
        c: float(np.sum(np.asarray(inp.table[c], dtype=float))) for c in COLUMNS if c in inp.table
    }


def scope_totals(inp: ReportInput) -> dict[str, float]:
    """Fleet totals per scope and totals [kg CO2e]."""
    return {k: float(np.sum(v)) for k, v in row_co2e(inp).items()}


def fallback_twins(inp: ReportInput) -> int:
    """How many twins had market-based kWh that took the location factor."""
    n = row_count(inp.table)
    flags = column(inp.table, "mb_fallback", n, False).astype(bool)
    return len(np.unique(np.asarray(inp.table["twin_id"])[flags]))


def factor_rows(inp: ReportInput) -> list[dict[str, str]]:
    """The factor records used, plus the GWP records of the report's set, as table rows."""
    gwp = list(gwp_records(inp.gwp_set).values())
    seen: dict[str, AnyRecord] = {r.factor_id: r for r in [*inp.records, *gwp]}
    return [_factor_row(r) for r in seen.values()]


def _factor_row(r: AnyRecord) -> dict[str, str]:
    if isinstance(r, EmissionFactor):
        values = ", ".join(f"{k} {v:g}" for k, v in r.values().items())
        extra = f" (GWP {r.gwp_set})" if r.gwp_set else ""
        value, unit = values + extra, r.unit
    elif isinstance(r, Parameter):
        value, unit = f"{r.quantity} {r.value:g}", r.unit
    else:
        assert isinstance(r, GwpValue)
        value, unit = f"{r.gwp_set} {r.gas} {r.value:g}", "kg CO2e/kg"
    return {
        "factor_id": r.factor_id,
        "value": value,
        "unit": unit,
        "source": f"{r.publisher}: {r.dataset}",
        "edition": r.edition,
        "table": r.table_ref,
        "region": r.region,
        "VL": r.verification,
        "note": r.note,
    }


def _bincount(inverse: NDArray[np.intp], weights: F64, size: int) -> F64:
    return np.asarray(np.bincount(inverse, weights=weights, minlength=size), dtype=np.float64)


def _label(value: object) -> str:
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value, unit="m")).replace("T", " ")
    return str(value)
