"""A steam boiler's tick, compiled: demand, drum, combustion, heat, auxiliaries, cost of wear.

One loop over the twins (numba) does what `twins.boiler.model.Boiler.step` describes:
the site's steam demand (daily cycle + OU noise), the firing lag and drum pressure, the burn
(flue O2 and excess air from the set-point curve and the O2-trim drift, stack temperature by
NTU with fire-side fouling, heat-loss efficiency), fuel heat, the FD fan and feed pump, the
readings of a boiler that is down (no fire, fan stopped, ambient air in the flue, cooling) and
the cost of wear against a healthy boiler raising the same steam (`twins.boiler.modes`).

Every equation is `physics.boiler`'s or `physics.common`'s, compiled for one twin
(`twins.jit.for_scalars`); what is written here is the order the boiler runs them in and the
cost-of-wear bookkeeping. Each twin is independent of the others, so results do not depend on
how twins are sharded. Written as numpy over the batch the same tick took ~300 array operations,
each a pass and a temporary; compiled, a boiler-only fleet of 3,000 runs 1.4× faster
(BENCHMARKS.md).
"""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

from aurum.physics import boiler as bp
from aurum.physics import common
from aurum.physics.boiler import Stoich
from aurum.twins.boiler.modes import FOULING_LOAD_REF
from aurum.twins.jit import for_scalars, inline, kernel
from aurum.twins.kind import Status

F64 = NDArray[np.float64]
T = TypeVar("T", F64, float)  # arrays (n,) for a batch, floats for one twin

_bp, _common = for_scalars(bp), for_scalars(common)
_ou_step_by, _ou_kick, _decay, _relax = (
    _common.ou_step_by, _common.ou_kick, _common.decay, _common.relax
)  # fmt: skip
_drum_step_by = _bp.drum_step_by
_excess_air, _wet_gas, _ntu_and_clean = _bp.excess_air_frac, _bp.wet_gas_kg, _bp.ntu_and_clean
_stack_temp, _efficiency = _bp.stack_temp_c, _bp.combustion_efficiency
_radiation, _fuel_heat = _bp.radiation_loss_frac, _bp.fuel_heat_input_w
_air_density, _fan_power, _bearing_loss = (
    _bp.air_density_kg_m3, _bp.fan_power_w, _bp.bearing_wear_loss_w
)  # fmt: skip
_flue_co2, _pump_power, _cold_stack_gas = _bp.flue_co2_pct, _bp.pump_power_w, _bp.cold_stack_gas
_RUNNING, _STANDBY = int(Status.RUNNING), int(Status.STANDBY)
_TWO_PI_PER_DAY = 2.0 * np.pi / 24.0


class Firing(NamedTuple, Generic[T]):
    """Combustion constants (ASME PTC 4 heat loss): arrays (n,) for a batch, floats for one twin."""

    st: Stoich
    o2_set: T  # flue O2 set-point [%]
    o2_rise: T  # extra O2 at minimum fire [%]
    u_min: T  # minimum firing / MCR
    ntu_mcr: T
    u_clean: T  # clean U at MCR [W/m²K]
    t_feed: T  # feedwater [°C]
    rad_mcr: T  # casing loss at MCR [-]
    wet_design: T  # wet flue gas per kg fuel at the O2 set-point
    slope_a: T  # dη/dT_stack = a + b·EA [1/K] (`physics.boiler.stack_slope_terms`)
    slope_b: T


class Plant(NamedTuple):
    """Constants derived once from the parameters and the sites (SI), a row per kind of twin."""

    fire: Firing[F64]
    m_mcr_kg_s: F64  # steam flow at MCR
    q_mcr_w: F64  # heat absorbed at MCR, blowdown included
    dh_leak_j_kg: F64  # heat to turn leaking feedwater into steam
    rho_feed: F64
    pump_j_kg: F64  # feed pump electricity per kg pumped
    u_min: F64  # minimum steam flow / MCR
    utc_offset_h: F64
    p_atm_pa: F64
    gj_per_j: F64  # activity per J of fuel heat (HHV); zero for the fuels not fired
    l_per_j: F64
    t_per_j: F64


class Settings(NamedTuple):
    """The parameters the tick reads (`twins.boiler.model.BoilerParams`), a row per kind of twin."""

    pressure_setpoint_mpa: F64
    drum_time_constant_s: F64
    firing_lag_s: F64
    drum_cooldown_tau_h: F64
    flue_cooldown_tau_h: F64
    feedwater_temp_c: F64
    base_load_frac: F64
    daily_amplitude_frac: F64
    peak_hour_local: F64
    demand_noise_sd_frac: F64
    demand_noise_tau_h: F64
    condensate_return_frac: F64
    blowdown_frac: F64
    fan_dp_kpa: F64
    fan_efficiency: F64
    fan_bearing_loss_frac: F64
    fan_vibration_mm_s: F64
    fan_vibration_cd_mm_s: F64
    feed_pump_dp_mpa: F64
    feed_pump_efficiency: F64


class Held(NamedTuple):
    """The boiler's state (`twins.boiler.model.Boiler.state_vars`), each (n,); the tick writes the
    first five into new arrays and only reads the degradation states."""

    demand_noise_frac: F64
    firing_frac: F64
    drum_pressure_mpa: F64
    stack_temp_c: F64
    feedwater_temp_c: F64
    fouling_resistance_m2k_w: F64
    o2_drift_pct: F64
    tube_leak_kg_s: F64
    fan_bearing_damage_frac: F64


class Readings(NamedTuple):
    """What the tick reports, each (n,): sensors (true values), activity, production, status,
    the fouling's stress, and the cost of wear by mode (fuel heat [W], electricity [kWh])."""

    steam_flow_tph: F64
    drum_pressure_mpa: F64
    fuel_input_mw: F64
    flue_o2_pct: F64
    flue_co2_pct: F64
    stack_temp_c: F64
    feedwater_temp_c: F64
    efficiency_pct: F64
    fan_vibration_mm_s: F64
    makeup_water_tph: F64
    water_loss_tph: F64
    o2_deviation_pct: F64
    ambient_temp_c: F64
    natural_gas_gj: F64
    diesel_l: F64
    coal_t: F64
    electricity_kwh: F64
    steam_t: F64
    status: NDArray[np.int8]
    fouling_stress: F64
    fuel_w_fouling: F64
    fuel_w_combustion_drift: F64
    fuel_w_tube_leak: F64
    kwh_fouling: F64
    kwh_fan_bearing: F64
    kwh_combustion_drift: F64
    kwh_tube_leak: F64


def readings(n: int) -> Readings:
    """Fresh arrays for `boiler_tick` to fill."""
    r = Readings._make(np.empty(n) for _ in Readings._fields)
    return r._replace(status=np.empty(n, dtype=np.int8))


@inline
def _burn(
    f: Firing[float], load: float, r_f: float, drift: float, t_air: float
) -> tuple[float, float, float, float, float, float]:
    """Efficiency at a firing / MCR, fire-side fouling R_f [m²K/W] and O2 drift [%]: flue O2 and
    excess air, stack temperature by NTU, heat-loss efficiency. Returns
    (η, O2, EA, T_stack, T_ad, NTU of the surface were it clean)."""
    low_fire = min(max((1.0 - load) / (1.0 - f.u_min), 0.0), 1.0)
    o2 = f.o2_set + f.o2_rise * low_fire + drift
    ea = _excess_air(o2, f.st)
    wet = _wet_gas(ea, f.st)
    gas_ratio = max(load, 0.05) * (wet / f.wet_design)
    n, n_clean = _ntu_and_clean(f.ntu_mcr, gas_ratio, f.u_clean, r_f)
    t_ad = t_air + f.st.lhv_j * 1e-3 / (wet * bp.CP_HOT_GAS)
    t_stack = _stack_temp(f.t_feed, t_ad, n)
    eta = _efficiency(o2, t_stack, t_air, f.st) - _radiation(load, f.rad_mcr)
    return eta, o2, ea, t_stack, t_ad, n_clean


@inline
def _clean_eta(
    f: Firing[float], eta: float, ea: float, t_stack: float, t_ad: float, n_clean: float
) -> float:
    """η of the same firing and O2 with a clean surface: η is affine in the stack temperature,
    so one exponential (the clean stack) and the slope give it exactly."""
    return (_stack_temp(f.t_feed, t_ad, n_clean) - t_stack) * (f.slope_b * ea + f.slope_a) + eta


@inline
def _general(
    f: Firing[float], eta: float, ea: float, eta_c: float, t_air: float, load: float,
    steam_frac: float, leak_frac: float, drift: float, q_mcr_w: float, q_fuel: float,
    fan_w: float, pump_leak_w: float,
) -> tuple[float, float, float, float, float, float]:  # fmt: skip
    """Fuel heat and fan and pump power [W] wear costs (fouling, drift, leak: fuel, then power)
    of a twin with drift or a leak (`twins.boiler.modes` cost of wear).

    The drum fires `load` for the steam u and the leak's heat, the combustion control's lag
    shared between them in proportion (exact in steady state): load_h = load·u/(u + leak).
    """
    drifting = drift > 0.0
    eta_t, _, ea_t, _, _, _ = _burn(f, load, 0.0, 0.0, t_air)  # clean and tuned, as fired
    eta_h, ea_h, load_h = eta_t, ea_t, load
    if leak_frac > 0.0:
        load_h = load * (steam_frac / (steam_frac + leak_frac))
        eta_h, _, ea_h, _, _, _ = _burn(f, load_h, 0.0, 0.0, t_air)
    q_tuned = _fuel_heat(load * q_mcr_w, eta_t)
    q_h = _fuel_heat(load_h * q_mcr_w, eta_h)
    efficiency = max(q_fuel - q_tuned, 0.0)  # what fouling and drift cost together
    loss_f = eta_c - eta
    loss_d = max(eta_t - eta_c, 0.0) if drifting else 0.0
    losses = loss_f + loss_d
    fouling = efficiency * (loss_f / losses) if losses > 0.0 else 0.0
    # the fan's power per W of fuel at the excess air as fired (fan law ∝ Q·(1 + EA))
    per_q = fan_w / max(q_fuel, 1e-9)
    air = 1.0 + ea
    fan_tuned = per_q * q_tuned * ((1.0 + ea_t) / air)
    fan_h = per_q * q_h * ((1.0 + ea_h) / air)
    return (
        fouling,
        (efficiency - fouling) if drifting else 0.0,
        max(q_tuned - q_h, 0.0),
        per_q * fouling,
        max(fan_w - fan_tuned - per_q * fouling, 0.0) if drifting else 0.0,
        max(fan_tuned - fan_h, 0.0) + pump_leak_w,
    )


@inline
def _per_row(k: Plant, q: Settings, hours_utc: float, dt_s: float) -> tuple[F64, F64, F64, F64]:
    """What is the same for every twin of a row this tick: the daily cycle of steam demand,
    the demand noise's decay and kick over a tick, and the firing lag's decay."""
    rows = len(q.base_load_frac)
    cycle, ou_decay = np.empty(rows), np.empty(rows)
    ou_kick, firing_decay = np.empty(rows), np.empty(rows)
    for c in range(rows):
        hour = (hours_utc - q.peak_hour_local[c]) + k.utc_offset_h[c]
        cycle[c] = 1.0 + q.daily_amplitude_frac[c] * np.cos(_TWO_PI_PER_DAY * hour)
        ou_decay[c] = _decay(dt_s, q.demand_noise_tau_h[c] * 3600.0)
        ou_kick[c] = _ou_kick(q.demand_noise_sd_frac[c], ou_decay[c])
        firing_decay[c] = _decay(dt_s, q.firing_lag_s[c])
    return cycle, ou_decay, ou_kick, firing_decay


@kernel
def boiler_tick(  # noqa: PLR0915 (one loop: see `twins.truck.tick.settle`)
    k: Plant, q: Settings, alike: NDArray[np.intp], s: Held, on: NDArray[np.bool_], z: F64,
    ambient_c: F64, hours_utc: float, dt_s: float, new: Held, out: Readings,
) -> None:  # fmt: skip
    """Advance every boiler one tick (see the module docstring): the new state into the first
    five arrays of `new`, the tick's report into `out`. `k` and `q` hold a row per kind of twin
    (`twins.params.distinct`), twin i's at `alike[i]`; `z` ~ N(0, 1), the demand noise's draw."""
    kwh = dt_s / 3.6e6
    cycle, ou_decay, ou_kick, firing_decay = _per_row(k, q, hours_utc, dt_s)
    for i in range(len(on)):
        running, t_air, c = on[i], ambient_c[i], alike[i]
        st = Stoich(
            k.fire.st.o2_kmol[c], k.fire.st.air_kg[c], k.fire.st.dry0_kmol[c],
            k.fire.st.dry0_kg[c], k.fire.st.dry0_cp[c], k.fire.st.co2_kmol[c],
            k.fire.st.water_kg[c], k.fire.st.ash[c], k.fire.st.hhv_j[c], k.fire.st.lhv_j[c],
            k.fire.st.unburned[c],
        )  # fmt: skip
        f = Firing(
            st, k.fire.o2_set[c], k.fire.o2_rise[c], k.fire.u_min[c], k.fire.ntu_mcr[c],
            k.fire.u_clean[c], k.fire.t_feed[c], k.fire.rad_mcr[c], k.fire.wet_design[c],
            k.fire.slope_a[c], k.fire.slope_b[c],
        )  # fmt: skip

        # steam demand / MCR: base load × daily cycle + OU noise, within turndown and MCR [A];
        # the site's demand moves on whether the boiler runs or not
        noise = _ou_step_by(s.demand_noise_frac[i], 0.0, ou_decay[c], ou_kick[c], z[i])
        new.demand_noise_frac[i] = noise
        u = min(max(q.base_load_frac[c] * cycle[c] + noise, k.u_min[c]), 1.0)
        leak = s.tube_leak_kg_s[i] if running else 0.0  # a cold, depressurised drum holds
        leak_frac = leak * k.dh_leak_j_kg[c] / k.q_mcr_w[c]

        # firing and drum pressure; a boiler that is off fires nothing and its drum pressure
        # decays towards atmospheric as the water and steel cool [A]
        p_set = q.pressure_setpoint_mpa[c]
        p0 = s.drum_pressure_mpa[i] / p_set
        p, fire, load = _drum_step_by(
            p0, s.firing_frac[i], u + leak_frac, dt_s, q.drum_time_constant_s[c],
            q.firing_lag_s[c], firing_decay[c],
        )  # fmt: skip
        if not running:
            p_atm = k.p_atm_pa[c] * 1e-6 / p_set
            p = _relax(p0, p_atm, dt_s, q.drum_cooldown_tau_h[c] * 3600.0)
            fire, load = 0.0, 0.0
        new.drum_pressure_mpa[i], new.firing_frac[i] = p * p_set, fire

        # combustion, fuel heat, the FD fan and what its bearing's wear adds to it
        r_f, drift = s.fouling_resistance_m2k_w[i], s.o2_drift_pct[i]
        eta, o2, ea, t_stack, t_ad, n_clean = _burn(f, load, r_f, drift, t_air)
        q_fuel = _fuel_heat(load * k.q_mcr_w[c], eta)
        m_air = q_fuel / st.hhv_j * st.air_kg * (1.0 + ea) * (1.0 + bp.HUMIDITY)
        rho_air = _air_density(k.p_atm_pa[c], t_air)
        fan_w = _fan_power(m_air, rho_air, q.fan_dp_kpa[c] * 1e3, q.fan_efficiency[c])
        damage = s.fan_bearing_damage_frac[i]
        fan_loss_w = _bearing_loss(fan_w, damage, q.fan_bearing_loss_frac[c])
        vib = q.fan_vibration_mm_s[c] * (0.6 + 0.4 * load) + damage * q.fan_vibration_cd_mm_s[c]
        m_s = u * k.m_mcr_kg_s[c] if running else 0.0
        m_makeup = m_s * (1.0 - q.condensate_return_frac[c] + q.blowdown_frac[c]) + leak

        # stack and feedwater (deaerator held at its set-point), or cooling when off
        stack, feed = t_stack, q.feedwater_temp_c[c]
        if not running:
            stack = _relax(s.stack_temp_c[i], t_air, dt_s, q.flue_cooldown_tau_h[c] * 3600.0)
            feed = _relax(s.feedwater_temp_c[i], t_air, dt_s, q.drum_cooldown_tau_h[c] * 3600.0)
        new.stack_temp_c[i], new.feedwater_temp_c[i] = stack, feed

        # readings: a boiler that is off has no fire, a stopped fan and ambient air in its flue
        out.steam_flow_tph[i] = m_s * 3.6
        out.drum_pressure_mpa[i] = p * p_set
        out.fuel_input_mw[i] = q_fuel * 1e-6
        out.flue_o2_pct[i], out.flue_co2_pct[i] = _cold_stack_gas(
            running, o2, _flue_co2(ea, st)
        )  # fmt: skip
        out.stack_temp_c[i], out.feedwater_temp_c[i] = stack, feed
        out.efficiency_pct[i] = eta * 100.0 if running else 0.0
        out.fan_vibration_mm_s[i] = vib if running else 0.0
        out.makeup_water_tph[i], out.water_loss_tph[i] = m_makeup * 3.6, leak * 3.6
        out.o2_deviation_pct[i] = drift if running else 0.0
        out.ambient_temp_c[i] = t_air

        # fuel (in each fuel's own unit) and auxiliary electricity during the tick
        m_feed = m_s * (1.0 + q.blowdown_frac[c]) + leak
        pump_w = _pump_power(
            m_feed, q.feed_pump_dp_mpa[c] * 1e6, k.rho_feed[c], q.feed_pump_efficiency[c]
        )
        e_j = q_fuel * dt_s
        out.natural_gas_gj[i], out.diesel_l[i] = e_j * k.gj_per_j[c], e_j * k.l_per_j[c]
        out.coal_t[i] = e_j * k.t_per_j[c]
        out.electricity_kwh[i] = ((fan_w + fan_loss_w) + pump_w) * kwh
        out.steam_t[i] = m_s * (dt_s * 1e-3)
        out.status[i] = _RUNNING if running else _STANDBY
        out.fouling_stress[i] = load * (1.0 / FOULING_LOAD_REF)

        # cost of wear (`wear_costs`): fouling alone costs Q·(1 − η/η_c); drift and leaks need
        # the healthy boiler evaluated (`_general`); a worn fan bearing costs its friction
        eta_c = _clean_eta(f, eta, ea, t_stack, t_ad, n_clean)
        share = 1.0 - eta / eta_c  # 0 exactly when clean
        fuel_f, fuel_d, fuel_l = q_fuel * share, 0.0, 0.0
        kw_f, kw_d, kw_l = share * fan_w, 0.0, 0.0
        if drift > 0.0 or leak_frac > 0.0:
            fuel_f, fuel_d, fuel_l, kw_f, kw_d, kw_l = _general(
                f, eta, ea, eta_c, t_air, load, u, leak_frac, drift, k.q_mcr_w[c], q_fuel,
                fan_w, leak * k.pump_j_kg[c],
            )  # fmt: skip
        out.fuel_w_fouling[i], out.fuel_w_combustion_drift[i] = fuel_f, fuel_d
        out.fuel_w_tube_leak[i] = fuel_l
        out.kwh_fouling[i], out.kwh_combustion_drift[i] = kw_f * kwh, kw_d * kwh
        out.kwh_tube_leak[i], out.kwh_fan_bearing[i] = kw_l * kwh, fan_loss_w * kwh
