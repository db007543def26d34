"""The grinding MILL kind: a Cadia-like 20 MW SAG mill.

Per tick: ore hardness (Bond work index) and charge filling wander as Ornstein-Uhlenbeck processes;
the power hump turns the filling into power (Austin magnitude × Hulbert shape, as in le Roux's
MillSim); Bond turns that power into throughput; friction heats the trunnion bearing and its lube
oil (Daigle & Goebel 2013 structure); damage raises friction and vibration (ISO 10816-3 zones). The
lifters wear with throughput here (Yahyaei & Banisi 2010); the failure-mode layer
(`twins.mill.modes`) grows the bearing and gearbox damage. A mill that is not available is stopped:
no feed, no power, no electricity, its charge and ore held, its bearing and oil cooling towards
ambient. Its lube and jacking pumps are not counted either (a down twin uses exactly nothing in the
contract; they would draw a few tens of kW of the 250 kW auxiliary load). The design operating
point draws the motor's rating (Cadia: 20 MW at 25 % charge, 8 % balls, 74 % of critical); the
rating caps the power, and holding the mill below its design draw is a derate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
from numpy.typing import NDArray
from pydantic import model_validator

from aurum.physics.common import decay, ou_kick, ou_step_by
from aurum.physics.mill import (
    austin_length_for_power_m,
    austin_power_kw,
    bearing_oil_update_c,
    bearing_steady_rise_k,
    bond_specific_energy_kwh_t,
    bond_throughput_tph,
    critical_speed_rpm,
    hulbert_filling_at_pmax,
    hulbert_load_shape,
    liner_energy_factor,
    liner_power_factor,
    liner_wear_excess,
    liner_wear_pct,
    thermal_decay,
)
from aurum.twins.failures import FailureMode
from aurum.twins.kind import (
    ELECTRICITY,
    F64,
    Channel,
    Kind,
    State,
    StateVar,
    Status,
    TickContext,
    TickOutput,
)
from aurum.twins.mill.modes import (
    ANOMALIES,
    MODES,
    Condition,
    Mask,
    MillConditionParams,
    hold,
    initial_liner_mm,
    stopped_twins,
    trunnion_stress,
    wear_excess,
    wear_liner,
    zero,
)
from aurum.twins.params import KindParams, ParamArrays, param
from aurum.twins.rng import Streams
from aurum.twins.site import Environment

CADIA = "Boughey, Svalbonas & Jones, SME 2000 (Cadia SAG)"
CADIA_DESIGN = "Hart, Valery, Clements, Reed, Song & Dunne, SAG 2001 (Cadia Hill SAG design)"
MILLSIM = "le Roux mill, Robbie1/MillSim Mill_Model.py"

# Reference machine: Cadia's 40 ft, 20 MW gearless SAG (Boughey et al. 2000) at its stated design
# operating point: 2,065 t/h of monzonite ore at a ball charge of 8 %, a total charge of 25 % and
# 74 % of critical speed (Hart et al. 2001) [V].
DIAMETER_M = 12.2
MOTOR_RATING_KW = 20_000.0
SPEED_FRAC = 0.74
FILLING = 0.25
BALL_FILLING = 0.08
BALL_DENSITY = 7.85
ORE_DENSITY = 2.7
POROSITY = 0.3
SOLIDS_FRAC = 0.7
WORK_INDEX = 15.1
F80_UM = 150_000.0
P80_UM = 1_500.0

# The design operating point draws the motor's rating [D]: Austin's form is linear in L, so the
# effective length is the one at which it gives 20 MW at Hart et al.'s point,
#   L_eff = 20,000 kW / Austin(D 12.2, L 1, J 0.25, φ 0.74, Jb 0.08, ...)   ≈ 7.88 m.
# Austin with the quoted 40 ft × 20 ft shell (L 6.1 m) gives 15,479 kW there, 77 % of the rating:
# the 1.29 between them lumps what the form leaves out (conical ends, and the losses between the
# charge and the motor: Morrell's gross/net factor is 1.26 for industrial mills, Met Dynamics wiki
# "Tumbling Mill (Power, Morrell Continuum)").
LENGTH_M = round(
    float(
        austin_length_for_power_m(
            MOTOR_RATING_KW, DIAMETER_M, filling=FILLING, speed_frac=SPEED_FRAC,
            porosity=POROSITY, solids_frac=SOLIDS_FRAC, ball_filling=BALL_FILLING,
            ball_density_t_m3=BALL_DENSITY, ore_density_t_m3=ORE_DENSITY,
        )
    ),
    2,
)  # fmt: skip

# ∏f then follows from the rating and the design rate, nothing fitted [D]:
#   Q_design = 17 Mt/a / (8760 h/a × 0.94 availability)   ≈ 2,064.5 t/h (Hart et al.: 2,065 t/h)
#   P_design = Austin(L_eff) at the design point           ≈ 20,000 kW = the motor's rating
#   W        = 10·15.1·(1/√1500 − 1/√150000)                ≈ 3.509 kWh/t
#   ∏f       = P_design / (W·Q_design)                      ≈ 2.760
# i.e. 9.69 kWh/t of SAG energy at the design point; ∏f ≈ 2.8 is consistent with Rowland's
# oversize-feed factor for SAG feed far above the optimum F80 (EF4 ≈ 4 at F80/P80 = 100), i.e.
# Bond's ball-mill Wi under-predicts SAG energy.
DESIGN_TPH = 17.0e6 / (8760.0 * 0.94)
DESIGN_POWER_KW = float(
    austin_power_kw(
        DIAMETER_M, LENGTH_M, filling=FILLING, speed_frac=SPEED_FRAC, porosity=POROSITY,
        solids_frac=SOLIDS_FRAC, ball_filling=BALL_FILLING, ball_density_t_m3=BALL_DENSITY,
        ore_density_t_m3=ORE_DENSITY,
    )
)  # fmt: skip
EFFICIENCY_PRODUCT = round(
    DESIGN_POWER_KW / (float(bond_specific_energy_kwh_t(WORK_INDEX, F80_UM, P80_UM)) * DESIGN_TPH),
    3,
)
# The mill reports DERATED when the motor holds it below its design draw (a rating below the
# design, or a damaged bearing's friction taking part of it); clipping an excursion above the
# design at the rating is full capacity. The margin is the drive power meter's accuracy [A].
DERATE_MARGIN_FRAC = 0.0025


class MillParams(MillConditionParams):
    """Parameters of one mill; defaults are a Cadia-like 20 MW SAG."""

    diameter_m: float = param(DIAMETER_M, "m", CADIA, "V", "Inside shell diameter", ge=2, le=14)
    length_m: float = param(
        LENGTH_M, "m", f"20 MW ({CADIA}) at the design point ({CADIA_DESIGN}) through Austin",
        "D", "Effective length of Austin's form (40 ft × 20 ft shell quoted)", ge=1, le=15,
    )  # fmt: skip
    motor_rating_kw: float = param(
        MOTOR_RATING_KW, "kW", CADIA, "V", "Motor rating", ge=500, le=40_000
    )
    speed_frac_critical: float = param(
        SPEED_FRAC, "1", f"{CADIA_DESIGN}: 74 % of critical; Hulbert's J_Pmax fit sinks above 0.78",
        "V", "Mill speed as a fraction of critical speed", ge=0.6, le=0.78,
    )  # fmt: skip
    filling_setpoint_frac: float = param(
        FILLING, "1", f"{CADIA_DESIGN}: total charge 25 %", "V",
        "Total charge filling J the load controller holds", ge=0.15, le=0.45,
    )  # fmt: skip
    filling_sd_frac: float = param(
        0.012, "1", "load-controller residual", "A", "Stationary std of J", ge=0, le=0.02
    )
    filling_tau_min: float = param(
        20.0, "min", "load-controller residual", "A", "Correlation time of J", gt=0, le=600
    )
    ball_filling_frac: float = param(
        BALL_FILLING, "1", f"{CADIA_DESIGN}: ball charge 8 %", "V", "Ball filling Jb", ge=0, le=0.3
    )
    ball_density_t_m3: float = param(BALL_DENSITY, "t/m3", MILLSIM, "V", ge=7, le=8)
    ore_density_t_m3: float = param(
        ORE_DENSITY, "t/m3", "typical hard-rock ore", "A", "Ore solids density", ge=2, le=5
    )
    charge_porosity_frac: float = param(POROSITY, "1", MILLSIM, "V", ge=0.2, le=0.5)
    slurry_solids_frac: float = param(
        SOLIDS_FRAC, "1", MILLSIM, "V", "Mass fraction of ore in the slurry w_c", ge=0.4, le=0.9
    )
    work_index_kwh_t: float = param(
        WORK_INDEX, "kWh/t", "NI 43-101 test work, gold ores 15.1-16.6", "V",
        "Mean Bond ball-mill work index (per metric tonne)", gt=3, le=40,
    )  # fmt: skip
    work_index_sd_frac: float = param(
        0.08, "1", "ore-blend variability", "A", "Stationary std of Wi / mean", ge=0, le=0.15
    )
    work_index_tau_h: float = param(
        4.0, "h", "ore-blend variability", "A", "Correlation time of Wi", gt=0, le=240
    )
    f80_um: float = param(
        F80_UM, "µm", "primary-crusher product (SAG feed)", "A", "Feed 80 % passing size",
        gt=1_000, le=300_000,
    )  # fmt: skip
    p80_um: float = param(
        P80_UM, "µm", "SAG transfer size to ball mills", "A", "Product 80 % passing size",
        gt=50, le=20_000,
    )  # fmt: skip
    efficiency_product: float = param(
        EFFICIENCY_PRODUCT, "1", "20 MW at 2,065 t/h (17 Mt/a at 94 %, Cadia) over Bond's W",
        "D", "Bond/Rowland efficiency-factor product ∏f", gt=0.2, le=10,
    )  # fmt: skip
    drive_efficiency_frac: float = param(
        0.955, "1", "gearless ring motor + cycloconverter", "A", "Motor + drive efficiency",
        gt=0.5, le=1,
    )  # fmt: skip
    auxiliary_kw: float = param(
        250.0, "kW", "lube and hydrostatic pumps, cooling fans", "A", "Auxiliary load",
        ge=0, le=2_000,
    )  # fmt: skip

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ball_filling_frac >= self.filling_setpoint_frac:
            raise ValueError(
                f"ball_filling_frac {self.ball_filling_frac} must be below "
                f"filling_setpoint_frac {self.filling_setpoint_frac}"
            )
        if self.p80_um >= self.f80_um:
            raise ValueError(f"p80_um {self.p80_um} must be below f80_um {self.f80_um}")
        return self


@dataclass(frozen=True, slots=True)
class OU:
    """Exact Ornstein-Uhlenbeck step with its coefficients precomputed (physics.common.ou_step)."""

    mean: F64
    decay: F64  # exp(−dt/τ)
    kick: F64  # σ·√(1 − decay²)

    @classmethod
    def of(cls, mean: F64, sd: F64, tau_s: F64, dt_s: float) -> OU:
        a = decay(dt_s, tau_s)
        return cls(mean, a, ou_kick(sd, a))

    def step(self, x: F64, z: F64) -> F64:
        return ou_step_by(x, self.mean, self.decay, self.kick, z)


@dataclass(frozen=True, slots=True)
class Constants:
    """Per-twin quantities fixed by the parameters and the tick length, computed once."""

    wi: OU
    filling: OU
    filling_at_pmax: F64
    design_kw: F64  # Austin power at the set-point filling and speed (the design draw)
    power_scale_kw: F64  # Austin design power / Hulbert load shape at the design filling
    design_tph: F64  # Bond throughput at the design power and mean ore
    bond_kwh_t_per_wi: F64
    speed_rpm: F64
    trunnion_stress: F64  # ageing rate of the trunnion bearing (ISO 281)
    bearing_decay: F64
    oil_decay: F64

    @classmethod
    def of(cls, p: ParamArrays, dt_s: float) -> Constants:
        phi, fill = p["speed_frac_critical"], p["filling_setpoint_frac"]
        design = austin_power_kw(
            p["diameter_m"], p["length_m"], filling=fill, speed_frac=phi,
            porosity=p["charge_porosity_frac"], solids_frac=p["slurry_solids_frac"],
            ball_filling=p["ball_filling_frac"], ball_density_t_m3=p["ball_density_t_m3"],
            ore_density_t_m3=p["ore_density_t_m3"],
        )  # fmt: skip
        j_pmax = hulbert_filling_at_pmax(phi)
        speed = phi * critical_speed_rpm(p["diameter_m"])
        wi = p["work_index_kwh_t"]
        bond = bond_specific_energy_kwh_t(1.0, p["f80_um"], p["p80_um"])
        h_bearing = p["bearing_to_ambient_kw_k"] + p["bearing_to_oil_kw_k"]
        h_oil = p["bearing_to_oil_kw_k"] + p["oil_cooler_kw_k"]
        return cls(
            wi=OU.of(wi, wi * p["work_index_sd_frac"], p["work_index_tau_h"] * 3600.0, dt_s),
            filling=OU.of(fill, p["filling_sd_frac"], p["filling_tau_min"] * 60.0, dt_s),
            filling_at_pmax=j_pmax,
            design_kw=design,
            power_scale_kw=design / hulbert_load_shape(fill, j_pmax),
            design_tph=bond_throughput_tph(design, wi * bond, p["efficiency_product"]),
            bond_kwh_t_per_wi=bond,
            speed_rpm=speed,
            trunnion_stress=trunnion_stress(p, FILLING, phi / SPEED_FRAC),
            bearing_decay=thermal_decay(dt_s, h_bearing, p["bearing_heat_capacity_kj_k"]),
            oil_decay=thermal_decay(dt_s, h_oil, p["oil_heat_capacity_kj_k"]),
        )


STATE_VARS = (
    StateVar("work_index_kwh_t", "kWh/t", "Bond work index of the ore being milled"),
    StateVar("charge_filling_frac", "1", "Total charge filling J (volume fraction)"),
    StateVar("trunnion_bearing_temp_c", "°C", "Trunnion bearing temperature"),
    StateVar("lube_oil_temp_c", "°C", "Lube oil temperature"),
    StateVar("liner_height_mm", "mm", "Lifter height (new = lifter_height_new_mm)"),
    StateVar("bearing_damage_frac", "1", "Trunnion bearing damage, 0 healthy to 1 failed"),
    StateVar("gearbox_damage_frac", "1", "Gearbox / pinion damage, 0 healthy to 1 failed"),
)
_A = "assumed [A]"
SENSORS = (
    Channel("mill_speed_rpm", "rpm", "Mill speed", 0.02, lo=0, source=f"drive encoder, {_A}"),
    Channel("motor_power_kw", "kW", "Power the motor delivers to the mill", 50.0, lo=0,
            source=f"drive power meter ±0.25 %, {_A}"),
    Channel("charge_filling_pct", "%", "Total charge filling J", 1.0, lo=0, hi=100,
            source=f"load cells / bearing pressure inference, {_A}"),
    Channel("feed_rate_tph", "t/h", "Fresh ore feed rate", 20.0, lo=0,
            source=f"belt weigher ±1 %, {_A}"),
    Channel("specific_energy_kwh_t", "kWh/t", "Mill power per tonne fed", 0.1, lo=0,
            source=f"power over feed rate, {_A}"),
    Channel("trunnion_bearing_temp_c", "°C", "Trunnion bearing temperature (alarm 70, trip 75)",
            0.3, source=f"RTD; thresholds Holcim deck [V], noise {_A}"),
    Channel("lube_oil_temp_c", "°C", "Lube oil temperature", 0.3, source=f"RTD, {_A}"),
    Channel("trunnion_vibration_mm_s", "mm/s", "Trunnion bearing velocity RMS (ISO 10816-3)",
            0.1, lo=0, source=f"accelerometer, {_A}"),
    Channel("pinion_vibration_mm_s", "mm/s", "Drive/pinion velocity RMS (ISO 10816-3)", 0.1,
            lo=0, source=f"accelerometer, {_A}"),
    Channel("liner_wear_pct", "%", "Share of the new lifter height worn (alarm 70 %)", 1.0,
            lo=0, hi=100, source=f"liner scans / wear model, noise {_A}"),
    Channel("ambient_temp_c", "°C", "Ambient air temperature", 0.2, source=f"RTD, {_A}"),
)  # fmt: skip


class Mill(Kind):
    """Grinding MILL: SAG/ball mill, electric drive, power-hump and Bond throughput."""

    name: ClassVar[str] = "mill"
    label: ClassVar[str] = "MILL"
    description: ClassVar[str] = (
        "Grinding mill (Cadia-like 20 MW SAG): Austin × Hulbert power, Bond throughput, "
        "trunnion bearing heat and vibration, liner wear, gearbox vibration and losses"
    )
    Params: ClassVar[type[KindParams]] = MillParams
    state_vars: ClassVar[tuple[StateVar, ...]] = STATE_VARS
    sensors: ClassVar[tuple[Channel, ...]] = SENSORS
    activity: ClassVar[tuple[Channel, ...]] = (
        Channel("electricity_kwh", "kWh", "Electricity used (motor input + auxiliaries)",
                category=ELECTRICITY),
    )  # fmt: skip
    production: ClassVar[Channel] = Channel("ore_milled_t", "t", "Ore milled during the tick")
    failure_modes: ClassVar[tuple[FailureMode, ...]] = MODES
    anomalies: ClassVar[dict[str, tuple[str, str]]] = ANOMALIES

    def __init__(self) -> None:
        self._cache: tuple[ParamArrays, float, Constants] | None = None

    def constants(self, params: ParamArrays, dt_s: float) -> Constants:
        """Per-twin constants, cached while the same parameter arrays and tick are used."""
        hit = self._cache
        if hit is not None and hit[0] is params and hit[1] == dt_s:
            return hit[2]
        consts = Constants.of(params, dt_s)
        self._cache = (params, dt_s, consts)
        return consts

    def initial(self, params: ParamArrays, env: Environment, rng: Streams) -> State:
        p = params
        wi_mean, wi_sd = p["work_index_kwh_t"], p["work_index_kwh_t"] * p["work_index_sd_frac"]
        ambient = env.per_twin([s.climate.ambient_mean_c for s in env.sites])
        rise_b, rise_oil = bearing_steady_rise_k(
            p["bearing_friction_heat_kw"], p["bearing_to_ambient_kw_k"], p["bearing_to_oil_kw_k"],
            p["oil_cooler_kw_k"],
        )  # fmt: skip
        zeros = np.zeros_like(wi_mean)
        return {
            "work_index_kwh_t": wi_mean + wi_sd * rng.normal("init/wi", 0),
            "charge_filling_frac": p["filling_setpoint_frac"]
            + p["filling_sd_frac"] * rng.normal("init/filling", 0),
            "trunnion_bearing_temp_c": ambient + rise_b,
            "lube_oil_temp_c": ambient + rise_oil,
            "liner_height_mm": initial_liner_mm(
                p["lifter_height_new_mm"], rng.uniform_each("init/liner", zeros.astype(np.int64))
            ),
            "bearing_damage_frac": zeros,
            "gearbox_damage_frac": zeros.copy(),
        }

    def step(
        self, state: State, params: ParamArrays, env: Environment, ctx: TickContext, rng: Streams
    ) -> TickOutput:
        c, hours = self.constants(params, ctx.dt_s), ctx.dt_s / 3600.0
        off = stopped_twins(ctx.available)  # None while every mill runs
        wi, filling = self._wander(state, c, ctx, rng, off)
        wear = Condition.of(state, params, off)
        charge, feed, capped, liner = self._grind(
            state, params, c, wi, filling, wear.excess_friction_kw
        )
        power = charge + wear.excess_friction_kw
        drive = params["drive_efficiency_frac"] * wear.drive_efficiency
        electricity = (power / drive + params["auxiliary_kw"]) * hours
        speed, energy = c.speed_rpm.copy(), power / feed
        zero(off, charge, power, feed, electricity, speed, energy)
        bearing, oil = self._heat(state, params, c, ctx, wear.friction_kw)
        throughput = feed / c.design_tph
        wear_liner(state, params, throughput, hours)
        sensors = {
            "mill_speed_rpm": speed,
            "motor_power_kw": power,
            "charge_filling_pct": filling * 100.0,
            "feed_rate_tph": feed,
            "specific_energy_kwh_t": energy,
            "trunnion_bearing_temp_c": bearing,
            "lube_oil_temp_c": oil,
            "trunnion_vibration_mm_s": wear.trunnion_vibration_mm_s,
            "pinion_vibration_mm_s": wear.pinion_vibration_mm_s,
            "liner_wear_pct": liner_wear_pct(
                state["liner_height_mm"], params["lifter_height_new_mm"]
            ),
            "ambient_temp_c": ctx.ambient_c,
        }
        status = np.multiply(capped, Status.DERATED, dtype=np.int8)
        if off is not None:
            status[off] = Status.STANDBY
        # load-sensitive ageing: ISO 281 for the bearing; the liner ages in tonnes
        extra = {"stress/trunnion_bearing": c.trunnion_stress, "stress/liner": throughput}
        extra |= wear_excess(charge, liner, wear, params["drive_efficiency_frac"], hours)
        return TickOutput(sensors, {"electricity_kwh": electricity}, feed * hours, status, extra)

    @staticmethod
    def _wander(
        state: State, c: Constants, ctx: TickContext, rng: Streams, off: Mask | None
    ) -> tuple[F64, F64]:
        """Ore hardness and charge filling one tick on (OU); held while the mill is stopped."""
        for name, ou, purpose in (
            ("work_index_kwh_t", c.wi, "wi"),
            ("charge_filling_frac", c.filling, "filling"),
        ):
            x = state[name]
            state[name] = hold(off, ou.step(x, rng.normal(purpose, ctx.tick)), x)
        return state["work_index_kwh_t"], state["charge_filling_frac"]

    @staticmethod
    def _grind(
        state: State, p: ParamArrays, c: Constants, wi: F64, filling: F64, excess_kw: F64
    ) -> tuple[F64, F64, NDArray[np.bool_], F64]:
        """Power into the charge [kW], the feed rate Bond allows [t/h], whether the motor
        held the mill below its design draw (a derate: a rating below the design, or the
        friction of a damaged bearing taking part of it) and the liner's kWh/t factor.

        An excursion of the charge above the design point is clipped at the rating: the mill
        then draws its design power, full capacity, not a derate.
        """
        excess = liner_wear_excess(
            state["liner_height_mm"], p["lifter_height_new_mm"], p["liner_knee_frac"]
        )
        hump = c.power_scale_kw * hulbert_load_shape(filling, c.filling_at_pmax)
        wanted = hump * liner_power_factor(excess, p["liner_power_loss_frac"])
        limit = p["motor_rating_kw"] - excess_kw
        power = np.minimum(wanted, limit)
        liner = liner_energy_factor(excess, p["liner_energy_penalty_frac"])
        feed = bond_throughput_tph(power, wi * c.bond_kwh_t_per_wi, p["efficiency_product"] * liner)
        below_design = limit < c.design_kw * (1.0 - DERATE_MARGIN_FRAC)
        return power, feed, (wanted > limit) & below_design, liner

    @staticmethod
    def _heat(
        state: State, p: ParamArrays, c: Constants, ctx: TickContext, friction_kw: F64
    ) -> tuple[F64, F64]:
        """Trunnion bearing and lube oil temperatures at the end of the tick [°C]; a stopped
        mill makes no friction heat, so both relax exactly towards ambient."""
        bearing, oil = bearing_oil_update_c(
            state["trunnion_bearing_temp_c"], state["lube_oil_temp_c"],
            friction_kw=friction_kw, ambient_c=ctx.ambient_c,
            to_ambient_kw_k=p["bearing_to_ambient_kw_k"], to_oil_kw_k=p["bearing_to_oil_kw_k"],
            cooler_kw_k=p["oil_cooler_kw_k"], bearing_decay=c.bearing_decay,
            oil_decay=c.oil_decay,
        )  # fmt: skip
        state["trunnion_bearing_temp_c"], state["lube_oil_temp_c"] = bearing, oil
        return bearing, oil
