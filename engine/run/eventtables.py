"""The run's event tables: `events/` (what happened to twins), `jobs/` (maintenance work) and
`sensor_faults/` (readings a fault changed, with the true value kept beside them)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from aurum.engine.run.plan import FleetPlan
from aurum.engine.run.workshop import JobRecord
from aurum.twins import registry
from aurum.twins.events import Event
from aurum.twins.shard import EpochResult, Shard

TS = pa.timestamp("ms", tz="UTC")
DICT = pa.dictionary(pa.int32(), pa.string())
EVENT_NAMES = pa.array([e.name.lower() for e in Event], pa.string())

EVENTS = pa.schema(
    [
        ("time", TS),
        ("tick", pa.int64()),
        ("twin_id", DICT),
        ("kind", DICT),
        ("site", DICT),
        ("event", DICT),
        ("mode", pa.string()),  # the failure mode, or the sensor channel of a fault
        ("value", pa.float64()),
        ("detail", pa.string()),
    ]
)
JOBS = pa.schema(
    [
        ("twin_id", DICT),
        ("kind", DICT),
        ("site", DICT),
        ("crew", pa.int32()),
        ("type", DICT),
        ("modes", pa.string()),
        ("requested", TS),
        ("start", TS),
        ("end", TS),
        ("wait_h", pa.float64()),
        ("duration_h", pa.float64()),
        ("parts_usd", pa.float64()),
        ("labour_usd", pa.float64()),
    ]
)
FAULTS = pa.schema(
    [
        ("time", TS),
        ("twin_id", DICT),
        ("kind", DICT),
        ("channel", pa.string()),
        ("reported", pa.float64()),
        ("true", pa.float64()),
    ]
)
# What `value` holds for each event (also in docs/outputs.md).
VALUE_MEANING = {
    Event.FAILURE: "equivalent age of the failed part [h]",
    Event.REPAIR_START: "planned job length [ticks]",
    Event.PREVENTIVE_START: "planned job length [ticks]",
    Event.REPAIR_END: "restoration (1 = as good as new)",
    Event.PREVENTIVE_END: "restoration (1 = as good as new)",
    Event.INJECTION: "severity",
    Event.SENSOR_FAULT: "fault magnitude",
    Event.THRESHOLD_CROSSED: "true symptom reading",
}


def _dict(indices: Any, values: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), values)


class EventColumns:
    """Builds the columns of the three tables from shard results and job records."""

    def __init__(self, plan: FleetPlan, all_ids: pa.Array) -> None:
        self.plan = plan
        self.all_ids = all_ids
        self.kinds = list(plan.groups)
        self.kind_names = pa.array(self.kinds, pa.string())
        self.site_names = pa.array(list(plan.site_ids), pa.string())
        n = plan.n_twins
        self.kind_of = np.zeros(n, dtype=np.int32)
        self.site_of = np.zeros(n, dtype=np.int32)
        for k, g in enumerate(plan.groups.values()):
            self.kind_of[g.twin_index] = k
            self.site_of[g.twin_index] = g.site_index
        self.labels = {k: Shard.labels(registry.get(k)) for k in self.kinds}
        t = plan.timing
        self.ms0, self.tick_ms = t.start.timestamp() * 1000.0, t.tick_s * 1000.0

    def _time(self, ticks: Any) -> pa.Array:
        return pa.array((self.ms0 + np.asarray(ticks) * self.tick_ms).astype(np.int64), TS)

    def _who(self, twins: Any) -> dict[str, Any]:
        twins = np.asarray(twins, dtype=np.int64)
        return {
            "twin_id": _dict(twins, self.all_ids),
            "kind": _dict(self.kind_of[twins], self.kind_names),
            "site": _dict(self.site_of[twins], self.site_names),
        }

    def events(self, results: Sequence[EpochResult]) -> dict[str, Any] | None:
        parts = [(r.kind, r.events) for r in results if len(r.events["tick"])]
        if not parts:
            return None
        ev = {k: np.concatenate([p[k] for _, p in parts]) for k in parts[0][1]}
        labels = [self.labels[k][i] if i >= 0 else None for k, p in parts for i in p["label"]]
        order = np.lexsort((ev["event"], ev["twin"], ev["tick"]))
        return {
            "time": self._time(ev["tick"][order]),
            "tick": ev["tick"][order],
            **self._who(ev["twin"][order]),
            "event": _dict(ev["event"][order].astype(np.int32), EVENT_NAMES),
            "mode": pa.array([labels[i] for i in order], pa.string()),
            "value": ev["value"][order],
            "detail": pa.array([""] * len(order), pa.string()),
        }

    def jobs(self, records: Sequence[JobRecord]) -> dict[str, Any] | None:
        if not records:
            return None
        tick_h = self.plan.timing.tick_s / 3600.0
        twins = [j.twin for j in records]
        types = pa.array(["corrective", "preventive"], pa.string())
        return {
            **self._who(twins),
            "crew": pa.array([j.crew for j in records], pa.int32()),
            "type": _dict([int(j.preventive) for j in records], types),
            "modes": pa.array([",".join(j.modes) for j in records], pa.string()),
            "requested": self._time([j.request_tick for j in records]),
            "start": self._time([j.start for j in records]),
            "end": self._time([j.end for j in records]),
            "wait_h": np.array([(j.start - j.request_tick) * tick_h for j in records]),
            "duration_h": np.array([(j.end - j.start) * tick_h for j in records]),
            "parts_usd": np.array([j.parts_usd for j in records]),
            "labour_usd": np.array([j.labour_usd for j in records]),
        }

    def faults(self, results: Sequence[EpochResult]) -> dict[str, Any] | None:
        parts = [r for r in results if len(r.faulted["tick"])]
        if not parts:
            return None
        f = {k: np.concatenate([r.faulted[k] for r in parts]) for k in parts[0].faulted}
        channels = [self.labels[r.kind][i] for r in parts for i in r.faulted["channel"]]
        order = np.lexsort((f["twin"], f["tick"]))
        return {
            "time": self._time(f["tick"][order] + 1),  # readings are stamped at the tick's end
            "twin_id": _dict(f["twin"][order], self.all_ids),
            "kind": _dict(self.kind_of[f["twin"][order]], self.kind_names),
            "channel": pa.array([channels[i] for i in order], pa.string()),
            "reported": f["reported"][order].astype(np.float64),
            "true": f["true"][order].astype(np.float64),
        }


def table_folders(run_dir: Path) -> dict[str, tuple[Path, pa.Schema]]:
    return {
        "events": (run_dir / "events", EVENTS),
        "jobs": (run_dir / "jobs", JOBS),
        "sensor_faults": (run_dir / "sensor_faults", FAULTS),
    }
