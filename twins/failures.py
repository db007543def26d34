"""Failure modes: degradation that grows by a law, shows in a sensor, feeds the physics, fails.

A kind declares its modes (`Kind.failure_modes`); `FailureModel` runs them over the batch. Each
mode drives one health variable of the kind's state (a variable its physics already reads, such
as `bearing_damage_frac`), so degradation costs fuel, power or output through the physics itself.

Laws (machines.md §5): `exp` and `linear` modes fail at an age drawn from a Weibull(β, η) in
equivalent operating hours — conditional on the part's age when the run starts — and degrade
during the last `D` hours before that age (onset = failure age − D, D lognormal per twin): a
hidden defect, then a symptom that crosses its alarm level (the P point) before the functional
failure (F). `asymptotic` is Kern–Seaton fouling from the last cleaning; `usage` modes (tread,
liner) are worn by the kind's own physics and only checked and renewed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
from numpy.typing import NDArray

from physics.degradation import (
    asymptotic_fouling,
    exponential_growth,
    lognormal_median_draw,
    weibull_life,
    weibull_life_given_age,
)
from twins.rng import Streams

F64 = NDArray[np.float64]
Law = Literal["exp", "linear", "asymptotic", "usage"]
PER_MODE = ("age_h", "onset_h", "dur_h", "accel", "forced", "force_rate", "force_cap", "renewals")
FLAGS = ("alarmed",)
LAWS: tuple[Law, ...] = ("exp", "linear", "asymptotic", "usage")
_EXP, _LINEAR, _ASYMPTOTIC, _USAGE = range(len(LAWS))


@dataclass(frozen=True)
class FailureMode:
    """One way a kind of machine fails, with the figures that drive it and their source."""

    name: str
    component: str  # what maintenance restores or replaces
    description: str
    health: str  # the kind's state variable this mode drives
    healthy: float  # its value when new
    failed_at: float  # its value at functional failure (F)
    law: Law
    source: str
    beta: float = 1.0  # Weibull shape of the failure age (exp/linear laws)
    eta_h: float = math.inf  # Weibull scale [equivalent operating h]
    duration_h: float = 1_000.0  # median degradation time onset → failure (exp/linear)
    spread: float = 0.3  # log-sd of that duration across twins and lives
    curvature: float = 4.0  # exp law: 0 ≈ linear, 4 = quiet then sharp
    tau_h: float = 1_000.0  # asymptotic law time constant
    ceiling: float = math.inf  # asymptotic law asymptote, in health units above healthy
    initial_age_frac: float = 0.5  # parts start aged U(0, frac)·η (a fleet mid-life)
    symptom: str = ""  # sensor channel where it shows
    alarm: float = math.nan  # the symptom's alarm level (P point, e.g. ISO zone C)
    trip: float = math.inf  # the symptom's protective trip level: also a functional failure
    symptom_falls: bool = False  # True when the symptom falls as the mode degrades (tread)
    mttr_h: float = 8.0  # median corrective repair time
    mttr_sigma: float = 0.5  # its log-sd
    pm_h: float = 4.0  # preventive job duration
    parts_usd: float = 10_000.0  # parts for a corrective repair
    pm_parts_usd: float = 5_000.0  # parts for a preventive job

    @property
    def sign(self) -> float:
        return 1.0 if self.failed_at >= self.healthy else -1.0

    @property
    def span(self) -> float:
        return abs(self.failed_at - self.healthy)

    @property
    def weibull(self) -> bool:
        return self.law in ("exp", "linear") and math.isfinite(self.eta_h)

    def var(self, field: str) -> str:
        return f"{self.name}_{field}"

    def beyond(self, symptom: F64, level: float) -> NDArray[np.bool_]:
        """Symptom readings at or past a level in the direction of failure."""
        return symptom <= level if self.symptom_falls else symptom >= level


def _age_scale(m: FailureMode) -> float:
    """Hours over which a fleet's starting ages spread: η for Weibull modes, the time to reach
    failure for fouling (so a fleet does not foul in step), none for the others."""
    if m.weibull:
        return m.eta_h
    if m.law == "asymptotic" and m.span < m.ceiling:
        return -m.tau_h * math.log1p(-m.span / m.ceiling)
    return 0.0


class FailureModel:
    """All failure modes of one kind, advanced over a batch of twins."""

    def __init__(self, modes: tuple[FailureMode, ...]) -> None:
        self.modes = modes
        # state-variable names per mode, built once (the tick loop looks them up a lot)
        self.names = [{f: m.var(f) for f in (*PER_MODE, *FLAGS)} for m in modes]
        self.by_name = {m.name: v for m, v in zip(modes, self.names, strict=True)}

    def state_names(self) -> list[str]:
        return [m.var(f) for m in self.modes for f in (*PER_MODE, *FLAGS)]

    def initial(self, state: dict[str, F64], rng: Streams) -> None:
        """Draw every twin's part ages and lives (aged fleet, conditional Weibull sampling)."""
        n = rng.n
        zero = np.zeros(n, dtype=np.int64)
        for m in self.modes:
            age = rng.uniform_each(f"age0/{m.name}", zero) * m.initial_age_frac * _age_scale(m)
            for f in (*PER_MODE, *FLAGS):
                state[m.var(f)] = np.zeros(n)
            state[m.var("age_h")] = age
            state[m.var("accel")] = np.ones(n)
            state[m.var("force_cap")] = np.zeros(n)
            self._new_life(state, m, rng, np.arange(n), conditional=True)
            if m.law != "usage":
                state[m.health] = self.health_of(state, m)

    def _new_life(
        self,
        state: dict[str, F64],
        m: FailureMode,
        rng: Streams,
        idx: NDArray[np.intp],
        conditional: bool = False,
    ) -> None:
        """Draw the failure age and degradation time of the parts `idx` (their next life)."""
        if m.law not in ("exp", "linear"):
            state[m.var("onset_h")][idx] = 0.0
            return
        k = state[m.var("renewals")][idx].astype(np.int64)
        dur = lognormal_median_draw(
            m.duration_h, m.spread, rng.normal_each(f"dur/{m.name}", k, idx)
        )
        if m.weibull:
            u = rng.uniform_each(f"life/{m.name}", k, idx)
            age = state[m.var("age_h")][idx]
            life = (
                weibull_life_given_age(age, m.beta, m.eta_h, u)
                if conditional
                else (weibull_life(m.beta, m.eta_h, u))
            )
        else:
            life = np.full(len(idx), math.inf)
        dur = np.minimum(dur, life)  # a defect cannot start before the part was made
        state[m.var("dur_h")][idx] = dur
        state[m.var("onset_h")][idx] = life - dur

    def natural(self, state: Mapping[str, F64], m: FailureMode) -> F64:
        """Degradation reached by the law alone, in health units away from `healthy`."""
        v = self.by_name[m.name]
        t = state[v["age_h"]] - state[v["onset_h"]]
        if m.law == "asymptotic":
            return asymptotic_fouling(t, m.ceiling, m.tau_h)
        dur = state[v["dur_h"]]
        if m.law == "exp":
            return m.span * exponential_growth(t, dur, m.curvature)
        return m.span * np.clip(t / dur, 0.0, None)

    def health_of(self, state: Mapping[str, F64], m: FailureMode) -> F64:
        forced = state[self.by_name[m.name]["forced"]]
        return m.healthy + m.sign * (self.natural(state, m) + forced)

    def advance(
        self,
        state: dict[str, F64],
        available: NDArray[np.bool_],
        dt_h: float,
        stress: Mapping[str, F64],
    ) -> None:
        """One tick: operating twins age (stress-weighted), injected ramps advance, health moves."""
        n = len(available)
        for m, v in zip(self.modes, self.names, strict=True):
            s = np.asarray(stress.get(m.name, 1.0), dtype=np.float64)
            if s.shape != (n,):
                s = np.full(n, s)
            usage = m.law == "usage"
            health = state[m.health]
            out = health if usage else np.empty_like(health)  # a new array, as a kind's would be
            _advance_mode(
                LAWS.index(m.law), m.healthy, m.sign, m.span, m.curvature, m.ceiling, m.tau_h,
                dt_h, available, state[v["accel"]], s, state[v["age_h"]], state[v["onset_h"]],
                state[v["dur_h"]], state[v["forced"]], state[v["force_rate"]],
                state[v["force_cap"]], out,
            )  # fmt: skip
            if not usage:
                state[m.health] = out

    def warm_up(self) -> None:
        """Compile (or load from numba's disk cache) the tick of each law now, not in a tick."""
        f, on = np.zeros(0), np.zeros(0, dtype=bool)
        for m in self.modes:
            _advance_mode(LAWS.index(m.law), 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, on, *[f] * 9)

    def failed(
        self, state: Mapping[str, F64], truth: Mapping[str, F64], available: NDArray[np.bool_]
    ) -> NDArray[np.int16]:
        """Per twin: 1 + index of the first mode that has failed now (0 = none)."""
        out = np.zeros(len(available), dtype=np.int16)
        for i in range(len(self.modes) - 1, -1, -1):  # first declared mode wins
            m = self.modes[i]
            hit = m.sign * (state[m.health] - m.failed_at) >= 0.0
            if m.symptom and math.isfinite(m.trip):
                hit |= m.beyond(truth[m.symptom], m.trip)
            out[hit & available] = i + 1
        return out

    def alarms(
        self, state: dict[str, F64], truth: Mapping[str, F64]
    ) -> list[tuple[int, NDArray[np.intp]]]:
        """Twins whose symptom just crossed its alarm level (once per life): (mode, twins)."""
        out = []
        for i, m in enumerate(self.modes):
            if not m.symptom or math.isnan(m.alarm):
                continue
            flag = state[m.var("alarmed")]
            crossed = np.flatnonzero(m.beyond(truth[m.symptom], m.alarm) & (flag == 0.0))
            if len(crossed):
                flag[crossed] = 1.0
                out.append((i, crossed))
        return out

    def renew(
        self,
        state: dict[str, F64],
        mode: int,
        idx: NDArray[np.intp],
        rng: Streams,
        restoration: float = 1.0,
    ) -> None:
        """Maintenance on the parts `idx` of a mode: as good as new (1) or imperfect (Kijima I)."""
        m = self.modes[mode]
        state[m.var("renewals")][idx] += 1.0
        for f in ("forced", "force_rate", "force_cap", "alarmed"):
            state[m.var(f)][idx] = 0.0
        state[m.var("accel")][idx] = 1.0
        if restoration >= 1.0:
            state[m.var("age_h")][idx] = 0.0
            self._new_life(state, m, rng, idx)
        else:
            state[m.var("age_h")][idx] *= 1.0 - restoration
        if m.law == "usage":
            state[m.health][idx] = m.healthy + (state[m.health][idx] - m.healthy) * (
                1.0 - restoration
            )
        else:
            state[m.health] = self.health_of(state, m)

    def inject(
        self,
        state: dict[str, F64],
        mode: int,
        idx: NDArray[np.intp],
        severity: float,
        ramp_h: float,
        accelerate: float,
    ) -> None:
        """Start a mode now (severity: fraction of the way to failure, reached over the ramp)."""
        m = self.modes[mode]
        age = state[m.var("age_h")]
        onset = state[m.var("onset_h")]
        onset[idx] = np.minimum(onset[idx], age[idx])
        state[m.var("accel")][idx] *= accelerate
        if severity > 0.0:
            target = severity * m.span
            state[m.var("force_cap")][idx] = target
            if ramp_h > 0.0:
                state[m.var("force_rate")][idx] = target / ramp_h
            elif m.law == "usage":
                state[m.health][idx] += m.sign * (target - state[m.var("forced")][idx])
                state[m.var("forced")][idx] = target
            else:
                state[m.var("forced")][idx] = target
        if m.law != "usage":
            state[m.health] = self.health_of(state, m)


@numba.njit(cache=True, nogil=True)
def _advance_mode(
    law: int, healthy: float, sign: float, span: float, curvature: float, ceiling: float,
    tau_h: float, dt_h: float, available: NDArray[np.bool_], accel: F64, stress: F64, age: F64,
    onset: F64, dur: F64, forced: F64, rate: F64, cap: F64, health: F64,
) -> None:  # fmt: skip
    """One tick of one mode over the batch, in place (`FailureModel.advance`): operating twins
    age by dt·accel·stress; an injected ramp moves `forced` towards its cap; a `usage` mode's
    health takes the injected part only (the kind wears it), the others' health is the law's
    (`FailureModel.natural`, the laws of `physics.degradation` for one twin) plus `forced`."""
    scale = np.expm1(curvature)
    for i in range(len(age)):
        if available[i]:
            age[i] += dt_h * accel[i] * stress[i]
        if rate[i] > 0.0:
            f = min(forced[i] + rate[i] * dt_h, cap[i])
            if law == _USAGE:
                health[i] += sign * (f - forced[i])
            forced[i] = f
        if law == _USAGE:
            continue
        t = age[i] - onset[i]
        if law == _ASYMPTOTIC:  # asymptotic_fouling
            natural = ceiling * -np.expm1(-max(t, 0.0) / tau_h)
        elif law == _EXP:  # span · exponential_growth
            natural = span * (np.expm1(curvature * max(t / dur[i], 0.0)) / scale)
        else:  # linear
            natural = span * max(t / dur[i], 0.0)
        health[i] = healthy + sign * (natural + forced[i])
