"""A run as the API sees it: live (driven by this server) or stored (read from its folder).

Both answer the same questions — info, progress, fleet summary, twins, one twin — and keep
answers per snapshot `version` (`memo`), so a busy endpoint computes each answer once per epoch.
"""

from __future__ import annotations

import logging
import threading
import zipfile
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from aurum import engine
from aurum.api.errors import ConflictError, UnreadableRunError
from aurum.api.tables import TableCache, part_files, read, utc
from aurum.engine.errors import AurumError, Problem
from aurum.engine.run.fleetstate import FleetState
from aurum.engine.run.fleetstate import load as load_state
from aurum.engine.run.loop import STATE_FILE
from aurum.engine.run.manifest import ManifestError, read_manifest
from aurum.engine.run.plan import build_plan
from aurum.engine.scenario.durations import parse_duration

T = TypeVar("T")
log = logging.getLogger("aurum.api")
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
    sc = StoredScenario.model_validate(scenario)
    start = utc(sc.start)
    span: timedelta = parse_duration(sc.duration)
    return {
        "scenario": sc.name,
        "twins": sum(e.count or 1 for e in sc.fleet),
        "speed": speed,
        "sim_start": start,
        "sim_end": start + span,
    }


class _Lenient(BaseModel):
    """A part of someone else's manifest.json: the fields the API shows, each checked."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


Count = Annotated[int, Field(ge=0, lt=2**63)]
Seconds = Annotated[float, Field(ge=0)]


class StoredEntry(_Lenient):
    count: Count | None = None


class StoredScenario(_Lenient):
    name: str
    start: datetime
    duration: str
    fleet: list[StoredEntry] = []


class StoredExecution(_Lenient):
    speed: Annotated[float, Field(gt=0)] | None = None


class StoredProgress(_Lenient):
    status: str | None = None
    epochs_done: Count = 0
    n_epochs: Count = 0
    sim_time: datetime | Literal[""] = ""
    twin_ticks: Count = 0
    elapsed_s: Seconds = 0.0
    twin_ticks_per_s: Seconds = 0.0
    error: str = ""


class StoredManifest(_Lenient):
    scenario: dict[str, Any]
    status: str | None = None
    progress: StoredProgress | None = None
    execution: StoredExecution | None = None


def checked(manifest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(info, progress) of a stored run; ValueError or OverflowError naming the bad field."""
    m = StoredManifest.model_validate(manifest)
    try:
        info = scenario_info(m.scenario, m.execution.speed if m.execution else None)
    except ValidationError as e:
        raise ValueError(_first(e, "scenario.")) from None
    except ValueError as e:
        raise ValueError(f"scenario.duration: {e}") from None
    except OverflowError:
        raise OverflowError("scenario: its end is past the year 9999") from None
    p = PROGRESS_DEFAULTS | (m.progress or StoredProgress()).model_dump(exclude_unset=True)
    p["status"] = m.status or p["status"]
    p["sim_time"] = p["sim_time"] or info["sim_start"]
    return info, p


def _first(e: ValidationError, prefix: str = "") -> str:
    """One line for the first thing pydantic found wrong: where and what."""
    err = e.errors(include_url=False)[0]
    where = prefix + ".".join(str(x) for x in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])


class StoredRun(RunView):
    """A run found on disk: manifest.json, Parquet tables and fleet_state.npz.

    The manifest is read and checked at once, so a foreign or corrupt one is refused here
    (UnreadableRunError, with the reason) instead of failing each answer later.
    """

    def __init__(self, run_dir: Path) -> None:
        super().__init__(run_dir.name, run_dir)
        try:
            self.manifest = read_manifest(run_dir)
            self._info, self._progress = checked(self.manifest)
            return
        except ManifestError as e:
            why = e.problems[0].message
        except ValidationError as e:
            why = _first(e)
        except (ValueError, OverflowError) as e:
            why = str(e)
        raise UnreadableRunError(self.run_id, f"manifest.json: {why}")

    def info(self) -> dict[str, Any]:
        return dict(self._info)

    def progress(self) -> dict[str, Any]:
        return dict(self._progress)

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
        except (AurumError, KeyError, ValueError, TypeError, ArithmeticError, OSError, EOFError,
                zipfile.BadZipFile) as e:  # fmt: skip
            log.warning("run %s: saved state unreadable", self.run_id, exc_info=e)
            msg = f"the saved state cannot be read by this version ({type(e).__name__})"
            raise ConflictError(Problem(msg, "run_id", self.run_id)) from None

    def fleet(self) -> dict[str, Any]:
        return self.state.summary()

    def twins(self, **filters: Any) -> dict[str, Any]:
        return self.state.list_twins(**filters)

    def twin(self, twin_id: str) -> dict[str, Any] | None:
        return self.state.twin(twin_id)
