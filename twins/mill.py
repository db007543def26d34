"""The grinding MILL kind: a Cadia-like 20 MW SAG mill (machines.md §3).

Per tick: ore hardness (Bond work index) and charge filling wander as Ornstein-Uhlenbeck
processes; the power hump turns the filling into power (Austin magnitude × Hulbert shape, §3.4);
Bond turns that power into throughput (§3.3); friction heats the trunnion bearing and its lube
oil (Daigle & Goebel structure, §5.4); damage raises friction and drive vibration (§5.3).
Degradation states (`liner_height_mm`, `bearing_damage_frac`, `gearbox_damage_frac`) are already
read by the physics and held constant here; the failure-mode layer grows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
from pydantic import model_validator

from physics.mill import (
    austin_power_kw,
    bearing_friction_kw,
    bearing_oil_update_c,
    bearing_steady_rise_k,
    bond_specific_energy_kwh_t,
    bond_throughput_tph,
    critical_speed_rpm,
    drive_vibration_mm_s,
    hulbert_filling_at_pmax,
    hulbert_load_shape,
    liner_energy_factor,
    liner_power_factor,
    liner_wear_excess,
    rpm_to_rad_s,
    thermal_decay,
)
from twins.kind import (
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
from twins.params import KindParams, ParamArrays, param
from twins.rng import Streams
from twins.site import Ambient, Environment

CADIA = "Boughey, Svalbonas & Jones, SME 2000 (Cadia SAG), machines.md §3.1"
MILLSIM = "le Roux mill, Robbie1/MillSim Mill_Model.py, machines.md §3.1/§3.4"

# Reference machine (Cadia-like 20 MW SAG, §3.7): the defaults the design point is derived from.
DIAMETER_M = 12.2
LENGTH_M = 6.1  # Cadia is quoted as 40 ft × 20 ft; the 20 ft is not in machines.md [A]
SPEED_FRAC = 0.75
FILLING = 0.30
BALL_FILLING = 0.12
BALL_DENSITY = 7.85
ORE_DENSITY = 2.7
POROSITY = 0.3
SOLIDS_FRAC = 0.7
WORK_INDEX = 15.1
F80_UM = 150_000.0
P80_UM = 1_500.0

# ∏f is calibrated so the reference mill at its design point mills Cadia's rate [D]:
#   Q_design = 17 Mt/a / (8760 h/a × 0.94 availability)            ≈ 2,064.5 t/h
#   P_design = Austin(D 12.2, L 6.1, J 0.30, φ 0.75, Jb 0.12, ...)   ≈ 18,443 kW
#   W        = 10·15.1·(1/√1500 − 1/√150000)                         ≈ 3.509 kWh/t
#   ∏f       = P_design / (W·Q_design)                                ≈ 2.546
# ∏f ≈ 2.5 is consistent with Rowland's oversize-feed factor for SAG feed far above the
# optimum F80 (EF4 ≈ 4 at F80/P80 = 100), i.e. Bond's ball-mill Wi under-predicts SAG energy.
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


class MillParams(KindParams):
    """Parameters of one mill; defaults are the Cadia-like 20 MW SAG of machines.md §3.7."""

    diameter_m: float = param(DIAMETER_M, "m", CADIA, "V", "Inside shell diameter", ge=2, le=14)
    length_m: float = param(
        LENGTH_M, "m", "Cadia quoted as 40 ft × 20 ft; length not in machines.md", "A",
        "Effective grinding length", ge=1, le=15,
    )  # fmt: skip
    motor_rating_kw: float = param(20_000.0, "kW", CADIA, "V", "Motor rating", ge=500, le=40_000)
    speed_frac_critical: float = param(
        SPEED_FRAC, "1", "machines.md §3.7 (0.70-0.78); Hulbert's J_Pmax fit sinks above", "V",
        "Mill speed as a fraction of critical speed", ge=0.6, le=0.78,
    )  # fmt: skip
    filling_setpoint_frac: float = param(
        FILLING, "1", "machines.md §3.7 (0.25-0.40)", "A",
        "Total charge filling J the load controller holds", ge=0.15, le=0.45,
    )  # fmt: skip
    filling_sd_frac: float = param(
        0.012, "1", "load-controller residual", "A", "Stationary std of J", ge=0, le=0.02
    )
    filling_tau_min: float = param(
        20.0, "min", "load-controller residual", "A", "Correlation time of J", gt=0, le=600
    )
    ball_filling_frac: float = param(
        BALL_FILLING, "1", "machines.md §3.7 (0.10-0.24); SAG value assumed", "A",
        "Ball filling Jb", ge=0, le=0.3,
    )  # fmt: skip
    ball_density_t_m3: float = param(BALL_DENSITY, "t/m3", MILLSIM, "V", ge=7, le=8)
    ore_density_t_m3: float = param(
        ORE_DENSITY, "t/m3", "typical hard-rock ore", "A", "Ore solids density", ge=2, le=5
    )
    charge_porosity_frac: float = param(POROSITY, "1", MILLSIM, "V", ge=0.2, le=0.5)
    slurry_solids_frac: float = param(
        SOLIDS_FRAC, "1", MILLSIM, "V", "Mass fraction of ore in the slurry w_c", ge=0.4, le=0.9
    )
    work_index_kwh_t: float = param(
        WORK_INDEX, "kWh/t", "NI 43-101 gold ores 15.1-16.6, machines.md §3.3", "V",
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
        EFFICIENCY_PRODUCT, "1", "17 Mt/a at 94 % availability (Cadia) through Austin and Bond",
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
    lifter_height_new_mm: float = param(
        152.0, "mm", "Sarcheshmeh 15.2 cm (Yahyaei & Banisi 2010), machines.md §3.5", "V",
        "Lifter height of a new liner", gt=20, le=400,
    )  # fmt: skip
    liner_knee_frac: float = param(
        0.5, "1", "machines.md §3.5", "A", "h/h0 below which wear costs power", gt=0, le=1
    )
    liner_power_loss_frac: float = param(
        0.10, "1", "machines.md §3.5 (shoulder angle falls)", "A",
        "Power lost at zero lifter height", ge=0, le=0.5,
    )  # fmt: skip
    liner_energy_penalty_frac: float = param(
        0.15, "1", "machines.md §3.5 (Multotec 2018: efficiency falls)", "A",
        "Extra kWh/t at zero lifter height", ge=0, le=1,
    )  # fmt: skip
    bearing_friction_heat_kw: float = param(
        30.0, "kW", "μ·F·v of a 10 MN hydrostatic trunnion at ~1.4 m/s", "A",
        "Friction heat of a healthy trunnion bearing at set speed", gt=0, le=500,
    )  # fmt: skip
    bearing_friction_damage_gain: float = param(
        1.5, "1", "alarm near damage 0.6, trip near 0.75 at 15 °C", "A",
        "Relative friction rise at full bearing damage", ge=0, le=10,
    )  # fmt: skip
    bearing_heat_capacity_kj_k: float = param(
        2_300.0, "kJ/K", "≈ 5 t of steel", "A", "Bearing thermal mass m·c", gt=0
    )
    bearing_to_ambient_kw_k: float = param(
        0.3, "kW/K", "§5.4 form; housing convection, sized", "A", "Bearing-ambient H1", gt=0
    )
    bearing_to_oil_kw_k: float = param(
        2.0, "kW/K", "§5.4 form; ≈ 1.2 L/s of oil × 1.7 MJ/(m³·K)", "A", "Bearing-oil H2", gt=0
    )
    oil_heat_capacity_kj_k: float = param(
        10_000.0, "kJ/K", "≈ 6 m³ lube reservoir", "A", "Lube oil thermal mass", gt=0
    )
    oil_cooler_kw_k: float = param(
        1.2, "kW/K", "§5.4 form; sized for oil ≈ ambient + 18 K when healthy", "A",
        "Oil-ambient (cooler) H_o3", gt=0,
    )  # fmt: skip
    vibration_baseline_mm_s: float = param(
        1.6, "mm/s", "ISO 10816-3 Group 1 rigid zone A < 2.3 (machines.md §5.3)", "A",
        "Healthy drive vibration", ge=0, le=2.3,
    )  # fmt: skip
    vibration_bearing_gain_mm_s: float = param(
        8.0, "mm/s", "full damage past C/D 7.1 (§5.3)", "A", "Rise at full bearing damage", ge=0
    )
    vibration_gearbox_gain_mm_s: float = param(
        8.0, "mm/s", "full damage past C/D 7.1 (§5.3)", "A", "Rise at full gearbox damage", ge=0
    )

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
        decay = np.exp(-dt_s / tau_s)
        return cls(mean, decay, sd * np.sqrt(1.0 - decay * decay))

    def step(self, x: F64, z: F64) -> F64:
        return self.mean + (x - self.mean) * self.decay + self.kick * z


@dataclass(frozen=True, slots=True)
class Constants:
    """Per-twin quantities fixed by the parameters and the tick length, computed once."""

    wi: OU
    filling: OU
    filling_at_pmax: F64
    power_scale_kw: F64  # Austin design power / Hulbert load shape at the design filling
    bond_kwh_t_per_wi: F64
    speed_rpm: F64
    omega_rad_s: F64
    friction_coef_kw_s2: F64
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
        omega = rpm_to_rad_s(speed)
        wi = p["work_index_kwh_t"]
        h_bearing = p["bearing_to_ambient_kw_k"] + p["bearing_to_oil_kw_k"]
        h_oil = p["bearing_to_oil_kw_k"] + p["oil_cooler_kw_k"]
        return cls(
            wi=OU.of(wi, wi * p["work_index_sd_frac"], p["work_index_tau_h"] * 3600.0, dt_s),
            filling=OU.of(fill, p["filling_sd_frac"], p["filling_tau_min"] * 60.0, dt_s),
            filling_at_pmax=j_pmax,
            power_scale_kw=design / hulbert_load_shape(fill, j_pmax),
            bond_kwh_t_per_wi=bond_specific_energy_kwh_t(1.0, p["f80_um"], p["p80_um"]),
            speed_rpm=speed,
            omega_rad_s=omega,
            friction_coef_kw_s2=p["bearing_friction_heat_kw"] / (omega * omega),
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
    Channel("pinion_vibration_mm_s", "mm/s", "Drive/pinion velocity RMS (ISO 10816-3)", 0.1,
            lo=0, source=f"accelerometer, {_A}"),
    Channel("ambient_temp_c", "°C", "Ambient air temperature", 0.2, source=f"RTD, {_A}"),
)  # fmt: skip


class Mill(Kind):
    """Grinding MILL: SAG/ball mill, electric drive, power-hump and Bond throughput."""

    name: ClassVar[str] = "mill"
    label: ClassVar[str] = "MILL"
    description: ClassVar[str] = (
        "Grinding mill (Cadia-like 20 MW SAG): Austin × Hulbert power, Bond throughput, "
        "trunnion bearing heat, drive vibration, liner wear hook"
    )
    Params: ClassVar[type[KindParams]] = MillParams
    state_vars: ClassVar[tuple[StateVar, ...]] = STATE_VARS
    sensors: ClassVar[tuple[Channel, ...]] = SENSORS
    activity: ClassVar[tuple[Channel, ...]] = (
        Channel(
            "electricity_kwh",
            "kWh",
            "Electricity used (motor input + auxiliaries)",
            category=ELECTRICITY,
        ),
    )
    production: ClassVar[Channel] = Channel("ore_milled_t", "t", "Ore milled during the tick")

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
        ambient = Ambient(env).mean
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
            "liner_height_mm": p["lifter_height_new_mm"].astype(np.float64, copy=True),
            "bearing_damage_frac": zeros,
            "gearbox_damage_frac": zeros.copy(),
        }

    def step(
        self, state: State, params: ParamArrays, env: Environment, ctx: TickContext, rng: Streams
    ) -> TickOutput:
        c = self.constants(params, ctx.dt_s)
        wi = c.wi.step(state["work_index_kwh_t"], rng.normal("wi", ctx.tick))
        filling = c.filling.step(state["charge_filling_frac"], rng.normal("filling", ctx.tick))
        state["work_index_kwh_t"], state["charge_filling_frac"] = wi, filling
        power, feed = self._grind(state, params, c, wi, filling)
        bearing, oil = self._heat(state, params, c, ctx)
        hours = ctx.dt_s / 3600.0
        electricity = (power / params["drive_efficiency_frac"] + params["auxiliary_kw"]) * hours
        vibration = drive_vibration_mm_s(
            params["vibration_baseline_mm_s"], state["bearing_damage_frac"],
            state["gearbox_damage_frac"], params["vibration_bearing_gain_mm_s"],
            params["vibration_gearbox_gain_mm_s"],
        )  # fmt: skip
        sensors = {
            "mill_speed_rpm": c.speed_rpm.copy(),
            "motor_power_kw": power,
            "charge_filling_pct": filling * 100.0,
            "feed_rate_tph": feed,
            "specific_energy_kwh_t": power / feed,
            "trunnion_bearing_temp_c": bearing,
            "lube_oil_temp_c": oil,
            "pinion_vibration_mm_s": vibration,
            "ambient_temp_c": ctx.ambient_c,
        }
        status = np.full(wi.shape, Status.RUNNING, dtype=np.int8)
        return TickOutput(sensors, {"electricity_kwh": electricity}, feed * hours, status)

    @staticmethod
    def _grind(
        state: State, p: ParamArrays, c: Constants, wi: F64, filling: F64
    ) -> tuple[F64, F64]:
        """Mill power [kW] from the power hump and liner, and the feed rate Bond allows [t/h]."""
        excess = liner_wear_excess(
            state["liner_height_mm"], p["lifter_height_new_mm"], p["liner_knee_frac"]
        )
        hump = c.power_scale_kw * hulbert_load_shape(filling, c.filling_at_pmax)
        power = np.minimum(
            hump * liner_power_factor(excess, p["liner_power_loss_frac"]), p["motor_rating_kw"]
        )
        efficiency = p["efficiency_product"] * liner_energy_factor(
            excess, p["liner_energy_penalty_frac"]
        )
        return power, bond_throughput_tph(power, wi * c.bond_kwh_t_per_wi, efficiency)

    @staticmethod
    def _heat(state: State, p: ParamArrays, c: Constants, ctx: TickContext) -> tuple[F64, F64]:
        """Trunnion bearing and lube oil temperatures at the end of the tick [°C]."""
        damage = p["bearing_friction_damage_gain"] * state["bearing_damage_frac"]
        bearing, oil = bearing_oil_update_c(
            state["trunnion_bearing_temp_c"], state["lube_oil_temp_c"],
            friction_kw=bearing_friction_kw(c.friction_coef_kw_s2 * (1.0 + damage), c.omega_rad_s),
            ambient_c=ctx.ambient_c, to_ambient_kw_k=p["bearing_to_ambient_kw_k"],
            to_oil_kw_k=p["bearing_to_oil_kw_k"], cooler_kw_k=p["oil_cooler_kw_k"],
            bearing_decay=c.bearing_decay, oil_decay=c.oil_decay,
        )  # fmt: skip
        state["trunnion_bearing_temp_c"], state["lube_oil_temp_c"] = bearing, oil
        return bearing, oil
