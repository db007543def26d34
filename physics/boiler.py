"""Steam-boiler equations: energy balance, combustion, heat-loss efficiency, drum, auxiliaries.

Plain equations over numpy arrays, SI inside (J, kg, s, K differences in °C); each docstring
names its source (docs/sources.md gathers them). Per-kg-of-fuel combustion quantities come from
the ultimate analysis in `physics.fuels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from iapws import IAPWS97
from numpy.typing import NDArray

from aurum.physics.common import decay
from aurum.physics.fuels import FUELS, H_FG_25_MJ_KG, M_C, M_H, M_N, M_O, M_S, NATURAL_GAS, Fuel

F64 = NDArray[np.float64]

O2_IN_AIR = 0.21  # mole fraction of O2 in dry air, N2 + Ar lumped as "atmospheric N2" [V]
N2_PER_O2 = 0.79 / 0.21  # kmol atmospheric N2 per kmol O2 in air (3.76) [D]
M_O2, M_ATM_N2, M_CO2, M_SO2, M_N2 = 31.998, 28.16, 44.009, 64.06, 28.014  # [kg/kmol] [V]
AIR_KG_PER_KMOL_O2 = M_O2 + N2_PER_O2 * M_ATM_N2  # 137.9 kg air per kmol O2 [D]
HUMIDITY = 0.013  # kg water per kg dry air, ASME PTC 4.1 standard air [V]
CP_AIR, CP_N2, CP_O2, CP_CO2, CP_SO2 = 1.009, 1.042, 0.928, 0.895, 0.66  # at 350 K [kJ/kg·K]
CP_VAPOUR, CP_WATER = 1.88, 4.18  # water vapour and liquid [kJ/kg·K]; steam tables [V]
CP_HOT_GAS = 1.30  # mean flue-gas c_p from 25 °C to the flame [kJ/kg·K] [A]
T_REF_C = 25.0  # reference temperature of the heating values [°C]
R_AIR = 287.05  # specific gas constant of dry air [J/kg·K] [V]
AIR_O2_DRY_PCT = 20.95  # O2 in dry ambient air [% vol] (standard dry-air composition) [V]
AIR_CO2_PCT = 0.042  # CO2 in ambient air ≈ 420 ppm (NOAA global mean, 2023) [V]
# DOE Steam Tip Sheet #4: natural gas, 2 % O2, flue minus air 200 °F (111.1 K) -> 85.4 % [V]
ANCHOR_EFFICIENCY, ANCHOR_O2_PCT, ANCHOR_DT_K, ANCHOR_AIR_C = 0.854, 2.0, 200.0 / 1.8, 21.1


class Stoich(NamedTuple):
    """Per-kg-of-fuel combustion constants of some fuels (one array element per fuel or twin,
    or floats for one fuel: a tuple, so compiled code takes it too)."""

    o2_kmol: F64  # stoichiometric O2 [kmol/kg fuel]
    air_kg: F64  # stoichiometric dry air [kg/kg fuel]
    dry0_kmol: F64  # dry flue gas at zero excess air [kmol/kg fuel]
    dry0_kg: F64  # dry flue gas at zero excess air [kg/kg fuel]
    dry0_cp: F64  # its mean specific heat [kJ/kg·K]
    co2_kmol: F64  # CO2 formed [kmol/kg fuel]
    water_kg: F64  # water from H2 and fuel moisture [kg/kg fuel]
    ash: F64  # ash mass fraction [-]
    hhv_j: F64  # higher heating value [J/kg]
    lhv_j: F64  # lower heating value [J/kg]
    unburned: F64  # unburned-combustible loss, fraction of HHV [-]

    def take(self, index: NDArray[np.integer]) -> Stoich:
        """The constants of fuel `index[i]` for each i (e.g. one row per twin by fuel code)."""
        return Stoich._make(np.asarray(v)[index] for v in self)


def _products(f: Fuel) -> tuple[float, float, float, float]:
    """Stoichiometric O2 and dry products (kmol, kg, c_p) per kg of fuel [D, mass balance]."""
    c, s, n2 = f.carbon / M_C, f.sulfur / M_S, f.nitrogen / (2 * M_N)
    o2 = c + f.hydrogen / (4 * M_H) + s - f.oxygen / (2 * M_O)
    masses = (c * M_CO2, s * M_SO2, n2 * M_N2 + o2 * N2_PER_O2 * M_ATM_N2)
    kg = sum(masses)
    cp = (masses[0] * CP_CO2 + masses[1] * CP_SO2 + masses[2] * CP_N2) / kg
    return o2, c + s + n2 + o2 * N2_PER_O2, kg, cp


def stoichiometry(fuels: Sequence[Fuel]) -> Stoich:
    """Combustion constants of some fuels from their ultimate analysis [D]."""
    rows = [_products(f) for f in fuels]
    col = lambda i: np.array([r[i] for r in rows])  # noqa: E731
    arr = lambda attr: np.array([getattr(f, attr) for f in fuels], dtype=np.float64)  # noqa: E731
    return Stoich(
        o2_kmol=col(0),
        air_kg=col(0) * AIR_KG_PER_KMOL_O2,
        dry0_kmol=col(1),
        dry0_kg=col(2),
        dry0_cp=col(3),
        co2_kmol=arr("carbon") / M_C,
        water_kg=arr("water_kg_kg"),
        ash=arr("ash"),
        hhv_j=arr("hhv_mj_kg") * 1e6,
        lhv_j=arr("lhv_mj_kg") * 1e6,
        unburned=arr("unburned_loss_frac"),
    )


def excess_air_frac(o2_pct: F64, st: Stoich) -> F64:
    """Excess air EA [-] from dry flue O2 [% vol]: EA = x·D0 / (n_O2·(1 − x/0.21)) [D].

    The stoichiometric form of Ganapathy's EA % = K·O2/(21 − O2) with K = 21·D0/n_O2 (≈ 90 for
    natural gas) and of ORNL MEASUR's 8.52·O2/(2 − 9.52·O2) for methane (US DOE / ORNL).
    """
    x = o2_pct * 0.01
    return x * st.dry0_kmol / (st.o2_kmol * (1.0 - x / O2_IN_AIR))


def ganapathy_k(st: Stoich) -> F64:
    """K of EA % = K·O2/(21 − O2) [-] implied by a fuel's stoichiometry [D]."""
    return 21.0 * st.dry0_kmol / st.o2_kmol


def flue_co2_pct(ea: F64, st: Stoich) -> F64:
    """CO2 in the dry flue gas [% vol] at excess air EA [D, stoichiometry]."""
    return 100.0 * st.co2_kmol / (st.dry0_kmol + ea * st.o2_kmol / O2_IN_AIR)


def dry_gas_loss_frac(ea: F64, dt_k: F64, st: Stoich) -> F64:
    """Dry flue-gas loss L1 = W_dg·c_p·(T_fg − T_air)/HHV [-]; ASME PTC 4.1."""
    return (st.dry0_kg * st.dry0_cp + ea * st.air_kg * CP_AIR) * dt_k * 1e3 / st.hhv_j


def moisture_loss_frac(t_fg_c: F64, t_air_c: F64, st: Stoich) -> F64:
    """Loss to water from H2 and fuel moisture, leaving as vapour at T_fg [-]; PTC 4.1 form.

    Per kg of water: heat the liquid from T_air to 25 °C, evaporate (h_fg,25), superheat to T_fg.
    """
    per_kg = CP_WATER * (T_REF_C - t_air_c) + H_FG_25_MJ_KG * 1e3 + CP_VAPOUR * (t_fg_c - T_REF_C)
    return st.water_kg * per_kg * 1e3 / st.hhv_j


def air_moisture_loss_frac(ea: F64, dt_k: F64, st: Stoich) -> F64:
    """Loss to the humidity of the combustion air [-]; PTC 4.1 standard air 0.013 kg/kg."""
    return HUMIDITY * st.air_kg * (1.0 + ea) * CP_VAPOUR * dt_k * 1e3 / st.hhv_j


def measured_losses_frac(o2_pct: F64, t_fg_c: F64, t_air_c: F64, st: Stoich) -> F64:
    """Sum of the stack and unburned losses of the heat-loss method, HHV basis [-]."""
    ea = excess_air_frac(o2_pct, st)
    dt_k = t_fg_c - t_air_c
    return (
        dry_gas_loss_frac(ea, dt_k, st)
        + moisture_loss_frac(t_fg_c, t_air_c, st)
        + air_moisture_loss_frac(ea, dt_k, st)
        + st.unburned
    )


def _unmeasured_loss() -> float:
    """Loss left over at the DOE anchor (CO, margin), [D] from the anchor; ≈ 0.3 points."""
    ng = stoichiometry([NATURAL_GAS])
    t_air = np.array([ANCHOR_AIR_C])
    losses = measured_losses_frac(np.array([ANCHOR_O2_PCT]), t_air + ANCHOR_DT_K, t_air, ng)
    return max(0.0, float(1.0 - ANCHOR_EFFICIENCY - losses[0]))


UNMEASURED_LOSS_FRAC = _unmeasured_loss()


def stack_slope_terms(st: Stoich) -> tuple[F64, F64]:
    """dη/dT_fg = a + b·EA [1/K]: the dry-gas, moisture and air-moisture losses are linear in
    the stack temperature, so at a given excess air η(T₂) = η(T₁) + (a + b·EA)·(T₂ − T₁)
    exactly [D]. Per fuel: (a, b)."""
    per_k = -1e3 / st.hhv_j
    a = (st.dry0_kg * st.dry0_cp + (st.water_kg + HUMIDITY * st.air_kg) * CP_VAPOUR) * per_k
    return a, st.air_kg * (CP_AIR + HUMIDITY * CP_VAPOUR) * per_k


def combustion_efficiency(o2_pct: F64, t_fg_c: F64, t_air_c: F64, st: Stoich) -> F64:
    """Combustion efficiency η_c = 1 − ΣL_i [-], HHV basis, indirect method (ASME PTC 4 style).

    Calibrated to DOE Steam Tip #4: natural gas at 2 % O2 and ΔT 200 °F gives 85.4 %.
    """
    return 1.0 - measured_losses_frac(o2_pct, t_fg_c, t_air_c, st) - UNMEASURED_LOSS_FRAC


def radiation_loss_frac(load_frac: F64, loss_mcr_frac: F64 | float) -> F64:
    """Radiation and convection loss from the casing [-]: a fixed heat flow, so ∝ 1/load [A]."""
    return loss_mcr_frac / np.maximum(load_frac, 0.1)


def wet_gas_kg(ea: F64, st: Stoich) -> F64:
    """Wet flue gas per kg of fuel [kg/kg] (mass balance, humid air) [D]."""
    return 1.0 - st.ash + st.air_kg * (1.0 + ea) * (1.0 + HUMIDITY)


def adiabatic_temp_c(t_air_c: F64, ea: F64, st: Stoich) -> F64:
    """Adiabatic flame temperature [°C] ≈ T_air + LHV/(m_g·c_p,hot) (no dissociation) [A]."""
    return t_air_c + st.lhv_j * 1e-3 / (wet_gas_kg(ea, st) * CP_HOT_GAS)


def design_ntu(t_ad_c: F64, t_sink_c: F64, t_stack_c: F64) -> F64:
    """NTU of the heating surface that cools gas from T_ad to T_stack over a sink [-]."""
    return np.log((t_ad_c - t_sink_c) / (t_stack_c - t_sink_c))


def ntu(ntu_mcr: F64, gas_ratio: F64, u_clean_mcr: F64, r_f: F64 | float) -> F64:
    """NTU = U·A/(m_g·c_p) off design [-]; 1/U = 1/U_clean + R_f (fouling resistance).

    Gas-side convection sets U_clean ∝ m_g^0.8 (Dittus-Boelter) [A], so NTU_clean ∝ m_g^-0.2:
    the stack runs hotter at high load and, through R_f [m²·K/W], as the surface fouls.
    """
    return ntu_and_clean(ntu_mcr, gas_ratio, u_clean_mcr, r_f)[0]


def ntu_and_clean(
    ntu_mcr: F64, gas_ratio: F64, u_clean_mcr: F64, r_f: F64 | float
) -> tuple[F64, F64]:
    """`ntu` with fouling R_f and of the same surface clean (R_f = 0) [-], one power for both."""
    g = gas_ratio**0.8
    return ntu_mcr * g / (gas_ratio * (1.0 + u_clean_mcr * g * r_f)), ntu_mcr * g / gas_ratio


def stack_temp_c(t_sink_c: F64, t_ad_c: F64, ntu_: F64) -> F64:
    """Flue-gas exit temperature [°C] of a surface with NTU over a sink at T_sink [A]."""
    return t_sink_c + (t_ad_c - t_sink_c) * np.exp(-ntu_)


def heat_absorbed_w(m_s: F64, m_bd: F64, h_s: F64, h_f: F64, h_fw: F64) -> F64:
    """Q_abs = m_s·(h_s − h_fw) + m_bd·(h_f,drum − h_fw) [W]; kg/s and J/kg (IAPWS-IF97)."""
    return m_s * (h_s - h_fw) + m_bd * (h_f - h_fw)


def fuel_heat_input_w(q_abs_w: F64, efficiency: F64) -> F64:
    """Q_fuel = Q_abs/η_boiler [W], on the basis of η (HHV here)."""
    return q_abs_w / efficiency


@dataclass(frozen=True)
class WaterSteam:
    """IAPWS-IF97 properties at drum pressure and feedwater temperature (SI)."""

    h_steam: F64  # saturated steam [J/kg]
    h_drum_water: F64  # saturated water in the drum [J/kg]
    h_feed: F64  # feedwater [J/kg]
    rho_feed: F64  # feedwater density [kg/m³]


def water_steam(p_mpa: F64, t_fw_c: F64) -> WaterSteam:
    """IAPWS-IF97 (`iapws`) enthalpies and density, one slow call per unique (P, T_fw) [V]."""
    pairs, inverse = np.unique(np.stack([p_mpa, t_fw_c]), axis=1, return_inverse=True)
    rows = []
    for p, t in pairs.T:
        sat_v, sat_l = IAPWS97(P=float(p), x=1), IAPWS97(P=float(p), x=0)
        feed = IAPWS97(P=float(p), T=float(t) + 273.15)
        rows.append((sat_v.h * 1e3, sat_l.h * 1e3, feed.h * 1e3, feed.rho))
    table = np.array(rows)[np.ravel(inverse)]
    return WaterSteam(table[:, 0], table[:, 1], table[:, 2], table[:, 3])


def drum_step(
    p: F64, f: F64, f_target: F64, dt_s: float, t_d_s: F64, tau_f_s: F64
) -> tuple[F64, F64, F64]:
    """Exact update of firing f and drum pressure p over dt, both relative to design [-].

    T_D·dp/dt = f − f*·p (JModelica DrumBoiler x1 equation, T_D = 250 s) while
    the firing lags its target, τ_f·df/dt = f* − f. Two real poles, so p never oscillates and
    returns to 1 when f = f*. Returns (p, f) at the end of the tick and the tick's mean f.
    """
    return drum_step_by(p, f, f_target, dt_s, t_d_s, tau_f_s, decay(dt_s, tau_f_s))


def drum_step_by(
    p: F64, f: F64, f_target: F64, dt_s: float, t_d_s: F64, tau_f_s: F64, e_b: F64
) -> tuple[F64, F64, F64]:
    """`drum_step` with the firing lag's decay e_b = e^{−Δt/τ_f} computed once."""
    gap = f - f_target
    a = f_target / t_d_s
    e_a = np.exp(-a * dt_s)
    x = (a - 1.0 / tau_f_s) * dt_s
    small = np.abs(x) < 1e-9
    x_safe = np.where(small, 1.0, x)
    phi = np.where(small, 1.0 + 0.5 * x, np.expm1(x_safe) / x_safe)  # (e^x − 1)/x
    p_new = 1.0 + (p - 1.0) * e_a + gap / t_d_s * dt_s * e_a * phi
    f_mean = f_target + gap * (1.0 - e_b) * (tau_f_s / dt_s)
    return p_new, f_target + gap * e_b, f_mean


def barometric_pressure_pa(altitude_m: F64) -> F64:
    """Standard-atmosphere pressure at an altitude [Pa] (ISA troposphere) [V]."""
    return 101_325.0 * (1.0 - 2.25577e-5 * altitude_m) ** 5.25588


def air_density_kg_m3(p_pa: F64, t_c: F64) -> F64:
    """Dry-air density ρ = p/(R·T) [kg/m³] (ideal gas) [V]."""
    return p_pa / (R_AIR * (t_c + 273.15))


def fan_power_w(m_air_kg_s: F64, rho_kg_m3: F64, dp_pa: F64, efficiency: F64) -> F64:
    """Fan shaft+motor power P = V·Δp/η [W], V = m/ρ [m³/s] (fan law) [V; Δp, η: A]."""
    return m_air_kg_s / rho_kg_m3 * dp_pa / efficiency


def bearing_wear_loss_w(fan_w: F64, damage: F64, extra_frac_at_failure: F64) -> F64:
    """Extra fan power [W] to bearing friction that grows with damage (0 new … 1 failed).

    Friction heat r·ω² with r rising as the bearing wears (Daigle & Goebel 2013 [V form]); taken
    linear in damage, `extra_frac_at_failure` of the fan power at 1 [A].
    """
    return fan_w * extra_frac_at_failure * damage


def cold_stack_gas(available: NDArray[np.bool_], o2_pct: F64, co2_pct: F64) -> tuple[F64, F64]:
    """Flue O2 and CO2 [% vol, dry]: a stopped boiler's stack holds ambient air [V: air]."""
    return np.where(available, o2_pct, AIR_O2_DRY_PCT), np.where(available, co2_pct, AIR_CO2_PCT)


def pump_power_w(m_kg_s: F64, dp_pa: F64, rho_kg_m3: F64, efficiency: F64) -> F64:
    """Pump power P = m·ΔP/(ρ·η) [W] (hydraulic power) [V; ΔP, η: A]."""
    return m_kg_s * dp_pa / (rho_kg_m3 * efficiency)


ALL_FUELS = stoichiometry(FUELS)  # one row per fuel, in FUELS order
