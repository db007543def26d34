"""A shard: a batch of twins of one kind, advanced one epoch (many ticks) per call.

The shard is pure numpy and knows nothing of Ray; the engine wraps it in an actor. It owns what
every kind shares: the clock inside an epoch, ambient temperature, sensor measurement noise,
telemetry sampling and the per-epoch totals of production and activity.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from twins.kind import Channel, Kind, State, Status, TickContext, TickOutput
from twins.params import KindParams, ParamArrays, stack
from twins.rng import Streams, twin_keys
from twins.site import Ambient, Environment

N_STATUS = len(Status)


@dataclass(frozen=True)
class Timing:
    """The run's clock: tick length, epoch length and telemetry resolution, all in ticks."""

    start: datetime
    tick_s: float
    total_ticks: int
    epoch_ticks: int
    telemetry_every: int

    @property
    def n_epochs(self) -> int:
        return math.ceil(self.total_ticks / self.epoch_ticks)

    def epoch_span(self, epoch: int) -> tuple[int, int]:
        """First tick and one past the last tick of an epoch."""
        t0 = epoch * self.epoch_ticks
        return t0, min(t0 + self.epoch_ticks, self.total_ticks)

    def time_at(self, tick: int) -> datetime:
        return self.start + timedelta(seconds=tick * self.tick_s)

    def hours_utc(self, tick: int) -> float:
        midnight = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        return ((self.start - midnight).total_seconds() + tick * self.tick_s) / 3600.0

    def shortened(self, total_ticks: int) -> Timing:
        return Timing(self.start, self.tick_s, total_ticks, self.epoch_ticks, self.telemetry_every)


def default_timing(total_ticks: int = 120, epoch_ticks: int = 60) -> Timing:
    return Timing(datetime(2026, 1, 5, tzinfo=UTC), 60.0, total_ticks, epoch_ticks, 1)


@dataclass
class EpochResult:
    """What a shard hands back for one epoch; every array's last axis is the twin axis."""

    kind: str
    epoch: int
    twin_index: NDArray[np.int64]  # global position of each twin in the fleet
    sample_ticks: NDArray[np.int64]  # ticks at whose end telemetry was sampled
    telemetry: dict[str, NDArray[Any]]  # (samples, n): reported sensors, status, coded channels
    production: NDArray[np.float64]  # (n,) product delivered in the epoch
    activity: dict[str, NDArray[np.float64]]  # (n,) resources used in the epoch
    status_hours: NDArray[np.float64]  # (N_STATUS, n) hours spent in each Status
    latest: dict[str, NDArray[Any]]  # (n,) reported sensors and status at the epoch's last tick
    compute_s: float


class Shard:
    """Twins of one kind advanced together, epoch by epoch."""

    def __init__(
        self,
        kind: Kind,
        twin_ids: Sequence[str],
        twin_index: NDArray[np.int64],
        params: Sequence[KindParams] | ParamArrays,
        env: Environment,
        timing: Timing,
        seed: int,
    ) -> None:
        self.kind = kind
        self.twin_ids = list(twin_ids)
        self.twin_index = np.asarray(twin_index, dtype=np.int64)
        self.params = params if isinstance(params, dict) else stack(params)
        self.env = env
        self.timing = timing
        self.rng = Streams(seed, twin_keys(self.twin_ids))
        self.ambient = Ambient(env)
        self.state: State = kind.initial(self.params, env, self.rng)
        self.epoch = 0
        self._noisy = [c for c in kind.sensors if not c.categories]
        self._coded = [c for c in kind.sensors if c.categories]

    @property
    def n(self) -> int:
        return len(self.twin_ids)

    @property
    def done(self) -> bool:
        return self.epoch >= self.timing.n_epochs

    def step(self, tick: int) -> TickOutput:
        """One tick of the kind's model at a given global tick."""
        t = self.timing
        hours = t.hours_utc(tick)
        ctx = TickContext(tick, t.tick_s, hours, self.ambient.at(hours))
        return self.kind.step(self.state, self.params, self.env, ctx, self.rng)

    def run_epoch(self) -> EpochResult:
        """Advance all twins through the next epoch and report it."""
        began = time.perf_counter()
        t0, t1 = self.timing.epoch_span(self.epoch)
        every = self.timing.telemetry_every
        sample_ticks = np.array([t for t in range(t0, t1) if (t + 1) % every == 0], np.int64)
        rows = {int(t): i for i, t in enumerate(sample_ticks)}
        buf = {c.name: np.empty((len(sample_ticks), self.n)) for c in self.kind.sensors}
        status_buf = np.empty((len(sample_ticks), self.n), dtype=np.int8)
        production = np.zeros(self.n)
        activity = {c.name: np.zeros(self.n) for c in self.kind.activity}
        status_ticks = np.zeros(N_STATUS * self.n, dtype=np.int64)
        offsets = np.arange(self.n, dtype=np.int64)
        out: TickOutput | None = None
        for tick in range(t0, t1):
            out = self.step(tick)
            production += out.production
            for name, used in out.activity.items():
                activity[name] += used
            status_ticks += np.bincount(
                out.status.astype(np.int64) * self.n + offsets, minlength=N_STATUS * self.n
            )
            row = rows.get(tick)
            if row is not None:
                for name, value in out.sensors.items():
                    buf[name][row] = value
                status_buf[row] = out.status
        assert out is not None
        telemetry = self._report(buf, sample_ticks)
        telemetry["status"] = status_buf
        latest = self._report({k: v[None, :] for k, v in out.sensors.items()}, np.array([t1 - 1]))
        latest = {k: v[0] for k, v in latest.items()}
        latest["status"] = out.status.copy()
        hours = status_ticks.reshape(N_STATUS, self.n).astype(np.float64)
        hours *= self.timing.tick_s / 3600.0
        result = EpochResult(
            kind=self.kind.name,
            epoch=self.epoch,
            twin_index=self.twin_index,
            sample_ticks=sample_ticks,
            telemetry=telemetry,
            production=production,
            activity=activity,
            status_hours=hours,
            latest=latest,
            compute_s=time.perf_counter() - began,
        )
        self.epoch += 1
        return result

    def _report(
        self, truth: dict[str, NDArray[np.float64]], ticks: NDArray[np.int64]
    ) -> dict[str, NDArray[Any]]:
        """What the sensors report at some ticks: truth plus measurement noise, clipped."""
        out: dict[str, NDArray[Any]] = {}
        for c in self._noisy:
            out[c.name] = self._measure(c, truth[c.name], ticks).astype(np.float32)
        for c in self._coded:
            out[c.name] = truth[c.name].astype(np.int8)
        return out

    def _measure(
        self, c: Channel, truth: NDArray[np.float64], ticks: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        value = truth
        if c.noise_sd > 0.0 and len(ticks):
            value = truth + c.noise_sd * self.rng.normal_q16(f"noise/{c.name}", ticks)
        return np.clip(value, c.lo, c.hi)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume this shard exactly (for checkpoints)."""
        return {"epoch": self.epoch, "state": {k: v.copy() for k, v in self.state.items()}}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.epoch = int(saved["epoch"])
        self.state = {k: np.array(v, copy=True) for k, v in saved["state"].items()}
