"""Equations of a mechanical-drive haul truck (CAT 793-class): resistance, speed, fuel, heat.

Plain equations over numpy arrays (or floats), SI inside (N, W, kg, m/s) unless a name carries
another unit. Each docstring names its source (docs/sources.md gathers them); tags: [V] seen
in a source, [D] derived from [V] values, [A] assumption.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from aurum.physics.common import G

F64 = NDArray[np.float64]
Arr = F64 | float

RHO_AIR_SEA_LEVEL = 1.225  # ISA sea-level air density [kg/m³]; ISO 2533 [V]
KMH = 1.0 / 3.6  # [m/s per km/h]


FT_1000_M = 304.8  # 1,000 ft [m]


def altitude_power_factor(
    altitude_m: Arr, full_power_to_m: Arr, derate_per_1000_ft: Arr, max_derate: Arr
) -> F64:
    """Engine power available at altitude over rated power [-], H [m] (Caterpillar ECM form).

    Full rated power up to the rating's altitude H₀, then the ECM trims fuel by a share d of
    rated power per 1,000 ft (305 m) above it, capped at a maximum derate: Caterpillar's
    "Altitude Derate Feature" (Cat SIS, 3500B engines: 3 % per 305 m, at most 35 % of rated
    power, starting at a rating-specific barometric set-point) [V form]:
    C_h = 1 − min(d·max(H − H₀, 0)/305 m, d_max).
    """
    above = np.maximum(altitude_m - full_power_to_m, 0.0)
    return np.asarray(1.0 - np.minimum(derate_per_1000_ft * above / FT_1000_M, max_derate))


def air_density(altitude_m: Arr) -> F64:
    """Air density ρ = ρ₀·(1 − 2.25577·10⁻⁵·H)^4.2559 [kg/m³]; ISA troposphere, ISO 2533 [V]."""
    return np.asarray(RHO_AIR_SEA_LEVEL * (1.0 - 2.25577e-5 * altitude_m) ** 4.2559)


def grade_rolling_force(mass_kg: Arr, grade_pct: Arr, rolling_pct: Arr) -> F64:
    """Grade + rolling resistance F₀ = m·g·(sin θ + C_r·cos θ) [N], tan θ = grade; CAT handbook [V].

    Negative on a descent steeper than the rolling resistance: the truck must retard.
    """
    theta = np.arctan(np.asarray(grade_pct) / 100.0)
    return np.asarray(mass_kg * G * (np.sin(theta) + (rolling_pct / 100.0) * np.cos(theta)))


def aero_coefficient(air_density_kg_m3: Arr, drag_coeff: Arr, frontal_area_m2: Arr) -> F64:
    """Aerodynamic drag coefficient k = ½·ρ·C_d·A [N·s²/m²] of F_aero = k·v² (Rakha) [V]."""
    return np.asarray(0.5 * air_density_kg_m3 * drag_coeff * frontal_area_m2)


def resistance_force(f0_n: Arr, k_aero: Arr, speed_m_s: Arr) -> F64:
    """Total resistance F = F₀ + ½ρC_dA·v² [N], F₀ from `grade_rolling_force` [V]."""
    return np.asarray(f0_n + k_aero * np.square(speed_m_s))


def traction_limit(mass_kg: Arr, mu: Arr, driven_share: Arr) -> F64:
    """Largest tractive force μ·g·m_ta [N], m_ta the mass on the driven axle; Rakha [V]."""
    return np.asarray(mu * G * mass_kg * driven_share)


def power_limited_speed(wheel_power_w: Arr, f0_n: Arr, k_aero: Arr) -> F64:
    """Steady speed v [m/s] where η·P = (F₀ + k·v²)·v, the cubic solved exactly [D].

    `wheel_power_w` = η·P·C_h; F₀ must be > 0. With k → 0 this is the handbook v = η·P/F₀.
    Real root of v³ + p·v − q = 0 (p = F₀/k, q = η·P/k): v = 2√(p/3)·sinh(⅓·asinh(x)),
    x = (3q/2p)·√(3/p), which has no cancellation for small drag.
    """
    k = np.maximum(k_aero, 1e-9)
    p = f0_n / k
    x = (1.5 * wheel_power_w / f0_n) * np.sqrt(3.0 / p)
    return np.asarray(2.0 * np.sqrt(p / 3.0) * np.sinh(np.arcsinh(x) / 3.0))


def retarder_speed(retarder_w: Arr, f0_n: Arr, k_aero: Arr) -> F64:
    """Largest steady descent speed [m/s] the retarder holds continuously [D].

    Descending, the brakes absorb what gravity gives beyond rolling resistance and drag:
    P_ret = (−F₀ − k·v²)·v, F₀ from `grade_rolling_force` (effective grade = favourable grade −
    RR, CAT Performance Handbook [V]). The needed power peaks at v* = √(−F₀/3k), 2k·v*³; with
    r = P_ret/(2k·v*³) < 1 the speed is the cubic's smaller root v = 2v*·sin(⅓·asin r) (→
    P_ret/(−F₀) as k → 0); with r ≥ 1 drag alone holds the truck and nothing caps it. Infinite
    where F₀ ≥ 0 (nothing to retard).
    """
    push = np.maximum(-f0_n, 1e-9)
    k = np.maximum(k_aero, 1e-12)
    peak_v = np.sqrt(push / (3.0 * k))
    r = retarder_w / (2.0 * k * peak_v * peak_v * peak_v)
    v = 2.0 * peak_v * np.sin(np.arcsin(np.minimum(r, 1.0)) / 3.0)
    return np.asarray(np.where((f0_n < 0.0) & (r < 1.0), v, np.inf))


def steady_speed(
    wheel_power_w: Arr,
    retarder_w: Arr,
    f0_n: Arr,
    k_aero: Arr,
    traction_n: Arr,
    cap_m_s: Arr,
    crawl_m_s: Arr,
    descent_cap_m_s: Arr = np.inf,
) -> F64:
    """Quasi-steady segment speed [m/s]: power-, traction- and retarder-limited, then capped.

    Uphill, v = η·P·C_h/F (CAT handbook, Rakha) [V/D]; where F₀ exceeds the traction limit μ·g·m_ta
    no steady climb exists and the truck creeps at `crawl_m_s` [A] rather than deadlock. Downhill
    (F₀ < 0, the brakes hold the truck), the retarder's continuous speed (`retarder_speed`) and the
    site's descent rule `descent_cap_m_s`. The cap is min(top gear, road speed limit).
    """
    climbing = f0_n > 0.0
    f_up = np.where(climbing, f0_n, 1.0)
    v_up = np.where(f0_n > traction_n, crawl_m_s, power_limited_speed(wheel_power_w, f_up, k_aero))
    v_down = np.minimum(retarder_speed(retarder_w, f0_n, k_aero), descent_cap_m_s)
    v = np.where(climbing, v_up, np.where(f0_n < 0.0, v_down, np.inf))
    return np.asarray(np.minimum(v, cap_m_s), dtype=np.float64)


SETTLED = 1e-3  # a transient ends within this share of its speed change (log-spaced grid)
AT_SPEED = 0.005  # ... or within this share of the speed it heads for, whichever is wider


def speed_transient(
    v_start: Arr,
    v_target: Arr,
    length_m: Arr,
    mass_kg: Arr,
    f0_n: Arr,
    k_aero: Arr,
    wheel_power_w: Arr,
    traction_n: Arr,
    points: int = 240,
) -> tuple[F64, F64, F64, F64]:
    """A truck at full throttle changing speed towards a segment's steady speed [D].

    m·dv/dt = min(η·P/v, μ·g·m_ta) − F₀ − k·v² (Rakha's vehicle-dynamics model, as coded in
    aarondotter/rimpull vdm.py `acceleration`, rotating inertia left out): it accelerates up to
    the segment's speed, or, entering a climb faster than the engine can hold, slows down to it
    with the engine at full power. Integrated exactly in time and distance over a grid of the
    speed still to go, log-spaced down to `SETTLED` of the change or `AT_SPEED` of the speed,
    whichever is wider (the approach to a power-limited speed is asymptotic: its last fraction
    loses next to no time but would take up the whole segment), and stopped at `length_m`.

    Returns (time [s], distance [m], speed at the end [m/s], wheel work [J]) of the transient;
    zeros (and v_target) where the force does not point to v_target (a creep, or a slowdown
    that needs the brakes: `braking_transient`).
    """
    shape = np.broadcast(v_start, v_target, length_m, mass_kg, f0_n, k_aero, wheel_power_w).shape
    v0, v1, length, m, f0, k, wheel, traction = (
        np.broadcast_to(np.asarray(a, dtype=np.float64), shape)[..., None]
        for a in (v_start, v_target, length_m, mass_kg, f0_n, k_aero, wheel_power_w, traction_n)
    )
    up = v1 > v0
    gap = np.abs(v1 - v0)
    done = np.maximum(SETTLED * gap, AT_SPEED * v1)  # close enough: the transient ends
    span = np.log(np.maximum(gap, done) / done)  # of ln|v − v_target|
    togo = done * np.exp(span * np.linspace(1.0, 0.0, points))  # |v − v_target|, falling
    v = np.where(up, v1 - togo, v1 + togo)
    pull = np.minimum(wheel / np.maximum(v, 1e-9), traction)
    net = pull - f0 - k * v * v
    toward = np.where(up, net > 0.0, net < 0.0) & (gap > done)
    valid = np.all(toward, axis=-1, keepdims=True)
    # dt = m·|dv|/|net| with |dv| = togo·|d ln togo| on the log grid
    rate = np.where(valid, m * togo / np.maximum(np.abs(net), 1e-9), 0.0)
    step = span / (points - 1)

    def cumulative(y: F64) -> F64:
        inner = 0.5 * (y[..., 1:] + y[..., :-1]) * step
        return np.concatenate([np.zeros_like(y[..., :1]), np.cumsum(inner, axis=-1)], axis=-1)

    t, s, work = cumulative(rate), cumulative(rate * v), cumulative(rate * pull * v)
    # where the segment ends before the transient does: interpolate at s = length
    last = np.minimum(np.sum(s <= length, axis=-1, keepdims=True) - 1, points - 2)
    s0, s1 = np.take_along_axis(s, last, -1), np.take_along_axis(s, last + 1, -1)
    frac = np.clip((length - s0) / np.maximum(s1 - s0, 1e-12), 0.0, 1.0)

    def at(y: F64) -> F64:
        y0, y1 = np.take_along_axis(y, last, -1), np.take_along_axis(y, last + 1, -1)
        return (y0 + frac * (y1 - y0))[..., 0]

    ended = s[..., -1] <= length[..., 0]
    out_t = np.where(ended, t[..., -1], at(t))
    out_s = np.where(ended, s[..., -1], np.minimum(at(s), length[..., 0]))
    out_v = np.where(ended | ~valid[..., 0], v1[..., 0], at(v))
    out_w = np.where(ended, work[..., -1], at(work))
    return np.asarray(out_t), np.asarray(out_s), np.asarray(out_v), np.asarray(out_w)


def braking_transient(
    v_start: Arr,
    v_end: Arr,
    mass_kg: Arr,
    f0_n: Arr,
    k_aero: Arr,
    retarder_w: Arr,
    brake_n: Arr,
    points: int = 96,
) -> tuple[F64, F64]:
    """Time [s] and distance [m] to slow from v_start to v_end on a segment [D].

    m·dv/dt = −(F_b + F₀ + k·v²): the retarder's continuous power P_ret/v while the wheels can
    take it, F_b = min(P_ret/v, μ·g·m_ta) (the same adhesion bound as traction, Rakha), and where
    the retarder has too little to spare on a descent (under a quarter of the adhesion bound) the
    service brakes at that bound [A]. Zeros where v_end ≥ v_start or no braking force exists.
    """
    shape = np.broadcast(v_start, v_end, mass_kg, f0_n, k_aero, retarder_w, brake_n).shape
    v0, v1, m, f0, k, ret, brake = (
        np.broadcast_to(np.asarray(a, dtype=np.float64), shape)[..., None]
        for a in (v_start, v_end, mass_kg, f0_n, k_aero, retarder_w, brake_n)
    )
    v = v1 + (v0 - v1) * np.linspace(0.0, 1.0, points)  # rising from v_end
    drag = f0 + k * v * v
    net = np.minimum(ret / np.maximum(v, 1e-9), brake) + drag
    net = np.where(net < 0.25 * brake, brake + drag, net)
    valid = np.all(net > 0.0, axis=-1) & (v0[..., 0] > v1[..., 0])
    dv = (v0 - v1)[..., 0] / (points - 1)
    inv = m / np.maximum(net, 1e-9)
    t = np.sum(0.5 * (inv[..., 1:] + inv[..., :-1]), axis=-1) * dv
    vv = inv * v
    s = np.sum(0.5 * (vv[..., 1:] + vv[..., :-1]), axis=-1) * dv
    return np.asarray(np.where(valid, t, 0.0)), np.asarray(np.where(valid, s, 0.0))


def road_with_speed_changes(
    length_m: F64,
    speed_m_s: F64,
    power_kw: F64,
    f0_n: F64,
    mass_kg: F64,
    k_aero: Arr,
    wheel_power_w: Arr,
    traction_n: Arr,
    retarder_w: Arr,
    drivetrain_eff: Arr,
    idle_kw: Arr,
    rated_kw: Arr,
    sfc_l_kwh: Arr,
    sfc_knee: Arr,
    sfc_idle_rise: Arr,
    full: NDArray[np.bool_],
) -> tuple[F64, F64, F64]:
    """Time [s], engine energy [kJ] and fuel [L] of each segment of a road, speed changes in [D].

    Segments run along the last axis in travel order (zero length: padding), each with its
    steady speed, engine output and F₀; the other arguments are per truck (shaped like one
    segment's slice, or broadcasting to it). The truck starts from a standstill and stops at the
    end. Entering a segment slower than its speed it accelerates at full throttle
    (`speed_transient`); entering a climb the engine holds at full power (`full`) faster, it
    slows down on it at full power; entering any other segment faster, or at the end, it brakes
    at the end of the segment before (`braking_transient`) with the engine idling, the
    braking distance kept free of the acceleration. Each transient's time, energy and fuel
    replace steady running over the same distance; transient fuel is its energy at the
    part-load SFC of its mean output (`sfc_part_load`).
    """

    def fuel_l_s(kw: F64, axis: tuple[slice | None, ...] = ()) -> F64:
        """Fuel rate at output kw; `axis` lines the per-truck arguments up with kw."""
        a = [
            np.asarray(x)[(Ellipsis, *axis)] for x in (rated_kw, sfc_l_kwh, sfc_knee, sfc_idle_rise)
        ]
        sfc = sfc_part_load(kw / a[0], a[1], a[2], a[3])
        return np.asarray(fuel_rate_lph(kw * 1e3, sfc) / 3600.0)

    time = np.divide(length_m, speed_m_s, out=np.zeros_like(length_m), where=length_m > 0.0)
    rate = fuel_l_s(power_kw, (None,))  # per-truck arguments against segments on the last axis
    energy, fuel = power_kw * time, rate * time
    idle_fuel = fuel_l_s(np.asarray(idle_kw, dtype=np.float64))
    # the speed each segment must end at: the next one's where that is slower and no climb
    # slows the truck down to it, a standstill at the road's end, else no constraint
    on = length_m > 0.0
    nxt = np.concatenate([speed_m_s[..., 1:], np.zeros_like(speed_m_s[..., :1])], axis=-1)
    nxt_on = np.concatenate([on[..., 1:], np.zeros_like(on[..., :1])], axis=-1)
    nxt_full = np.concatenate([full[..., 1:], np.zeros_like(full[..., :1])], axis=-1)
    end_at = np.where(nxt_on, np.where(nxt_full, np.inf, nxt), 0.0)
    v_in = np.zeros(length_m.shape[:-1])

    def replace(j: int, where: NDArray[np.bool_], dist: F64, t: F64, kj: F64, litres: F64) -> None:
        steady = np.divide(dist, speed_m_s[..., j], out=np.zeros_like(dist), where=where)
        time[..., j] += np.where(where, t - steady, 0.0)
        energy[..., j] += np.where(where, kj - power_kw[..., j] * steady, 0.0)
        fuel[..., j] += np.where(where, litres - rate[..., j] * steady, 0.0)

    for j in range(length_m.shape[-1]):
        v_seg, v_end, seg = speed_m_s[..., j], end_at[..., j], length_m[..., j]
        f0, live = f0_n[..., j], on[..., j]
        brake_args = (mass_kg, f0, k_aero, retarder_w, traction_n)
        _, room = braking_transient(v_seg, np.minimum(v_end, v_seg), *brake_args)  # kept for it
        t, s, v_out, work = speed_transient(
            v_in, v_seg, np.maximum(seg - room, 0.0), mass_kg, f0, k_aero, wheel_power_w,
            traction_n,
        )  # fmt: skip
        kj = np.maximum(work / drivetrain_eff * 1e-3, idle_kw * t)
        mean_kw = np.divide(kj, t, out=np.zeros_like(t), where=t > 0.0)
        replace(j, live & (s > 0.0), s, t, kj, fuel_l_s(mean_kw) * t)
        slow = live & (v_out > v_end)  # then brake, engine idling, on what the segment has left
        t_b, s_b = braking_transient(v_out, np.minimum(v_end, v_out), *brake_args)
        fits = np.minimum(s_b, seg - s)
        t_b = np.where(s_b > 0.0, t_b * fits / np.maximum(s_b, 1e-12), 0.0)
        replace(j, slow & (fits > 0.0), fits, t_b, idle_kw * t_b, idle_fuel * t_b)
        v_in = np.where(live, np.where(slow, v_end, v_out), v_in)
    return time, energy, fuel


def engine_power(
    resistance_n: Arr, speed_m_s: Arr, drivetrain_eff: Arr, idle_w: Arr, max_w: Arr
) -> F64:
    """Engine output P_eng = clip(F·v/η, P_idle, P_max) [W] (per-tick model) [A].

    η (Rakha's 0.8) already books the accessories; on a descent the engine idles.
    """
    return np.asarray(np.clip(resistance_n * speed_m_s / drivetrain_eff, idle_w, max_w))


def sfc_part_load(load_frac: Arr, sfc_l_kwh: Arr, knee_frac: Arr, idle_rise_frac: Arr) -> F64:
    """Specific fuel consumption at part load SFC(x) [L/kWh], x = P_eng/P_rated [A].

    Flat at the handbook SFC (0.24 L/kWh, MineLab [V]) for x ≥ knee, so the load-factor method
    Q = P_rated·LF·SFC holds over the haul-truck LF band 0.40–0.70 (CAT Performance Handbook) [V];
    below the knee it rises quadratically to (1 + idle_rise)·SFC at zero load, as diesels do near
    idle [A].
    """
    short = np.maximum(1.0 - load_frac / knee_frac, 0.0)
    return np.asarray(sfc_l_kwh * (1.0 + idle_rise_frac * np.square(short)))


def fuel_rate_lph(engine_w: Arr, sfc_l_kwh: Arr) -> F64:
    """Fuel rate Q_f = P_eng·SFC [L/h], P_eng [W], SFC [L/kWh] (CAT handbook) [V]."""
    return np.asarray(engine_w * 1e-3 * sfc_l_kwh)


def handbook_fuel_rate_lph(rated_kw: Arr, load_factor: Arr, sfc_l_kwh: Arr) -> F64:
    """Handbook fuel rate Q_f = P_rated·LF·SFC [L/h]; CAT Performance Handbook via MineLab [V]."""
    return np.asarray(rated_kw * load_factor * sfc_l_kwh)


def engine_rpm(
    load_frac: Arr, moving: NDArray[np.bool_] | bool, rpm_idle: Arr, rpm_rated: Arr
) -> F64:
    """Engine speed [rpm]: idle when stopped; moving, the upper governor band by load [A].

    Gear shifts are not modelled: the engine is held between ~mid band and rated speed.
    """
    band = np.where(moving, 0.55 + 0.45 * np.minimum(load_frac, 1.0), 0.0)
    return np.asarray(rpm_idle + (rpm_rated - rpm_idle) * band)


def coolant_equilibrium_c(
    ambient_c: Arr,
    load_frac: Arr,
    cooling_capacity_frac: Arr,
    thermostat_c: Arr,
    thermostat_band_c: Arr,
    rise_design_c: Arr,
) -> F64:
    """Coolant temperature the engine settles to [°C] (first-order thermal model) [A].

    T_amb + K_q·(P/P_rated)·ΔT_design with K_q = 1/cooling capacity (a fouled radiator has a
    larger K_q); the thermostat holds the coolant at its opening point plus a proportional
    band with load while the radiator has spare capacity (floor ≈ 85 °C).
    """
    radiator = ambient_c + load_frac * rise_design_c / cooling_capacity_frac
    return np.asarray(np.maximum(thermostat_c + thermostat_band_c * load_frac, radiator))


def oil_equilibrium_c(coolant_c: Arr, load_frac: Arr, offset_c: Arr, load_rise_c: Arr) -> F64:
    """Engine oil temperature the engine settles to [°C]: coolant + offset + rise·load [A]."""
    return np.asarray(coolant_c + offset_c + load_rise_c * load_frac)


def driveline_vibration_mm_s(
    speed_kmh: Arr, base_mm_s: Arr, per_kmh: Arr, bearing_damage_frac: Arr, bearing_gain: Arr
) -> F64:
    """Driveline vibration velocity RMS [mm/s]: baseline + speed term, × bearing damage [A].

    A site/OEM baseline with the alarm at 2 × baseline [A].
    """
    return np.asarray(
        (base_mm_s + per_kmh * speed_kmh) * (1.0 + bearing_gain * bearing_damage_frac)
    )


def loose_density(bank_density_t_m3: Arr, swell_frac: Arr) -> F64:
    """Loose (broken) density ρ_loose = ρ_bank/(1 + swell) [t/m³]; mass is kept, volume swells."""
    return np.asarray(bank_density_t_m3 / (1.0 + swell_frac))


def loading_passes(payload_t: Arr, bucket_m3: Arr, fill_frac: Arr, loose_density_t_m3: Arr) -> F64:
    """Loader passes = payload/(V_bucket·fill·ρ_loose) [-]; MineLab / CAT handbook [V].

    Fractional, as in MineLab: the mean over a shift, a short last pass included.
    """
    return np.asarray(payload_t / (bucket_m3 * fill_frac * loose_density_t_m3))


def load_time_s(passes: Arr, swing_s: Arr) -> F64:
    """Loading time t_load = passes·t_swing [s]; MineLab `truck_cycle` convention [V]."""
    return np.asarray(passes * swing_s)


# Graded coolant protection of a heavy-duty diesel, Perkins 1200F installation manual p.187
# [V]; proxies, no C175-specific limits were found.
COOLANT_WARN_C = 109.0
COOLANT_DERATE_C = 111.0
COOLANT_FULL_DERATE_C = 113.0
COOLANT_SHUTDOWN_C = 114.0
DERATE_FIRST_FRAC = 0.25
DERATE_FULL_FRAC = 0.75


def protection_derate_frac(coolant_c: Arr) -> F64:
    """Engine derate of graded coolant protection [-, share of power withheld] (Perkins 1200F) [V].

    Perkins 1200F: none below 111 °C, 25 % there rising linearly to 75 % at 113 °C, held
    above; the shutdown at 114 °C is a trip, not a derate.
    """
    span = COOLANT_FULL_DERATE_C - COOLANT_DERATE_C
    x = np.minimum(np.maximum((coolant_c - COOLANT_DERATE_C) / span, 0.0), 1.0)
    ramp = DERATE_FIRST_FRAC + (DERATE_FULL_FRAC - DERATE_FIRST_FRAC) * x
    return np.asarray(np.where(coolant_c >= COOLANT_DERATE_C, ramp, 0.0))


def allowed_output_kw(coolant_c: Arr, max_kw: Arr, idle_kw: Arr) -> F64:
    """Engine output the graded protection allows [kW]: (1 − derate)·P_max, never below idle."""
    return np.asarray(np.maximum((1.0 - protection_derate_frac(coolant_c)) * max_kw, idle_kw))


def tyre_tkph(tyre_load_t: Arr, speed_kmh: Arr) -> F64:
    """Tyre work rate TKPH = tyre load [t] × speed [km/h]; Goodyear OTR, CAT handbook [V]."""
    return np.asarray(tyre_load_t * speed_kmh)


def tread_wear_mm(distance_km: Arr, tkph_ratio: Arr, wear_mm_km: Arr, exponent: Arr) -> F64:
    """Tread worn [mm] over a distance: dw = k_w·(TKPH/TKPH_rated)^n·|ds| (model) [A]."""
    return np.asarray(wear_mm_km * np.power(tkph_ratio, exponent) * distance_km)


def tyre_temp_c(ambient_c: Arr, tkph_ratio: Arr, rise_at_rated_c: Arr) -> F64:
    """Tyre (inflation gas) temperature [°C] = T_amb + ΔT_rated·TKPH/TKPH_rated [A].

    Heat generated in a tyre scales with its work rate, the quantity TKPH rates (Goodyear OTR [V]);
    running over the rating drives it past the rise the rating was set for.
    """
    return np.asarray(ambient_c + rise_at_rated_c * tkph_ratio)


def bearing_ageing_rate(load_ratio: Arr, speed_ratio: Arr, exponent: Arr) -> F64:
    """Load-sensitive ageing da/dt = (P/P_ref)^p·(n/n_ref) [-]; ISO 281 L10 ∝ (C/P)^p [A].

    p = 10/3 for roller bearings [V]; 1 at the reference load and speed.
    """
    return np.asarray(np.power(load_ratio, exponent) * speed_ratio)


def bearing_friction_work_j(
    damage_frac: Arr, coeff_at_failure: Arr, mass_distance_kg_m: Arr
) -> F64:
    """Extra rolling work of a damaged bearing W = c·d·g·∫m ds [J] (c at damage 1) [A].

    The damaged bearing acts as added rolling resistance, like the friction torque r·ω² that
    grows with wear in Daigle & Goebel's bearing model (IEEE TSMC: Systems 43(4), 2013) [V form].
    """
    return np.asarray(coeff_at_failure * damage_frac * G * mass_distance_kg_m)


def derate_excess_fuel_l(
    spent_s: F64, fuel_l_s: F64, speed_m_s: F64, free_fuel_l_s: F64, free_pace_s_m: F64
) -> F64:
    """Fuel a derated stretch burns above an underated truck's for the same progress [L] [D].

    Progress is distance on a road leg, which the underated truck covers in d·pace_free, and
    time in a timed step (same duration). Per metre of a climb the engine's work F·d/η barely
    depends on the speed (drag is ≪ grade + rolling resistance), so what a derate costs is the
    part-load SFC rise once the capped output falls below the SFC knee; the drag a slower
    truck saves, and the fuel a capped timed step saves, count as no excess (floored at 0).
    """
    free_s = np.where(free_pace_s_m > 0.0, spent_s * speed_m_s * free_pace_s_m, spent_s)
    return np.asarray(np.maximum(spent_s * fuel_l_s - free_s * free_fuel_l_s, 0.0))


def wear_fuel_l(
    multiplier: F64, sfc_rise: F64, engine_l: F64, friction_l: F64, derate_l: F64
) -> tuple[F64, F64, F64]:
    """Fuel [L] wear cost over a healthy truck making the same progress, as the parts of
    (injectors, driveline bearing, cooling) [D].

    Burned: m·k·(R + F), m the operator's factor (not wear, so a healthy truck keeps it),
    k = 1 + `sfc_rise` the worn injectors' SFC factor, R the engine's fuel for the cycle as run,
    F a damaged bearing's friction fuel (Daigle & Goebel form), C ≤ R the part of R the coolant
    protection's cuts cost (`derate_excess_fuel_l`). A healthy truck burns m·(R − C) for the
    same progress: the excess is m·[(k − 1)(R + F) + F + C]. Each loss is charged where it
    acts: the worn injectors (k − 1)/k of all the fuel burned, m·(k − 1)·(R + F) = fuel·(1 − 1/k)
    (the friction's and the derate's fuel burned at their SFC too: the interaction); the
    bearing its friction fuel m·F and the derate its extra m·C, at a healthy engine's SFC. The
    parts add up to the excess exactly, are ≥ 0, and are exactly 0 when nothing is degraded.

    Cooling: a derated truck climbs slower and takes longer per tonne, but per metre its engine
    does the same work F·d/η, and it idles no longer (queues do not depend on arrival), so its
    cost per tonne is the part-load SFC rise below the knee (up to +11 % at the full 75 %
    derate), counted pass by pass against an underated truck covering the same distance.
    """
    return (
        multiplier * sfc_rise * (engine_l + friction_l),
        multiplier * friction_l,
        multiplier * derate_l,
    )
