"""Equations of a grinding mill (SAG / ball): speed, power, Bond energy, liner, bearings, wear.

Plain equations over numpy arrays (or floats); every symbol, unit and source is in the
docstring (docs/sources.md gathers them). Austin's form gives the absolute power of a mill from
its geometry; Hulbert's "power hump" gives how that power moves with charge filling and speed
(both as in le Roux's MillSim: Austin for magnitude, Hulbert for shape), so the dynamic twin uses
Austin's design-point power times Hulbert's ratio.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
Arr = F64 | float

NC_CONST = 42.3  # critical-speed constant [rpm·m^0.5]; Morrell C-model [V]
HULBERT_DELTA_V = 0.928  # load-curvature coefficient δ_v; MillSim calc_Power_Hulbert [V]
HULBERT_DELTA_S = 0.928  # rheology-curvature coefficient δ_s; same [V]
HULBERT_RHO_N = 0.509  # nominal rheology factor ρ_N; same [V]
HULBERT_EPS0 = 0.6  # packed-bed porosity ε₀ of the rheology factor; same [V]
ISO_10816_G1_RIGID_MM_S = (2.3, 4.5, 7.1)  # zone A/B, B/C, C/D, Group 1 rigid (ISO 10816-3) [V/A]
TRUNNION_ALARM_C = 70.0  # trunnion bearing alarm; Holcim "Mill bearings and lubrication" [V]
TRUNNION_TRIP_C = 75.0  # trunnion bearing trip; same [V]


def critical_speed_rpm(diameter_m: Arr) -> F64:
    """Critical speed Nc = 42.3/√D [rpm], D inside diameter [m], ball size dropped (Morrell) [V]."""
    return np.asarray(NC_CONST / np.sqrt(diameter_m))


def rpm_to_rad_s(speed_rpm: Arr) -> F64:
    """Angular speed ω [rad/s] from a rotational speed [rpm]."""
    return np.asarray(speed_rpm * (2.0 * np.pi / 60.0))


def bond_specific_energy_kwh_t(work_index_kwh_t: Arr, f80_um: Arr, p80_um: Arr) -> F64:
    """Bond specific energy W = 10·Wi·(1/√P80 − 1/√F80) [kWh/t], sizes in µm (Bond 1952) [V].

    The bracket multiplies 10·Wi (some transcriptions divide). Wi per metric tonne; a classic
    per-short-ton Wi needs × 1.102 first (Rowland 1976).
    """
    return np.asarray(10.0 * work_index_kwh_t * (1.0 / np.sqrt(p80_um) - 1.0 / np.sqrt(f80_um)))


def bond_throughput_tph(net_power_kw: Arr, specific_energy_kwh_t: Arr, efficiency: Arr) -> F64:
    """Throughput Q = P_net/(W·∏f) [t/h]; ∏f the Bond/Rowland efficiency-factor product."""
    return np.asarray(net_power_kw / (specific_energy_kwh_t * efficiency))


def austin_power_kw(
    diameter_m: Arr,
    length_m: Arr,
    *,
    filling: Arr,
    speed_frac: Arr,
    porosity: Arr,
    solids_frac: Arr,
    ball_filling: Arr,
    ball_density_t_m3: Arr,
    ore_density_t_m3: Arr,
) -> F64:
    """Austin net power draw P [kW] (Austin; le Roux; MillSim `calc_Power_ent`) [V].

    P = 10.6·D^2.5·L·(1 − 1.03J)·(1 − 0.1/2^(9−10φ))·φ·[(1−ε)(ρs/wc)J + 0.6·Jb(ρb − ρs/wc)],
    D, L [m]; J, Jb volume fillings; φ fraction of critical speed; ε charge porosity;
    wc mass fraction of ore in the slurry; ρb, ρs [t/m³].
    """
    slurry = ore_density_t_m3 / solids_frac
    charge = (1.0 - porosity) * slurry * filling + 0.6 * ball_filling * (ball_density_t_m3 - slurry)
    speed = (1.0 - 0.1 / 2.0 ** (9.0 - 10.0 * speed_frac)) * speed_frac
    return np.asarray(10.6 * diameter_m**2.5 * length_m * (1.0 - 1.03 * filling) * speed * charge)


def austin_length_for_power_m(
    power_kw: Arr,
    diameter_m: Arr,
    *,
    filling: Arr,
    speed_frac: Arr,
    porosity: Arr,
    solids_frac: Arr,
    ball_filling: Arr,
    ball_density_t_m3: Arr,
    ore_density_t_m3: Arr,
) -> F64:
    """Effective length L [m] at which Austin's draw at an operating point is `power_kw` [D].

    Austin's P is linear in L, so L = P/P_Austin(L = 1 m): a mill whose motor is rated for a
    stated operating point (filling, balls, speed) draws that rating there. The length found
    lumps what Austin's form leaves out of a real shell: conical ends and the losses between the
    charge and the motor (Morrell's gross/net factor, 1.26 for industrial mills).
    """
    unit = austin_power_kw(
        diameter_m, 1.0, filling=filling, speed_frac=speed_frac, porosity=porosity,
        solids_frac=solids_frac, ball_filling=ball_filling,
        ball_density_t_m3=ball_density_t_m3, ore_density_t_m3=ore_density_t_m3,
    )  # fmt: skip
    return np.asarray(power_kw / unit)


def hulbert_filling_at_pmax(speed_frac: Arr) -> F64:
    """Filling at the power maximum J_Pmax = −7.52φ² + 9.06φ − 2.18 (Hulbert; MillSim) [V].

    A fit: it stays positive and meaningful for φ ≈ 0.6–0.8 only (0.09 at φ = 0.85).
    """
    return np.asarray((-7.52 * speed_frac + 9.06) * speed_frac - 2.18)


def hulbert_max_power_kw(speed_frac: Arr) -> F64:
    """Maximum power P_max = (−2.7φ² + 3.92φ − 1.2)·10⁴ [kW] of MillSim's reference mill [V]."""
    return np.asarray(((-2.7 * speed_frac + 3.92) * speed_frac - 1.2) * 1.0e4)


def hulbert_load_shape(filling: Arr, filling_at_pmax: Arr) -> F64:
    """Load term of the power hump, 1 − δ_v·(J/J_Pmax − 1)² [–] (Hulbert; MillSim) [V]."""
    u = filling / filling_at_pmax - 1.0
    return np.asarray(1.0 - HULBERT_DELTA_V * u * u)


def rheology_factor(solids_to_water: Arr) -> F64:
    """Slurry rheology factor ρ = √(1 − (1/ε₀ − 1)·X), X solids:water volume ratio (MillSim) [V]."""
    x = np.minimum(solids_to_water, 1.0 / (1.0 / HULBERT_EPS0 - 1.0))
    return np.asarray(np.sqrt(1.0 - (1.0 / HULBERT_EPS0 - 1.0) * x))


def hulbert_power_kw(speed_frac: Arr, filling: Arr, rheology: Arr = HULBERT_RHO_N) -> F64:
    """Hulbert "power hump" P = P_max(φ)[1 − δ_v(J/J_Pmax − 1)² − δ_s(ρ/ρ_N − 1)²] [kW] [V].

    Power of MillSim's reference mill; rescale ∝ D^2.5·L or, as `mill_power_kw` does,
    use only its ratio between two operating points.
    """
    s = rheology / HULBERT_RHO_N - 1.0
    load = hulbert_load_shape(filling, hulbert_filling_at_pmax(speed_frac))
    return np.asarray(hulbert_max_power_kw(speed_frac) * (load - HULBERT_DELTA_S * s * s))


def mill_power_kw(
    design_power_kw: Arr, speed_frac: Arr, filling: Arr, design_speed_frac: Arr, design_filling: Arr
) -> F64:
    """Dynamic mill power P = P_Austin(design)·H(φ, J)/H(φ_d, J_d) [kW] (Austin × Hulbert) [D]."""
    ratio = hulbert_power_kw(speed_frac, filling) / hulbert_power_kw(
        design_speed_frac, design_filling
    )
    return np.asarray(design_power_kw * ratio)


def liner_wear_excess(lifter_height_mm: Arr, new_height_mm: Arr, knee_frac: Arr) -> F64:
    """How far a liner is past its knee, 0 while h/h₀ ≥ knee, 1 at h = 0 [–] [A].

    The knee is h/h₀ ≈ 0.5, below which lost lift lowers the shoulder angle (Mejia Alarcon 2018).
    """
    return np.asarray(np.clip(1.0 - lifter_height_mm / (knee_frac * new_height_mm), 0.0, 1.0))


def liner_power_factor(excess: Arr, power_loss_frac: Arr) -> F64:
    """Power drawn relative to new liners, 1 − loss·excess [–] (Mejia Alarcon 2018) [A]."""
    return np.asarray(1.0 - power_loss_frac * excess)


def liner_energy_factor(excess: Arr, energy_penalty_frac: Arr) -> F64:
    """Specific grinding energy relative to new liners, 1 + penalty·excess [–] (Multotec 2018) [A].

    Slipping charge wastes energy, so a worn liner needs more kWh per tonne (Multotec 2018).
    """
    return np.asarray(1.0 + energy_penalty_frac * excess)


def bearing_friction_kw(friction_coef_kw_s2: Arr, omega_rad_s: Arr) -> F64:
    """Bearing friction heat Q_f = r·ω² [kW], r [kW·s²/rad²] (Daigle & Goebel 2013) [V]."""
    return np.asarray(friction_coef_kw_s2 * omega_rad_s * omega_rad_s)


def bearing_temp_target_c(
    friction_kw: Arr, ambient_c: Arr, oil_c: Arr, to_ambient_kw_k: Arr, to_oil_kw_k: Arr
) -> F64:
    """Temperature the bearing relaxes to while the oil holds [°C]; Daigle & Goebel [V form].

    Zero of m·c·dT/dt = Q_f − H1·(T − T_amb) − H2·(T − T_oil); time constant m·c/(H1 + H2).
    """
    heat = friction_kw + to_ambient_kw_k * ambient_c + to_oil_kw_k * oil_c
    return np.asarray(heat / (to_ambient_kw_k + to_oil_kw_k))


def oil_temp_target_c(
    bearing_c: Arr, ambient_c: Arr, from_bearing_kw_k: Arr, cooler_kw_k: Arr
) -> F64:
    """Temperature the lube oil relaxes to while the bearing holds [°C]; Daigle & Goebel.

    Zero of m·c_o·dT_o/dt = H_o1·(T_b − T_o) + H_o3·(T_amb − T_o) [V form]; H_o1 = H2 here so the
    heat the bearing loses to the oil is the heat the oil gains; time constant m·c_o/(H_o1 + H_o3).
    """
    heat = from_bearing_kw_k * bearing_c + cooler_kw_k * ambient_c
    return np.asarray(heat / (from_bearing_kw_k + cooler_kw_k))


def thermal_decay(dt_s: float, conductance_kw_k: Arr, heat_capacity_kj_k: Arr) -> F64:
    """Decay factor exp(−dt/τ) of a thermal mass over one tick, τ = m·c/ΣH [–] (exact)."""
    return np.asarray(np.exp(-dt_s * conductance_kw_k / heat_capacity_kj_k))


def bearing_oil_update_c(
    bearing_c: Arr,
    oil_c: Arr,
    *,
    friction_kw: Arr,
    ambient_c: Arr,
    to_ambient_kw_k: Arr,
    to_oil_kw_k: Arr,
    cooler_kw_k: Arr,
    bearing_decay: Arr,
    oil_decay: Arr,
) -> tuple[F64, F64]:
    """Bearing and oil temperatures [°C] one tick on, each Daigle & Goebel balance advanced exactly.

    The bearing relaxes with the oil held, then the oil with the new bearing temperature held
    (`physics.common.relax` with exp(−dt/τ) precomputed by `thermal_decay`); the time constants
    (tens of minutes) exceed a one-minute tick, so the splitting error is small.
    """
    target = bearing_temp_target_c(friction_kw, ambient_c, oil_c, to_ambient_kw_k, to_oil_kw_k)
    bearing = target + (bearing_c - target) * bearing_decay
    target = oil_temp_target_c(bearing, ambient_c, to_oil_kw_k, cooler_kw_k)
    return np.asarray(bearing), np.asarray(target + (oil_c - target) * oil_decay)


def bearing_steady_rise_k(
    friction_kw: Arr, to_ambient_kw_k: Arr, to_oil_kw_k: Arr, cooler_kw_k: Arr
) -> tuple[F64, F64]:
    """Steady rises above ambient of bearing and oil [K] for a constant friction heat [D].

    Solves both balances at rest: (T_b − T_amb, T_oil − T_amb).
    """
    series = to_oil_kw_k * cooler_kw_k / (to_oil_kw_k + cooler_kw_k)
    bearing = np.asarray(friction_kw / (to_ambient_kw_k + series))
    return bearing, bearing * to_oil_kw_k / (to_oil_kw_k + cooler_kw_k)


def vibration_mm_s(baseline_mm_s: Arr, damage: Arr, gain_mm_s: Arr) -> F64:
    """Bearing-housing velocity RMS v = v₀ + a·d [mm/s] of a running machine [A].

    v₀ sits in ISO 10816-3 Group 1 rigid zone A (< 2.3 mm/s); the damage fraction d ∈ [0, 1]
    raises it through zones B and C towards D (> 7.1 mm/s). The time course of d (flat, then
    exponential) is the damage model's job, not this mapping's.
    """
    return np.asarray(baseline_mm_s + gain_mm_s * damage)


def bearing_friction_factor(damage: Arr, gain: Arr) -> F64:
    """Friction coefficient relative to a healthy bearing, r/r₀ = 1 + g·d [–]; Daigle & Goebel [A].

    Daigle & Goebel grow the friction coefficient r with wear (ṙ = w_r·r·ω²); here the damage
    fraction d of the failure mode stands for that growth, g the rise at full damage.
    """
    return np.asarray(1.0 + gain * damage)


def trunnion_load_ratio(filling: Arr, reference_filling: Arr, dead_load_frac: Arr) -> F64:
    """Trunnion bearing load relative to the design load, P/P_ref = s + (1 − s)·J/J_ref [–] [A].

    s is the share of the design load that does not move with the charge (shell, heads,
    liners, rotor); the charge mass is taken proportional to the filling J.
    """
    return np.asarray(dead_load_frac + (1.0 - dead_load_frac) * filling / reference_filling)


def rating_life_ageing(load_ratio: Arr, speed_ratio: Arr, exponent: float = 10.0 / 3.0) -> F64:
    """Load-sensitive ageing rate da/dt = (P/P_ref)^p·(n/n_ref) [–] (ISO 281) [A].

    The inverse of the basic rating life L10h ∝ (C/P)^p/n: p = 3 for ball, 10/3 for roller
    bearings. It is 1 at the reference load and speed, so Weibull scales keep their meaning.
    """
    return np.asarray(np.asarray(load_ratio) ** exponent * speed_ratio)


def liner_wear_mm(wear_rate_mm_h: Arr, throughput_ratio: Arr, dt_h: float) -> F64:
    """Lifter height lost in dt, Δh = k_L·(Q/Q_design)·dt [mm] [A form, D rate]; Yahyaei & Banisi.

    k_L ≈ 0.024 mm/h at design throughput: Sarcheshmeh lifters went 152 → 58 mm in 4000 h
    (Yahyaei & Banisi 2010) [V]; the wear scales with throughput (Intellisense model) [V].
    """
    return np.asarray(wear_rate_mm_h * throughput_ratio * dt_h)


def liner_wear_pct(lifter_height_mm: Arr, new_height_mm: Arr) -> F64:
    """Share of a new lifter's height worn away, 100·(1 − h/h₀) [%]."""
    return np.asarray(100.0 * (1.0 - lifter_height_mm / new_height_mm))


def gear_efficiency(damage: Arr, loss_at_failure_frac: Arr) -> F64:
    """Drive-train efficiency relative to a healthy one, 1 − ℓ·d [–] [A].

    Pitting and wear of the gear mesh and its bearings turn power into heat: a worn drive
    takes more electricity for the same mill power; ℓ the extra loss at full damage d = 1.
    """
    return np.asarray(1.0 - loss_at_failure_frac * damage)


def wear_electricity_kw(
    charge_kw: Arr, energy_factor: Arr, excess_friction_kw: Arr, gear_eff: Arr, drive_eff: Arr
) -> tuple[F64, F64, F64]:
    """Motor input [kW] wear costs over a healthy mill milling the same tonnes, as the parts of
    (trunnion bearing, liner, gearbox) [D].

    The mill draws (P + ΔF)/(η_d·e) for a charge power P: ΔF a damaged trunnion's excess
    friction (drawn from the motor), e a worn gearbox's relative efficiency (`gear_efficiency`),
    η_d the healthy drive's. Bond's kWh/t is L = `liner_energy_factor` times a new liner's, so a
    healthy mill mills the same tonnes with P/L through a healthy drive: (P/L)/η_d (the
    auxiliaries run alike in both). Each loss is charged where it acts: the worn mesh loses
    1 − e of all it transmits, (P + ΔF)·(1/e − 1)/η_d (the others' extra power included: the
    interaction); the bearing its friction ΔF/η_d and the liner its kWh/t penalty on the tonnes
    milled, P·(1 − 1/L)/η_d, through a healthy drive. The parts add up to the excess exactly,
    are ≥ 0, and are exactly 0 when nothing is degraded.
    """
    gearbox = (charge_kw + excess_friction_kw) * (1.0 / gear_eff - 1.0) / drive_eff
    liner = charge_kw * (1.0 - 1.0 / energy_factor) / drive_eff
    return np.asarray(excess_friction_kw / drive_eff), np.asarray(liner), np.asarray(gearbox)
