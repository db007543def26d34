"""Sensor faults: what a sensor reports goes wrong, the machine does not.

Forms after `vtnsi/fault_injector` ("Supported fault types") [V]: bias y = x + b, drift
y = x + r·(t − s), stuck y = c (the reading when the fault started), noise y = x + ε
(ε ~ N(0, σ²)), dropout y = NaN; extended with gain y = (1 + g)·x and spikes (impulses of size
m at random ticks, probability 0.3 a tick) [A].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from aurum.twins.rng import Streams

FaultType = Literal["bias", "drift", "stuck", "noise", "dropout", "gain", "spike"]
FAULT_TYPES: tuple[str, ...] = ("bias", "drift", "stuck", "noise", "dropout", "gain", "spike")
SPIKE_PROBABILITY = 0.3


@dataclass
class SensorFault:
    """A fault on one channel of one twin over ticks [start, end)."""

    twin: int  # position in the shard
    channel: str
    fault: FaultType
    start: int
    end: int
    magnitude: float  # b, r (per hour), σ, g or m in the channel's unit; unused by stuck/dropout
    stuck_value: float = np.nan

    def active(self, ticks: NDArray[np.int64]) -> NDArray[np.bool_]:
        return (ticks >= self.start) & (ticks < self.end)


def apply_faults(
    values: NDArray[np.float64],
    ticks: NDArray[np.int64],
    faults: list[SensorFault],
    rng: Streams,
    tick_h: float,
) -> list[tuple[NDArray[np.intp], int]]:
    """Corrupt readings in place (values is (len(ticks), n) for one channel); what changed."""
    changed = []
    for f in faults:
        rows = np.flatnonzero(f.active(ticks))
        if len(rows):
            values[rows, f.twin] = _corrupt(f, values[rows, f.twin], ticks[rows], rng, tick_h)
            changed.append((rows, f.twin))
    return changed


def _corrupt(
    f: SensorFault, x: NDArray[np.float64], t: NDArray[np.int64], rng: Streams, tick_h: float
) -> NDArray[np.float64]:
    one = rng.subset(np.array([f.twin]))
    m = f.magnitude
    forms = {
        "bias": lambda: x + m,
        "gain": lambda: x * (1.0 + m),
        "drift": lambda: x + m * (t - f.start + 1) * tick_h,
        "stuck": lambda: np.full_like(x, f.stuck_value),
        "dropout": lambda: np.full_like(x, np.nan),
        "noise": lambda: x + m * one.normal(f"fault/{f.channel}", t)[:, 0],
        "spike": lambda: x + m * (one.uniform(f"fault/{f.channel}", t)[:, 0] < SPIKE_PROBABILITY),
    }
    return forms[f.fault]()
