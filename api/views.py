"""A run as the API sees it: live (driven by this server) or stored (read from its folder).

Both answer the same questions — info, progress, fleet summary, twins, one twin — and keep
answers per snapshot `version` (`memo`), so a busy endpoint computes each answer once per epoch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
from starlette.concurrency import run_in_threadpool

import engine
from api.errors import ConflictError
from api.tables import TableCache, part_files, read
from engine.durations import parse_duration
from engine.errors import AurumError, Problem
from engine.fleetstate import FleetState
from engine.fleetstate import load as load_state
from engine.manifest import read_manifest
from engine.plan import build_plan
from engine.runloop import STATE_FILE

T = TypeVar("T")
MEMO_SIZE = 5_000
PROGRESS_DEFAULTS: dict[str, Any] = {
    "status": "failed",
    "epochs_done": 0,
    "n_epochs": 0,
    "sim_time": "",
    "twin_ticks": 0,
    "elapsed_s": 0.0,
    "twin_ticks_per_s": 0.0,
    "error": "",
}


class RunView:
    """What every run answers; subclasses fill in where the answers come from."""

    live = False

    def __init__(self, run_id: str, run_dir: Path) -> None:
        self.run_id = run_id
        self.run_dir = run_dir
        self.tables = TableCache(run_dir)
        self._memo: dict[Hashable, Any] = {}
        self._memo_version = -1
        self._memo_lock = threading.Lock()

    @property
    def version(self) -> int:
        """Changes whenever the run's state may have changed (a new epoch, a new status)."""
        return 0

    @property
    def finished(self) -> bool:
        return True

    def info(self) -> dict[str, Any]:
        raise NotImplementedError

    def progress(self) -> dict[str, Any]:
        raise NotImplementedError

    def fleet(self) -> dict[str, Any]:
        raise NotImplementedError

    def twins(self, **filters: Any) -> dict[str, Any]:
        raise NotImplementedError

    def twin(self, twin_id: str) -> dict[str, Any] | None:
        raise NotImplementedError

    async def twin_async(self, twin_id: str) -> dict[str, Any] | None:
        """`twin()` without holding up the event loop."""
        return await run_in_threadpool(self.twin, twin_id)

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()` computed once per version of the run's state."""
        version = self.version
        with self._memo_lock:
            if version != self._memo_version or len(self._memo) > MEMO_SIZE:
                self._memo, self._memo_version = {}, version
            if key in self._memo:
                hit: T = self._memo[key]
                return hit
        value = make()
        with self._memo_lock:
            if version == self._memo_version:
                self._memo[key] = value
        return value

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) if `key` is memoised for the current version, else (False, None)."""
        with self._memo_lock:
            if self._memo_version == self.version and key in self._memo:
                return True, self._memo[key]
        return False, None

    @cached_property
    def twin_index(self) -> dict[str, tuple[str, str]]:
        """twin id → (kind, site), from twins.parquet."""
        files = part_files(self.run_dir, "twins")
        if not files:
            return {}
        t = read(files, ["twin_id", "kind", "site"])
        cols = [t.column(c).cast(pa.string()).to_pylist() for c in ("twin_id", "kind", "site")]
        return {i: (k, s) for i, k, s in zip(*cols, strict=True)}


def scenario_info(scenario: dict[str, Any], speed: float | None) -> dict[str, Any]:
    """Name, twin count and simulated span of a resolved scenario (as in manifest.json)."""
    start = datetime.fromisoformat(scenario["start"]).astimezone(UTC)
    span: timedelta = parse_duration(scenario["duration"])
    twins = sum(int(e.get("count") or 1) for e in scenario.get("fleet", []))
    return {
        "scenario": scenario["name"],
        "twins": twins,
        "speed": speed,
        "sim_start": start,
        "sim_end": start + span,
    }


class StoredRun(RunView):
    """A run found on disk: manifest.json, Parquet tables and fleet_state.npz."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir.name, run_dir)
        self.manifest = read_manifest(run_dir)

    def info(self) -> dict[str, Any]:
        speed = (self.manifest.get("execution") or {}).get("speed")
        return scenario_info(self.manifest["scenario"], speed)

    def progress(self) -> dict[str, Any]:
        p = PROGRESS_DEFAULTS | (self.manifest.get("progress") or {})
        p["status"] = self.manifest.get("status") or p["status"]
        if not p["sim_time"]:
            p["sim_time"] = self.manifest["scenario"]["start"]
        return p

    @cached_property
    def state(self) -> FleetState:
        path = self.run_dir / STATE_FILE
        if not path.is_file():
            raise ConflictError(
                Problem(
                    "this run left no fleet state (not finished, or written by an older version)",
                    path="run_id",
                    value=self.run_id,
                    accepted="a run that has ended, or one this server is driving",
                )
            )
        try:
            plan = build_plan(engine.load(self.manifest["scenario"], file="manifest.json"))
            return load_state(plan, path)
        except (AurumError, KeyError, ValueError, OSError) as e:
            msg = f"the saved state cannot be read by this version ({type(e).__name__})"
            raise ConflictError(Problem(msg, "run_id", self.run_id)) from None

    def fleet(self) -> dict[str, Any]:
        return self.state.summary()

    def twins(self, **filters: Any) -> dict[str, Any]:
        return self.state.list_twins(**filters)

    def twin(self, twin_id: str) -> dict[str, Any] | None:
        return self.state.twin(twin_id)
