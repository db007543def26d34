"""Edge-style risk features: incremental windows over what each twin's sensors report.

A `FeatureSpec` says which channels of a kind feed its risk model: the symptom channels of its
failure modes (each with the full set of windows) and a few context channels (load, speed,
ambient: means and slope). `Features` holds the windows of a batch of twins as
struct-of-arrays and updates them in place at each scoring instant from the readings alone —
no history is kept or re-read, as on an edge device. Every window is an exponentially weighted
statistic with a time constant in hours, so the features mean the same at any tick length.

Per symptom channel c (noise and sensor faults included):
- `c:fast`, `c:slow` — EW means, τ 1 h and 24 h;
- `c:slope` — EW mean (τ 24 h) of the first differences of `c:fast`, per hour;
- `c:peak` — peak hold in the direction of failure, decaying towards `c:slow` (τ 12 h);
- `c:peaks` — decayed count of readings beyond `c:slow` + 3σ (σ: EW deviation, τ 24 h) per
  reading (EW share, τ 24 h: the same at any scoring interval);
- `c:vs_base` — `c:fast` minus the twin's own healthy baseline, learned during its warm-up
  (the first hours after the run starts or after maintenance renewed the twin).
Per context channel: `c:fast`, `c:slow`, `c:slope`. Per twin: `derated_frac`, the EW share
(τ 24 h) of scoring instants in the DERATED state (the machine protecting itself).

Readings from a twin that is down or in maintenance, and NaN readings (sensor dropout), leave
its windows as they were. Only elementwise numpy: a twin's features depend on its own readings,
never on the batch it shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.twins.kind import Kind, Status

F64 = NDArray[np.float64]
TAU_FAST_H = 1.0
TAU_SLOW_H = 24.0
TAU_SLOPE_H = 24.0
TAU_PEAK_H = 12.0
TAU_PEAKS_H = 24.0
PEAK_SIGMAS = 3.0
SYMPTOM_STATS = ("fast", "slow", "slope", "peak", "peaks", "vs_base")
CONTEXT_STATS = ("fast", "slow", "slope")
TWIN_FEATURES = ("derated_frac",)
# Context channels of the built-in kinds: what loads the machine and what it works in. A kind
# not listed here uses every noisy sensor that is not a symptom.
CONTEXT: dict[str, tuple[str, ...]] = {
    "truck": ("payload_t", "speed_kmh", "engine_load_pct", "fuel_rate_lph", "ambient_temp_c"),
    "mill": ("motor_power_kw", "feed_rate_tph", "charge_filling_pct", "ambient_temp_c"),
    "boiler": ("steam_flow_tph", "fuel_input_mw", "flue_o2_pct", "ambient_temp_c"),
}
_ARRAYS = ("started", "fast", "slow", "var", "slope", "peak", "peaks", "base", "derated", "seen_h")


@dataclass(frozen=True)
class FeatureSpec:
    """The channels of a kind that feed its risk model, and the features' names in order."""

    kind: str
    symptoms: tuple[str, ...]
    falls: tuple[bool, ...]  # per symptom: the reading falls as the machine degrades
    context: tuple[str, ...]

    @classmethod
    def of(cls, kind: type[Kind]) -> FeatureSpec:
        symptoms: dict[str, bool] = {}
        for m in kind.failure_modes:
            if m.symptom and m.symptom not in symptoms:
                symptoms[m.symptom] = m.symptom_falls
        noisy = [c.name for c in kind.sensors if not c.categories and c.name not in symptoms]
        context = CONTEXT.get(kind.name, tuple(noisy))
        return cls(kind.name, tuple(symptoms), tuple(symptoms.values()), tuple(context))

    @property
    def channels(self) -> tuple[str, ...]:
        return self.symptoms + self.context

    @property
    def names(self) -> list[str]:
        out = [f"{c}:{s}" for c in self.symptoms for s in SYMPTOM_STATS]
        out += [f"{c}:{s}" for c in self.context for s in CONTEXT_STATS]
        return out + list(TWIN_FEATURES)


def alpha(dt_h: float, tau_h: float) -> float:
    """Weight of a new reading in an EW statistic of time constant τ sampled every dt."""
    return 1.0 - math.exp(-dt_h / tau_h)


class Features:
    """The feature windows of n twins, updated in place at each scoring instant."""

    def __init__(self, spec: FeatureSpec, n: int, dt_h: float, warmup_h: float) -> None:
        self.spec = spec
        self.n = n
        self.dt_h = dt_h
        self.warmup_h = warmup_h
        self.sign = np.where(np.array(spec.falls, dtype=bool), -1.0, 1.0)[:, None]
        c, s = len(spec.channels), len(spec.symptoms)
        self.started = np.zeros((c, n), dtype=bool)
        self.fast = np.zeros((c, n))
        self.slow = np.zeros((c, n))
        self.var = np.zeros((s, n))
        self.slope = np.zeros((c, n))
        self.peak = np.zeros((s, n))
        self.peaks = np.zeros((s, n))
        self.base = np.full((s, n), np.nan)
        self.derated = np.zeros(n)
        self.seen_h = np.zeros(n)
        self.a = {
            name: alpha(dt_h, tau)
            for name, tau in (
                ("fast", TAU_FAST_H),
                ("slow", TAU_SLOW_H),
                ("slope", TAU_SLOPE_H),
                ("peak", TAU_PEAK_H),
                ("peaks", TAU_PEAKS_H),
            )
        }

    def update(self, readings: dict[str, F64], status: NDArray[np.int8]) -> NDArray[np.bool_]:
        """Take one scoring instant's readings; which twins are scored (up and warmed up)."""
        up = (status != Status.DOWN) & (status != Status.MAINTENANCE)
        x = np.stack([np.asarray(readings[c], dtype=np.float64) for c in self.spec.channels])
        ok = up[None, :] & np.isfinite(x)
        first = ok & ~self.started
        self.started |= ok
        later = ok & ~first
        s = len(self.spec.symptoms)
        self._symptoms(x[:s], later[:s])
        a = self.a
        step = a["fast"] * (x - self.fast)  # the move of `fast` this instant
        self.slope += np.where(later, a["slope"] * (step / self.dt_h - self.slope), 0.0)
        self.fast += np.where(later, step, 0.0)
        self.slow += np.where(later, a["slow"] * (x - self.slow), 0.0)
        self._first(x, first)
        derated = (status == Status.DERATED).astype(np.float64)
        self.derated += np.where(up, a["slow"] * (derated - self.derated), 0.0)
        was_warm = self.seen_h >= self.warmup_h
        self.seen_h += np.where(up, self.dt_h, 0.0)
        warm = self.seen_h >= self.warmup_h
        learn = warm & ~was_warm
        self.base[:, learn] = self.slow[:s, learn]
        return up & warm

    def _symptoms(self, x: F64, later: NDArray[np.bool_]) -> None:
        """Peak hold, peak count and deviation of the symptom channels (before the means move: a
        reading is judged against the windows as they were)."""
        a, s = self.a, len(self.spec.symptoms)
        slow = self.slow[:s]
        dev = x - slow
        beyond = (self.sign * dev > PEAK_SIGMAS * np.sqrt(self.var)) & (self.var > 0.0)
        self.peaks += np.where(later, a["peaks"] * (beyond - self.peaks), 0.0)
        var = (1.0 - a["slow"]) * (self.var + a["slow"] * dev * dev)
        self.var = np.where(later, var, self.var)
        sp = self.sign * self.peak
        held = np.maximum(self.sign * x, sp - a["peak"] * (sp - self.sign * slow))
        self.peak = np.where(later, self.sign * held, self.peak)

    def _first(self, x: F64, first: NDArray[np.bool_]) -> None:
        """Windows start at a channel's first reading (after the start or a renewal)."""
        if not first.any():
            return
        self.fast = np.where(first, x, self.fast)
        self.slow = np.where(first, x, self.slow)
        s = len(self.spec.symptoms)
        f = first[:s]
        self.peak = np.where(f, x[:s], self.peak)
        self.slope = np.where(first, 0.0, self.slope)
        for name in ("var", "peaks"):
            setattr(self, name, np.where(f, 0.0, getattr(self, name)))

    def matrix(self) -> NDArray[np.float32]:
        """(n, F) features in `spec.names` order, float32 (the model's input type)."""
        s = len(self.spec.symptoms)
        per_symptom = (
            self.fast[:s],
            self.slow[:s],
            self.slope[:s],
            self.peak,
            self.peaks,
            self.fast[:s] - self.base,
        )
        blocks = np.stack(per_symptom, axis=1).reshape(-1, self.n)  # channel-major
        context = np.stack((self.fast[s:], self.slow[s:], self.slope[s:]), axis=1)
        context = context.reshape(-1, self.n)
        out = np.concatenate([blocks, context, self.derated[None, :]])
        return np.ascontiguousarray(out.T, dtype=np.float32)

    def level(self) -> F64:
        """(symptoms, n) the slow mean of each symptom channel (what a technician trends)."""
        return self.slow[: len(self.spec.symptoms)]

    def reset(self, idx: NDArray[np.intp]) -> None:
        """Forget twins `idx` (maintenance renewed them): windows and baseline start anew."""
        self.started[:, idx] = False
        self.seen_h[idx] = 0.0
        self.derated[idx] = 0.0
        self.base[:, idx] = np.nan

    def state_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k).copy() for k in _ARRAYS}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        for k in _ARRAYS:
            setattr(self, k, np.array(saved[k], copy=True))
