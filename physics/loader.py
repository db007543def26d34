"""Equations of a diesel hydraulic face shovel (CAT 6060-class) loading haul trucks: passes and
loading time, power and fuel by duty, main-pump leakage, hydraulic-oil heat, swing-drive wear.

Plain equations over numpy arrays or floats, SI inside unless a name carries another unit. The
loading-time equations also compile for floats (`twins.jit.for_scalars(physics.loader)`): they
call only numpy and this module's own functions. Each docstring names its source
(docs/sources.md gathers them); tags: [V] seen in a source, [D] derived from [V] values,
[A] assumption.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from aurum.physics.truck import fuel_rate_lph, sfc_part_load

F64 = NDArray[np.float64]
Arr = F64 | float

OIL_HEAT_CAPACITY_KJ_M3K = 1_700.0  # mineral hydraulic oil ρ·c ≈ 1.7 MJ/(m³·K) [A]
# zone A/B, B/C, C/D of ISO 10816-3 Group 2 (15–300 kW), rigid foundation [V]; the swing drive's
# motors and planetary gearboxes read against it [A]
ISO_10816_G2_RIGID_MM_S = (1.4, 2.8, 4.5)


def pass_payload_t(bucket_m3: Arr, fill_frac: Arr, bank_density_t_m3: Arr, swell_frac: Arr) -> F64:
    """Payload of one pass V·k·ρ_bank/(1 + swell) [t]: heaped bucket × fill factor × loose
    density (Caterpillar Performance Handbook bucket payload; MineLab `truck_cycle`) [V]."""
    return np.asarray(bucket_m3 * fill_frac * bank_density_t_m3 / (1.0 + swell_frac))


def service_load_s(
    payload_t: Arr,
    bucket_m3: Arr,
    fill_frac: Arr,
    bank_density_t_m3: Arr,
    swell_frac: Arr,
    swing_s: Arr,
) -> F64:
    """Time to load one truck t = passes·t_swing [s], passes = payload / pass payload [V].

    Fractional passes, as the truck kind counts them (`physics.truck.loading_passes`, MineLab:
    the mean over a shift, a short last pass included), so a truck served by a loader twin
    loads in the time a standalone truck with the same loader figures does.
    """
    passes = payload_t / pass_payload_t(bucket_m3, fill_frac, bank_density_t_m3, swell_frac)
    return np.asarray(passes * swing_s)


def loading_rate_tph(pass_t: Arr, swing_s: Arr) -> F64:
    """Tonnes per hour of loading (no waiting for trucks) = 3600·pass payload/t_swing [t/h] [D]."""
    return np.asarray(3600.0 * pass_t / swing_s)


def worn_fill_frac(fill_new_frac: Arr, tooth_wear_frac: Arr, fill_loss_frac: Arr) -> F64:
    """Fill factor with worn teeth k = k_new·(1 − loss·min(w, 1)) [-] [A form].

    Blunt teeth penetrate the face less and the bucket fills less per pass: worn teeth reduce
    digging performance and raise energy use (Chow, 'Wearing it well', World Coal, Aug 2011
    [V, qualitative]). Past the change-out limit (w = 1) the lip digs on its adapters; the fill
    is held at its worn value [A].
    """
    return np.asarray(fill_new_frac * (1.0 - fill_loss_frac * np.minimum(tooth_wear_frac, 1.0)))


def pump_leakage_frac(leak_new_frac: Arr, worn_ratio: Arr, wear_frac: Arr) -> F64:
    """Internal leakage of the main pumps, a share of their theoretical flow [-] [A form].

    s = s_new·(1 + (r − 1)·w): wear opens the leakage paths (pistons, valve plate), so the case
    drain grows, by r at wear 1. A healthy piston pump's volumetric efficiency is ≈ 94 %
    (hoseandfittings.com, 'Is it time for a pump overhaul?') [V]; capped below 0.9.
    """
    return np.asarray(np.minimum(leak_new_frac * (1.0 + (worn_ratio - 1.0) * wear_frac), 0.9))


def swing_cycle_s(swing_new_s: Arr, leak_new_frac: Arr, leak_frac: Arr) -> F64:
    """Pass cycle time with leaking pumps t = t_new·(1 − s_new)/(1 − s) [s] [D].

    The dig, hoist and swing motions are flow-limited: they need the same oil volume per pass,
    which the pumps deliver at the volumetric efficiency η_v = 1 − s (hoseandfittings.com) [V];
    the electronic power limit holds the pumps' input power, so the lost flow is lost speed.
    """
    return np.asarray(swing_new_s * ((1.0 - leak_new_frac) / (1.0 - leak_frac)))


def case_drain_lph(leak_frac: Arr, pump_flow_l_min: Arr) -> F64:
    """Case-drain flow of the main pumps at working pressure s·Q_th [L/h] [D].

    The leakage of a variable pump is a constant at a given pressure and viscosity, not a share
    of its swept flow (hoseandfittings.com) [V]: it is read at working pressure.
    """
    return np.asarray(leak_frac * pump_flow_l_min * 60.0)


def loading_power_kw(rated_kw: Arr, load_frac: Arr, friction_kw: Arr, damage_frac: Arr) -> F64:
    """Engine output while loading P = min(LF·P_rated + P_f·d, P_rated) [kW].

    The load factor of the Caterpillar Performance Handbook's fuel method (Q = P·LF·SFC) [V
    form]; a damaged swing drive adds friction P_f·d, the form of a bearing's friction torque
    growing with wear (Daigle & Goebel, IEEE TSMC: Systems 43(4), 2013) [V form].
    """
    return np.asarray(np.minimum(load_frac * rated_kw + friction_kw * damage_frac, rated_kw))


def fuel_per_s(power_kw: Arr, rated_kw: Arr, sfc_l_kwh: Arr, knee_frac: Arr, rise_frac: Arr) -> F64:
    """Fuel rate [L/s] of an engine at a steady output: P·SFC(P/P_rated), the part-load SFC of
    `physics.truck.sfc_part_load` (CAT handbook SFC flat above the knee [V], rising to idle [A])."""
    sfc = sfc_part_load(power_kw / rated_kw, sfc_l_kwh, knee_frac, rise_frac)
    return np.asarray(fuel_rate_lph(power_kw * 1e3, sfc) / 3600.0)


def oil_heat_kw(
    utilisation_frac: Arr,
    loading_kw: Arr,
    circuit_loss_frac: Arr,
    pressure_bar: Arr,
    pump_flow_l_min: Arr,
    leak_frac: Arr,
) -> F64:
    """Heat into the hydraulic oil [kW] = u·(c·P_L + Δp·s·Q_th) [A form].

    Throttling and line losses, a share c of the loading power, and the pumps' leakage, whose
    hydraulic power Δp·Q is all heat; nothing while the shovel waits (pumps at zero flow).
    """
    leak_kw = pressure_bar * 1e5 * leak_frac * pump_flow_l_min / 60_000.0 * 1e-3
    return np.asarray(utilisation_frac * (circuit_loss_frac * loading_kw + leak_kw))


def oil_equilibrium_c(ambient_c: Arr, heat_kw: Arr, cooler_kw_k: Arr) -> F64:
    """Oil temperature the cooler settles it to T = T_amb + Q/UA [°C] (first-order model) [A]."""
    return np.asarray(ambient_c + heat_kw / cooler_kw_k)


def oil_time_constant_s(oil_l: Arr, cooler_kw_k: Arr) -> F64:
    """Oil thermal time constant τ = V·ρc/UA [s], ρc of a mineral oil ≈ 1.7 MJ/(m³·K) [A]."""
    return np.asarray(oil_l * 1e-3 * OIL_HEAT_CAPACITY_KJ_M3K / cooler_kw_k)


def swing_vibration_mm_s(base_mm_s: Arr, gain_mm_s: Arr, damage_frac: Arr) -> F64:
    """Swing-drive velocity RMS v = v₀ + g·d [mm/s] [A form]; read against the ISO 10816-3
    zones (MathWorks exponential degradation form for d, as the other kinds' bearings)."""
    return np.asarray(base_mm_s + gain_mm_s * damage_frac)


def wear_fuel_l(
    busy_s: Arr,
    fill_ratio: Arr,
    speed_ratio: Arr,
    loading_l_s: Arr,
    healthy_loading_l_s: Arr,
    idle_l_s: Arr,
    multiplier: Arr,
) -> tuple[F64, F64, F64]:
    """Diesel [L] wear cost over a healthy shovel loading the same tonnes, as the parts of
    (teeth, hydraulic pump, swing drive) [D].

    Tonnes ∝ busy time × fill / cycle time, so a healthy shovel loads them in
    b_h = b·r_f·r_s (r_f = k/k_new ≤ 1 the fill ratio, r_s = t_new/t ≤ 1 the speed ratio) and
    idles the rest of the tick. Burned: m·[b·f_L + (T − b)·f_I]; healthy: m·[b_h·f_Lh +
    (T − b_h)·f_I]. The excess m·[b·(f_L − f_Lh) + (b − b_h)·(f_Lh − f_I)] is charged: the
    swing drive its friction fuel over the time loaded, m·b·(f_L − f_Lh); teeth and pump the
    extra loading time b − b_h = b(1 − r_f·r_s) at f_Lh − f_I, shared by their Shapley values
    b(1 − r_f)(1 + r_s)/2 and b(1 − r_s)(1 + r_f)/2 (no order between them). The parts add up
    to the excess exactly, are ≥ 0, and are exactly 0 when nothing is worn.
    """
    extra_l_s = multiplier * (healthy_loading_l_s - idle_l_s)
    teeth = busy_s * (1.0 - fill_ratio) * (1.0 + speed_ratio) * 0.5 * extra_l_s
    pump = busy_s * (1.0 - speed_ratio) * (1.0 + fill_ratio) * 0.5 * extra_l_s
    swing = multiplier * busy_s * (loading_l_s - healthy_loading_l_s)
    return np.asarray(teeth), np.asarray(pump), np.asarray(swing)
