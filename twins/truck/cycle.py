"""The haul cycle's passes, compiled: each truck spends its tick step by step (numba).

A tick of `twins.truck.model.Truck` is a few *passes*: each spends what is left of the tick on the
twin's current step (a timed step or a road leg, tabulated once in a `Route`), and a twin that
finishes its step moves to the next one. Written as numpy over the batch, every pass touched
every twin until the last one was done, with a dozen temporaries a pass; here each twin runs its
own passes in registers, so a tick costs what the twins actually do (BENCHMARKS.md "Hot path").

The ECU's graded coolant protection (Perkins 1200F installation manual [V]) acts inside a pass:
for a watched twin (one whose coolant could reach the derate point this tick) the pass relaxes
the coolant exactly towards the equilibrium of the step's engine output, and where that would
pass 111 °C the output is capped at what the protection allows at the pass's *end* temperature
(backward Euler in the protection), so the loop holds the coolant where a continuous ECU would,
at any tick length. The equations are `physics.truck`'s and `physics.common`'s own, compiled
here for scalars; only the root finding on the derate ramp is written for one twin at a time.

Each twin is independent of the others, so results do not depend on how twins are sharded.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from aurum.physics import common
from aurum.physics import truck as phy
from aurum.physics.truck import COOLANT_DERATE_C, COOLANT_FULL_DERATE_C, DERATE_FULL_FRAC
from aurum.twins.jit import for_scalars, inline, kernel

F64 = NDArray[np.float64]
IntP = NDArray[np.intp]

# Phase codes, in cycle order (`twins.truck.model.PHASES`).
QUEUE_LOAD, SPOT, LOAD, HAUL, QUEUE_DUMP, DUMP, RETURN = range(7)
N_PHASES = 7


_ph, _common = for_scalars(phy), for_scalars(common)
_equilibrium = _ph.coolant_equilibrium_c
_allowed_output_kw = _ph.allowed_output_kw
_power_limited_speed = _ph.power_limited_speed
_sfc = _ph.sfc_part_load
_fuel_rate_lph = _ph.fuel_rate_lph
_derate_excess = _ph.derate_excess_fuel_l
_relax = _common.relax

_RAMP_C = np.linspace(COOLANT_DERATE_C, COOLANT_FULL_DERATE_C, 21)
_RAMP_DERATE = phy.protection_derate_frac(_RAMP_C)


class Engine(NamedTuple):
    """Per-twin constants of the engine and its cooling over one tick, each (n,)."""

    engine_kw: F64  # rated output
    max_kw: F64  # output available at the site's altitude
    idle_kw: F64
    eff: F64  # drivetrain efficiency
    sfc_l_kwh: F64
    sfc_knee: F64
    sfc_idle_rise: F64
    k_aero: F64  # ½ρC_dA [N·s²/m²]
    tau_s: F64  # coolant lag
    thermostat_c: F64
    band_c: F64
    rise_c: F64  # coolant rise at rated load, clean radiator
    ambient_c: F64
    capacity: F64  # radiator capacity, 1 clean


class Tables(NamedTuple):
    """A `Route`'s flat per-step tables, (rows·width,), and where each twin's row starts."""

    row: IntP  # (n,)
    first: IntP  # (7,) column of each phase's first step
    n_legs: IntP  # (n,)
    speed: F64
    pace: F64
    length: F64
    duration: F64
    power: F64
    fuel: F64
    f0: F64
    grade: F64
    alike: IntP  # (n,) each twin's row (`row` // width)


class Cycle(NamedTuple):
    """Where each twin is in its cycle and what it has done this tick, (n,), updated in place."""

    phase: IntP
    leg: IntP
    left_s: F64  # time left in a timed step
    left_m: F64  # distance left on a road leg
    payload: F64
    time_s: F64  # time of the tick not yet spent
    fuel_l: F64
    energy_kj: F64
    dist_m: F64
    payload_tm: F64  # Σ payload·distance [t·m]
    hauled_t: F64
    queued_s: F64  # time spent in the queues at the loader and the dump


class Protection(NamedTuple):
    """The coolant protection's state over one tick, (n,), updated in place."""

    watched: NDArray[np.bool_]  # followed pass by pass
    temp_c: F64  # watched twins' coolant, pass by pass
    limited: NDArray[np.bool_]  # the protection cut the output in some pass
    excess_l: F64  # fuel the cuts cost over an underated truck's for the same progress [L]


@kernel
def protected_coolant_c(
    start_c: float, lag: float, ambient_c: float, demand_kw: float, rated_kw: float,
    max_kw: float, idle_kw: float, capacity: float, thermostat_c: float, band_c: float,
    rise_c: float,
) -> float:  # fmt: skip
    """Coolant at the end of a stretch run under graded protection [°C] (first-order model) [A].

    T₁ = a·T₀ + (1 − a)·T_eq(min(P, P_allowed(T₁))/P_rated), a = e^{−Δt/τ} (`lag`): the
    stretch runs at the derate of its end temperature (backward Euler in the protection), so a
    long stretch settles where a continuous ECU would hold the coolant. A stretch that stays
    below the derate point runs free. Past 113 °C the derate is full and T₁ explicit; else T₁
    is the root on the derate ramp, bracketed on a 21-point grid and interpolated (the residual
    is piecewise linear there), or 111 °C itself where the first 25 % step overshoots (an ECU
    then chatters about the point).
    """
    free_eq = _equilibrium(ambient_c, demand_kw / rated_kw, capacity, thermostat_c, band_c, rise_c)
    free = lag * start_c + (1.0 - lag) * free_eq
    if free <= COOLANT_DERATE_C:
        return free
    end, before = free, 0.0
    for j in range(len(_RAMP_C)):
        allowed = max((1.0 - _RAMP_DERATE[j]) * max_kw, idle_kw)
        eq = _equilibrium(
            ambient_c, min(demand_kw, allowed) / rated_kw, capacity, thermostat_c, band_c, rise_c
        )
        end = lag * start_c + (1.0 - lag) * eq
        residual = _RAMP_C[j] - end  # increasing along the ramp
        if residual >= 0.0:
            if j == 0:
                return COOLANT_DERATE_C
            x0, x1 = _RAMP_C[j - 1], _RAMP_C[j]
            return x0 - before * (x1 - x0) / (residual - before if residual > before else 1.0)
        before = residual
    return end  # beyond the full derate: the end temperature of the full cut


@inline
def pass_allowance_kw(e: Engine, i: int, temp_c: float, power_kw: float, spent_s: float) -> float:
    """What the protection allows twin i over a pass at `power_kw` for `spent_s` [kW]: the
    output itself where its coolant stays below the derate point, or where even the full
    derate's output is no lower."""
    lag = math.exp(-spent_s / e.tau_s[i])
    eq = _equilibrium(
        e.ambient_c[i], power_kw / e.engine_kw[i], e.capacity[i], e.thermostat_c[i], e.band_c[i],
        e.rise_c[i],
    )  # fmt: skip
    free = eq + (temp_c - eq) * lag
    floor = max((1.0 - DERATE_FULL_FRAC) * e.max_kw[i], e.idle_kw[i])
    if free <= COOLANT_DERATE_C or power_kw <= floor:
        return power_kw
    end_c = protected_coolant_c(
        temp_c, lag, e.ambient_c[i], power_kw, e.engine_kw[i], e.max_kw[i], e.idle_kw[i],
        e.capacity[i], e.thermostat_c[i], e.band_c[i], e.rise_c[i],
    )  # fmt: skip
    return min(_allowed_output_kw(end_c, e.max_kw[i], e.idle_kw[i]), power_kw)


@inline
def capped_step(
    e: Engine, i: int, kw: float, f0_n: float, speed: float
) -> tuple[float, float, float]:
    """Speed [m/s], pace [s/m] and fuel [L/s] of a step run at a capped output `kw`.

    A climb slows to the power-limited speed of the capped output; a timed step keeps
    its duration; fuel follows the capped output on the part-load SFC curve.
    """
    if f0_n > 0.0:
        v = _power_limited_speed(e.eff[i] * kw * 1e3, f0_n, e.k_aero[i])
        speed = min(speed, v)
    sfc = _sfc(kw / e.engine_kw[i], e.sfc_l_kwh[i], e.sfc_knee[i], e.sfc_idle_rise[i])
    fuel = _fuel_rate_lph(kw * 1e3, sfc) / 3600.0
    return speed, (1.0 / speed if speed > 0.0 else 0.0), fuel


@kernel
def spend_tick(
    r: Tables,
    c: Cycle,
    e: Engine,
    prot: Protection,
    payload_t: F64,
    queue_load: F64,
    queue_dump: F64,
    max_passes: int,
) -> None:
    """Every twin spends its tick (`c.time_s`) pass by pass, crossing step boundaries.

    `queue_load`/`queue_dump` scale a queue's mean duration for each twin entering it this
    tick (exponential draws, mean 1). A twin that crosses more than `max_passes` boundaries
    keeps the rest of its time in `c.time_s`.
    """
    n = len(c.phase)
    spend_passes(r, c, e, prot, payload_t, queue_load, queue_dump, max_passes, np.zeros(n),
                 np.zeros(n, dtype=np.int64))  # fmt: skip


@kernel
def spend_passes(
    r: Tables,
    c: Cycle,
    e: Engine,
    prot: Protection,
    payload_t: F64,
    queue_load: F64,
    queue_dump: F64,
    max_passes: int,
    load_s: F64,
    stops: NDArray[np.int64],
) -> None:
    """`advance` for every twin whose `stops` is 0 (to the tick's end, floor 0), the passes
    written out in one loop: numba runs this ~6x faster than a call per twin (a call passes the
    batch's tuples of arrays). What stopped each twin is left in `stops`."""
    for i in range(len(c.phase)):
        if c.time_s[i] <= 0.0 or stops[i] != 0:
            continue  # not available this tick, or not asked to move
        for _ in range(max_passes):
            phase = c.phase[i]
            k = r.row[i] + r.first[phase] + c.leg[i]
            power, speed, pace, fuel = r.power[k], r.speed[k], r.pace[k], r.fuel[k]
            t_end = max(c.left_m[i] * pace + c.left_s[i], 0.0)  # rounding can leave -1e-13 m
            time_s = c.time_s[i]
            spent = min(time_s, t_end)
            if prot.watched[i] and spent > 0.0:
                temp = prot.temp_c[i]
                kw = pass_allowance_kw(e, i, temp, power, spent)
                if kw < power:
                    power = kw
                    speed, pace, fuel = capped_step(e, i, kw, r.f0[k], speed)
                    t_end = max(c.left_m[i] * pace + c.left_s[i], 0.0)
                    spent = min(time_s, t_end)
                    prot.limited[i] = True
                    prot.excess_l[i] += _derate_excess(spent, fuel, speed, r.fuel[k], r.pace[k])
                eq = _equilibrium(
                    e.ambient_c[i], power / e.engine_kw[i], e.capacity[i], e.thermostat_c[i],
                    e.band_c[i], e.rise_c[i],
                )  # fmt: skip
                prot.temp_c[i] = _relax(temp, eq, spent, e.tau_s[i])
            c.time_s[i] = time_s - spent
            c.fuel_l[i] += spent * fuel
            c.energy_kj[i] += spent * power
            moved = spent * speed
            c.dist_m[i] += moved
            c.payload_tm[i] += moved * c.payload[i]
            c.left_m[i] -= moved
            c.left_s[i] = max(c.left_s[i] - spent, 0.0)
            if phase == QUEUE_LOAD or phase == QUEUE_DUMP:  # noqa: PLR1714, SIM109 (numba)
                c.queued_s[i] += spent
            if t_end <= time_s:  # the step is done: on to the next
                stop = _next_step(r, c, i, payload_t[i], queue_load[i], queue_dump[i], load_s[i])
                if stop != RAN_OUT:
                    stops[i] = stop
                    break
            if c.time_s[i] == 0.0:
                break


# What stopped `advance` (coupled twins stop where the site decides what happens next).
RAN_OUT = 0  # the time it was given is spent (or its passes)
AT_LOADER = 1  # entered QUEUE_LOAD: joins its loader's queue
AT_DUMP = 2  # entered QUEUE_DUMP: joins the dump's queue
LEFT_DUMP = 3  # entered RETURN: dispatch sends it to a loader


@inline
def advance(
    r: Tables,
    c: Cycle,
    e: Engine,
    prot: Protection,
    i: int,
    payload_t: float,
    queue_load: float,
    queue_dump: float,
    floor_s: float,
    max_passes: int,
    load_s: float,
) -> int:
    """Twin i spends its tick pass by pass until only `floor_s` of it is left (0: all of it).

    `load_s` > 0 couples the twin to its site: it stops on entering a queue (its wait there is
    open, `left_s` = inf, until the site serves it) and on leaving the dump, and its next
    loading lasts `load_s` (the loader's passes); it returns what stopped it (`AT_LOADER`, ...).
    Uncoupled (`load_s` = 0), queues last their mean times `queue_load`/`queue_dump`.
    """
    for _ in range(max_passes):
        phase = c.phase[i]
        k = r.row[i] + r.first[phase] + c.leg[i]
        power, speed, pace, fuel = r.power[k], r.speed[k], r.pace[k], r.fuel[k]
        t_end = max(c.left_m[i] * pace + c.left_s[i], 0.0)  # rounding can leave -1e-13 m
        time_s = c.time_s[i] - floor_s  # the time this call may spend
        if time_s <= 0.0:
            return RAN_OUT
        spent = min(time_s, t_end)
        if prot.watched[i] and spent > 0.0:
            temp = prot.temp_c[i]
            kw = pass_allowance_kw(e, i, temp, power, spent)
            if kw < power:
                power = kw
                speed, pace, fuel = capped_step(e, i, kw, r.f0[k], speed)
                t_end = max(c.left_m[i] * pace + c.left_s[i], 0.0)
                spent = min(time_s, t_end)
                prot.limited[i] = True
                prot.excess_l[i] += _derate_excess(spent, fuel, speed, r.fuel[k], r.pace[k])
            eq = _equilibrium(
                e.ambient_c[i], power / e.engine_kw[i], e.capacity[i], e.thermostat_c[i],
                e.band_c[i], e.rise_c[i],
            )  # fmt: skip
            prot.temp_c[i] = _relax(temp, eq, spent, e.tau_s[i])
        c.time_s[i] = floor_s if spent == time_s else c.time_s[i] - spent
        c.fuel_l[i] += spent * fuel
        c.energy_kj[i] += spent * power
        moved = spent * speed
        c.dist_m[i] += moved
        c.payload_tm[i] += moved * c.payload[i]
        c.left_m[i] -= moved
        c.left_s[i] = max(c.left_s[i] - spent, 0.0)
        if phase in (QUEUE_LOAD, QUEUE_DUMP):
            c.queued_s[i] += spent
        if t_end <= time_s:  # the step is done: on to the next
            stop = _next_step(r, c, i, payload_t, queue_load, queue_dump, load_s)
            if stop != RAN_OUT:
                return stop
        if c.time_s[i] <= floor_s:
            return RAN_OUT
    return RAN_OUT


@inline
def _next_step(
    r: Tables,
    c: Cycle,
    i: int,
    payload_t: float,
    queue_load: float,
    queue_dump: float,
    load_s: float,
) -> int:
    """Move twin i to the step after the one it finished; the body fills and empties here."""
    phase, leg = c.phase[i], c.leg[i]
    if phase == DUMP:
        c.hauled_t[i] += c.payload[i]
        c.payload[i] = 0.0
    elif phase == LOAD:
        c.payload[i] = payload_t
    if phase in (HAUL, RETURN) and leg + 1 < r.n_legs[i]:
        leg += 1
    else:
        phase, leg = (phase + 1) % N_PHASES, 0
    c.phase[i], c.leg[i] = phase, leg
    k = r.row[i] + r.first[phase] + leg
    c.left_m[i] = r.length[k]
    duration = r.duration[k]
    coupled = load_s > 0.0
    if phase == QUEUE_LOAD:
        if coupled:
            c.left_s[i] = math.inf
            return AT_LOADER
        duration *= queue_load
    elif phase == QUEUE_DUMP:
        if coupled:
            c.left_s[i] = math.inf
            return AT_DUMP
        duration *= queue_dump
    elif coupled and phase == LOAD:
        duration = load_s
    c.left_s[i] = duration
    if coupled and phase == RETURN and leg == 0:
        return LEFT_DUMP
    return RAN_OUT
