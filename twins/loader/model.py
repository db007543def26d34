"""LOADER: a diesel hydraulic face shovel (CAT 6060-class, 34 m³) loading haul trucks.

Per tick a shovel is busy loading trucks for `duty_s` seconds and waits for trucks the rest of
it. Alone (`coupled` 0, from `initial`) it serves a steady stream of trucks itself, busy a
share `standalone_utilisation_frac` of every tick, each truck taking `standalone_truck_payload_t`
in passes of its bucket (`physics.loader.service_load_s`). Coupled to a site system (`coupled`
1), that system writes `duty_s` and `loaded_t` (tonnes into trucks finishing in the coming tick)
before each step and reads `fill_factor_frac` and `swing_s`, the effective fill factor and pass
cycle, to time each truck's loading; the step never writes those two inputs. Engine output is
the Caterpillar Performance Handbook's load factor while loading and idle while waiting; fuel is
output × part-load SFC, as the truck's. Wear (`twins.loader.modes`) lowers the fill factor,
slows the pass cycle and adds swing friction. A shovel that is not available does nothing: no
fuel, no tonnes, its oil cooling towards ambient.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

import numpy as np
from numpy.typing import NDArray

from aurum.physics import loader as phy
from aurum.physics.common import relax_by
from aurum.twins.kind import (
    F64,
    OFFROAD,
    Channel,
    Kind,
    State,
    StateVar,
    Status,
    TickContext,
    TickOutput,
)
from aurum.twins.loader.modes import (
    ANOMALIES,
    BANK_DENSITY_T_M3,
    BUCKET_M3,
    FILL_FRAC,
    HYDRAULIC_PUMP,
    MODES,
    REFERENCE_TPH,
    SWELL_FRAC,
    SWING_DRIVE,
    SWING_S,
    TEETH,
    UTILISATION_FRAC,
    Condition,
    LoaderConditionParams,
    initial_tooth_wear,
    wear_teeth,
)
from aurum.twins.params import KindParams, ParamArrays, param
from aurum.twins.rng import Streams
from aurum.twins.site import Environment

_ML = "argenismarin/MineLab examples/10_equipment_fleet.py: CAT 6060"
_HANDBOOK = "Caterpillar Performance Handbook fuel method (P·LF·SFC)"


class LoaderParams(LoaderConditionParams):
    """One shovel, its material and its standalone duty; defaults are a diesel CAT 6060 FS."""

    bucket_m3: float = param(BUCKET_M3, "m³", _ML, "V", "heaped bucket capacity", gt=0, le=100)
    bucket_fill_frac: float = param(
        FILL_FRAC, "-", _ML, "V", "bucket fill factor with new teeth", gt=0, le=1.2
    )
    bank_density_t_m3: float = param(
        BANK_DENSITY_T_M3, "t/m³", f"{_ML}: 'bank density'", "V", "in-situ density", gt=0, le=6
    )
    swell_frac: float = param(
        SWELL_FRAC, "-", "1.3 a common ore figure; rock 1.2-1.7", "A", "bank→loose", ge=0, le=1.5
    )
    swing_s: float = param(
        SWING_S, "s", _ML, "V", "pass cycle (dig, swing, dump, return), healthy", gt=0, le=120
    )
    engine_kw: float = param(
        2_240.0, "kW", "CAT 6060: ≈ 3,000 hp from two diesels (Vikfin, 'The CAT 6060')", "D",
        "rated output of both engines", gt=0, le=6_000,
    )  # fmt: skip
    loading_load_frac: float = param(
        0.70, "-", f"{_HANDBOOK} [V form]; shovel in continuous loading", "A",
        "engine output while loading, share of rated", gt=0, le=1,
    )  # fmt: skip
    idle_kw: float = param(
        220.0, "kW", "≈ 10 % of rated: engines idling, fans, pumps at zero flow", "A",
        "engine output while waiting for trucks", gt=0, le=1_000,
    )  # fmt: skip
    sfc_l_kwh: float = param(
        0.24, "L/kWh", "CAT handbook fuel method, MineLab", "V", "SFC", gt=0, le=0.5
    )
    sfc_knee_load_frac: float = param(
        0.35, "-", "as the truck's: SFC flat above", "A", "SFC knee", gt=0, le=1
    )
    sfc_idle_rise_frac: float = param(
        0.6, "-", "diesel part-load penalty", "A", "SFC rise at zero load", ge=0, le=3
    )
    fuel_spread_frac: float = param(
        0.11, "-", "CAT handbook: operators differ 10-12 %", "V", "fuel spread", ge=0, le=0.5
    )
    standalone_utilisation_frac: float = param(
        UTILISATION_FRAC, "-", "under-trucked shovel waits (match factor < 1, Burt & Caccetta)",
        "A", "share of each tick spent loading when not coupled", ge=0, le=1,
    )  # fmt: skip
    standalone_truck_payload_t: float = param(
        227.0, "t", "CAT 793F payload, MineLab 793F example", "V",
        "payload of each truck of the standalone stream", gt=0, le=500,
    )  # fmt: skip


STATE_VARS = (
    StateVar("coupled", "-", "1: a site system writes duty_s and loaded_t; 0: standalone"),
    StateVar("duty_s", "s", "seconds of the coming tick spent loading (written when coupled)"),
    StateVar("loaded_t", "t", "tonnes into trucks finishing in the coming tick (when coupled)"),
    StateVar("fill_factor_frac", "-", "effective bucket fill factor (falls with tooth wear)"),
    StateVar("swing_s", "s", "effective pass cycle time (grows with pump wear)"),
    StateVar("tooth_wear_frac", "-", "tooth wear, 0 new to 1 at the change-out limit"),
    StateVar("pump_wear_frac", "-", "main-pump wear, 0 new; raises the leakage"),
    StateVar("swing_damage_frac", "-", "slew ring / swing gearbox damage, 0 new"),
    StateVar("hydraulic_oil_temp_c", "°C", "hydraulic oil temperature"),
    StateVar("fuel_multiplier", "-", "operator/machine fuel factor, fixed per twin"),
)


def _sensor(
    name: str, unit: str, what: str, noise: float, lo: float = 0.0, hi: float = np.inf
) -> Channel:
    return Channel(name, unit, what, noise, lo, hi, source="A: typical accuracy of the sensor")


SENSORS = (
    _sensor("engine_load_pct", "%", "mean engine output, % of rated (both engines)", 1.0),
    _sensor("fuel_rate_lph", "L/h", "mean fuel rate (ECUs)", 3.0),
    _sensor("utilisation_pct", "%", "share of the tick spent loading trucks", 0.0, hi=100.0),
    _sensor("pass_payload_t", "t", "payload per pass (payload monitor)", 1.5),
    _sensor("loading_rate_tph", "t/h", "tonnes per hour of loading (cycle-time monitor)", 50.0),
    _sensor("case_drain_lph", "L/h", "main-pump case-drain flow at working pressure", 200.0),
    _sensor("hydraulic_oil_temp_c", "°C", "hydraulic oil temperature (tank)", 0.5, -np.inf),
    _sensor("swing_vibration_mm_s", "mm/s", "swing-drive velocity RMS (ISO 10816-3)", 0.1),
    _sensor("tooth_wear_pct", "%", "tooth wear, % of the change-out limit (camera)", 2.0),
    _sensor("ambient_temp_c", "°C", "ambient air temperature", 0.3, -np.inf),
)


class Loader(Kind):
    """A hydraulic face shovel loading trucks, alone or coupled to a site's haul cycle."""

    name: ClassVar[str] = "loader"
    label: ClassVar[str] = "LOADER"
    description: ClassVar[str] = (
        "Diesel hydraulic face shovel (CAT 6060-class, 34 m³) loading haul trucks: passes "
        "from bucket, fill and loose density, fuel by duty, teeth, pump and swing-drive wear"
    )
    Params: ClassVar[type[KindParams]] = LoaderParams
    state_vars: ClassVar[tuple[StateVar, ...]] = STATE_VARS
    sensors: ClassVar[tuple[Channel, ...]] = SENSORS
    activity: ClassVar[tuple[Channel, ...]] = (
        Channel("diesel_l", "L", "diesel burned", category=OFFROAD),
    )
    production: ClassVar[Channel] = Channel("ore_loaded_t", "t", "tonnes loaded into trucks")
    failure_modes = MODES
    anomalies = ANOMALIES

    def initial(self, params: ParamArrays, env: Environment, rng: Streams) -> State:
        p, z = params, np.zeros(rng.n)
        state = {
            "coupled": z.copy(),
            "duty_s": z.copy(),
            "loaded_t": z.copy(),
            "tooth_wear_frac": initial_tooth_wear(
                rng.uniform_each("init/teeth", z.astype(np.int64))
            ),
            "pump_wear_frac": z.copy(),
            "swing_damage_frac": z.copy(),
            "fuel_multiplier": 1.0 + p["fuel_spread_frac"] * (rng.uniform("init/fuel", 0) - 0.5),
        }
        c = Condition.of(state, p, p["engine_kw"], p["loading_load_frac"])
        ambient = env.per_twin([s.climate.ambient_mean_c for s in env.sites])
        heat = _oil_heat(p, c, p["standalone_utilisation_frac"])
        state["hydraulic_oil_temp_c"] = phy.oil_equilibrium_c(ambient, heat, p["oil_cooler_kw_k"])
        state["fill_factor_frac"], state["swing_s"] = c.fill_frac, c.swing_s
        return {v.name: state[v.name] for v in STATE_VARS}

    def step(
        self, state: State, params: ParamArrays, env: Environment, ctx: TickContext, rng: Streams
    ) -> TickOutput:
        p, on, dt = params, ctx.available, ctx.dt_s
        c = Condition.of(state, p, p["engine_kw"], p["loading_load_frac"])
        state["fill_factor_frac"], state["swing_s"] = c.fill_frac, c.swing_s
        busy, tonnes = _duty(state, p, c, dt, on)
        idle, u = np.where(on, dt - busy, 0.0), busy / dt
        f = _FuelRates.of(p, c)
        m = state["fuel_multiplier"]
        diesel = m * (busy * f.loading + idle * f.idle)
        power = (busy * c.loading_kw + idle * p["idle_kw"]) / dt
        sensors = _readings(state, p, c, on, power, diesel / dt, u)
        sensors["hydraulic_oil_temp_c"] = self._oil(state, p, c, u, ctx)
        sensors["ambient_temp_c"] = ctx.ambient_c
        wear_teeth(state, p, tonnes)
        sensors["tooth_wear_pct"] = 100.0 * state["tooth_wear_frac"]
        status = np.where(busy > 0.0, Status.RUNNING, Status.STANDBY).astype(np.int8)
        # load-sensitive ageing: the teeth in tonnes, the pumps and the swing drive with duty
        duty = u / UTILISATION_FRAC
        extra = {
            f"stress/{TEETH.name}": tonnes / (dt / 3600.0) / REFERENCE_TPH,
            f"stress/{HYDRAULIC_PUMP.name}": duty,
            f"stress/{SWING_DRIVE.name}": duty,
        }
        # diesel [L] a healthy shovel loading the same tonnes would not have burned
        parts = phy.wear_fuel_l(
            busy, c.fill_frac / p["bucket_fill_frac"], p["swing_s"] / c.swing_s, f.loading,
            f.healthy_loading, f.idle, m,
        )  # fmt: skip
        for mode, x in zip(MODES, parts, strict=True):
            if x.any():  # a mode no twin of the batch shows this tick: no entry (0 for all)
                extra[f"excess/diesel_l/{mode.name}"] = x
        return TickOutput(sensors, {"diesel_l": diesel}, tonnes, status, extra)

    @staticmethod
    def _oil(state: State, p: ParamArrays, c: Condition, u: F64, ctx: TickContext) -> F64:
        """Hydraulic oil temperature at the tick's end: an exact first-order lag towards the
        cooler's steady state (ambient for a stopped shovel, which makes no heat)."""
        target = phy.oil_equilibrium_c(ctx.ambient_c, _oil_heat(p, c, u), p["oil_cooler_kw_k"])
        tau = phy.oil_time_constant_s(p["hydraulic_oil_l"], p["oil_cooler_kw_k"])
        oil = relax_by(state["hydraulic_oil_temp_c"], target, np.exp(-ctx.dt_s / tau))
        state["hydraulic_oil_temp_c"] = oil
        return oil


class _FuelRates(NamedTuple):
    """Fuel rates [L/s] of a shovel loading (as worn, and with a healthy swing drive) and
    waiting, before the operator's factor."""

    loading: F64
    healthy_loading: F64
    idle: F64

    @classmethod
    def of(cls, p: ParamArrays, c: Condition) -> _FuelRates:
        args = (p["engine_kw"], p["sfc_l_kwh"], p["sfc_knee_load_frac"], p["sfc_idle_rise_frac"])
        return cls(
            phy.fuel_per_s(c.loading_kw, *args),
            phy.fuel_per_s(c.healthy_loading_kw, *args),
            phy.fuel_per_s(p["idle_kw"], *args),
        )


def _readings(
    state: State, p: ParamArrays, c: Condition, on: NDArray[np.bool_], power_kw: F64,
    diesel_l_s: F64, u: F64,
) -> dict[str, F64]:  # fmt: skip
    """The tick's readings of output, duty, payload, pumps and swing drive; a stopped shovel
    reads 0 on all of them."""
    pass_t = phy.pass_payload_t(
        p["bucket_m3"], c.fill_frac, p["bank_density_t_m3"], p["swell_frac"]
    )
    vibration = phy.swing_vibration_mm_s(
        p["swing_vib_base_mm_s"], p["swing_vib_gain_mm_s"], state["swing_damage_frac"]
    )
    running = {
        "pass_payload_t": pass_t,
        "loading_rate_tph": phy.loading_rate_tph(pass_t, c.swing_s),
        "case_drain_lph": phy.case_drain_lph(c.leak_frac, p["pump_flow_l_min"]),
        "swing_vibration_mm_s": vibration,
    }
    readings = {name: np.where(on, x, 0.0) for name, x in running.items()}
    readings["engine_load_pct"] = 100.0 * power_kw / p["engine_kw"]
    readings["fuel_rate_lph"] = 3600.0 * diesel_l_s
    readings["utilisation_pct"] = 100.0 * u
    return readings


def _oil_heat(p: ParamArrays, c: Condition, u: F64) -> F64:
    """Heat into the oil at a loading share u [kW] (`physics.loader.oil_heat_kw`)."""
    return phy.oil_heat_kw(
        u, c.loading_kw, p["circuit_loss_frac"], p["working_pressure_bar"], p["pump_flow_l_min"],
        c.leak_frac,
    )  # fmt: skip


def _duty(
    state: State, p: ParamArrays, c: Condition, dt_s: float, on: NDArray[np.bool_]
) -> tuple[F64, F64]:
    """Seconds spent loading and tonnes loaded this tick: the site system's `duty_s` and
    `loaded_t` where coupled, else the standalone stream (busy a fixed share of the tick, each
    truck taking its payload in `service_load_s`); nothing for a shovel not available."""
    alone_s = p["standalone_utilisation_frac"] * dt_s
    truck_s = phy.service_load_s(
        p["standalone_truck_payload_t"], p["bucket_m3"], c.fill_frac, p["bank_density_t_m3"],
        p["swell_frac"], c.swing_s,
    )  # fmt: skip
    alone_t = alone_s / truck_s * p["standalone_truck_payload_t"]
    coupled = state["coupled"] > 0.5
    busy = np.where(coupled, np.clip(state["duty_s"], 0.0, dt_s), alone_s)
    tonnes = np.where(coupled, np.maximum(state["loaded_t"], 0.0), alone_t)
    return np.where(on, busy, 0.0), np.where(on, tonnes, 0.0)
