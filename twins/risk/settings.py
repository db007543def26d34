"""How a run scores risk: plain data built by the engine from the scenario's `risk:` block."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from aurum.twins.risk.model import RiskModel

DEFAULT_INTERVAL_S = 600.0  # score every 10 simulated minutes
DEFAULT_WARMUP_H = 12.0
CLEAR_FRACTION = 0.5  # an alert clears once risk falls below half its alert level
# ... and has stayed there this long: a degrading machine's risk dips (a trip, a cooler shift, a
# lighter load) without the degradation going away; one degradation, one alert.
DEFAULT_CLEAR_AFTER_H = 24.0


@dataclass(frozen=True)
class RiskSettings:
    """Scoring settings of a run; `models` holds the checked model of each kind that scores."""

    score: bool = True  # False: features only (e.g. to record training data), risk stays NaN
    interval_s: float = DEFAULT_INTERVAL_S
    warmup_h: float = DEFAULT_WARMUP_H
    models: dict[str, RiskModel] = field(default_factory=dict)
    alert_level: dict[str, float] = field(default_factory=dict)  # per kind (default: the card's)
    clear_level: dict[str, float] = field(default_factory=dict)  # per kind (default: half)
    clear_after_h: float = DEFAULT_CLEAR_AFTER_H  # risk stays at/below the clear level this long
    record_every_s: float = 0.0  # > 0: keep feature rows this often (a `features` table)

    def every(self, tick_s: float) -> int:
        """Scoring interval in ticks (at least one tick)."""
        return max(1, round(self.interval_s / tick_s))

    def record_every(self, tick_s: float) -> int:
        """Recording interval in ticks, a whole number of scoring intervals (0: none)."""
        if self.record_every_s <= 0.0:
            return 0
        every = self.every(tick_s)
        return every * max(1, round(self.record_every_s / (every * tick_s)))

    def clear_after(self, tick_s: float) -> int:
        """Scoring instants in a row at or below the clear level that clear an alert (≥ 1)."""
        return max(1, math.ceil(self.clear_after_h * 3600.0 / (self.every(tick_s) * tick_s) - 1e-9))

    def levels(self, kind: str) -> tuple[float, float]:
        """Alert and clear levels of a kind (NaN when it has no model: it never alerts)."""
        model = self.models.get(kind)
        on = self.alert_level.get(kind, model.alert_level if model else math.nan)
        return on, self.clear_level.get(kind, CLEAR_FRACTION * on)
