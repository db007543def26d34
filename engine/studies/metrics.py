"""What a study compares: one row of metrics per run, and a time series per run.

Read from a run's folder (`kpis.parquet`, `production/`, `emissions/` when the run has it,
`manifest.json`), so finished runs of `aurum run` can be compared too. Metrics a run cannot
give (emissions before the engine records them, steam without a boiler) are NaN, shown "–".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from aurum.engine.run.recorder import read_table

F64 = NDArray[np.float64]
PRODUCTS = ("ore_hauled_t", "ore_loaded_t", "ore_milled_t", "steam_t")
ACTIVITY = ("diesel_l", "electricity_kwh", "natural_gas_gj", "coal_t")
KINDS = ("truck", "mill", "boiler")
SCOPES = ("scope1", "scope2_location", "scope2_market", "scope3")
PER_PRODUCT = {"ore_hauled_t": "hauled", "ore_milled_t": "milled", "steam_t": "steam"}
STATUS_H = ("running_h", "standby_h", "derated_h", "down_h", "maintenance_h", "starved_h")


@dataclass(frozen=True)
class Metric:
    """A compared quantity: its column, how it is shown (label, unit, scale) and its group."""

    key: str
    label: str
    unit: str
    group: str
    scale: float = 1.0


def _m(group: str, *rows: tuple[str, str, str, float]) -> list[Metric]:
    return [Metric(k, label, unit, group, scale) for k, label, unit, scale in rows]


METRICS: tuple[Metric, ...] = (
    *_m(
        "Availability",
        ("physical_availability", "phys. avail.", "%", 100.0),
        ("mechanical_availability", "mech. avail.", "%", 100.0),
        *((f"{k}_physical_availability", f"{k} avail.", "%", 100.0) for k in KINDS),
    ),
    *_m(
        "Failures and downtime",
        ("failures", "failures", "n", 1.0),
        ("unplanned_downtime_h", "unplanned", "h", 1.0),
        ("planned_downtime_h", "planned", "h", 1.0),
    ),
    *_m(
        "Production",
        ("ore_hauled_t", "ore hauled", "kt", 1e-3),
        ("ore_loaded_t", "ore loaded", "kt", 1e-3),
        ("ore_milled_t", "ore milled", "kt", 1e-3),
        ("steam_t", "steam", "kt", 1e-3),
    ),
    *_m(
        "Haulage",
        ("match_factor", "match factor", "-", 1.0),
        ("truck_queue_h", "truck queues", "h", 1.0),
        ("loader_hang_h", "loader hang", "h", 1.0),
        ("mill_starved_h", "mill starved", "h", 1.0),
        ("truck_t_per_operating_h", "t/truck op. h", "t/h", 1.0),
    ),
    *_m(
        "Energy and fuel",
        ("diesel_l", "diesel", "kL", 1e-3),
        ("natural_gas_gj", "natural gas", "GJ", 1.0),
        ("electricity_kwh", "electricity", "MWh", 1e-3),
        ("coal_t", "coal", "t", 1.0),
        ("diesel_l_per_t_hauled", "diesel/t hauled", "L/t", 1.0),
    ),
    *_m(
        "Emissions by scope (t CO2e)",
        ("co2e_scope1_t", "scope 1", "t", 1.0),
        ("co2e_scope2_location_t", "scope 2 loc.", "t", 1.0),
        ("co2e_scope2_market_t", "scope 2 mkt.", "t", 1.0),
        ("co2e_scope3_t", "scope 3.3", "t", 1.0),
        ("co2e_wear_t", "wear penalty", "t", 1.0),
    ),
    *_m(
        "Emission totals and intensities",
        ("co2e_total_t", "total loc.", "t", 1.0),
        ("co2e_total_market_t", "total mkt.", "t", 1.0),
        *((f"kgco2e_per_t_{p}", f"kg/t {p}", "kg/t", 1.0) for p in PER_PRODUCT.values()),
    ),
    *_m(
        "Maintenance cost",
        ("maintenance_cost_usd", "maint. cost", "k$", 1e-3),
        *((f"{k}_maintenance_cost_usd", f"{k} maint.", "k$", 1e-3) for k in KINDS),
        ("direct_cost_usd", "parts+labour", "k$", 1e-3),
        ("lost_production_usd", "lost prod.", "k$", 1e-3),
        ("cost_per_t_usd", "$/t (fleet)", "$/t", 1.0),
        ("cost_per_t_milled_usd", "$/t milled", "$/t", 1.0),
    ),
)
BY_KEY = {m.key: m for m in METRICS}
VERSION = 4  # of what `run_metrics` and `run_series` compute: saved results of another are redone
SERIES = ("physical_availability", *PRODUCTS, *ACTIVITY, "co2e_t")
NAN = float("nan")


def run_metrics(run_dir: Path) -> dict[str, float]:
    """Every metric of one finished run (NaN where the run cannot give it)."""
    out = dict.fromkeys(BY_KEY, NAN)
    out |= _kpis(run_dir)
    made = _sums(read_table(run_dir, "production"), "product", ["production_t", *ACTIVITY])
    for product in PRODUCTS:
        out[product] = made.get(product, {}).get("production_t", NAN)
    for a in ACTIVITY:
        out[a] = math.fsum(v.get(a, 0.0) for v in made.values())
    out["diesel_l_per_t_hauled"] = _ratio(
        made.get("ore_hauled_t", {}).get("diesel_l"), out["ore_hauled_t"]
    )
    out["cost_per_t_milled_usd"] = _ratio(out["maintenance_cost_usd"], out["ore_milled_t"])
    out |= _emissions(run_dir)
    return out


def _kpis(run_dir: Path) -> dict[str, float]:
    t = pq.read_table(run_dir / "kpis.parquet").to_pylist()
    rows = {(r["level"], r["key"]): r for r in t}
    fleet = rows[("fleet", "fleet")]
    out = {k: float(fleet[k]) for k in BY_KEY if k in fleet}
    out["direct_cost_usd"] = float(fleet["parts_usd"] + fleet["labour_usd"])
    out["lost_production_usd"] = float(fleet["lost_production_usd"])
    for kind in KINDS:
        row = rows.get(("kind", kind))
        if row is not None:
            out[f"{kind}_physical_availability"] = float(row["physical_availability"])
            out[f"{kind}_maintenance_cost_usd"] = float(row["maintenance_cost_usd"])
    haulage = {
        "truck_queue_h": ("truck", "queue_h"),
        "loader_hang_h": ("loader", "standby_h"),
        "mill_starved_h": ("mill", "starved_h"),
        "truck_t_per_operating_h": ("truck", "productivity_t_per_operating_h"),
    }
    for key, (kind, column) in haulage.items():
        row = rows.get(("kind", kind))
        if row is not None and column in row:
            out[key] = float(row[column])
    factors = [float(r["match_factor"]) for (level, _), r in rows.items()
               if level == "site" and r.get("match_factor") is not None]  # fmt: skip
    factors = [f for f in factors if not math.isnan(f)]
    if factors:
        out["match_factor"] = math.fsum(factors) / len(factors)
    return out


def _sums(table: pa.Table, by: str, columns: list[str]) -> dict[str, dict[str, float]]:
    """Sums of `columns` per value of `by` (columns absent from the table are skipped)."""
    keys = table.column(by).cast(pa.string()).to_numpy(zero_copy_only=False)
    out: dict[str, dict[str, float]] = {}
    for value in np.unique(keys):
        rows = keys == value
        out[str(value)] = {
            c: math.fsum(table.column(c).to_numpy()[rows])
            for c in columns
            if c in table.column_names
        }
    return out


def _ratio(a: float | None, b: float) -> float:
    if a is None or not b or math.isnan(b) or math.isnan(a):
        return NAN
    return a / b


def gwp_set_of(run_dir: Path) -> str:
    """The GWP set the run's scenario asks for (AR6 when it says nothing)."""
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    esg_options = manifest.get("scenario", {}).get("esg") or {}
    return str(esg_options.get("gwp_set", "AR6"))


def co2e_columns(table: pa.Table, gwp_set: str) -> dict[str, F64]:
    """kg CO2e per row and scope (scope3 = fuels + electricity), and the totals."""
    from aurum import esg

    gases = {c: table.column(c).to_numpy() for c in table.column_names if c.endswith("_kg")}
    per = esg.co2e(gases, gwp_set)
    out = {s: per[s] for s in ("scope1", "scope2_location", "scope2_market")}
    out["scope3"] = per["scope3_fuel_wtt"] + per["scope3_electricity"]
    out["total"] = out["scope1"] + out["scope2_location"] + out["scope3"]
    out["total_market"] = out["scope1"] + out["scope2_market"] + out["scope3"]
    return out


def _emissions(run_dir: Path) -> dict[str, float]:
    if not (run_dir / "emissions").is_dir():
        return {}
    table = read_table(run_dir, "emissions")
    kg = co2e_columns(table, gwp_set_of(run_dir))
    out = {f"co2e_{s}_t": math.fsum(kg[s]) / 1e3 for s in SCOPES}
    out["co2e_total_t"] = math.fsum(kg["total"]) / 1e3
    out["co2e_total_market_t"] = math.fsum(kg["total_market"]) / 1e3
    out["co2e_wear_t"] = _wear_t(run_dir, gwp_set_of(run_dir))
    products = table.column("product").cast(pa.string()).to_numpy(zero_copy_only=False)
    made = table.column("production_t").to_numpy()
    for product, short in PER_PRODUCT.items():
        rows = products == product
        if rows.any():
            out[f"kgco2e_per_t_{short}"] = _ratio(
                math.fsum(kg["total"][rows]), math.fsum(made[rows])
            )
    return out


def _wear_t(run_dir: Path, gwp_set: str) -> float:
    """t CO2e that degradation cost (`wear.parquet`, location basis): the cost of wear in carbon."""
    from aurum import esg

    path = run_dir / "wear.parquet"
    if not path.is_file():
        return NAN
    table = pq.read_table(path)
    weights = esg.gwp_weights(gwp_set)
    kg = [weights[g] * math.fsum(table.column(f"{g}_kg").to_pylist()) for g in esg.GASES]
    return math.fsum(kg) / 1e3


def run_series(run_dir: Path) -> dict[str, list[float]]:
    """Daily (or, for runs under two days, per-epoch) values of the SERIES quantities."""
    prod = read_table(run_dir, "production")
    start = _hours(prod.column("start"))
    span = _hours(prod.column("end")) - start
    total_h = float(start.max() - start.min() + span.max()) if len(start) else 0.0
    width = 24.0 if total_h >= 48.0 else float(span.max() if len(span) else 1.0)
    bucket = np.floor((start - start.min()) / width + 1e-9).astype(np.int64)
    n = int(bucket.max()) + 1 if len(bucket) else 0
    out: dict[str, list[float]] = {"t_h": [float(i * width) for i in range(n)]}
    hours = {c: np.bincount(bucket, prod.column(c).to_numpy(), n) for c in STATUS_H}
    lost = hours["down_h"] + hours["maintenance_h"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["physical_availability"] = (1.0 - lost / sum(hours.values())).tolist()
    products = prod.column("product").cast(pa.string()).to_numpy(zero_copy_only=False)
    made = prod.column("production_t").to_numpy()
    for p in PRODUCTS:
        out[p] = np.bincount(bucket, np.where(products == p, made, 0.0), n).tolist()
    for a in ACTIVITY:
        if a in prod.column_names:
            out[a] = np.bincount(bucket, prod.column(a).to_numpy(), n).tolist()
    out |= _emission_series(run_dir, start.min(), width, n)
    return out


def _emission_series(run_dir: Path, t0: float, width: float, n: int) -> dict[str, list[float]]:
    if not (run_dir / "emissions").is_dir():
        return {}
    table = read_table(run_dir, "emissions")
    kg = co2e_columns(table, gwp_set_of(run_dir))["total"]
    bucket = np.floor((_hours(table.column("start")) - t0) / width + 1e-9).astype(np.int64)
    return {"co2e_t": (np.bincount(bucket, kg, n) / 1e3).tolist()}


def _hours(column: pa.ChunkedArray) -> F64:
    """Timestamps as hours since the epoch."""
    ms = column.cast(pa.timestamp("ms")).cast(pa.int64()).to_numpy()
    return np.asarray(ms, dtype=np.float64) / 3.6e6


def finite(values: Any) -> F64:
    """The finite values of a sequence, as floats."""
    a = np.asarray(values, dtype=np.float64)
    return a[np.isfinite(a)]
