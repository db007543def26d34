"""What happens to twins, as coded events a shard reports each epoch (the `events` table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray


class Event(IntEnum):
    FAILURE = 0  # functional failure of a mode: the machine goes down
    REPAIR_START = 1
    REPAIR_END = 2
    PREVENTIVE_START = 3
    PREVENTIVE_END = 4
    INJECTION = 5  # a scenario injection applied to the machine (failure mode, anomaly)
    SENSOR_FAULT = 6  # a scenario sensor fault started
    THRESHOLD_CROSSED = 7  # a failure mode's symptom crossed its alarm level (the P point)
    ALERT = 8  # risk crossed the alert level (risk scoring)
    ALERT_CLEARED = 9


@dataclass
class EventLog:
    """Events of one epoch, as growing lists turned into arrays at the end."""

    tick: list[int] = field(default_factory=list)
    twin: list[int] = field(default_factory=list)  # global twin index
    event: list[int] = field(default_factory=list)
    label: list[int] = field(default_factory=list)  # index into the kind's labels (-1: none)
    value: list[float] = field(default_factory=list)

    def add(
        self,
        tick: int,
        twins: NDArray[np.int64],
        event: Event,
        label: int,
        values: NDArray[np.float64],
    ) -> None:
        k = len(twins)
        self.tick += [tick] * k
        self.twin += twins.tolist()
        self.event += [int(event)] * k
        self.label += [label] * k
        self.value += np.asarray(values, dtype=np.float64).tolist()

    def arrays(self) -> dict[str, NDArray[np.generic]]:
        return {
            "tick": np.array(self.tick, dtype=np.int64),
            "twin": np.array(self.twin, dtype=np.int64),
            "event": np.array(self.event, dtype=np.int8),
            "label": np.array(self.label, dtype=np.int16),
            "value": np.array(self.value, dtype=np.float64),
        }
