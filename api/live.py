"""A run this server drives: live answers from the coordinator, cached per epoch.

A watcher thread polls the coordinator's progress (cheap) and fetches the fleet summary only
when an epoch has passed, so `/fleet` and the stream never wait on Ray. When the run ends the
watcher releases the coordinator (`RunHandle.wait`) and answers switch to the run's folder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from aurum.api.snapshot import LocalState, fetch
from aurum.api.views import RunView, StoredRun
from aurum.engine.run.fleetstate import FleetState
from aurum.engine.run.runner import RunHandle

log = logging.getLogger("aurum.api")
ENDED = ("done", "cancelled", "failed")


class LiveRun(RunView):
    live = True

    def __init__(
        self,
        handle: RunHandle,
        speed: float | None,
        poll_s: float,
        on_end: Callable[[LiveRun], None] | None = None,
    ) -> None:
        super().__init__(handle.run_id, handle.run_dir)
        self.on_end = on_end
        self.handle = handle
        self.speed = speed
        self.poll_s = poll_s
        self.ids = set(handle.plan.twin_ids())
        self.local: LocalState | None = LocalState(handle.plan)
        self._snapshot = (0, handle.progress(), self._fleet_now())
        self.stored: StoredRun | None = None
        self.ended = threading.Event()
        self._stop = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name=f"watch-{self.run_id}")
        self.watcher.daemon = True
        self.watcher.start()

    @property
    def version(self) -> int:
        return self._snapshot[0]

    @property
    def finished(self) -> bool:
        return self.ended.is_set()

    def info(self) -> dict[str, Any]:
        t = self.handle.plan.timing
        return {
            "scenario": self.handle.plan.name,
            "twins": len(self.ids),
            "speed": self.speed,
            "sim_start": t.start,
            "sim_end": t.start + timedelta(seconds=t.total_ticks * t.tick_s),
        }

    def progress(self) -> dict[str, Any]:
        return self._snapshot[1]

    def fleet(self) -> dict[str, Any]:
        return self._snapshot[2]

    def _fleet_now(self) -> dict[str, Any]:
        """The fleet summary, from a fresh local copy of the state when that works."""
        if self.local is not None:
            try:
                return self.local.update(fetch(self.handle)).summary()
            except (AttributeError, KeyError, TypeError) as e:  # the engine's state changed shape
                log.warning(
                    "run %s: no local state copy (%s); asking the coordinator", self.run_id, e
                )
                self.local = None
        return self.handle.fleet_state()

    def _copy(self) -> FleetState | None:
        """The local copy of the live state, if it is in use and the run still goes on."""
        return None if self.local is None or self.stored is not None else self.local.current

    def twins(self, **filters: Any) -> dict[str, Any]:
        if (state := self._copy()) is not None:
            return state.list_twins(**filters)
        return self._ask(lambda: self.handle.twins(**filters), lambda s: s.twins(**filters))

    def twin(self, twin_id: str) -> dict[str, Any] | None:
        if twin_id not in self.ids:
            return None
        if (state := self._copy()) is not None:
            return state.twin(twin_id)
        return self._ask(lambda: self.handle.twin_state(twin_id), lambda s: s.twin(twin_id))

    async def twin_async(self, twin_id: str) -> dict[str, Any] | None:
        """From the local copy, else awaiting the coordinator (no worker thread held)."""
        if self._copy() is not None or twin_id not in self.ids:
            return self.twin(twin_id)
        if self.stored is not None:
            return await super().twin_async(twin_id)
        try:
            state: dict[str, Any] | None = await self.handle.coordinator.twin_state.remote(twin_id)
            return state
        except Exception:  # the coordinator ended meanwhile: the folder answers
            return await super().twin_async(twin_id)

    def _ask(self, live: Any, stored: Any) -> Any:
        """From the coordinator while it runs; from the folder once it has ended."""
        if self.stored is not None:
            return stored(self.stored)
        try:
            return live()
        except Exception:  # the coordinator ended between the check and the call
            if not self.ended.wait(30) or self.stored is None:
                raise
            return stored(self.stored)

    def cancel(self) -> None:
        if not self.finished:
            self.handle.cancel()

    def stop(self, timeout: float) -> None:
        """Cancel, and wait up to `timeout` s for the watcher to release the coordinator."""
        try:
            self.cancel()
        except Exception:
            log.exception("cancelling run %s", self.run_id)
        self.watcher.join(timeout)

    def _publish(self, progress: dict[str, Any], fleet: dict[str, Any]) -> None:
        self._snapshot = (self._snapshot[0] + 1, progress, fleet)

    def _watch(self) -> None:
        try:
            self._follow()
        except Exception:
            log.exception("lost contact with run %s", self.run_id)
        finally:
            self._finish()

    def _follow(self) -> None:
        last = (-1, "")
        while not self.handle.done():
            p = self.handle.progress()
            if (p["epochs_done"], p["status"]) != last:
                last = (p["epochs_done"], p["status"])
                self._publish(p, self._fleet_now())
            self._stop.wait(self.poll_s)

    def _finish(self) -> None:
        """Switch to the folder's answers, then release the coordinator."""
        try:
            self.stored = StoredRun(self.run_dir)
            result = self.handle.wait()
            self._publish(result.progress, result.fleet)
        except Exception as e:
            log.warning("run %s ended badly: %s", self.run_id, e)  # wait() freed the actor
            failed = {**self._snapshot[1], "status": "failed", "error": str(e)[:200]}
            progress = self.stored.progress() if self.stored is not None else failed
            self._publish(progress, self._snapshot[2])
        finally:
            self.local = None  # the folder answers from now on
            self.ended.set()
            if self.on_end is not None:
                self.on_end(self)
