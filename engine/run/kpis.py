"""Maintenance and production KPIs per twin, kind, site and fleet (as CAT's mining metrics).

Definitions (hours are calendar hours of the run):
- physical availability = 1 − (down + maintenance) / calendar: every hour the machine could not
  work, waiting for a crew included (a mill starved of feed is available: it is not its fault);
- mechanical availability = 1 − maintenance / calendar: only the hours crews worked on it;
- MTBF = operating hours / failures; MTTR = corrective repair hours / completed repairs (repairs
  still under way at the end are counted apart: `open_repairs`, `open_repair_h`);
  inherent availability = MTBF / (MTBF + MTTR);
- unplanned downtime = waiting for a crew + corrective repair; planned = preventive jobs;
- maintenance cost = direct cost (parts + labour) + lost production (down and maintenance hours ×
  the kind's value of an hour of output); cost per tonne = that cost / tonnes of the row's product.
- productivity = tonnes of product per operating hour and per calendar hour (Caterpillar's two
  bases); queue_h = hours in queues (trucks at loaders and the dump); standby_h = available and
  idle (a loader waiting for trucks: its hang time); starved_h = a mill idle for want of feed.

Tonnes are per product (`ore_hauled_t`, `ore_loaded_t`, `ore_milled_t`, `steam_t`): a site or the
fleet makes several, so its `production_t` and `cost_per_t_usd` are left empty (NaN) where the
row mixes products, and `cost_per_t_milled_usd` divides its whole maintenance cost by the ore it
milled. `match_factor` (site rows; Burt & Caccetta 2007, heterogeneous fleets) = Σ over trucks of
1 / (cycle time without queueing) ÷ Σ over loaders of 1 / (loading time per truck): below 1 the
loaders wait, above 1 the trucks queue.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.engine.maintenance.config import LOST_PRODUCTION_USD_H, Costs
from aurum.engine.run.fleetstate import FleetState
from aurum.engine.run.plan import FleetPlan
from aurum.twins import registry
from aurum.twins.kind import Status
from aurum.twins.site import Environment
from aurum.twins.system import match_factor

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
    "open_repairs",
    "open_repair_h",
    "queue_h",
    "standby_h",
    "starved_h",
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
        "open_repairs": state.open_repairs,
        "open_repair_h": state.open_repair_h,
        "queue_h": state.queue_h,
        "standby_h": h[int(Status.STANDBY)],
        "starved_h": h[int(Status.STARVED)],
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
            "unplanned_downtime_h": s["down_h"] + s["repair_h"] + s["open_repair_h"],
            "planned_downtime_h": s["preventive_h"],
            "direct_maintenance_cost_usd": s["parts_usd"] + s["labour_usd"],
            "maintenance_cost_usd": cost,
            "cost_per_t_usd": np.where(s["production_t"] > 0, cost / s["production_t"], np.nan),
            "productivity_t_per_operating_h": s["production_t"] / s["operating_h"],
            "productivity_t_per_calendar_h": s["production_t"] / cal,
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
    products = _products(state)
    per_product = {
        p: np.concatenate([np.bincount(code, weights=np.where(made, state.production, 0.0),
                                       minlength=len(names)) for _, code, names in groups])
        for p, made in products.items()
    }  # fmt: skip
    mixed = sum((v > 0).astype(int) for v in per_product.values()) > 1
    merged["production_t"] = np.where(mixed, np.nan, merged["production_t"])
    out = cols | merged | per_product | derive(merged)
    milled = per_product.get("ore_milled_t", np.zeros(len(cols["level"])))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cost_per_t_milled_usd"] = np.where(
            milled > 0, out["maintenance_cost_usd"] / milled, np.nan
        )
    mf = match_factors(state.plan)
    out["match_factor"] = np.array(
        [mf.get(key, np.nan) if level == "site" else np.nan
         for level, key in zip(cols["level"], cols["key"], strict=True)]
    )  # fmt: skip
    return out


def _products(state: FleetState) -> dict[str, NDArray[np.bool_]]:
    """Each product and the twins that make it."""
    out: dict[str, NDArray[np.bool_]] = {}
    for k, name in enumerate(state.kinds):
        product = registry.get(name).production.name
        mask = out.setdefault(product, np.zeros(len(state.status), dtype=bool))
        mask |= state.kind_of == k
    return out


def match_factors(plan: FleetPlan) -> dict[str, float]:
    """Match factor of every site whose trucks share loaders (`twins.system.match_factor`)."""
    out = {}
    for s in plan.interacting_sites():
        trucks, loaders = plan.groups.get("truck"), plan.groups["loader"]
        if trucks is None:
            continue
        t_rows, l_rows = plan.site_rows("truck", [s]), plan.site_rows("loader", [s])
        if not len(t_rows):
            continue
        t_params = {k: v[t_rows] for k, v in trucks.params.items()}
        l_params = {k: v[l_rows] for k, v in loaders.params.items()}
        env = Environment(plan.sites, trucks.site_index[t_rows])
        out[plan.site_ids[s]] = match_factor(t_params, env, l_params)
    return out


def by_kind(state: FleetState, costs: Costs) -> dict[str, dict[str, float]]:
    """KPIs of each kind, as plain floats (for summaries and the API)."""
    t = table(state, costs)
    out = {}
    for i, (level, key) in enumerate(zip(t["level"], t["key"], strict=True)):
        if level in ("kind", "fleet"):
            out[key] = {k: float(v[i]) for k, v in t.items() if k not in ("level", "key")}
    return out
