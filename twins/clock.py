"""The run's clock as the twins see it: ticks, epochs and telemetry sampling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property


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

    @cached_property
    def _since_midnight_s(self) -> float:
        """Seconds from the start's midnight to the start, once (a YAML timestamp's `replace`
        is slow, and every tick asks)."""
        midnight = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        return (self.start - midnight).total_seconds()

    def hours_utc(self, tick: int) -> float:
        return (self._since_midnight_s + tick * self.tick_s) / 3600.0

    def shortened(self, total_ticks: int) -> Timing:
        return Timing(self.start, self.tick_s, total_ticks, self.epoch_ticks, self.telemetry_every)


def default_timing(total_ticks: int = 120, epoch_ticks: int = 60) -> Timing:
    return Timing(datetime(2026, 1, 5, tzinfo=UTC), 60.0, total_ticks, epoch_ticks, 1)
