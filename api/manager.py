"""The run manager: starts runs, keeps the live ones, and finds earlier ones on disk.

One per server process. Live runs are those this server started; any other folder under the
runs directory with a manifest.json (finished runs, runs of earlier server lives, `aurum run`
output) is served read-only from its files.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aurum import engine
from aurum.api.config import Settings
from aurum.api.errors import BusyError, ConflictError, RunNotFoundError, UnreadableRunError
from aurum.api.launch import Launch
from aurum.api.live import LiveRun
from aurum.api.models import RUN_ID_PATTERN
from aurum.api.views import RunView, StoredRun
from aurum.engine.errors import Problem

Starter = Callable[..., engine.RunHandle]
_RUN_ID = re.compile(RUN_ID_PATTERN)
STORED_CACHE = 64  # finished runs kept open (each may hold its fleet state and answers)


class RunManager:
    def __init__(self, settings: Settings, starter: Starter | None = None) -> None:
        self.settings = settings
        self.runs_dir = Path(settings.runs_dir)
        self.starter: Starter = starter or engine.start
        self._live: dict[str, LiveRun] = {}
        self._stored: dict[str, tuple[int, StoredRun | UnreadableRunError]] = {}
        self._lock = threading.Lock()
        self._starting = threading.Lock()

    def connect(self) -> int:
        """Start or join Ray now (else the first run does); the cluster's CPUs."""
        from aurum.engine.run.actors import connect

        return connect(self.settings.address)

    def start(self, launch: Launch) -> LiveRun:
        """Start a run (blocks while its actors start) and follow it."""
        with self._starting:
            if len(self.in_progress()) >= self.settings.max_live_runs:
                accepted = f"at most {self.settings.max_live_runs} (AURUM_MAX_LIVE_RUNS)"
                msg = "too many runs in progress: wait for one to end or cancel one"
                raise BusyError(Problem(msg, accepted=accepted))
            handle = self.starter(
                launch.scenario,
                out=self.runs_dir,
                twins_per_actor=launch.twins_per_actor,
                address=self.settings.address,
                speed=launch.speed,
            )
            run = LiveRun(handle, launch.speed, self.settings.poll_s, self._ended)
            with self._lock:
                self._live[run.run_id] = run
            if run.finished:  # it ended before it was registered
                self._ended(run)
        return run

    def _ended(self, run: LiveRun) -> None:
        """A live run has ended: from now on its folder answers for it."""
        with self._lock:
            self._live.pop(run.run_id, None)

    def in_progress(self) -> list[LiveRun]:
        with self._lock:
            return [r for r in self._live.values() if not r.finished]

    def get(self, run_id: str) -> RunView:
        """The run of that id, live or stored; RunNotFoundError, or UnreadableRunError for a
        folder whose manifest this server cannot read."""
        with self._lock:
            live = self._live.get(run_id)
        if live is not None:
            return live
        run = self._stored_run(run_id) if _RUN_ID.match(run_id) else None
        if isinstance(run, UnreadableRunError):  # a fresh one: a cached error's traceback grows
            raise UnreadableRunError(run.run_id, run.reason)
        if run is None:
            raise RunNotFoundError(Problem("no run of that id", "run_id", run_id))
        return run

    def _stored_run(self, run_id: str) -> StoredRun | UnreadableRunError | None:
        """The run in that folder; its error if it is not readable; None if no such folder."""
        folder = self.runs_dir / run_id
        try:
            stamp = (folder / "manifest.json").stat().st_mtime_ns
        except OSError:
            if not folder.is_dir():
                return None
            return UnreadableRunError(run_id, "no manifest.json (not a run, or not started yet)")
        with self._lock:
            hit = self._stored.get(run_id)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        run: StoredRun | UnreadableRunError
        try:
            run = StoredRun(folder)
        except UnreadableRunError as e:  # a half-written or foreign manifest: kept, as a reason
            run = e
        with self._lock:
            self._stored[run_id] = (stamp, run)
            while len(self._stored) > STORED_CACHE:  # the oldest looked-up runs go first
                self._stored.pop(next(iter(self._stored)))
        return run

    def all(self) -> list[RunView]:
        """Every readable run: this server's, then those on disk, newest first by id stamp."""
        return self.scan()[0]

    def scan(self) -> tuple[list[RunView], list[UnreadableRunError]]:
        """Every readable run (newest first by id stamp), and why each unreadable folder is."""
        with self._lock:
            runs: dict[str, RunView] = dict(self._live)
        unreadable: list[UnreadableRunError] = []
        for name in self._folders():
            if name in runs:
                continue
            stored = self._stored_run(name)
            if isinstance(stored, UnreadableRunError):
                unreadable.append(stored)
            elif stored is not None:
                runs[name] = stored
        unreadable.sort(key=lambda e: e.run_id)
        return sorted(runs.values(), key=_newest_first, reverse=True), unreadable

    def _folders(self) -> list[str]:
        """Names of the folders under the runs folder that could be run ids."""
        try:
            return [f.name for f in self.runs_dir.iterdir() if _RUN_ID.match(f.name) and f.is_dir()]
        except OSError:  # no runs folder yet, or not readable: no stored runs
            return []

    def cancel(self, run_id: str) -> LiveRun:
        run = self.get(run_id)
        if not isinstance(run, LiveRun) or run.finished:
            msg = "the run is not in progress on this server"
            raise ConflictError(Problem(msg, "run_id", run_id, accepted="a live run"))
        run.cancel()
        return run

    def close(self, timeout: float = 20.0) -> None:
        """Cancel every live run and release its coordinator (server shutdown)."""
        for run in self.in_progress():
            run.stop(timeout)

    def stats(self) -> dict[str, Any]:
        return {"live": len(self.in_progress())}


def _newest_first(run: RunView) -> tuple[str, str]:
    stamp = run.run_id.rsplit("-", 2)
    return ("" if len(stamp) < 3 else stamp[-2], run.run_id)
