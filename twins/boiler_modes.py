"""How a BOILER wears out and fails (machines.md §4.4, §4.6, §5), and what it does while down.

Each mode drives a degradation state the boiler physics already reads, so it costs fuel or power
through the physics itself: fire-side fouling (R_f → stack temperature → efficiency → fuel),
tube leak (water lost → make-up and fuel to heat it), combustion-control drift (excess O2 →
efficiency → fuel and CO2) and FD-fan bearing wear (vibration across the ISO 10816-3 zones,
friction → fan power). `wear_excess` prices each against a healthy boiler raising the same
steam (the cost of wear). Figures carry their reference section and tag (V seen, D derived,
A assumed); the limits derived from the reference boiler are computed here, not typed in.

A boiler that is down (failed or in maintenance) fires nothing: it cools towards ambient, its
fan stands still and its flue analysers sample ambient air.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from iapws import IAPWS97
from numpy.typing import NDArray

from physics import boiler as bp
from physics.common import relax
from twins.failures import FailureMode

F64 = NDArray[np.float64]

_M = "machines.md"
_P_SET_MPA = 1.1  # reference drum pressure (§4.7 [A]); BoilerParams default
_STACK_MCR_C = 170.0  # reference clean stack temperature at MCR; BoilerParams default [A]
_T_SAT_C = IAPWS97(P=_P_SET_MPA, x=1).T - 273.15  # 184.1 °C at 1.1 MPa [V IAPWS-IF97]

# Kern–Seaton R_f*(1 − e^{−t/τ}) (§4.4 [V form]). 3 mm soot ≈ −2.5 % efficiency (Forbes
# Marshall [V]) is R_f ≈ 0.0055 m²K/W in this model (−2.2 to −2.8 points at 80–100 % load) [D];
# the asymptote and time constant are chosen so that a gas boiler at its mean load needs a
# fire-side clean every ≈ 8 weeks [A].
R_SOOT_3MM_M2K_W = 0.0055
R_STAR_M2K_W = 0.008  # ≈ 4.4 mm soot-equivalent [A]
FOULING_TAU_H = 1500.0  # [A]
FOULING_LOAD_REF = 0.7  # soot deposition ∝ firing rate; τ holds at this mean load (§4.7) [A]
# Forbes Marshall (§4.3 [V]): each 20 °C above the optimum ≈ 1 % fuel; the stack should not
# exceed the steam temperature + 30 °C.
STACK_ALARM_C = _STACK_MCR_C + 20.0  # 190 °C: 20 °C above the clean maximum (MCR) [D]
STACK_LIMIT_C = _T_SAT_C + 30.0  # 214 °C at 1.1 MPa [D]

FOULING = FailureMode(
    name="fouling",
    component="fire-side heating surface",
    description="Soot on the fire side: stack temperature rises, efficiency falls, fuel rises",
    health="fouling_resistance_m2k_w",
    healthy=0.0,
    failed_at=R_SOOT_3MM_M2K_W,
    law="asymptotic",
    source=(
        f"{_M} §4.4: Kern–Seaton form [V], R_f* {R_STAR_M2K_W} and τ {FOULING_TAU_H:.0f} h "
        "equivalent (firing-weighted) hours [A]; failed at 3 mm soot ≈ −2.5 % (Forbes Marshall "
        f"[V]) = {R_SOOT_3MM_M2K_W} m²K/W [D] or stack > T_sat + 30 °C (§4.3 [V], "
        f"{STACK_LIMIT_C:.0f} °C [D]); alarm: stack 20 °C above its clean MCR value (≈ 1 % "
        "fuel, §4.3 [V]); a climbing stack at constant load is the sign of fouling (DOE "
        "Tip #7 [V]); MTTR, durations and costs [A]"
    ),
    tau_h=FOULING_TAU_H,
    ceiling=R_STAR_M2K_W,
    symptom="stack_temp_c",
    alarm=STACK_ALARM_C,
    trip=STACK_LIMIT_C,
    mttr_h=24.0,  # unplanned: cool down, brush/wash the tubes, dry out, fire up [A]
    mttr_sigma=0.4,
    pm_h=16.0,
    parts_usd=3_000.0,
    pm_parts_usd=2_000.0,
)

TUBE_LEAK = FailureMode(
    name="tube_leak",
    component="pressure-part tubes",
    description="A tube leak grows: water lost, make-up and fuel rise, then a forced outage",
    health="tube_leak_kg_s",
    healthy=0.0,
    failed_at=1.0,  # 3.6 t/h ≈ 7 % of MCR: the leak forces the boiler off [A]
    law="exp",
    source=(
        f"{_M} §5.1: pressure-part tubes β 2–4, η 30,000–80,000 h [A], midpoints taken; "
        "§4.6: tube failures lead forced outages [V]; leak growth (exponential, §5.3 form) over "
        "a median 500 h, forced outage at 1 kg/s, alarm at 1 t/h of unaccounted water "
        "(≈ 2.5 σ of a drum mass balance of two 1 % flow meters) [A]; MTTR 2–5 days "
        "(§5.10 [A], sequence cool-down, scaffold, repair, hydro test: POWER [V]); costs [A]"
    ),
    beta=3.0,
    eta_h=50_000.0,
    duration_h=500.0,
    spread=0.5,
    symptom="water_loss_tph",
    alarm=1.0,
    mttr_h=84.0,  # 3.5 days, 2–5 days as the 90 % range: log-sd ln(5/2)/3.29 [D]
    mttr_sigma=0.28,
    pm_h=48.0,  # planned tube inspection and replacement of thinned tubes [A]
    parts_usd=25_000.0,
    pm_parts_usd=10_000.0,
)

COMBUSTION_DRIFT = FailureMode(
    name="combustion_drift",
    component="combustion control (O2 trim, air damper linkage)",
    description="Air-fuel control drifts lean: excess O2 rises, efficiency falls, fuel rises",
    health="o2_drift_pct",
    healthy=0.0,
    failed_at=3.0,  # +3 % O2 ≈ +20 % excess air on gas: burner out of tune [A]
    law="linear",
    source=(
        f"{_M} §4.2/§4.3: excess air from O2, ≈ 1 point per 15 % excess air (DOE Tip #4 [V]); "
        "drift linear over a median 2,000 h before a Weibull failure age β 2 (early wear-out, "
        "§5.1 β meaning [V]), η 8,760 h (a yearly combustion tune-up) [A]; alarm 1 % O2 above "
        "the set-point curve, failed at 3 % [A]; MTTR, durations and costs [A]"
    ),
    beta=2.0,
    eta_h=8_760.0,
    duration_h=2_000.0,
    symptom="o2_deviation_pct",
    alarm=1.0,
    mttr_h=6.0,  # retune the burner, recalibrate the analyser, fix the linkage [A]
    mttr_sigma=0.5,
    pm_h=4.0,  # combustion tune-up [A]
    parts_usd=3_000.0,
    pm_parts_usd=1_500.0,
)

FAN_BEARING = FailureMode(
    name="fan_bearing",
    component="FD-fan bearing",
    description="FD-fan bearing defect grows: vibration through ISO zones B, C, D; friction",
    health="fan_bearing_damage_frac",
    healthy=0.0,
    failed_at=1.0,  # damage 1: vibration baseline + 4.5 mm/s, deep in zone D [A]
    law="exp",
    source=(
        f"{_M} §5.1: FD/ID fan bearings β 1.3–1.5 (Barringer [V/D]), η 40,000 h [A]; §5.3: "
        "exponential growth, alarm at the ISO 10816-3 Group 2 rigid B/C boundary 2.8 mm/s "
        "(zone C, plan repair) [V]; degradation over a median 4,000 h gives ≈ 5 weeks from "
        "alarm to failure, within the 4–8 weeks of §5.9 (epsumlabs [V]) [D]; MTTR and "
        "costs [A]"
    ),
    beta=1.4,
    eta_h=40_000.0,
    duration_h=4_000.0,
    symptom="fan_vibration_mm_s",
    alarm=2.8,
    mttr_h=12.0,  # change the fan bearing [A]
    mttr_sigma=0.5,
    pm_h=8.0,
    parts_usd=8_000.0,
    pm_parts_usd=5_000.0,
)

BOILER_MODES = (FOULING, TUBE_LEAK, COMBUSTION_DRIFT, FAN_BEARING)

BOILER_ANOMALIES = {
    "co2_excess": ("mode", "combustion_drift"),
    "temperature_drift": ("mode", "fouling"),
    "vibration_spike": ("sensor", "fan_vibration_mm_s"),
}


def cool_down(
    on: NDArray[np.bool_], running: F64, now: F64, ambient: F64 | float, dt_s: float, tau_h: F64
) -> F64:
    """The running value where `on`, elsewhere `now` cooled towards `ambient` over the tick.

    Exact first-order update (machines.md §1: stable at any tick); τ in hours [A].
    """
    return np.where(on, running, relax(now, ambient, dt_s, tau_h * 3600.0))


def stopped_readings(sensors: dict[str, F64], on: NDArray[np.bool_]) -> None:
    """What the instruments of a boiler that is off read: no fire, fan stopped, ambient air."""
    o2, co2 = bp.cold_stack_gas(on, sensors["flue_o2_pct"], sensors["flue_co2_pct"])
    sensors["flue_o2_pct"], sensors["flue_co2_pct"] = o2, co2
    for name in ("efficiency_pct", "fan_vibration_mm_s", "o2_deviation_pct"):
        sensors[name] = np.where(on, sensors[name], 0.0)


@dataclass(frozen=True)
class Burn:
    """One firing's combustion: efficiency, and what the flue sensors and the fan see."""

    eta: F64  # boiler efficiency, HHV basis [-]
    o2: F64  # flue O2, dry [%]
    ea: F64  # excess air [-]
    t_stack: F64  # [°C]
    t_ad: F64  # adiabatic flame temperature [°C]
    ntu_clean: F64  # NTU of the heating surface were it clean


@dataclass(frozen=True)
class Firing:
    """Per-twin constants of combustion, fixed for a batch (machines.md §4.2–4.4)."""

    st: bp.Stoich
    o2_set: F64  # flue O2 set-point [%]
    o2_rise: F64  # extra O2 at minimum fire [%]
    u_min: F64  # minimum firing / MCR
    ntu_mcr: F64
    u_clean: F64  # clean U at MCR [W/m²K]
    t_feed: F64  # feedwater [°C]
    rad_mcr: F64  # casing loss at MCR [-]
    wet_design: F64  # wet flue gas per kg fuel at the O2 set-point
    slope: tuple[F64, F64]  # dη/dT_stack = a + b·EA [1/K] (`bp.stack_slope_terms`)
    _last: list[tuple[bytes, Firing]] = field(default_factory=list, compare=False, repr=False)

    def take(self, i: NDArray[np.intp]) -> Firing:
        """The constants of twins i, remembered while the same twins are asked for (those with
        drift or a leak, tick after tick)."""
        key = i.tobytes()
        if not self._last or self._last[0][0] != key:
            arrays = {name: getattr(self, name)[i] for name in _ARRAYS}
            slope = (self.slope[0][i], self.slope[1][i])
            sub = replace(self, st=self.st.take(i), slope=slope, _last=[], **arrays)
            self._last[:] = [(key, sub)]
        return self._last[0][1]

    def burn(self, load: F64, r_f: F64 | float, drift: F64 | float, t_air: F64) -> Burn:
        """Efficiency at a firing / MCR, fire-side fouling R_f [m²K/W] and O2 drift [%]: flue O2
        and excess air (§4.2), stack temperature by NTU (§4.4), heat-loss efficiency (§4.3)."""
        low_fire = np.clip((1.0 - load) / (1.0 - self.u_min), 0.0, 1.0)
        o2 = self.o2_set + self.o2_rise * low_fire + drift
        ea = bp.excess_air_frac(o2, self.st)
        wet = bp.wet_gas_kg(ea, self.st)
        gas_ratio = np.maximum(load, 0.05) * (wet / self.wet_design)
        n, n_clean = bp.ntu_and_clean(self.ntu_mcr, gas_ratio, self.u_clean, r_f)
        t_ad = t_air + self.st.lhv_j * 1e-3 / (wet * bp.CP_HOT_GAS)
        t_stack = bp.stack_temp_c(self.t_feed, t_ad, n)
        eta = bp.combustion_efficiency(o2, t_stack, t_air, self.st)
        eta = eta - bp.radiation_loss_frac(load, self.rad_mcr)
        return Burn(eta, o2, ea, t_stack, t_ad, n_clean)

    def clean_eta(self, b: Burn) -> F64:
        """η of the same firing and O2 with a clean surface: η is affine in the stack
        temperature, so one exponential (the clean stack) and the slope give it exactly."""
        t_clean = bp.stack_temp_c(self.t_feed, b.t_ad, b.ntu_clean)
        t_clean -= b.t_stack
        slope = self.slope[1] * b.ea
        slope += self.slope[0]
        t_clean *= slope
        t_clean += b.eta
        return t_clean


_ARRAYS = ("o2_set", "o2_rise", "u_min", "ntu_mcr", "u_clean", "t_feed", "rad_mcr", "wet_design")
_FOUL, _DRIFT, _LEAK, _FAN = FOULING.name, COMBUSTION_DRIFT.name, TUBE_LEAK.name, FAN_BEARING.name


def wear_excess(
    fire: Firing, actual: Burn, t_air: F64, load: F64, steam_frac: F64, leak_frac: F64,
    r_f: F64, drift: F64, q_mcr_w: F64, q_fuel: F64, fan_w: F64, fan_loss_w: F64,
    pump_leak_w: F64, dt_s: float, fired: dict[str, F64],
) -> dict[str, F64]:  # fmt: skip
    """`excess/<activity>/<mode>` of the tick: the fuel (in the unit of each fuel the batch
    fires, `fired`: per J of HHV heat, 0 for a twin firing another) and electricity [kWh] a
    healthy boiler raising the same steam would not use (the cost of wear); a mode no twin of
    the batch shows this tick has no entry.

    Fuel heat Q = load·Q_mcr/η as fired; the healthy boiler raises the same steam with a clean
    surface and tuned O2, firing load_h ≤ load (no leak) at η_h. Each loss is charged where it
    acts (the parts then add up to actual − healthy exactly): fouling and drift lower η, and
    together cost Q·(1 − η/η_hl) of all the fuel fired (η_hl: clean and tuned at the firing as
    fired, the leak's heat included), shared in proportion to their efficiency losses (fouling's
    η_c − η at the O2 as fired, η_c a clean surface's; drift's η_hl − η_c); the leak costs the
    rest, load·Q_mcr/η_hl − load_h·Q_mcr/η_h, its water's heat at the healthy efficiency.
    Electricity: the FD fan's power follows its air, ∝ Q·(1 + EA) (fan law): fouling is charged
    the air of its fuel, drift the rest down to the clean, tuned boiler's air (its fuel's and its
    extra excess air), the leak the air of its heat and its make-up's pumping, and a worn fan
    bearing its whole friction loss `fan_loss_w`. Most twins have no drift and no leak: there
    fouling costs all of Q·(1 − η/η_c), η_c = `clean_eta` exactly (one exponential); the others
    need a full evaluation of η_hl (and of η_h with a leak) on those twins only (`_general`).
    """
    others = (drift > 0.0) | (leak_frac > 0.0)
    if not (r_f.any() or others.any() or fan_loss_w.any()):
        return {}
    kwh = dt_s / 3.6e6
    eta_c = fire.clean_eta(actual)
    share = np.subtract(1.0, actual.eta / eta_c)  # 0 exactly when clean
    fuel = {_FOUL: q_fuel * share}  # [W]
    share *= fan_w
    share *= kwh
    power = {_FOUL: share, _FAN: fan_loss_w * kwh}  # [kWh] (arrays written in place below)
    i = np.flatnonzero(others)
    if len(i):
        sub = _general(
            fire.take(i), actual.eta[i], actual.ea[i], eta_c[i], t_air[i], load[i],
            steam_frac[i], leak_frac[i], drift[i], q_mcr_w[i], q_fuel[i], fan_w[i],
            pump_leak_w[i],
        )  # fmt: skip
        for mode, part in sub[0].items():
            fuel.setdefault(mode, np.zeros_like(q_fuel))[i] = part
        for mode, part in sub[1].items():
            power.setdefault(mode, np.zeros_like(q_fuel))[i] = part * kwh
    entries = {f"excess/electricity_kwh/{m}": v for m, v in power.items() if v.any()}
    fuel = {m: w for m, w in fuel.items() if w.any()}
    for k, (channel, per_j) in enumerate(fired.items()):
        unit = dt_s * per_j
        last = k == len(fired) - 1  # the W arrays become the last fuel's entries (in place)
        entries |= {
            f"excess/{channel}/{m}": np.multiply(w, unit, out=w if last else None)
            for m, w in fuel.items()
        }
    return entries


def _general(
    fire: Firing, eta: F64, ea: F64, eta_c: F64, t_air: F64, load: F64, steam_frac: F64,
    leak_frac: F64, drift: F64, q_mcr_w: F64, q_fuel: F64, fan_w: F64, pump_leak_w: F64,
) -> tuple[dict[str, F64], dict[str, F64]]:  # fmt: skip
    """Fuel heat and fan and pump power [W] of `wear_excess` for twins with drift or a leak
    (η and EA as fired, η_c with a clean surface).

    The drum fires `load` for the steam u and the leak's heat, the combustion control's lag
    shared between them in proportion (exact in steady state): load_h = load·u/(u + leak).
    """
    drifting = drift > 0.0
    tuned = fire.burn(load, 0.0, 0.0, t_air)  # clean and tuned, at the firing as fired
    healthy, load_h = tuned, load
    j = np.flatnonzero(leak_frac > 0.0)
    if len(j):
        load_h = load.copy()
        load_h[j] *= steam_frac[j] / (steam_frac[j] + leak_frac[j])
        b = fire.take(j).burn(load_h[j], 0.0, 0.0, t_air[j])
        healthy = replace(tuned, eta=tuned.eta.copy(), ea=tuned.ea.copy())
        healthy.eta[j], healthy.ea[j] = b.eta, b.ea
    q_tuned = bp.fuel_heat_input_w(load * q_mcr_w, tuned.eta)
    q_h = bp.fuel_heat_input_w(load_h * q_mcr_w, healthy.eta)
    efficiency = np.maximum(q_fuel - q_tuned, 0.0)  # what fouling and drift cost together
    loss_f = eta_c - eta
    loss_d = np.maximum(tuned.eta - eta_c, 0.0) * drifting
    losses = loss_f + loss_d
    fouling = efficiency * np.divide(loss_f, losses, out=np.zeros_like(losses), where=losses > 0)
    fuel = {
        _FOUL: fouling,
        _DRIFT: (efficiency - fouling) * drifting,
        _LEAK: np.maximum(q_tuned - q_h, 0.0),
    }
    # the fan's power per W of fuel at the excess air as fired (fan law ∝ Q·(1 + EA))
    per_q = fan_w / np.maximum(q_fuel, 1e-9)
    air = 1.0 + ea
    fan_tuned = per_q * q_tuned * ((1.0 + tuned.ea) / air)
    fan_h = per_q * q_h * ((1.0 + healthy.ea) / air)
    power = {
        _FOUL: per_q * fouling,
        _DRIFT: np.maximum(fan_w - fan_tuned - per_q * fouling, 0.0) * drifting,
        _LEAK: np.maximum(fan_tuned - fan_h, 0.0) + pump_leak_w,
    }
    return fuel, power
