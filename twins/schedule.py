"""Things that happen to twins at exact ticks: scenario injections and maintenance jobs.

The engine hands a shard its injections when it is built and its maintenance jobs with each
epoch; the shard applies each one at the start of its tick, whatever the epoch length.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from aurum.twins.faults import FaultType


@dataclass(frozen=True)
class ModeInjection:
    """Start (and ramp, or accelerate) a failure mode on some twins."""

    tick: int
    twins: tuple[int, ...]  # global twin indices
    mode: str
    severity: float = 0.0  # fraction of the way to functional failure reached after the ramp
    ramp_h: float = 0.0
    accelerate: float = 1.0  # multiplies the mode's ageing from now on
    label: str = ""  # the scenario's name for it (e.g. an anomaly "temperature_drift")


@dataclass(frozen=True)
class FaultInjection:
    """A sensor fault on one channel of some twins over ticks [tick, end)."""

    tick: int
    end: int
    twins: tuple[int, ...]
    channel: str
    fault: FaultType
    magnitude: float = 0.0


@dataclass(frozen=True)
class Job:
    """Maintenance on one twin over ticks [start, end): restores `modes` at the end."""

    start: int
    end: int
    twin: int  # global twin index
    modes: tuple[str, ...]
    preventive: bool
    restoration: float = 1.0  # 1 = as good as new; < 1 imperfect (Kijima type I)


Action = ModeInjection | FaultInjection | Job


class Schedule:
    """Actions by tick for the twins of one shard (global indices → local positions)."""

    def __init__(self, position: dict[int, int]) -> None:
        self.position = position
        self.starts: dict[int, list[Action]] = defaultdict(list)
        self.ends: dict[int, list[Job]] = defaultdict(list)

    def add(self, action: Action) -> None:
        if isinstance(action, Job):
            if action.twin in self.position:
                self.starts[action.start].append(action)
                self.ends[action.end].append(action)
            return
        mine = tuple(t for t in action.twins if t in self.position)
        if mine:
            self.starts[action.tick].append(type(action)(**{**action.__dict__, "twins": mine}))

    def at(self, tick: int) -> tuple[list[Job], list[Action]]:
        """Jobs ending and actions starting at a tick (ends first: a crew hands over)."""
        return self.ends.pop(tick, []), self.starts.pop(tick, [])

    def pending(self) -> list[Action]:
        """Everything not yet applied (for checkpoints)."""
        seen: dict[int, Action] = {}
        for starting in self.starts.values():
            seen |= {id(a): a for a in starting}
        for ending in self.ends.values():
            seen |= {id(a): a for a in ending}
        return list(seen.values())
