"""Failure modes of the grinding MILL and the wear its own physics does.

Three modes, each driving a health variable `twins.mill.model.Mill` reads:
- `trunnion_bearing` (Weibull onset, exponential damage): friction heat raises the bearing
  temperature to the 75 °C trip (Holcim limits; Daigle & Goebel 2013 heat balance) and
  trunnion vibration climbs the ISO 10816-3 zones; the excess friction is drawn from the motor.
- `liner` (usage): lifters wear with throughput (Yahyaei & Banisi 2010); below h/h₀ ≈ 0.5 the
  mill draws less power, mills less and needs more kWh per tonne; relined at a minimum lifter
  height.
- `gearbox` (Weibull onset, exponential damage): pinion vibration climbs the ISO zones and
  mesh losses take more electricity per tonne.
Here too: the parameters of the mill's condition (`MillConditionParams`, a base of
`MillParams`), what the damage does to a running mill this tick (`Condition`) and what it costs
in electricity against a healthy mill milling the same tonnes (`wear_excess`). Every figure
carries its source and tag (V seen, D derived, A assumed); docs/sources.md gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aurum.physics.mill import (
    ISO_10816_G1_RIGID_MM_S,
    TRUNNION_ALARM_C,
    TRUNNION_TRIP_C,
    bearing_friction_factor,
    gear_efficiency,
    liner_wear_mm,
    rating_life_ageing,
    trunnion_load_ratio,
    vibration_mm_s,
    wear_electricity_kw,
)
from aurum.twins.failures import FailureMode
from aurum.twins.kind import F64, State
from aurum.twins.params import KindParams, ParamArrays, param

Mask = NDArray[np.bool_]

ZONE_AB_MM_S, ZONE_BC_MM_S, ZONE_CD_MM_S = ISO_10816_G1_RIGID_MM_S

LIFTER_NEW_MM = 152.0  # Sarcheshmeh SAG lifter, Yahyaei & Banisi 2010 [V]
LINER_WEAR_MM_H = 0.024  # (152 − 58) mm / 4000 h at Sarcheshmeh [D]
LINER_MIN_FRAC = 0.20  # reline at 20 % of the new lifter height (brief: 15–20 %) [A]
LINER_ALARM_WORN_PCT = 70.0  # plan the reline: ≈ 630 h before h_min at design rate [A]
ROLLER_EXPONENT = 10.0 / 3.0  # ISO 281 load-life exponent of roller bearings [V]

# A reline's liner set [D]: power ≈ 60 % and liners 10–20 % (15 % taken) of mill operating
# cost (RME; Multotec [V]); power at the reference design point (twins.mill.model.DESIGN_POWER_KW,
# the 20 MW motor's rating) for Cadia's 94 % availability (Boughey et al., SME 2000 [V]) at
# US$0.10/kWh [A]; a liner life of h₀(1 − h_min/h₀)/k_L ≈ 5,070 h. → ≈ US$4.1M of liners a
# year, ≈ US$2.5M a reline.
ELECTRICITY_USD_KWH = 0.10  # [A]
REFERENCE_POWER_KW = 20_000.0  # twins.mill.model.DESIGN_POWER_KW (checked by a test) [D]
_OPERATING_H_A = 8_760.0 * 0.94
_LINER_LIFE_H = LIFTER_NEW_MM * (1.0 - LINER_MIN_FRAC) / LINER_WEAR_MM_H
_LINER_USD_A = REFERENCE_POWER_KW * _OPERATING_H_A * ELECTRICITY_USD_KWH * 0.15 / 0.60
LINER_SET_USD = round(_LINER_USD_A * _LINER_LIFE_H / _OPERATING_H_A, -4)


class MillConditionParams(KindParams):
    """Parameters of a mill's wear and damage, what they do, and the bearing heat balance that
    shows them."""

    lifter_height_new_mm: float = param(
        LIFTER_NEW_MM, "mm", "Sarcheshmeh 15.2 cm (Yahyaei & Banisi 2010)", "V",
        "Lifter height of a new liner", gt=20, le=400,
    )  # fmt: skip
    liner_knee_frac: float = param(
        0.5,
        "1",
        "lost lift lowers the shoulder angle",
        "A",
        "h/h0 below which wear costs power",
        gt=0,
        le=1,
    )
    liner_power_loss_frac: float = param(
        0.10, "1", "shoulder angle falls (Mejia Alarcon 2018)", "A",
        "Power lost at zero lifter height", ge=0, le=0.5,
    )  # fmt: skip
    liner_energy_penalty_frac: float = param(
        0.15, "1", "Multotec 2018: grinding efficiency falls", "A",
        "Extra kWh/t at zero lifter height", ge=0, le=1,
    )  # fmt: skip
    liner_wear_rate_mm_h: float = param(
        LINER_WEAR_MM_H, "mm/h", "Sarcheshmeh 152 → 58 mm in 4000 h (Yahyaei & Banisi 2010)", "D",
        "Lifter height lost per hour at design throughput", ge=0, le=1,
    )  # fmt: skip
    bearing_friction_damage_gain: float = param(
        1.5, "1", "alarm near damage 0.6, trip near 0.75 at 15 °C", "A",
        "Relative friction rise at full bearing damage", ge=0, le=10,
    )  # fmt: skip
    vibration_baseline_mm_s: float = param(
        1.6, "mm/s", "ISO 10816-3 Group 1 rigid zone A < 2.3", "A",
        "Healthy pinion and trunnion vibration", ge=0, le=2.3,
    )  # fmt: skip
    vibration_bearing_gain_mm_s: float = param(
        8.0,
        "mm/s",
        "full damage past ISO 10816-3 C/D 7.1",
        "A",
        "Trunnion rise at full damage",
        ge=0,
    )
    vibration_gearbox_gain_mm_s: float = param(
        8.0, "mm/s", "full damage past ISO 10816-3 C/D 7.1", "A", "Pinion rise at full damage", ge=0
    )
    bearing_friction_heat_kw: float = param(
        30.0, "kW", "μ·F·v of a 10 MN hydrostatic trunnion at ~1.4 m/s", "A",
        "Friction heat of a healthy trunnion bearing at set speed", gt=0, le=500,
    )  # fmt: skip
    bearing_heat_capacity_kj_k: float = param(
        2_300.0, "kJ/K", "≈ 5 t of steel", "A", "Bearing thermal mass m·c", gt=0
    )
    bearing_to_ambient_kw_k: float = param(
        0.3,
        "kW/K",
        "Daigle & Goebel form; housing convection, sized",
        "A",
        "Bearing-ambient H1",
        gt=0,
    )
    bearing_to_oil_kw_k: float = param(
        2.0,
        "kW/K",
        "Daigle & Goebel form; 1.2 L/s oil × 1.7 MJ/(m³·K)",
        "A",
        "Bearing-oil H2",
        gt=0,
    )
    oil_heat_capacity_kj_k: float = param(
        10_000.0, "kJ/K", "≈ 6 m³ lube reservoir", "A", "Lube oil thermal mass", gt=0
    )
    oil_cooler_kw_k: float = param(
        1.2, "kW/K", "Daigle & Goebel form; oil ≈ ambient + 18 K when healthy", "A",
        "Oil-ambient (cooler) H_o3", gt=0,
    )  # fmt: skip
    gearbox_loss_damage_frac: float = param(
        0.02, "1", "a healthy gear stage loses ≈ 1–2 %; worn mesh doubles it", "A",
        "Extra drive-train loss at full gearbox damage", ge=0, le=0.2,
    )  # fmt: skip
    trunnion_dead_load_frac: float = param(
        0.65, "1", "≈ 1,100 t shell, heads, liners and rotor against ≈ 600 t of charge", "A",
        "Share of the design trunnion load that is not charge (ISO 281 stress)", ge=0, le=1,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Condition:
    """What the damage does to the mill this tick; zero friction and vibration when stopped."""

    friction_kw: F64  # trunnion friction heat r·ω² = r₀(1 + g·d)·ω² at set speed (Daigle & Goebel)
    excess_friction_kw: F64  # above a healthy bearing's: drawn from the motor too
    drive_efficiency: F64  # relative to a healthy drive train
    trunnion_vibration_mm_s: F64
    pinion_vibration_mm_s: F64

    @classmethod
    def of(cls, state: State, p: ParamArrays, off: Mask | None) -> Condition:
        bearing, gears = state["bearing_damage_frac"], state["gearbox_damage_frac"]
        healthy_friction_kw = p["bearing_friction_heat_kw"]  # r₀·ω² at set speed
        factor = bearing_friction_factor(bearing, p["bearing_friction_damage_gain"])
        base = p["vibration_baseline_mm_s"]
        out = cls(
            friction_kw=healthy_friction_kw * factor,
            excess_friction_kw=healthy_friction_kw * (factor - 1.0),
            drive_efficiency=gear_efficiency(gears, p["gearbox_loss_damage_frac"]),
            trunnion_vibration_mm_s=vibration_mm_s(base, bearing, p["vibration_bearing_gain_mm_s"]),
            pinion_vibration_mm_s=vibration_mm_s(base, gears, p["vibration_gearbox_gain_mm_s"]),
        )
        zero(off, out.friction_kw, out.excess_friction_kw)
        zero(off, out.trunnion_vibration_mm_s, out.pinion_vibration_mm_s)
        return out


def stopped_twins(available: Mask) -> Mask | None:
    """The twins that are stopped this tick, or None when every one runs (the common case)."""
    return None if available.all() else ~available


def zero(off: Mask | None, *arrays: F64) -> None:
    """Set the stopped twins' entries of some fresh per-tick arrays to exactly 0.0, in place."""
    if off is not None:
        for a in arrays:
            a[off] = 0.0


def hold(off: Mask | None, new: F64, old: F64) -> F64:
    """The new values, with the stopped twins' old values put back (in place)."""
    if off is not None:
        new[off] = old[off]
    return new


TRUNNION_BEARING = FailureMode(
    name="trunnion_bearing",
    component="trunnion bearing",
    description=(
        "Trunnion bearing wear (grit, lube breakdown): friction heat drives the bearing to "
        "its 75 °C trip, trunnion vibration climbs ISO 10816-3 zones"
    ),
    health="bearing_damage_frac",
    healthy=0.0,
    failed_at=1.0,
    law="exp",
    source=(
        "β 1.4 from η ≈ 5·L10 (Barringer, Problem of the Month, Apr 2001 [D]); η 60,000 h in "
        "40,000–100,000 [A]; flat-then-exponential damage (MathWorks exponential degradation "
        "form [A]); friction heat, Daigle & Goebel 2013 [V form]; alarm 70 / trip 75 °C, "
        "Holcim 'Mill bearings and lubrication' [V]; D 8,000 h puts trunnion vibration zone C "
        "≈ 6 weeks and 70 °C ≈ 3 weeks before failure (rolling bearing fault to repair 4–8 "
        "weeks, epsumlabs [V]) [A]; MTTR in SAG unplanned 4–24 h [A]; parts [A]"
    ),
    beta=1.4,
    eta_h=60_000.0,
    duration_h=8_000.0,
    curvature=4.0,
    symptom="trunnion_bearing_temp_c",
    alarm=TRUNNION_ALARM_C,
    trip=TRUNNION_TRIP_C,
    mttr_h=16.0,
    mttr_sigma=0.45,
    pm_h=12.0,
    parts_usd=400_000.0,
    pm_parts_usd=150_000.0,
)

# `healthy` and `failed_at` are the reference liner's (152 mm): the failure layer renews a mode
# to one value, so a twin with another `lifter_height_new_mm` is relined to 152 mm.
LINER = FailureMode(
    name="liner",
    component="shell liners and lifters",
    description=(
        "Lifter wear with throughput: below h/h0 ≈ 0.5 power and throughput fall and kWh/t "
        "rises; reline at the minimum lifter height"
    ),
    health="liner_height_mm",
    healthy=LIFTER_NEW_MM,
    failed_at=LINER_MIN_FRAC * LIFTER_NEW_MM,
    law="usage",
    source=(
        "h0 152 mm and 0.024 mm/h at design throughput, Yahyaei & Banisi 2010 [V/D]; "
        "knee h/h0 0.5 [A]; h_min 20 % of new [A]; alarm 70 % worn [A]; reline 48–120 h [A]; "
        "liner set from cost shares (RME; Multotec [V]) at $0.10/kWh [D/A]"
    ),
    initial_age_frac=0.5,  # the fleet starts with liners up to half way to h_min
    life_h=_LINER_LIFE_H,  # h0·(1 − h_min/h0)/k_L at design throughput (its age's unit)
    symptom="liner_wear_pct",
    alarm=LINER_ALARM_WORN_PCT,
    mttr_h=110.0,
    mttr_sigma=0.2,
    pm_h=76.0,  # geometric mean of 48–120 h
    parts_usd=1.2 * LINER_SET_USD,  # run to h_min: damaged lifters and bolts, expedited [A]
    pm_parts_usd=LINER_SET_USD,
)

# The Cadia-like reference mill is gearless: there this mode stands for the drive train (ring
# motor air gap, its bearings); on a geared SAG it is the gearbox, pinion and girth gear [A].
GEARBOX = FailureMode(
    name="gearbox",
    component="gearbox and pinion",
    description=(
        "Gear mesh and gearbox bearing wear: pinion vibration climbs ISO 10816-3 zones, "
        "mesh losses take more electricity per tonne"
    ),
    health="gearbox_damage_frac",
    healthy=0.0,
    failed_at=1.0,
    law="exp",
    source=(
        "β 2, η 40,000 h ([A]; repeated SAG gearbox replacements, ACOEM case study [V]); "
        "alarm at ISO 10816-3 Group 1 rigid zone C 4.5 mm/s [V/A]; D 6,000 h puts zone C "
        "≈ 2 months before failure (vibration P-F 1–9 months [V]) [A]; MTTR at the top of "
        "SAG unplanned 4–24 h [A]; parts [A]"
    ),
    beta=2.0,
    eta_h=40_000.0,
    duration_h=6_000.0,
    curvature=4.0,
    symptom="pinion_vibration_mm_s",
    alarm=ZONE_BC_MM_S,
    mttr_h=24.0,
    mttr_sigma=0.45,
    pm_h=16.0,
    parts_usd=1_200_000.0,
    pm_parts_usd=600_000.0,
)

MODES = (TRUNNION_BEARING, LINER, GEARBOX)
ANOMALIES = {
    "vibration_spike": ("sensor", "pinion_vibration_mm_s"),
    "temperature_drift": ("mode", TRUNNION_BEARING.name),
}


def initial_liner_mm(new_mm: F64, u: F64) -> F64:
    """Lifter heights of a fleet mid-life: worn U(0, frac) of the way to h_min [mm] [A]."""
    allowance = new_mm * (1.0 - LINER_MIN_FRAC)
    return new_mm - u * LINER.initial_age_frac * allowance


def wear_liner(state: State, p: ParamArrays, throughput_ratio: F64, dt_h: float) -> None:
    """Wear the lifters for one tick in place (a stopped mill has Q = 0 and does not wear).

    An injection's `accelerate` (the failure layer's `liner_accel`) multiplies the rate.
    """
    rate = p["liner_wear_rate_mm_h"] * state.get(LINER.var("accel"), 1.0)
    h = state["liner_height_mm"] - liner_wear_mm(rate, throughput_ratio, dt_h)
    state["liner_height_mm"] = np.maximum(h, 0.0)


def trunnion_stress(p: ParamArrays, reference_filling: float, speed_ratio: F64) -> F64:
    """Ageing rate of the trunnion bearing, ISO 281 roller law on load and speed [–] [A].

    The load is the dead weight plus a charge proportional to the filling. The load controller
    holds the filling at its set-point (σ 0.012 moves the mean rate by < 0.1 %), so the rate is
    taken at the set-point, once per twin: 1 for the reference mill. ISO 281 is a rolling-
    bearing law; for a hydrostatic trunnion it stands in as the load-life covariate [A].
    """
    fill = p["filling_setpoint_frac"]
    load = trunnion_load_ratio(fill, reference_filling, p["trunnion_dead_load_frac"])
    return rating_life_ageing(load, speed_ratio, ROLLER_EXPONENT)


def wear_excess(
    charge_kw: F64, liner_factor: F64, wear: Condition, drive_eff: F64, hours: float
) -> dict[str, F64]:
    """Electricity [kWh] of the tick a healthy mill milling the same tonnes would not have used,
    by mode (`excess/electricity_kwh/<mode>`; formulas in `physics.mill.wear_electricity_kw`).
    A stopped mill has no charge power or friction, so it reports 0."""
    parts = wear_electricity_kw(
        charge_kw, liner_factor, wear.excess_friction_kw, wear.drive_efficiency, drive_eff
    )
    return {
        f"excess/electricity_kwh/{m.name}": kw * hours
        for m, kw in zip((TRUNNION_BEARING, LINER, GEARBOX), parts, strict=True)
        if kw.any()  # a mode no twin of the batch shows this tick: no entry (0 for all)
    }
