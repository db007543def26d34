"""How a haul TRUCK wears out and fails, and how it protects itself.

Four modes, each driving a health variable `twins.truck.model.Truck` reads:
- `cooling` (Weibull age, linear loss): the radiator fouls, its capacity falls (K_q = 1/capacity
  grows), so the coolant runs hotter under load and in hot afternoons. The ECU's graded
  protection (Perkins 1200F installation manual [V]) warns at 109 °C, withholds 25 → 75 % of the
  engine's power from 111 to 113 °C (Status DERATED: slower ramps, fewer tonnes) and shuts the
  engine down at 114 °C: the trip, a functional failure.
- `tyres` (usage): tread worn per km at a TKPH-driven rate (Goodyear OTR, CAT handbook), replaced
  at the tread limit.
- `driveline_bearing` (Weibull age, exponential damage, ISO 281 load-speed ageing):
  vibration climbs to 2 × its baseline (the alarm [A]); friction takes fuel.
- `injectors` (Weibull age, linear wear): more fuel per kWh, seen in the ECU's fuel balance.

Figures carry their source and tag (V seen, D derived, A assumed); docs/sources.md gathers them.
"""

from __future__ import annotations

import math

import numpy as np

from aurum.physics import truck as phy
from aurum.physics.truck import (
    COOLANT_DERATE_C,
    COOLANT_SHUTDOWN_C,
    COOLANT_WARN_C,
)
from aurum.twins.failures import FailureMode
from aurum.twins.kind import F64, State
from aurum.twins.params import KindParams, ParamArrays, param
from aurum.twins.truck.cycle import Protection

_PERKINS = "Perkins 1200F installation manual p.187"
_THERMAL = "first-order coolant model"

TREAD_NEW_MM = 100.0  # 59/80R63 [A]
TREAD_LIMIT_MM = 10.0  # replace at 90 % worn [A]
# a tread's life in operating hours on the default road: 100,000 km at the rated TKPH
# (otrglobal.com.au [V]), the default road under it; tests/twins/test_truck_modes.py measures
# 5,000–6,500 h [D]
TREAD_LIFE_H = 5_700.0
TREAD_ALARM_WORN_MM = 75.0  # plan the change ≈ 1/6 of a tread life ahead [A]
ROLLER_EXPONENT = 10.0 / 3.0  # ISO 281 roller bearings [V]
VIB_REFERENCE_KMH = 25.0  # the baseline is read at a typical haul speed [A]
TYRE_SET = 6  # two front, four rear on a 793F [V]
# MTTR classes [A]: minor 2–6 h and major component change 24–72 h read as the 95 %
# range of a lognormal: median √(lo·hi), log-sd ln(hi/lo)/3.92 [D].
MINOR_H, MAJOR_H, CLASS_SIGMA = math.sqrt(2.0 * 6.0), math.sqrt(24.0 * 72.0), math.log(3.0) / 3.92


class TruckConditionParams(KindParams):
    """The engine's thermal model, the truck's wear and damage and what they do."""

    thermostat_c: float = param(
        85.0, "°C", f"{_THERMAL}: thermostat floor", "A", "opening", ge=60, le=100
    )
    thermostat_band_c: float = param(8.0, "°C", "wax thermostat", "A", "band", ge=0, le=20)
    coolant_rise_design_c: float = param(
        50.0, "°C", f"{_THERMAL}: ΔT_design", "A", "rise at rated load", gt=0, le=150
    )
    coolant_tau_s: float = param(600.0, "s", f"{_THERMAL}: τ", "A", "coolant lag", gt=0, le=7200)
    oil_offset_c: float = param(5.0, "°C", "oil runs hotter", "A", "over coolant", ge=-10, le=30)
    oil_load_rise_c: float = param(15.0, "°C", "oil heats with load", "A", "at rated", ge=0, le=50)
    oil_tau_s: float = param(900.0, "s", "sump thermal mass", "A", "oil lag", gt=0, le=7200)

    injector_sfc_gain: float = param(
        0.10, "-", "worn-injector fuel penalty", "A", "SFC rise at wear 1", ge=0, le=1
    )
    vib_base_mm_s: float = param(
        1.0, "mm/s", "site/OEM baseline, alarm at 2 ×", "A", "site baseline", gt=0, le=20
    )
    vib_per_kmh: float = param(0.04, "mm/s/(km/h)", "speed term", "A", "slope", ge=0, le=1)
    bearing_vib_gain: float = param(
        3.0, "-", "× (1 + gain·damage)", "A", "bearing gain", ge=0, le=20
    )
    bearing_ref_kmh: float = param(
        11.5, "km/h", "cycle mean of (m/GVM)^(10/3)·v on the default road (ISO 281)", "D",
        "ISO 281 reference speed at GVM", gt=0, le=60,
    )  # fmt: skip
    bearing_friction_coeff: float = param(
        0.001, "-", "≈ 5 × a healthy bearing's rolling resistance (Daigle & Goebel form)", "A",
        "added rolling resistance at bearing damage 1", ge=0, le=0.05,
    )  # fmt: skip
    tyre_tkph_rated: float = param(
        1150.0, "t·km/h", "63-inch OTR TKPH rating; default road runs at ≈ 0.86 of it", "A",
        "tyre TKPH rating", gt=0, le=5000,
    )  # fmt: skip
    tyre_life_km: float = param(
        100_000.0, "km", "otrglobal.com.au (taken at the rated TKPH [A])", "V",
        "tread life at the rated TKPH", gt=0, le=1e6,
    )  # fmt: skip
    tyre_wear_exponent: float = param(
        1.5, "-", "tread-wear law, n ≈ 1–2", "A", "TKPH exponent n of the wear law", ge=0, le=3
    )
    tyre_tkph_tau_s: float = param(
        3600.0, "s", "a tyre's heat lag: hours", "A", "working-TKPH lag", gt=0, le=86400
    )
    tyre_temp_rise_c: float = param(
        45.0, "°C", "inflation gas over ambient at the rated TKPH", "A", "rise", ge=0, le=150
    )
    engine_off_tau_s: float = param(
        5400.0, "s", "a stopped engine cools by convection: hours", "A", "cool-down lag", gt=0
    )


COOLING = FailureMode(
    name="cooling",
    component="radiator and cooling system",
    description=(
        "Radiator fouling: capacity falls, coolant runs hot under load and in hot afternoons, "
        "graded protection derates the engine (111–113 °C) and shuts it down at 114 °C"
    ),
    health="cooling_capacity_frac",
    healthy=1.0,
    failed_at=0.10,
    law="linear",
    source=(
        "K_q = 1/capacity (first-order coolant model [A]); warn 109, derate 25→75 % at 111→113, "
        f"shutdown 114 °C, {_PERKINS} [V]; β 2 (1–4: wear-out by corrosion/erosion, PTC "
        "Windchill Weibull guide [V]), "
        "η 6,000 h and D 1,000 h (warn ≈ 2–3 weeks before the trip) [A]; failed at 10 % "
        "capacity where a cold site never trips [A]; MTTR: major class 24–72 h [A]; "
        "clean 2–6 h (minor class [A]); core US$40k, clean US$2k [A]"
    ),
    beta=2.0,
    eta_h=6_000.0,
    duration_h=1_000.0,
    spread=0.4,
    symptom="coolant_temp_c",
    alarm=COOLANT_WARN_C,
    trip=COOLANT_SHUTDOWN_C,
    mttr_h=MAJOR_H,
    mttr_sigma=CLASS_SIGMA,
    pm_h=MINOR_H,
    parts_usd=40_000.0,
    pm_parts_usd=2_000.0,
)

TYRES = FailureMode(
    name="tyres",
    component="tyre set",
    description="Tread worn per km at a TKPH-driven rate; a TKPH over-run runs hot and wears fast",
    health="tyre_tread_mm",
    healthy=TREAD_NEW_MM,
    failed_at=TREAD_LIMIT_MM,
    law="usage",
    source=(
        "dw/dt = k_w·(TKPH/TKPH_rated)^n·|v|, n 1.5 [A]; 100,000 km life (otrglobal.com.au [V]) at "
        "the rated TKPH [A]; ≈ 5,700 h on the default road, 5,000–10,000 h [V/A]; "
        "tread 100 → 10 mm, alarm at 75 mm worn [A]; change 2–6 h (minor class [A]); set of "
        "6 × US$42k (tyres 25–40 % of operating cost, Otraco; Woodman & Cutler 2002 [V]) [A]"
    ),
    initial_age_frac=0.5,  # the fleet starts with treads up to half worn (Truck.initial)
    life_h=TREAD_LIFE_H,  # a part-worn tread starts its share of it old
    symptom="tyre_wear_mm",
    alarm=TREAD_ALARM_WORN_MM,
    mttr_h=MINOR_H,
    mttr_sigma=CLASS_SIGMA,
    pm_h=3.0,
    parts_usd=1.1 * TYRE_SET * 42_000.0,  # run to the limit: some casings lost [A]
    pm_parts_usd=TYRE_SET * 42_000.0,
)

DRIVELINE_BEARING = FailureMode(
    name="driveline_bearing",
    component="wheel / final-drive bearing",
    description="Bearing wear: driveline vibration grows to 2 × baseline and beyond; friction",
    health="bearing_damage_frac",
    healthy=0.0,
    failed_at=1.0,
    law="exp",
    source=(
        "β 1.4 and η = 5 × L10 (Barringer, Problem of the Month, Apr 2001 [V/D]), L10 5,000 h "
        "[A] → η 25,000 h [D]; ISO 281 ageing (P/P_ref)^(10/3)·(n/n_ref) at GVM [A]; "
        "flat-then-exponential (MathWorks exponential degradation form [A]); alarm 2 × "
        "baseline at 25 km/h [A]; D 3,000 h puts it ≈ 4–8 weeks ahead (a rolling bearing's "
        "P-F interval, epsumlabs [V]); MTTR major class [A]; parts [A]"
    ),
    beta=1.4,
    eta_h=25_000.0,
    duration_h=3_000.0,
    curvature=4.0,
    symptom="driveline_vibration_mm_s",
    alarm=2.0 * (1.0 + 0.04 * VIB_REFERENCE_KMH),  # default vib_base_mm_s, vib_per_kmh
    mttr_h=MAJOR_H,
    mttr_sigma=CLASS_SIGMA,
    pm_h=24.0,
    parts_usd=120_000.0,  # seized: the final drive's gears go with it [A]
    pm_parts_usd=25_000.0,
)

INJECTORS = FailureMode(
    name="injectors",
    component="fuel injector set",
    description="Injector wear: more fuel per kWh (SFC up to +10 %), misfire at the limit",
    health="injector_wear_frac",
    healthy=0.0,
    failed_at=1.0,
    law="linear",
    source=(
        "β 3 within the engine's 2.5–3.5 [A]; η 10,000 h, half the engine's "
        "15,000–20,000 h overhaul (sunhunk.com [V, low reliability]; injectors changed at "
        "mid-life) [A]; "
        "linear wear over D 3,000 h; failed at +10 % SFC, alarm +5 % [A]; MTTR minor class "
        "[A]; 16 × US$1.5k set [A]"
    ),
    beta=3.0,
    eta_h=10_000.0,
    duration_h=3_000.0,
    symptom="sfc_rise_pct",
    alarm=5.0,
    mttr_h=MINOR_H,
    mttr_sigma=CLASS_SIGMA,
    pm_h=3.0,
    parts_usd=30_000.0,
    pm_parts_usd=24_000.0,
)

MODES = (COOLING, TYRES, DRIVELINE_BEARING, INJECTORS)
ANOMALIES = {
    "vibration_spike": ("sensor", "driveline_vibration_mm_s"),
    "temperature_drift": ("mode", "cooling"),
    "co2_excess": ("mode", "injectors"),
}


def protection(state: State, ambient_c: F64, p: ParamArrays, max_kw: F64) -> Protection:
    """The ECU's graded coolant protection (Perkins 1200F) at a tick's start.

    Twins whose coolant could reach the derate point this tick (hot already, or hot at full
    output) are *watched*: the haul cycle's passes (`twins.truck.cycle.spend_tick`) follow their
    coolant pass by pass and cap the output where the protection would, so the coolant is held
    where a continuous ECU would hold it at any tick length, and the engine shuts down only when
    even the full derate cannot hold it. The others relax once, at the tick's mean load, as
    nothing limits them (`twins.truck.tick.settle`).
    """
    temp = state["coolant_temp_c"]
    hottest = phy.coolant_equilibrium_c(
        ambient_c, max_kw / p["engine_kw"], state["cooling_capacity_frac"], p["thermostat_c"],
        p["thermostat_band_c"], p["coolant_rise_design_c"],
    )  # fmt: skip
    watched = (temp > COOLANT_DERATE_C) | (hottest > COOLANT_DERATE_C)
    n = len(temp)
    return Protection(watched, temp.copy(), np.zeros(n, dtype=bool), np.zeros(n))


def initial_tread_mm(u: F64) -> F64:
    """A fleet mid-life: treads between new and half worn, u ~ U(0, 1) [mm]."""
    return TREAD_NEW_MM - TYRES.initial_age_frac * (TREAD_NEW_MM - TREAD_LIMIT_MM) * u
