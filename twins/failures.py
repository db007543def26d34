"""Failure modes: degradation that grows by a law, shows in a sensor, feeds the physics, fails.

A kind declares its modes (`Kind.failure_modes`); `FailureModel` runs them over the batch. Each
mode drives one health variable of the kind's state (a variable its physics already reads, such
as `bearing_damage_frac`), so degradation costs fuel, power or output through the physics itself.

Laws (reliability engineering, see docs/sources.md): `exp` and `linear` modes fail at an age drawn
from a Weibull(β, η) in equivalent operating hours — conditional on the part's age when the run
starts — and degrade during the last `D` hours before that age (onset = failure age − D, D lognormal
per twin): a hidden defect, then a symptom that crosses its alarm level (the P point) before the
functional failure (F). `asymptotic` is Kern–Seaton fouling from the last cleaning; `usage` modes
(tread, liner) are worn by the kind's own physics and only checked and renewed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from operator import is_
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from aurum.physics.degradation import (
    asymptotic_fouling,
    exponential_growth,
    lognormal_median_draw,
    weibull_life,
    weibull_life_given_age,
)
from aurum.twins.jit import inline, kernel
from aurum.twins.rng import Streams

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
    # usage law: equivalent operating hours from new to failure at the reference wear rate; a
    # part the kind starts part-worn starts that share of it old (what an age-based policy reads)
    life_h: float = math.nan
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


def usage_age_h(m: FailureMode, health: F64) -> F64:
    """Equivalent age of a `usage` part from its wear: its share of the way to failure × life."""
    worn = m.sign * (np.asarray(health, dtype=np.float64) - m.healthy) / m.span
    return np.clip(worn, 0.0, 1.0) * m.life_h


class FailureModel:
    """All failure modes of one kind, advanced over a batch of twins."""

    def __init__(self, modes: tuple[FailureMode, ...]) -> None:
        self.modes = modes
        # state-variable names per mode, built once (the tick loop looks them up a lot)
        self.names = [{f: m.var(f) for f in (*PER_MODE, *FLAGS)} for m in modes]
        self.by_name = {m.name: v for m, v in zip(modes, self.names, strict=True)}
        self._consts = mode_constants(modes)
        self._columns = {f: [v[f] for v in self.names] for f in _TICKED}
        # what `tick` would otherwise rebuild every tick, for the batch it last ran on
        self._flat = [name for f in _TICKED for name in self._columns[f]]  # `_TICKED` order
        self._healths = [m.health for m in modes]
        self._symptoms = [m.symptom for m in modes]
        self._stressed = [m.name for m in modes]
        self._in_place = [m.law == "usage" for m in modes]
        self._state: dict[str, F64] | None = None  # the state dict the columns below are of
        self._arrays: list[F64] = []  # its arrays of `_flat` (checked by identity every tick)
        self._ticked: tuple[tuple[F64, ...], ...] = ()  # those arrays as `_tick_modes` takes them
        self._ones = np.ones(0)
        self._checks: dict[tuple[bool, ...], NDArray[np.bool_]] = {}

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
            elif math.isfinite(m.life_h):
                state[m.var("age_h")] = usage_age_h(m, state[m.health])

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

    def tick(
        self,
        state: dict[str, F64],
        sensors: Mapping[str, F64],
        available: NDArray[np.bool_],
        dt_h: float,
        stress: Mapping[str, F64],
    ) -> tuple[NDArray[np.int16], list[tuple[int, NDArray[np.intp]]]]:
        """One tick of every mode, in one compiled pass over the twins: operating twins age
        (stress-weighted), injected ramps advance, health moves; then per twin the first
        declared mode that has failed (1 + its index, 0 = none: health past `failed_at` or the
        symptom past its trip), and the twins whose symptom just crossed its alarm level (once
        per life) as (mode, twins). Symptoms are read from `sensors` (this tick's readings); a
        mode whose symptom is not among them is not checked against its levels."""
        n = len(available)
        ones = self._ones
        if len(ones) != n:  # read only (a missing symptom or stress), so kept across ticks
            ones = self._ones = np.ones(n)
        if state is not self._state or not all(
            map(is_, map(state.__getitem__, self._flat), self._arrays)
        ):  # a new batch, or arrays replaced in it
            self._rebind(state)
        health_in = tuple(map(state.__getitem__, self._healths))
        healths = tuple(  # a new health array, as a kind's would be (usage: in place)
            h if u else np.empty_like(h) for h, u in zip(health_in, self._in_place, strict=True)
        )
        symptoms = tuple(_per_twin(sensors.get(y, ones), n) for y in self._symptoms)
        present = tuple(map(sensors.__contains__, self._symptoms))
        checks = self._checks.get(present)
        if checks is None:
            checks = self._checks[present] = np.array(present, dtype=np.bool_)
        failed = np.zeros(n, dtype=np.int16)
        crossed = np.zeros((len(self.modes), n), dtype=np.bool_)
        count = _tick_modes(
            self._consts, checks, dt_h, available, *self._ticked,
            tuple(_per_twin(stress.get(name, ones), n) for name in self._stressed),
            health_in, healths, symptoms, failed, crossed,
        )  # fmt: skip
        for name, h in zip(self._healths, healths, strict=True):
            state[name] = h
        alarms = []
        if count:
            for i, row in enumerate(crossed):
                hit = np.flatnonzero(row)
                if len(hit):
                    alarms.append((i, hit))
        return failed, alarms

    def _rebind(self, state: dict[str, F64]) -> None:
        """Take the mode columns of `state` (a new batch, or arrays replaced in it)."""
        self._state = state
        self._arrays = [state[name] for name in self._flat]
        k = len(self.modes)
        self._ticked = tuple(tuple(self._arrays[i * k : (i + 1) * k]) for i in range(len(_TICKED)))

    def warm_up(self) -> None:
        """Compile (or load from numba's disk cache) the tick now, not in the first tick."""
        if not self.modes:
            return
        state = {name: np.zeros(0) for name in self.state_names()}
        state |= {m.health: np.zeros(0) for m in self.modes}
        self.tick(state, {}, np.zeros(0, dtype=np.bool_), 1.0, {})

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


_TICKED = ("accel", "age_h", "onset_h", "dur_h", "forced", "force_rate", "force_cap", "alarmed")
# per-mode constants of `_tick_modes`, one row each
_CONSTS = ("law", "healthy", "sign", "span", "curvature", "ceiling", "tau_h", "failed_at", "trip",
           "alarm", "falls", "has_trip", "has_alarm")  # fmt: skip


def mode_constants(modes: tuple[FailureMode, ...]) -> F64:
    """(modes, constants) of `_tick_modes`, in the order of `_CONSTS`, as floats."""
    rows = [_constants(m) for m in modes]
    return np.array(rows, dtype=np.float64).reshape(len(modes), len(_CONSTS))


def _constants(m: FailureMode) -> tuple[float, ...]:
    has_trip = bool(m.symptom) and math.isfinite(m.trip)
    has_alarm = bool(m.symptom) and not math.isnan(m.alarm)
    return (
        LAWS.index(m.law), m.healthy, m.sign, m.span, m.curvature, m.ceiling, m.tau_h,
        m.failed_at, m.trip, m.alarm, m.symptom_falls, has_trip, has_alarm,
    )  # fmt: skip


def _per_twin(x: F64 | float, n: int) -> F64:
    """A float per twin, contiguous (what the compiled tick takes)."""
    a = np.ascontiguousarray(x, dtype=np.float64)
    return a if a.shape == (n,) else np.full(n, a)


@inline
def _natural(
    law: float, t: float, dur: float, span: float, curvature: float, scale: float,
    ceiling: float, tau_h: float,
) -> float:  # fmt: skip
    """`FailureModel.natural` for one twin, t hours after onset (the laws of
    `physics.degradation`; scale = e^curvature − 1)."""
    if t <= 0.0:  # before onset every law is at 0 (exactly what each gives there)
        return 0.0
    if law == _ASYMPTOTIC:  # asymptotic_fouling
        return ceiling * -np.expm1(-t / tau_h)
    if law == _EXP:  # span · exponential_growth
        return span * (np.expm1(curvature * t / dur) / scale)
    return span * t / dur  # linear


@inline
def _beyond(value: float, level: float, falls: bool) -> bool:
    return value <= level if falls else value >= level


@kernel
def _tick_modes(
    consts: F64, checks: NDArray[np.bool_], dt_h: float, available: NDArray[np.bool_],
    accel: tuple[F64, ...], age: tuple[F64, ...], onset: tuple[F64, ...], dur: tuple[F64, ...],
    forced: tuple[F64, ...], rate: tuple[F64, ...], cap: tuple[F64, ...],
    alarmed: tuple[F64, ...], stress: tuple[F64, ...], health_in: tuple[F64, ...],
    health: tuple[F64, ...], symptom: tuple[F64, ...], failed: NDArray[np.int16],
    crossed: NDArray[np.bool_],
) -> int:  # fmt: skip
    """`FailureModel.tick` over the batch, in place; the number of alarm crossings. Per mode:
    operating twins age by dt·accel·stress; an injected ramp moves `forced` towards its cap; a
    `usage` mode's health takes the injected part only (the kind wears it), the others' health
    is the law's (`FailureModel.natural`, the laws of `physics.degradation` for one twin) plus
    `forced`. Then the failure and alarm checks on the new health and this tick's symptom."""
    count = 0
    for k in range(consts.shape[0]):
        law, healthy, sign, span = consts[k, 0], consts[k, 1], consts[k, 2], consts[k, 3]
        curvature, ceiling, tau_h = consts[k, 4], consts[k, 5], consts[k, 6]
        failed_at, trip, alarm = consts[k, 7], consts[k, 8], consts[k, 9]
        falls = consts[k, 10] > 0.0
        has_trip, has_alarm = checks[k] and consts[k, 11] > 0.0, checks[k] and consts[k, 12] > 0.0
        scale = np.expm1(curvature)
        a_k, g_k, o_k, d_k, f_k = accel[k], age[k], onset[k], dur[k], forced[k]
        r_k, c_k, s_k, h_in, h_k, y_k, al_k = (
            rate[k], cap[k], stress[k], health_in[k], health[k], symptom[k], alarmed[k]
        )  # fmt: skip
        first_failure = k + 1
        for i in range(len(g_k)):
            if available[i]:
                g_k[i] += dt_h * a_k[i] * s_k[i]
            if r_k[i] > 0.0:
                f = min(f_k[i] + r_k[i] * dt_h, c_k[i])
                if law == _USAGE:
                    h_k[i] = h_in[i] + sign * (f - f_k[i])
                f_k[i] = f
            if law != _USAGE:
                natural = _natural(
                    law, g_k[i] - o_k[i], d_k[i], span, curvature, scale, ceiling, tau_h
                )
                h_k[i] = healthy + sign * (natural + f_k[i])
            # failure: the first declared mode wins, so a later one does not overwrite it
            if available[i] and failed[i] == 0:
                hit = sign * (h_k[i] - failed_at) >= 0.0
                if has_trip and _beyond(y_k[i], trip, falls):
                    hit = True
                if hit:
                    failed[i] = first_failure
            if has_alarm and al_k[i] == 0.0 and _beyond(y_k[i], alarm, falls):
                al_k[i] = 1.0
                crossed[k, i] = True
                count += 1
    return count
