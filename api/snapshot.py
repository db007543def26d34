"""A copy of a live run's fleet state in the API process, refreshed once per epoch.

With it, `/fleet`, `/twins` and `/twins/{twin}` of a live run are answered here, without a call
to the coordinator per request (the coordinator answers ~800 calls/s at best while it simulates,
too few for 500 req/s of random twins on 2 cores). The arrays come from `RunHandle.snapshot()`
(one actor call) and are loaded into the engine's own `FleetState`, so every answer is computed
by the engine's code.
"""

from __future__ import annotations

from typing import Any

from aurum.engine.run.fleetstate import FleetState
from aurum.engine.run.plan import FleetPlan
from aurum.engine.run.runner import RunHandle

Arrays = dict[str, Any]


def fetch(handle: RunHandle, timeout: float = 30.0) -> Arrays:
    """The live fleet state's arrays (one actor call)."""
    return handle.snapshot(timeout)


class LocalState:
    """Two FleetStates used in turn: one answers while the other is refilled."""

    def __init__(self, plan: FleetPlan) -> None:
        self.buffers = (FleetState(plan), FleetState(plan))
        self.current: FleetState | None = None

    def update(self, arrays: Arrays) -> FleetState:
        idle = self.buffers[1] if self.current is self.buffers[0] else self.buffers[0]
        idle.load_arrays(arrays)
        self.current = idle
        return idle
