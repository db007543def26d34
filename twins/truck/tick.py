"""What a haul truck's tick leaves behind, compiled: heat, wear, readings (numba).

After the passes (`twins.truck.cycle.spend_tick`) have moved every truck through its cycle,
one loop over the twins settles the tick:

- a damaged driveline bearing's friction takes fuel: it acts as added rolling resistance
  W = c·d·g·∫m ds (Daigle & Goebel's friction that grows with wear, their form);
- the cost of wear: diesel a healthy truck making the same progress would not have burned,
  charged to the injectors, the bearing and the cooling (`physics.truck.wear_fuel_l`);
- heat: the coolant of twins the protection did not watch relaxes once at the tick's mean load
  (the watched ones followed the passes); oil relaxes towards coolant + load rise; a stopped
  engine cools towards ambient. Exact first-order updates (`physics.common.relax`);
- tyres: the working TKPH lags the tick's (a tyre's heat), tread wears by it (TKPH-driven);
- the readings at the tick's end (a telemetry snapshot): a twin that is not available reads
  as parked with its engine off; one whose coolant is in the derate band reads its capped
  output and reports DERATED; condition sensors (fuel balance, driveline vibration, tread,
  tyre temperature);
- the driveline bearing's mean ISO 281 ageing rate over the tick.

Every equation is `physics.truck`'s or `physics.common`'s, compiled for one twin
(`twins.jit.for_scalars`). State variables come back as new arrays, as a numpy kind's would.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from aurum.physics import common
from aurum.physics import truck as phy
from aurum.physics.truck import COOLANT_DERATE_C
from aurum.twins.jit import for_scalars, kernel
from aurum.twins.kind import Status
from aurum.twins.truck.cycle import LOAD, Cycle, Engine, Protection, Tables, capped_step
from aurum.twins.truck.modes import TYRE_SET

F64 = NDArray[np.float64]

_ph, _common = for_scalars(phy), for_scalars(common)
_relax = _common.relax_by
_equilibrium = _ph.coolant_equilibrium_c
_oil_equilibrium = _ph.oil_equilibrium_c
_allowed_output_kw = _ph.allowed_output_kw
_friction_work_j = _ph.bearing_friction_work_j
_wear_fuel_l = _ph.wear_fuel_l
_tread_wear_mm = _ph.tread_wear_mm
_tyre_temp_c = _ph.tyre_temp_c
_engine_rpm = _ph.engine_rpm
_vibration = _ph.driveline_vibration_mm_s
_DERATED, _RUNNING, _STANDBY = int(Status.DERATED), int(Status.RUNNING), int(Status.STANDBY)


class Consts(NamedTuple):
    """Constants the tick's end reads beyond `Engine`'s, a row per kind of twin (`Tables.alike`),
    for one tick length (the lags' decays e^{−Δt/τ} are computed once, `physics.common.decay`)."""

    empty_t: F64
    payload_t: F64
    friction_coeff: F64  # added rolling resistance of a failed bearing
    sfc_gain: F64  # SFC rise of fully worn injectors
    oil_offset_c: F64
    oil_load_rise_c: F64
    coolant_decay: F64  # e^{−Δt/τ} of the coolant's lag over a tick
    oil_decay: F64
    off_decay: F64  # a stopped engine's cool-down
    tkph_decay: F64  # a tyre's heat
    tkph_rated: F64
    tread_k_mm_km: F64  # tread worn per km at the rated TKPH
    tread_exponent: F64
    tyre_temp_rise_c: F64
    vib_base_mm_s: F64
    vib_per_kmh: F64
    vib_gain: F64
    bearing_ref_m_s: F64  # ISO 281 reference speed at GVM
    empty_ageing: F64  # the bearing's ageing rate empty, (m_E/GVM)^(10/3) (ISO 281)
    rpm_idle: F64
    rpm_rated: F64
    load_s: F64  # loading time


class Wear(NamedTuple):
    """The state the tick's end reads, each (n,) (the kind's and its failure modes')."""

    coolant_c: F64  # at the tick's start
    oil_c: F64
    carry_s: F64
    odometer_km: F64
    tkph: F64
    tread_mm: F64
    tread_accel: F64  # a scenario's acceleration of tyre wear
    bearing_damage: F64
    injector_wear: F64
    fuel_multiplier: F64


class Settled(NamedTuple):
    """New state arrays of the tick's end, each (n,), filled by `settle`."""

    coolant_c: F64
    oil_c: F64
    carry_s: F64
    odometer_km: F64
    tkph: F64
    tread_mm: F64
    phase_code: F64
    leg_index: F64


class Readings(NamedTuple):
    """What the tick reports, each (n,), filled by `settle`."""

    payload_t: F64
    speed_kmh: F64
    grade_pct: F64
    engine_rpm: F64
    engine_load_pct: F64
    fuel_rate_lph: F64
    sfc_rise_pct: F64
    vibration_mm_s: F64
    tyre_wear_mm: F64
    tyre_temp_c: F64
    status: NDArray[np.int8]
    diesel_l: F64
    engine_kwh: F64
    excess_injectors_l: F64
    excess_bearing_l: F64
    excess_cooling_l: F64
    bearing_stress: F64


@kernel
def settle(  # noqa: PLR0915 (one loop: see below)
    r: Tables, c: Cycle, e: Engine, k: Consts, prot: Protection, budget_s: F64,
    on: NDArray[np.bool_], dt_s: float, tread_new_mm: float, w: Wear, s: Settled, out: Readings,
) -> None:  # fmt: skip
    """Settle every twin's tick (see the module docstring): new state into `s`, the tick's
    report into `out`. `c` holds what the passes did; `budget_s` the time each twin had.

    One flat loop on purpose: a helper handed these tuples of arrays, even inlined, counts a
    reference on every array at every call (~1 µs a twin), ten times the work it does.
    """
    for i in range(len(budget_s)):
        running, a = on[i], r.alike[i]
        # fuel: the engine's, a damaged bearing's friction, and what wear cost of it
        mass_tm = k.empty_t[a] * c.dist_m[i] + c.payload_tm[i]  # ∫m ds [t·m]
        work_j = _friction_work_j(w.bearing_damage[i], k.friction_coeff[a], mass_tm * 1e3)
        friction_kj = work_j / e.eff[i] * 1e-3
        friction_l = friction_kj / 3600.0 * e.sfc_l_kwh[i]
        m, rise = w.fuel_multiplier[i], k.sfc_gain[a] * w.injector_wear[i]
        factor = m * (1.0 + rise)  # the operator's and the worn injectors' fuel factor
        parts = _wear_fuel_l(m, rise, c.fuel_l[i], friction_l, prot.excess_l[i])
        out.excess_injectors_l[i], out.excess_bearing_l[i], out.excess_cooling_l[i] = parts
        energy_kj = c.energy_kj[i] + friction_kj
        out.diesel_l[i] = (c.fuel_l[i] + friction_l) * factor
        out.engine_kwh[i] = energy_kj / 3600.0
        spent = budget_s[i] - c.time_s[i]
        load = energy_kj / (spent * e.engine_kw[i]) if spent > 0.0 else 0.0

        # heat: the watched twins' coolant followed the passes; a stopped engine cools down
        if prot.watched[i]:
            coolant = prot.temp_c[i]
        else:
            eq = _equilibrium(
                e.ambient_c[i], load, e.capacity[i], e.thermostat_c[i], e.band_c[i], e.rise_c[i]
            )
            coolant = _relax(w.coolant_c[i], eq, k.coolant_decay[a])
        oil_eq = _oil_equilibrium(coolant, load, k.oil_offset_c[a], k.oil_load_rise_c[a])
        oil = _relax(w.oil_c[i], oil_eq, k.oil_decay[a])
        if not running:
            coolant = _relax(w.coolant_c[i], e.ambient_c[i], k.off_decay[a])
            oil = _relax(w.oil_c[i], e.ambient_c[i], k.off_decay[a])
        s.coolant_c[i], s.oil_c[i] = coolant, oil

        # tyres: the working TKPH lags the tick's, tread wears by it
        tick_tkph = mass_tm / TYRE_SET * 1e-3 / (dt_s / 3600.0)
        tkph = _relax(w.tkph[i], tick_tkph, k.tkph_decay[a])
        ratio = tkph / k.tkph_rated[a]
        tread = w.tread_mm[i]
        if c.dist_m[i] > 0.0:  # a tyre standing still does not wear
            dist_km = c.dist_m[i] * 1e-3
            worn = _tread_wear_mm(dist_km, ratio, k.tread_k_mm_km[a], k.tread_exponent[a])
            tread = max(tread - worn * w.tread_accel[i], 0.0)
        s.tkph[i], s.tread_mm[i] = tkph, tread

        # where the cycle stands; a truck more than a tick behind loses time, one standing
        # still keeps its carry
        s.phase_code[i], s.leg_index[i] = c.phase[i], c.leg[i]
        s.carry_s[i] = min(c.time_s[i], dt_s) if running else w.carry_s[i]
        s.odometer_km[i] = w.odometer_km[i] + c.dist_m[i] * 1e-3

        # readings at the tick's end: the step as the engine runs it now, capped where the
        # coolant stands in the derate band
        j = r.row[i] + r.first[c.phase[i]] + c.leg[i]
        power, speed, fuel_rate = r.power[j], r.speed[j], r.fuel[j]
        hot = running and coolant >= COOLANT_DERATE_C
        if hot:
            cap = _allowed_output_kw(coolant, e.max_kw[i], e.idle_kw[i])
            if cap < power:
                speed, _, fuel_rate = capped_step(e, i, cap, r.f0[j], speed)
                power = cap
        speed_kmh = speed * 3.6 if running else 0.0
        load_now = power / e.engine_kw[i] if running else 0.0
        if c.phase[i] == LOAD:  # the body fills as the loader passes
            out.payload_t[i] = k.payload_t[a] * (1.0 - c.left_s[i] / max(k.load_s[a], 1e-9))
        else:
            out.payload_t[i] = c.payload[i]
        out.speed_kmh[i], out.grade_pct[i] = speed_kmh, r.grade[j]
        rpm = _engine_rpm(load_now, speed_kmh > 0.0, k.rpm_idle[a], k.rpm_rated[a])
        out.engine_rpm[i] = rpm if running else 0.0
        out.engine_load_pct[i] = load_now * 100.0
        out.fuel_rate_lph[i] = fuel_rate * 3600.0 * factor if running else 0.0
        out.sfc_rise_pct[i] = 100.0 * rise
        vib = _vibration(
            speed_kmh, k.vib_base_mm_s[a], k.vib_per_kmh[a], w.bearing_damage[i], k.vib_gain[a]
        )
        out.vibration_mm_s[i] = vib if running else 0.0  # a parked driveline does not vibrate
        out.tyre_wear_mm[i] = tread_new_mm - tread
        out.tyre_temp_c[i] = _tyre_temp_c(e.ambient_c[i], ratio, k.tyre_temp_rise_c[a])
        if not running:
            out.status[i] = _STANDBY
        elif hot or prot.limited[i]:
            out.status[i] = _DERATED
        else:
            out.status[i] = _RUNNING

        # driveline bearing: ageing at GVM loaded, at (m_E/GVM)^(10/3) empty (ISO 281)
        loaded_m = c.payload_tm[i] / k.payload_t[a]
        equivalent_m = loaded_m + k.empty_ageing[a] * (c.dist_m[i] - loaded_m)
        out.bearing_stress[i] = equivalent_m / (k.bearing_ref_m_s[a] * dt_s)
