"""The fleet's latest state, kept by the coordinator and read while a run is in progress.

Per twin: status, latest reported channels, cumulative production, resources and hours by status.
Updated once per epoch from the shards' results; answers `summary()` and `twin(id)`.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from aurum import esg
from aurum.engine.run.plan import FleetPlan
from aurum.engine.run.recorder import activity_columns
from aurum.engine.run.workshop import JobRecord
from aurum.engine.scenario.emissions import co2e_by_scope
from aurum.twins import registry
from aurum.twins.events import Event
from aurum.twins.kind import PRODUCING, Status
from aurum.twins.shard import N_STATUS, EpochResult, Shard

TOP_RISKS = 10  # twins listed in the summary's top_risks


class FleetState:
    def __init__(self, plan: FleetPlan) -> None:
        self.plan = plan
        n = plan.n_twins
        self.kind_of = np.empty(n, dtype=np.int16)
        self.position = np.empty(n, dtype=np.int64)  # index within its kind group
        self.kinds = list(plan.groups)
        for k, g in enumerate(plan.groups.values()):
            self.kind_of[g.twin_index] = k
            self.position[g.twin_index] = np.arange(len(g.twin_ids))
        self._ids: list[str] | None = None
        self._sites: np.ndarray | None = None
        self.index = {t: i for i, t in enumerate(self.plan_ids())}
        self.status = np.full(n, int(Status.RUNNING), dtype=np.int8)
        self.production = np.zeros(n)
        self.activity = {a: np.zeros(n) for a in activity_columns(plan)}
        self.hours = np.zeros((N_STATUS, n))
        # maintenance: counts, crew hours and money per twin
        self.failures = np.zeros(n)
        self.repairs = np.zeros(n)
        self.repair_h = np.zeros(n)
        self.preventive_jobs = np.zeros(n)
        self.preventive_h = np.zeros(n)
        self.open_repairs = np.zeros(n)  # repairs still under way when the run ends
        self.open_repair_h = np.zeros(n)
        self.queue_h = np.zeros(n)  # time in queues (trucks at loaders and the dump)
        self.parts_usd = np.zeros(n)
        self.labour_usd = np.zeros(n)
        # emissions: kg of each gas by scope (esg.COLUMNS); wear: kg CO2e by failure mode
        self.gases = {c: np.zeros(n) for c in esg.COLUMNS}
        self.wear: dict[str, np.ndarray] = {}
        self.latest: dict[str, dict[str, np.ndarray]] = {
            name: {c.name: np.full(len(g.twin_ids), np.nan) for c in registry.get(name).sensors}
            for name, g in plan.groups.items()
        }
        self.risk = np.full(n, np.nan)  # latest failure risk per twin (NaN: not scored)
        self.alerts = np.zeros(n)  # risk alerts raised per twin
        self.epochs_done = 0
        self.sim_time: datetime = plan.timing.start
        self.recent_events: deque[dict[str, Any]] = deque(maxlen=RECENT)
        self._lock = threading.Lock()

    def arrays(self) -> dict[str, Any]:
        """A consistent copy of everything this state holds (for snapshots and saving)."""
        with self._lock:
            out: dict[str, Any] = {k: getattr(self, k).copy() for k in ARRAYS}
            out["activity"] = {k: v.copy() for k, v in self.activity.items()}
            out["latest"] = {
                kind: {c: v.copy() for c, v in chans.items()} for kind, chans in self.latest.items()
            }
            out["epochs_done"] = self.epochs_done
            out["recent_events"] = list(self.recent_events)
            out["gases"] = {k: v.copy() for k, v in self.gases.items()}
            out["wear"] = {k: v.copy() for k, v in self.wear.items()}
            out["risk"] = self.risk.copy()
            out["alerts"] = self.alerts.copy()
            return out

    def load_arrays(self, snap: dict[str, Any]) -> None:
        """Set this state from `arrays()` output (the API keeps a copy of a live run)."""
        with self._lock:
            for k in ARRAYS:
                # a snapshot saved before a field existed leaves it at zero
                setattr(self, k, np.asarray(snap[k]) if k in snap else getattr(self, k))
            self.activity = dict(snap["activity"])
            self.latest = {kind: dict(chans) for kind, chans in snap["latest"].items()}
            self.epochs_done = int(snap["epochs_done"])
            self.recent_events = deque(snap.get("recent_events", ()), maxlen=RECENT)
            self.gases = dict(snap.get("gases", self.gases))
            self.wear = dict(snap.get("wear", {}))
            self.risk = np.asarray(snap.get("risk", np.full(len(self.status), np.nan)))
            self.alerts = np.asarray(snap.get("alerts", np.zeros(len(self.status))))
            t = self.plan.timing
            done = self.epochs_done
            self.sim_time = t.time_at(t.epoch_span(done - 1)[1]) if done else t.start

    def _book(self, jobs: Sequence[JobRecord]) -> None:
        """Maintenance jobs as they start: counts, crew hours (to the run's end) and money."""
        horizon = self.plan.timing.total_ticks
        tick_h = self.plan.timing.tick_s / 3600.0
        for j in jobs:
            hours = (min(j.end, horizon) - j.start) * tick_h
            if j.preventive:
                self.preventive_jobs[j.twin] += 1
                self.preventive_h[j.twin] += hours
            elif j.end <= horizon:  # MTTR counts completed repairs only
                self.repairs[j.twin] += 1
                self.repair_h[j.twin] += hours
            else:
                self.open_repairs[j.twin] += 1
                self.open_repair_h[j.twin] += hours
            self.parts_usd[j.twin] += j.parts_usd
            self.labour_usd[j.twin] += j.labour_usd

    def update(
        self,
        epoch: int,
        results: Sequence[EpochResult],
        jobs: Sequence[JobRecord] = (),
        gases: Sequence[dict[str, np.ndarray]] = (),
        wear: Sequence[tuple[str, np.ndarray, dict[str, np.ndarray]]] = (),
    ) -> None:
        with self._lock:
            for r, cols in zip(results, gases, strict=False):
                for c in esg.COLUMNS:
                    self.gases[c][r.twin_index] += cols[c]
            for mode, idx, cols in wear:
                kg = self.wear.setdefault(mode, np.zeros((len(esg.GASES), len(self.status))))
                kg[:, idx] += location_basis(cols)
            self._book(jobs)
            for r in results:
                idx = r.twin_index
                self._remember(r)
                failed = r.events["event"] == Event.FAILURE
                np.add.at(self.failures, r.events["twin"][failed], 1.0)
                alerted = r.events["event"] == Event.ALERT
                np.add.at(self.alerts, r.events["twin"][alerted], 1.0)
                self.status[idx] = r.latest["status"]
                if r.risk is not None:
                    self.risk[idx] = r.risk
                self.production[idx] += r.production
                queued = r.sums.get("queue_h")
                if queued is not None:
                    self.queue_h[idx] += queued
                for a, used in r.activity.items():
                    self.activity[a][idx] += used
                self.hours[:, idx] += r.status_hours
                pos = self.position[idx]
                for c, values in r.latest.items():
                    if c != "status":
                        self.latest[r.kind][c][pos] = values
            self.epochs_done = epoch + 1
            self.sim_time = self.plan.timing.time_at(self.plan.timing.epoch_span(epoch)[1])

    def wear_table(self) -> dict[str, Any]:
        """Per twin and failure mode, kg of each gas degradation cost (location basis)."""
        ids = self.plan_ids()
        cols: dict[str, list[Any]] = {"twin_id": [], "kind": [], "mode": []}
        cols |= {f"{g}_kg": [] for g in esg.GASES}
        for key, kg in sorted(self.wear.items()):
            kind, mode = key.split(".", 1)
            twins = np.flatnonzero(kg.any(axis=0))
            cols["twin_id"] += [ids[t] for t in twins]
            cols["kind"] += [kind] * len(twins)
            cols["mode"] += [mode] * len(twins)
            for i, g in enumerate(esg.GASES):
                cols[f"{g}_kg"] += kg[i, twins].tolist()
        return cols

    def _remember(self, r: EpochResult) -> None:
        """Keep the latest events (the live alert feed, before they reach Parquet)."""
        ev = r.events
        if not len(ev["tick"]):
            return
        labels = Shard.labels(registry.get(r.kind))
        ids = self.plan_ids()
        t = self.plan.timing
        for tick, twin, event, label, value in zip(
            ev["tick"].tolist(),
            ev["twin"].tolist(),
            ev["event"].tolist(),
            ev["label"].tolist(),
            ev["value"].tolist(),
            strict=True,
        ):
            self.recent_events.append(
                {
                    "time": t.time_at(tick).isoformat(),
                    "twin_id": ids[twin],
                    "kind": r.kind,
                    "event": Event(event).name.lower(),
                    "mode": labels[label] if label >= 0 else None,
                    "value": value,
                }
            )

    def summary_counts(self) -> dict[str, int]:
        """How many twins are in each machine state now."""
        counts = np.bincount(self.status, minlength=N_STATUS)
        return {s.name.lower(): int(counts[int(s)]) for s in Status}

    def summary(self) -> dict[str, Any]:
        """Fleet totals by kind: counts by status, production, resources, availability."""
        with self._lock:
            out: dict[str, Any] = {"sim_time": self.sim_time.isoformat(), "kinds": {}}
            for k, name in enumerate(self.kinds):
                mask = self.kind_of == k
                out["kinds"][name] = self._kind_summary(name, mask)
            out["top_risks"] = self.top_risks()
            return out

    def top_risks(self, limit: int = TOP_RISKS) -> list[dict[str, Any]]:
        """The twins with the highest latest risk (scored ones only), highest first."""
        scored = np.flatnonzero(~np.isnan(self.risk))
        best = scored[np.lexsort((scored, -self.risk[scored]))][:limit]
        ids = self.plan_ids()
        return [
            {
                "twin_id": ids[i],
                "kind": self.kinds[int(self.kind_of[i])],
                "risk": float(self.risk[i]),
            }
            for i in best.tolist()
        ]

    def _kind_summary(self, name: str, mask: np.ndarray) -> dict[str, Any]:
        kind = registry.get(name)
        hours = self.hours[:, mask].sum(axis=1)
        total_h = float(hours.sum())
        producing = float(sum(hours[int(s)] for s in PRODUCING))
        down = float(hours[int(Status.DOWN)] + hours[int(Status.MAINTENANCE)])
        counts = np.bincount(self.status[mask], minlength=N_STATUS)
        return {
            "twins": int(mask.sum()),
            "by_status": {s.name.lower(): int(counts[int(s)]) for s in Status},
            "product": kind.production.name,
            "production_t": float(self.production[mask].sum()),
            "activity": {a: float(self.activity[a][mask].sum()) for a in kind.activity_names()},
            "producing_h": producing,
            "physical_availability": (total_h - down) / total_h if total_h else None,
            "emissions": self._emissions(mask),
            "risk": self._risk(mask),
        }

    def _risk(self, mask: np.ndarray) -> dict[str, Any]:
        """Twins scored, alerts raised, and the highest latest risk among some twins."""
        risk = self.risk[mask]
        scored = ~np.isnan(risk)
        out: dict[str, Any] = {
            "scored": int(scored.sum()),
            "alerts": int(self.alerts[mask].sum()),
            "alerted_twins": int((self.alerts[mask] > 0).sum()),
            "max_risk": None,
            "max_twin": None,
        }
        if scored.any():
            i = int(np.flatnonzero(mask)[np.flatnonzero(scored)[np.argmax(risk[scored])]])
            out["max_risk"] = float(self.risk[i])
            out["max_twin"] = self.plan_ids()[i]
        return out

    def _emissions(self, mask: np.ndarray | int) -> dict[str, Any]:
        """kg CO2e by scope (the scenario's GWP set) of some twins, and of their wear."""
        summed = {c: np.asarray([v[mask].sum()]) for c, v in self.gases.items()}
        per_scope = co2e_by_scope(summed, self.plan.gwp_set)
        made = float(np.asarray(self.production[mask]).sum())
        out: dict[str, Any] = {k: float(v[0]) for k, v in per_scope.items()}
        out["gwp_set"] = self.plan.gwp_set
        gwp = esg.gwp_weights(self.plan.gwp_set)
        out["kg_co2e_per_t"] = out["total"] / made if made > 0 else None
        weights = np.array([gwp[g] for g in esg.GASES])
        out["wear_co2e"] = {
            m: float(weights @ v[:, mask].reshape(len(weights), -1).sum(axis=1))
            for m, v in self.wear.items()
        }
        return out

    def list_twins(
        self,
        kind: str | None = None,
        site: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> dict[str, Any]:
        """A page of twins (id, kind, site, status, production) matching the filters."""
        with self._lock:
            mask = np.ones(len(self.status), dtype=bool)
            if kind is not None:
                mask &= self.kind_of == (self.kinds.index(kind) if kind in self.kinds else -1)
            if site is not None:
                code = self.plan.site_ids.index(site) if site in self.plan.site_ids else -1
                mask &= self._site_of() == code
            if status is not None:
                names = [s.name.lower() for s in Status]
                mask &= self.status == (names.index(status) if status in names else -1)
            hits = np.flatnonzero(mask)
            page = hits[offset : offset + limit]
            ids = self.plan_ids()
            rows = [
                {
                    "twin_id": ids[i],
                    "kind": self.kinds[int(self.kind_of[i])],
                    "site": self.plan.site_ids[int(self._site_of()[i])],
                    "status": Status(int(self.status[i])).name.lower(),
                    "production_t": float(self.production[i]),
                }
                for i in page.tolist()
            ]
            return {"total": len(hits), "offset": offset, "limit": limit, "twins": rows}

    def plan_ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self.plan.twin_ids()
        return self._ids

    def _site_of(self) -> np.ndarray:
        if self._sites is None:
            sites = np.empty(len(self.status), dtype=np.int32)
            for g in self.plan.groups.values():
                sites[g.twin_index] = g.site_index
            self._sites = sites
        return self._sites

    def twin(self, twin_id: str) -> dict[str, Any] | None:
        """Latest state of one twin, or None if no such twin."""
        i = self.index.get(twin_id)
        if i is None:
            return None
        with self._lock:
            name = self.kinds[int(self.kind_of[i])]
            kind = registry.get(name)
            pos = int(self.position[i])
            g = self.plan.groups[name]
            return {
                "twin_id": twin_id,
                "kind": name,
                "site": self.plan.site_ids[int(g.site_index[pos])],
                "status": Status(int(self.status[i])).name.lower(),
                "sim_time": self.sim_time.isoformat(),
                "channels": {c: _plain(v[pos]) for c, v in self.latest[name].items()},
                "units": {c.name: c.unit for c in kind.sensors},
                "production": {kind.production.name: float(self.production[i])},
                "activity": {a: float(self.activity[a][i]) for a in kind.activity_names()},
                "hours": {s.name.lower(): float(self.hours[int(s), i]) for s in Status},
                "risk": _plain(self.risk[i]),
                "emissions": self._emissions(i),
            }


RECENT = 500  # events kept for the live feed

ARRAYS = (
    "status",
    "production",
    "hours",
    "failures",
    "repairs",
    "repair_h",
    "preventive_jobs",
    "preventive_h",
    "open_repairs",
    "open_repair_h",
    "queue_h",
    "parts_usd",
    "labour_usd",
)


LOCATION_SCOPES = ("scope1", "scope2_location", "scope3_fuel_wtt", "scope3_electricity")


def location_basis(cols: dict[str, np.ndarray]) -> np.ndarray:
    """(gases, n) kg of each gas over the scopes of a location-based total."""
    return np.stack([sum(cols[esg.column_name(s, g)] for s in LOCATION_SCOPES) for g in esg.GASES])


def save(state: FleetState, path: Path) -> None:
    """Write the fleet state (cumulative totals, latest channels) to an .npz file."""
    snap = state.arrays()
    arrays: dict[str, np.ndarray] = {k: snap[k] for k in ARRAYS}
    arrays |= {f"activity/{k}": v for k, v in snap["activity"].items()}
    arrays |= {
        f"latest/{k}/{c}": v for k, chans in snap["latest"].items() for c, v in chans.items()
    }
    arrays |= {f"gases/{k}": v for k, v in snap["gases"].items()}
    arrays |= {f"wear/{k}": v for k, v in snap["wear"].items()}
    arrays["epochs_done"] = np.array(snap["epochs_done"])
    arrays["risk"] = snap["risk"]
    arrays["alerts"] = snap["alerts"]
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]  # numpy stubs: **kw as bool
    tmp.replace(path)


def load(plan: FleetPlan, path: Path) -> FleetState:
    """A FleetState as saved by `save` (e.g. to answer for a finished run)."""
    state = FleetState(plan)
    with np.load(path) as z:
        snap: dict[str, Any] = {k: z[k] for k in ARRAYS}
        snap["activity"] = {k: z[f"activity/{k}"] for k in state.activity}
        snap["latest"] = {
            kind: {c: z[f"latest/{kind}/{c}"] for c in chans}
            for kind, chans in state.latest.items()
        }
        snap["gases"] = {k[6:]: z[k] for k in z.files if k.startswith("gases/")}
        snap["wear"] = {k[5:]: z[k] for k in z.files if k.startswith("wear/")}
        snap["epochs_done"] = int(z["epochs_done"])
        if "risk" in z.files:  # runs saved before risk scoring have none
            snap["risk"] = z["risk"]
        if "alerts" in z.files:
            snap["alerts"] = z["alerts"]
    state.load_arrays(snap)
    return state


def _plain(x: Any) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v
