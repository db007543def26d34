"""How a loading unit (CAT 6060-class face shovel) wears out and fails, and what wear costs.

Three modes, each driving a health variable `twins.loader.model.Loader` reads:
- `teeth` (usage): the bucket's teeth wear with the tonnes dug (a change-out every ≈ 255,000 t
  at Morenci, Chow 2011 [V]); blunt teeth fill the bucket less, so a truck needs more passes
  and every tonne more engine time; changed at the wear limit.
- `hydraulic_pump` (Weibull age, linear wear): the main pumps leak more (the case drain grows,
  the classic sign of pump wear [V]); the flow-limited motions slow down, so each pass takes
  longer and burns more fuel per tonne, and the leakage heats the oil.
- `swing_drive` (Weibull age, exponential damage, ageing with swing duty): slew ring and swing
  gearbox damage; vibration climbs the ISO 10816-3 zones and friction takes engine power.
Here too: the parameters of the shovel's condition (`LoaderConditionParams`, a base of
`LoaderParams`), the reference shovel whose defaults the limits are derived from, and what the
damage does this tick (`Condition`). Figures carry their source and tag (V seen, D derived,
A assumed); docs/sources.md gathers them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aurum.physics.loader import (
    ISO_10816_G2_RIGID_MM_S,
    case_drain_lph,
    loading_power_kw,
    loading_rate_tph,
    pass_payload_t,
    pump_leakage_frac,
    swing_cycle_s,
    worn_fill_frac,
)
from aurum.twins.failures import FailureMode
from aurum.twins.kind import F64, State
from aurum.twins.params import KindParams, ParamArrays, param

_MORENCI = "Morenci tooth study (Chow, 'Wearing it well', World Coal, Aug 2011)"
_6060_AC = "Caterpillar 6060 AC FS specifications (Warren CAT); the diesel 6060 taken alike"
_HP = "Hydraulics & Pneumatics, 'Case drain' (1 → 1.5 → 2 GPM: pump wear)"

# The reference shovel and its standalone duty: the defaults of `LoaderParams` [V/A]; MineLab's
# CAT 6060 + 793F example (argenismarin/MineLab examples/10_equipment_fleet.py)
BUCKET_M3 = 34.0  # MineLab's CAT 6060 [V]
FILL_FRAC = 0.85  # MineLab [V]
BANK_DENSITY_T_M3 = 2.6  # MineLab [V]
SWELL_FRAC = 0.30  # bank → loose, a common ore figure [A] (as the truck kind's)
SWING_S = 28.0  # MineLab [V]
UTILISATION_FRAC = 0.7  # share of its time a standalone shovel loads trucks [A]
PUMP_FLOW_L_MIN = 4 * 925.0  # main pumps, 6060 AC FS [V]
PUMP_LEAK_NEW_FRAC = 0.06  # η_v 94 % of a healthy piston pump (hoseandfittings.com) [V]
# tonnes an hour the reference shovel loads at its standalone duty ≈ 5,200 t/h [D] (MineLab's
# example plans 5,000 t/h for it)
REFERENCE_TPH = UTILISATION_FRAC * float(
    loading_rate_tph(pass_payload_t(BUCKET_M3, FILL_FRAC, BANK_DENSITY_T_M3, SWELL_FRAC), SWING_S)
)

TOOTH_LIFE_T = 255_000.0  # Morenci's change-out interval in tonnes shovelled [V]
TOOTH_ALARM_PCT = 100.0 * 200_000.0 / TOOTH_LIFE_T  # Morenci's advice: change at 200,000 t [D]
CASE_DRAIN_ALARM = 1.5 * float(case_drain_lph(PUMP_LEAK_NEW_FRAC, PUMP_FLOW_L_MIN))  # [V/D]
_AB, SWING_ALARM_MM_S, _CD = ISO_10816_G2_RIGID_MM_S
# MTTR classes [A]: major component change 24–72 h read as the 95 % range of a lognormal [D]
MAJOR_H, CLASS_SIGMA = math.sqrt(24.0 * 72.0), math.log(3.0) / 3.92


class LoaderConditionParams(KindParams):
    """The shovel's hydraulics and its wear and damage, and what they do."""

    tooth_life_t: float = param(
        TOOTH_LIFE_T, "t", f"{_MORENCI}: change-out every 255,000 t", "V",
        "tonnes dug from new teeth to the change-out limit", gt=0, le=5e6,
    )  # fmt: skip
    tooth_fill_loss_frac: float = param(
        0.12, "-", "worn teeth dig less (Chow 2011, qualitative)", "A",
        "share of the fill factor lost at the tooth wear limit", ge=0, le=0.5,
    )  # fmt: skip
    pump_flow_l_min: float = param(
        PUMP_FLOW_L_MIN, "L/min", f"{_6060_AC}: main pumps 4 × 925 L/min", "V",
        "theoretical flow of the main pumps", gt=0, le=20_000,
    )  # fmt: skip
    working_pressure_bar: float = param(
        250.0, "bar", "below the 310 bar of Cat shovel circuits (Cat 6020 specifications)", "A",
        "mean working pressure of the main pumps while loading", gt=0, le=400,
    )  # fmt: skip
    pump_leakage_new_frac: float = param(
        PUMP_LEAK_NEW_FRAC, "-", "η_v 94 % (hoseandfittings.com, pump overhaul)", "V",
        "internal leakage of new pumps, share of theoretical flow", ge=0, le=0.3,
    )  # fmt: skip
    pump_leakage_worn_ratio: float = param(
        3.0, "-", f"alarm at 1.5 × ({_HP}); failed at 3 ×", "A",
        "case-drain flow at pump wear 1 over new", ge=1, le=10,
    )  # fmt: skip
    circuit_loss_frac: float = param(
        0.20, "-", "valve throttling and line losses", "A",
        "share of the loading power heating the oil, leakage apart", ge=0, le=0.6,
    )  # fmt: skip
    oil_cooler_kw_k: float = param(
        8.0, "kW/K", "sized: oil ≈ ambient + 35 K at the standalone duty", "A",
        "hydraulic oil cooler UA", gt=0, le=100,
    )  # fmt: skip
    hydraulic_oil_l: float = param(
        9_400.0, "L", f"{_6060_AC}: total hydraulic oil ≈ 2,483 US gal", "V",
        "hydraulic oil in circulation (its thermal mass)", gt=0, le=50_000,
    )  # fmt: skip
    swing_vib_base_mm_s: float = param(
        1.2, "mm/s", "ISO 10816-3 Group 2 rigid zone A < 1.4", "A",
        "healthy swing-drive vibration", ge=0, le=1.4,
    )  # fmt: skip
    swing_vib_gain_mm_s: float = param(
        4.5, "mm/s", "damage 1 past ISO 10816-3 Group 2 rigid C/D 4.5", "A",
        "swing-drive vibration added at damage 1", ge=0, le=20,
    )  # fmt: skip
    swing_friction_kw: float = param(
        150.0, "kW", "≈ 10 % of the loading power (Daigle & Goebel friction form)", "A",
        "swing-drive friction at damage 1, while loading", ge=0, le=1_000,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Condition:
    """What the wear does to the shovel this tick (from its health at the tick's start)."""

    fill_frac: F64  # bucket fill factor with the teeth as worn
    leak_frac: F64  # main-pump leakage, share of the theoretical flow
    swing_s: F64  # pass cycle time with the pumps as worn [s]
    loading_kw: F64  # engine output while loading, swing friction included
    healthy_loading_kw: F64  # the same with a healthy swing drive

    @classmethod
    def of(cls, state: State, p: ParamArrays, rated_kw: F64, load_frac: F64) -> Condition:
        leak_new = p["pump_leakage_new_frac"]
        leak = pump_leakage_frac(leak_new, p["pump_leakage_worn_ratio"], state["pump_wear_frac"])
        no_damage = np.zeros_like(rated_kw)
        return cls(
            fill_frac=worn_fill_frac(
                p["bucket_fill_frac"], state["tooth_wear_frac"], p["tooth_fill_loss_frac"]
            ),
            leak_frac=leak,
            swing_s=swing_cycle_s(p["swing_s"], leak_new, leak),
            loading_kw=loading_power_kw(
                rated_kw, load_frac, p["swing_friction_kw"], state["swing_damage_frac"]
            ),
            healthy_loading_kw=loading_power_kw(rated_kw, load_frac, 0.0, no_damage),
        )


# `healthy`/`failed_at` are a share of the way to the change-out limit, so twins with another
# `tooth_life_t` share the mode (the kind wears it per tonne over their own life).
TEETH = FailureMode(
    name="teeth",
    component="bucket teeth (GET)",
    description=(
        "Teeth wear with the tonnes dug: the bucket fills less, trucks need more passes and "
        "each tonne more engine time; changed at the wear limit"
    ),
    health="tooth_wear_frac",
    healthy=0.0,
    failed_at=1.0,
    law="usage",
    source=(
        f"{_MORENCI}: change-out every 255,000 t, advised 200,000 t (alarm at 78 % [D]); "
        "unplanned change-out 0.78 h of lost production, nine teeth US$300 each plus US$300 "
        "labour = US$3,000 [V]; fill lost at the limit 12 % [A]; planned change 0.5 h [A]"
    ),
    initial_age_frac=0.5,  # the fleet starts with teeth up to half worn (Loader.initial)
    life_h=TOOTH_LIFE_T / REFERENCE_TPH,  # ≈ 49 h at the reference duty (its age's unit)
    symptom="tooth_wear_pct",
    alarm=TOOTH_ALARM_PCT,
    mttr_h=0.78,
    mttr_sigma=0.3,
    pm_h=0.5,
    parts_usd=3_000.0,
    pm_parts_usd=3_000.0,
)

HYDRAULIC_PUMP = FailureMode(
    name="hydraulic_pump",
    component="main hydraulic pumps",
    description=(
        "Main-pump wear: internal leakage (case drain) grows, the motions slow, each pass "
        "takes longer and burns more fuel per tonne; the leakage heats the oil"
    ),
    health="pump_wear_frac",
    healthy=0.0,
    failed_at=1.0,  # case drain 3 × new, η_v 82 %: the pumps are changed [A]
    law="linear",
    source=(
        "η_v 94 % new (hoseandfittings.com, 'Is it time for a pump overhaul?' [V]); case drain "
        f"alarm at 1.5 × its new flow ({_HP} [V]), failed at 3 × [A]; β 2 (1–4: early wear-out, "
        "PTC Windchill Weibull guide [V]), η 12,000 h and D 3,000 h (alarm ≈ 2,250 h ahead) "
        "[A]; ages with loading duty [A]; MTTR 12 h, parts [A]"
    ),
    beta=2.0,
    eta_h=12_000.0,
    duration_h=3_000.0,
    spread=0.4,
    symptom="case_drain_lph",
    alarm=CASE_DRAIN_ALARM,
    mttr_h=12.0,
    mttr_sigma=0.4,
    pm_h=10.0,
    parts_usd=120_000.0,
    pm_parts_usd=100_000.0,
)

SWING_DRIVE = FailureMode(
    name="swing_drive",
    component="swing drive and slew ring",
    description=(
        "Slew-ring and swing-gearbox damage: swing-drive vibration climbs the ISO 10816-3 "
        "zones, friction takes engine power while loading"
    ),
    health="swing_damage_frac",
    healthy=0.0,
    failed_at=1.0,
    law="exp",
    source=(
        "β 1.4 for bearings (η ≈ 5·L10, Barringer, Problem of the Month, Apr 2001 [V/D]), "
        "η 30,000 h [A]; ages with swing duty [A]; flat-then-exponential (MathWorks "
        "exponential degradation form [A]); alarm at ISO 10816-3 Group 2 rigid B/C 2.8 mm/s "
        "[V]; D 4,000 h puts it ≈ 4–8 weeks ahead (a rolling bearing's P-F, epsumlabs [V]) "
        "[D]; friction, Daigle & Goebel form [A]; MTTR major class 24–72 h, parts [A]"
    ),
    beta=1.4,
    eta_h=30_000.0,
    duration_h=4_000.0,
    curvature=4.0,
    symptom="swing_vibration_mm_s",
    alarm=SWING_ALARM_MM_S,
    mttr_h=MAJOR_H,
    mttr_sigma=CLASS_SIGMA,
    pm_h=24.0,
    parts_usd=250_000.0,
    pm_parts_usd=80_000.0,
)

MODES = (TEETH, HYDRAULIC_PUMP, SWING_DRIVE)
ANOMALIES = {
    "vibration_spike": ("sensor", "swing_vibration_mm_s"),
    "temperature_drift": ("mode", HYDRAULIC_PUMP.name),
    "co2_excess": ("mode", HYDRAULIC_PUMP.name),
}


def initial_tooth_wear(u: F64) -> F64:
    """A fleet mid-life: teeth between new and half way to the limit, u ~ U(0, 1) [-]."""
    return TEETH.initial_age_frac * u


def wear_teeth(state: State, p: ParamArrays, tonnes: F64) -> None:
    """Wear the teeth by the tonnes dug this tick, in place (a stopped shovel digs nothing).

    An injection's `accelerate` (the failure layer's `teeth_accel`) multiplies the rate.
    """
    rate = state.get(TEETH.var("accel"), 1.0) / p["tooth_life_t"]
    state["tooth_wear_frac"] = state["tooth_wear_frac"] + tonnes * rate
