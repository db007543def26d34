"""Maintenance and production KPIs per twin, kind, site and fleet (as CAT's mining metrics).

Definitions (hours are calendar hours of the run):
- physical availability = 1 − (down + maintenance) / calendar: every hour the machine could not
  work, waiting for a crew included;
- mechanical availability = 1 − maintenance / calendar: only the hours crews worked on it;
- MTBF = operating hours / failures; MTTR = corrective repair hours / repairs;
  inherent availability = MTBF / (MTBF + MTTR);
- unplanned downtime = waiting for a crew + corrective repair; planned = preventive jobs;
- maintenance cost = parts + labour + lost production (down and maintenance hours × the kind's
  value of an hour of output); cost per tonne = that cost / tonnes produced.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.engine.maintenance.config import LOST_PRODUCTION_USD_H, Costs
from aurum.engine.run.fleetstate import FleetState
from aurum.twins.kind import Status

SUMS = (
    "calendar_h",
    "operating_h",
    "down_h",
    "maintenance_h",
    "failures",
    "repairs",
    "repair_h",
    "preventive_jobs",
    "preventive_h",
    "production_t",
    "parts_usd",
    "labour_usd",
    "lost_production_usd",
)


def per_twin(state: FleetState, costs: Costs) -> dict[str, NDArray[np.float64]]:
    """The summable quantities of every twin, in global order."""
    h = state.hours
    lost_rate = np.array(
        [
            costs.lost_production_usd_per_h.get(k, LOST_PRODUCTION_USD_H.get(k, 0.0))
            for k in state.kinds
        ]
    )[state.kind_of]
    down = h[int(Status.DOWN)]
    maint = h[int(Status.MAINTENANCE)]
    return {
        "calendar_h": h.sum(axis=0),
        "operating_h": h[int(Status.RUNNING)] + h[int(Status.DERATED)],
        "down_h": down,
        "maintenance_h": maint,
        "failures": state.failures,
        "repairs": state.repairs,
        "repair_h": state.repair_h,
        "preventive_jobs": state.preventive_jobs,
        "preventive_h": state.preventive_h,
        "production_t": state.production,
        "parts_usd": state.parts_usd,
        "labour_usd": state.labour_usd,
        "lost_production_usd": (down + maint) * lost_rate,
    }


def derive(s: dict[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """Ratios from sums (NaN where undefined, e.g. MTBF with no failure)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cal = s["calendar_h"]
        mtbf = np.where(s["failures"] > 0, s["operating_h"] / s["failures"], np.nan)
        mttr = np.where(s["repairs"] > 0, s["repair_h"] / s["repairs"], np.nan)
        cost = s["parts_usd"] + s["labour_usd"] + s["lost_production_usd"]
        return {
            "physical_availability": 1.0 - (s["down_h"] + s["maintenance_h"]) / cal,
            "mechanical_availability": 1.0 - s["maintenance_h"] / cal,
            "mtbf_h": mtbf,
            "mttr_h": mttr,
            "inherent_availability": mtbf / (mtbf + mttr),
            "unplanned_downtime_h": s["down_h"] + s["repair_h"],
            "planned_downtime_h": s["preventive_h"],
            "maintenance_cost_usd": cost,
            "cost_per_t_usd": np.where(s["production_t"] > 0, cost / s["production_t"], np.nan),
        }


def table(state: FleetState, costs: Costs) -> dict[str, Any]:
    """KPI rows at every level: each twin, each kind, each site, and the fleet."""
    twin = per_twin(state, costs)
    site_of = state._site_of()
    groups = [("twin", np.arange(len(state.status), dtype=np.int64), state.plan_ids())]
    groups.append(("kind", state.kind_of.astype(np.int64), state.kinds))
    groups.append(("site", site_of.astype(np.int64), list(state.plan.site_ids)))
    groups.append(("fleet", np.zeros(len(state.status), dtype=np.int64), ["fleet"]))
    cols: dict[str, list[Any]] = {"level": [], "key": []}
    sums: dict[str, list[NDArray[Any]]] = {k: [] for k in SUMS}
    for level, code, names in groups:
        cols["level"] += [level] * len(names)
        cols["key"] += list(names)
        for k in SUMS:
            sums[k].append(np.bincount(code, weights=twin[k], minlength=len(names)))
    merged = {k: np.concatenate(v) for k, v in sums.items()}
    return cols | merged | derive(merged)


def by_kind(state: FleetState, costs: Costs) -> dict[str, dict[str, float]]:
    """KPIs of each kind, as plain floats (for summaries and the API)."""
    t = table(state, costs)
    out = {}
    for i, (level, key) in enumerate(zip(t["level"], t["key"], strict=True)):
        if level in ("kind", "fleet"):
            out[key] = {k: float(v[i]) for k, v in t.items() if k not in ("level", "key")}
    return out
