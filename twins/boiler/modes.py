"""How a BOILER wears out and fails, and what wear costs.

Each mode drives a degradation state the boiler physics already reads, so it costs fuel or power
through the physics itself: fire-side fouling (R_f → stack temperature → efficiency → fuel),
tube leak (water lost → make-up and fuel to heat it), combustion-control drift (excess O2 →
efficiency → fuel and CO2) and FD-fan bearing wear (vibration across the ISO 10816-3 zones,
friction → fan power). The tick (`twins.boiler.tick`) prices each against a healthy boiler
raising the same steam (the cost of wear):

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
bearing its whole friction loss. A twin with no drift and no leak needs no healthy boiler
evaluated: fouling costs all of Q·(1 − η/η_c), η_c exactly from one exponential.

Figures carry their source and tag (V seen, D derived, A assumed); the limits
derived from the reference boiler are computed here, not typed in. A boiler that is down
(failed or in maintenance) fires nothing: it cools towards ambient, its fan stands still and
its flue analysers sample ambient air (`twins.boiler.tick`).
"""

from __future__ import annotations

import numpy as np
from iapws import IAPWS97
from numpy.typing import NDArray

from aurum.twins.failures import FailureMode

F64 = NDArray[np.float64]

_P_SET_MPA = 1.1  # reference drum pressure [A]; BoilerParams default
_STACK_MCR_C = 170.0  # reference clean stack temperature at MCR; BoilerParams default [A]
_T_SAT_C = IAPWS97(P=_P_SET_MPA, x=1).T - 273.15  # 184.1 °C at 1.1 MPa [V IAPWS-IF97]

# Kern–Seaton R_f*(1 − e^{−t/τ}) [V form]. 3 mm soot ≈ −2.5 % efficiency (Forbes
# Marshall [V]) is R_f ≈ 0.0055 m²K/W in this model (−2.2 to −2.8 points at 80–100 % load) [D];
# the asymptote and time constant are chosen so that a gas boiler at its mean load needs a
# fire-side clean every ≈ 8 weeks [A].
R_SOOT_3MM_M2K_W = 0.0055
R_STAR_M2K_W = 0.008  # ≈ 4.4 mm soot-equivalent [A]
FOULING_TAU_H = 1500.0  # [A]
FOULING_LOAD_REF = 0.7  # soot deposition ∝ firing rate; τ holds at this mean load [A]
# Forbes Marshall [V]: each 20 °C above the optimum ≈ 1 % fuel; the stack should not
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
        f"Kern–Seaton fouling form [V], R_f* {R_STAR_M2K_W} and τ {FOULING_TAU_H:.0f} h "
        "equivalent (firing-weighted) hours [A]; failed at 3 mm soot ≈ −2.5 % (Forbes Marshall "
        f"[V]) = {R_SOOT_3MM_M2K_W} m²K/W [D] or stack > T_sat + 30 °C (Forbes Marshall [V], "
        f"{STACK_LIMIT_C:.0f} °C [D]); alarm: stack 20 °C above its clean MCR value (≈ 1 % "
        "fuel, Forbes Marshall [V]); a climbing stack at constant load is the sign of fouling "
        "(US DOE Steam Tip Sheet #7 [V]); MTTR, durations and costs [A]"
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
        "pressure-part tubes β 2–4, η 30,000–80,000 h [A], midpoints taken; tube failures "
        "lead forced outages (POWER, 'Benchmarking boiler tube failures' [V]); leak growth "
        "(exponential form [A]) over "
        "a median 500 h, forced outage at 1 kg/s, alarm at 1 t/h of unaccounted water "
        "(≈ 2.5 σ of a drum mass balance of two 1 % flow meters) [A]; MTTR 2–5 days "
        "([A], sequence cool-down, scaffold, repair, hydro test: POWER [V]); costs [A]"
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
        "excess air from O2, ≈ 1 point per 15 % excess air (US DOE Steam Tip Sheet #4 [V]); "
        "drift linear over a median 2,000 h before a Weibull failure age β 2 (early wear-out, "
        "PTC Windchill Weibull guide [V]), η 8,760 h (a yearly combustion tune-up) [A]; "
        "alarm 1 % O2 above the set-point curve, failed at 3 % [A]; MTTR, durations and costs [A]"
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
        "FD/ID fan bearings β 1.3–1.5 (Barringer, Problem of the Month, Apr 2001 [V/D]), "
        "η 40,000 h [A]; "
        "exponential growth, alarm at the ISO 10816-3 Group 2 rigid B/C boundary 2.8 mm/s "
        "(zone C, plan repair) [V]; degradation over a median 4,000 h gives ≈ 5 weeks from "
        "alarm to failure, within a rolling bearing's 4–8 weeks P-F (epsumlabs [V]) [D]; MTTR and "
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
