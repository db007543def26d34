"""Haul TRUCK (CAT 793F-class, mechanical drive): the haul cycle as a vectorised state machine.

A truck runs QUEUE_LOAD → SPOT → LOAD → HAUL → QUEUE_DUMP → DUMP → RETURN over its site's road (the
Caterpillar Performance Handbook's cycle). Each phase is one *step*, except HAUL and RETURN which
are one step per road segment (RETURN runs the segments in reverse with the grade negated). Speed is
quasi-steady on a segment, so everything a step does per second (speed, engine power, fuel) is
tabulated once per twin in a `Route` and a tick is a few passes of `take` over those tables: each
pass spends the time left in the tick on the current step, and twins that finish a step move to the
next one, so no time is lost at boundaries. Failure modes, wear and the ECU's coolant protection are
in `twins.truck.modes`; a truck that is not available stands where it is with its engine off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from aurum.physics import truck as phy
from aurum.physics.common import decay
from aurum.twins.kind import (
    F64,
    OFFROAD,
    Channel,
    Kind,
    State,
    StateVar,
    TickContext,
    TickOutput,
)
from aurum.twins.params import KindParams, ParamArrays, distinct, param, take
from aurum.twins.rng import Streams
from aurum.twins.site import Environment
from aurum.twins.truck.cycle import Cycle, Engine, Protection, Tables, spend_tick
from aurum.twins.truck.haulage import step_site
from aurum.twins.truck.modes import (
    ANOMALIES,
    COOLING,
    DRIVELINE_BEARING,
    INJECTORS,
    MODES,
    ROLLER_EXPONENT,
    TREAD_LIMIT_MM,
    TREAD_NEW_MM,
    TYRES,
    TruckConditionParams,
    initial_tread_mm,
    protection,
)
from aurum.twins.truck.tick import Consts, Readings, Settled, Wear, settle

PHASES = ("QUEUE_LOAD", "SPOT", "LOAD", "HAUL", "QUEUE_DUMP", "DUMP", "RETURN")
QUEUE_LOAD, SPOT, LOAD, HAUL, QUEUE_DUMP, DUMP, RETURN = range(len(PHASES))
MAX_PASSES = 32  # step boundaries a tick may cross; the loop ends once every twin is done
_LEG = ("length_m", "grade_pct", "rolling_resistance_pct", "speed_limit_kmh")
_793 = "CAT 793D figures of an open 793D vehicle-model code"
_RAKHA = "Rakha truck model, aarondotter/rimpull python/vdm.py"
_ML = "argenismarin/MineLab examples/10_equipment_fleet.py"
_MINELAB_793F = "MineLab 793F example (argenismarin/MineLab)"
_RETARDER = (
    "Komatsu HD785-7's oil-cooled retarder absorbs 1,464 hp for an 879 kW engine (Rock Products,"
    " 'Recent Innovations in Haul Trucks'): 1.24 × the 793F's 1976 kW; no 793F retarding chart"
    " figures found in a readable public copy"
)
_DESCENT = (
    "Alberta 1976 code of practice: loaded trucks stop 5 times on a 10 % downgrade from 28 mph"
    " (Walker, CIM Bulletin 70(788), 1977) taken as the descent limit"
)
_CAT_ALTITUDE = "Caterpillar ECM Altitude Derate Feature, Cat SIS 3500B: 3 %/305 m, max 35 %"
_ALTITUDE_H0 = "793F spec sheet's no-derate altitude not found in a readable public copy"


class TruckParams(TruckConditionParams):
    """A CAT 793F-class truck and the loader serving it."""

    payload_t: float = param(227.0, "t", _MINELAB_793F, "V", "payload", gt=0, le=500)
    empty_t: float = param(157.0, "t", "GVM 384 − payload 227 t", "D", "empty mass", gt=0, le=400)
    engine_kw: float = param(1976.0, "kW", _MINELAB_793F, "V", "rated", gt=0, le=5e3)
    drivetrain_eff: float = param(0.80, "-", _RAKHA, "V", "η with accessories", gt=0, le=1)
    mu_traction: float = param(0.30, "-", _RAKHA, "V", "tyre-road adhesion μ", gt=0, le=1)
    driven_axle_share: float = param(0.64, "-", _RAKHA, "V", "m_ta/m", gt=0, le=1)
    drag_coeff: float = param(0.9, "-", _793, "V", "aerodynamic C_d", ge=0, le=2)
    frontal_area_m2: float = param(45.0, "m²", _793, "V", "frontal area", ge=0, le=100)
    v_max_kmh: float = param(54.0, "km/h", f"{_793}: 54.2", "V", "top speed", gt=0, le=80)
    retarder_kw: float = param(
        2454.0, "kW", _RETARDER, "A", "continuous retarding power", gt=0, le=1e4
    )
    descent_limit_kmh: float = param(
        45.0, "km/h", _DESCENT, "A", "descent speed rule where the brakes hold", gt=0, le=80
    )
    altitude_full_power_m: float = param(
        2300.0, "m", _ALTITUDE_H0, "A", "full rated power up to", ge=0, le=6000
    )
    altitude_derate_per_1000ft: float = param(
        0.03, "-", _CAT_ALTITUDE, "V", "power withheld per 305 m above", ge=0, le=0.2
    )
    altitude_max_derate: float = param(
        0.35, "-", _CAT_ALTITUDE, "V", "largest altitude derate", ge=0, le=1
    )
    crawl_kmh: float = param(3.0, "km/h", "creep where traction fails", "A", "crawl", gt=0, le=10)
    idle_kw: float = param(80.0, "kW", "≈4 % of rated: idle + fans", "A", "idle", gt=0, le=500)
    hoist_kw: float = param(300.0, "kW", "body hoist during dump", "A", "hoist", ge=0, le=1e3)
    sfc_l_kwh: float = param(
        0.24, "L/kWh", "CAT handbook fuel method, MineLab", "V", "SFC", gt=0, le=0.5
    )
    sfc_knee_load_frac: float = param(
        0.35, "-", "below the haul-truck LF band 0.40-0.70", "A", "SFC flat above", gt=0, le=1
    )
    sfc_idle_rise_frac: float = param(
        0.6, "-", "diesel part-load penalty", "A", "SFC rise at zero load", ge=0, le=3
    )
    fuel_spread_frac: float = param(
        0.11, "-", "CAT handbook: operators differ 10-12 %", "V", "fuel spread", ge=0, le=0.5
    )
    rpm_idle: float = param(700.0, "rpm", "C175-class low idle", "A", "idle", gt=0, le=1500)
    rpm_rated: float = param(1750.0, "rpm", "C175-class rated speed", "A", "rated", gt=0, le=3e3)
    bucket_m3: float = param(34.0, "m³", f"{_ML}: CAT 6060", "V", "loader bucket", gt=0, le=100)
    bucket_fill_frac: float = param(0.85, "-", _ML, "V", "bucket fill factor", gt=0, le=1.2)
    bank_density_t_m3: float = param(2.6, "t/m³", f"{_ML}: 'bank density'", "V", "ore", gt=0, le=6)
    swell_frac: float = param(
        0.30, "-", "1.3 a common ore figure; rock 1.2-1.7", "A", "bank→loose", ge=0, le=1.5
    )
    swing_s: float = param(28.0, "s", _ML, "V", "loader swing cycle", gt=0, le=120)
    spot_min: float = param(0.5, "min", _ML, "V", "spot at the loader", ge=0, le=10)
    dump_min: float = param(1.5, "min", _ML, "V", "dump", ge=0, le=10)
    queue_load_mean_min: float = param(1.0, "min", _ML, "V", "mean loader queue", ge=0, le=120)
    queue_dump_mean_min: float = param(
        0.25, "min", "MineLab books its queue at the loader", "A", "mean dump queue", ge=0, le=120
    )


@dataclass(frozen=True)
class Route:
    """Tables over the steps of one cycle, a row per kind of twin, flattened to (rows·width,).

    Columns run in cycle order: QUEUE_LOAD, SPOT, LOAD, HAUL legs, QUEUE_DUMP, DUMP, RETURN legs;
    legs beyond a twin's own road are padding and never visited. Twins alike (same site, same
    parameters) share a row (`row` is each twin's offset): a fleet's tables then stay in cache
    however many twins it has, where a row per twin (~1.5 kB) made every step of a pass a
    cache miss at a few thousand twins.
    """

    first: NDArray[np.intp]  # (7,) column of each phase's first step
    row: NDArray[np.intp]  # (n,) offset of each twin's row
    n_legs: NDArray[np.intp]  # (n,) road segments at each twin's site
    speed: F64  # [m/s], 0 when stationary
    pace: F64  # [s/m] = 1/speed, 0 when stationary
    length: F64  # [m] of a road leg, 0 for a timed step
    duration: F64  # [s] of a timed step (queues: the mean), 0 for a road leg
    power: F64  # engine output [kW]
    fuel: F64  # fuel rate of a healthy truck before the per-twin multiplier [L/s]
    grade: F64  # grade in the direction of travel [%]
    f0: F64  # grade + rolling resistance of a road leg [N], 0 for a timed step
    load_s: F64  # (n,) loading time [s]
    k_aero: F64  # (n,) ½ρC_dA [N·s²/m²]
    max_kw: F64  # (n,) engine output available at the site's altitude [kW]
    alike: NDArray[np.intp]  # (n,) each twin's row
    exemplar: NDArray[np.intp]  # (rows,) a twin of each row

    @property
    def width(self) -> int:
        """Steps of a cycle: 5 timed steps and the legs of the road both ways."""
        return int(self.first[RETURN] + self.first[QUEUE_DUMP] - self.first[HAUL])

    def per_twin(self, table: F64) -> F64:
        """A table as (twins, width): each twin's row."""
        return table.reshape(-1, self.width)[self.alike]

    def index(self, phase: NDArray[np.intp], leg: NDArray[np.intp]) -> NDArray[np.intp]:
        """Flat table index of every twin's current step (leg is 0 in a timed phase)."""
        return self.row + self.first[phase] + leg

    @property
    def tables(self) -> Tables:
        """The tables as the compiled cycle (`twins.truck.cycle`) reads them."""
        return Tables(
            self.row, self.first, self.n_legs, self.speed, self.pace, self.length,
            self.duration, self.power, self.fuel, self.f0, self.grade, self.alike,
        )  # fmt: skip

    def engine(self, p: ParamArrays, ambient_c: F64, capacity: F64) -> Engine:
        """Each twin's engine and cooling constants over a tick (`twins.truck.cycle.Engine`)."""
        return Engine(
            p["engine_kw"], self.max_kw, p["idle_kw"], p["drivetrain_eff"], p["sfc_l_kwh"],
            p["sfc_knee_load_frac"], p["sfc_idle_rise_frac"], self.k_aero, p["coolant_tau_s"],
            p["thermostat_c"], p["thermostat_band_c"], p["coolant_rise_design_c"],
            ambient_c, capacity,
        )  # fmt: skip


def site_roads(env: Environment) -> tuple[F64, NDArray[np.intp]]:
    """Length, grade, RR and limit of every leg as (4, direction, site, leg), and leg counts.

    Direction 0 is loaded (segments in order), 1 is empty (reversed, grade negated).
    """
    roads = []
    used = {int(k) for k in env.site_index}
    for k, site in enumerate(env.sites):
        if site.road is None:
            if k in used:
                raise ValueError(f"site {k} of a truck batch has no road (Truck.site_needs)")
            roads.append(np.array([[1.0], [0.0], [1.0], [1.0]]))  # no truck there: a stub leg
            continue
        roads.append(np.array([[getattr(s, a) for s in site.road.segments] for a in _LEG]))
    out = np.zeros((4, 2, len(roads), max(r.shape[1] for r in roads)))
    out[2:] = 1.0  # padding legs: zero length, harmless RR and limit
    for k, cols in enumerate(roads):
        out[:, 0, k, : cols.shape[1]] = cols
        out[:, 1, k, : cols.shape[1]] = cols[:, ::-1] * np.array([[1.0], [-1.0], [1.0], [1.0]])
    return out, np.array([r.shape[1] for r in roads], dtype=np.intp)


def _legs(p: ParamArrays, env: Environment, roads: F64) -> dict[str, F64]:
    """Speed [m/s], engine power [kW] and fuel rate [L/s] on every leg, (direction, twin, leg).

    A leg's steady speed is power-, traction-, retarder- and limit-bound (`physics.truck.
    steady_speed`); a truck changing speed between legs, and from and to a standstill at the
    loader and the dump, spends more time and fuel than the steady speeds say. Leg by leg, in
    travel order: entering a leg slower than its speed it accelerates at full throttle (Rakha's
    power/traction limit, `speed_transient`), entering a climb faster than the engine holds it
    slows down on the climb at full power, and entering any other leg slower than it arrives, or
    stopping at the road's end, it brakes on the leg before (`braking_transient`) with the
    engine idling. What a leg takes all told is folded into its tables: speed = length/time,
    power = energy/time and fuel = litres/time, the means over the leg, and F₀ the resistance
    the engine works against over it, so the tables keep their layout, a leg's time is still
    length × pace and a capped leg still costs its energy per metre.
    """
    site, c = env.site_index, np.s_[:, None]
    f0_per_kg = phy.grade_rolling_force(1.0, roads[1], roads[2])[:, site]  # trig once per site
    altitude = env.per_twin([s.altitude_m for s in env.sites])
    mass = np.stack([p["empty_t"] + p["payload_t"], p["empty_t"]])[:, :, None] * 1e3
    f0 = f0_per_kg * mass
    k_aero = phy.aero_coefficient(phy.air_density(altitude), p["drag_coeff"], p["frontal_area_m2"])
    derate = phy.altitude_power_factor(
        altitude, p["altitude_full_power_m"], p["altitude_derate_per_1000ft"],
        p["altitude_max_derate"],
    )  # fmt: skip
    available_w = p["engine_kw"] * 1e3 * derate
    wheel_w, retarder_w = (p["drivetrain_eff"] * available_w)[c], p["retarder_kw"][c] * 1e3
    traction = phy.traction_limit(mass, p["mu_traction"][c], p["driven_axle_share"][c])
    cap = np.minimum(roads[3][:, site], p["v_max_kmh"][c]) * phy.KMH
    speed = phy.steady_speed(
        wheel_power_w=wheel_w,
        retarder_w=retarder_w,
        f0_n=f0,
        k_aero=k_aero[c],
        traction_n=traction,
        cap_m_s=cap,
        crawl_m_s=p["crawl_kmh"][c] * phy.KMH,
        descent_cap_m_s=p["descent_limit_kmh"][c] * phy.KMH,
    )
    force = phy.resistance_force(f0, k_aero[c], speed)
    eta, idle_w = p["drivetrain_eff"][c], p["idle_kw"][c] * 1e3
    power_kw = phy.engine_power(force, speed, eta, idle_w, available_w[c]) * 1e-3
    length, grade = roads[0][:, site], roads[1][:, site]

    time, energy, fuel = phy.road_with_speed_changes(
        length, speed, power_kw, f0, mass[..., 0], k_aero[None, :], wheel_w[..., 0],
        traction[..., 0], retarder_w[..., 0], eta[..., 0], p["idle_kw"], p["engine_kw"],
        p["sfc_l_kwh"], p["sfc_knee_load_frac"], p["sfc_idle_rise_frac"],
        full=(f0 > 0.0) & (power_kw >= available_w[c] * 1e-3 * (1.0 - 1e-9)),
    )  # fmt: skip
    road = length > 0.0  # padding legs keep their steady values (never visited)
    mean_speed = np.divide(length, time, out=speed.copy(), where=road)
    mean_kw = np.divide(energy, time, out=power_kw.copy(), where=road)
    mean_fuel = np.divide(fuel, time, out=np.zeros_like(time), where=road)
    # the resistance the engine works against over a leg, its speed changes in: η·P̄/v̄ − k·v̄²
    # (F₀ itself on a steady leg), so that a leg the coolant protection caps at output P runs
    # at the speed where η·P = (F + k·v²)·v, the mean speed at P̄ (`cycle.capped_step`)
    working = eta * mean_kw * 1e3 / mean_speed - k_aero[c] * mean_speed**2
    effective = np.where(road & (power_kw > idle_w * 1e-3), working, f0)
    legs = {"speed": mean_speed, "power": mean_kw, "fuel": mean_fuel, "length": length}
    legs |= {"grade": grade, "f0": effective, "steady_speed": speed}
    return legs | {"k_aero": k_aero, "max_kw": available_w * 1e-3}


def load_time(p: ParamArrays) -> F64:
    """Loading time [s] from the loader's passes (MineLab), the bank density swollen to loose."""
    rho = phy.loose_density(p["bank_density_t_m3"], p["swell_frac"])
    passes = phy.loading_passes(p["payload_t"], p["bucket_m3"], p["bucket_fill_frac"], rho)
    return phy.load_time_s(passes, p["swing_s"])


def _timed(p: ParamArrays) -> dict[str, F64]:
    """Duration [s] and engine power [kW] of the timed steps, (twin, 5) in cycle order."""
    minutes = ("queue_load_mean_min", "spot_min", "", "queue_dump_mean_min", "dump_min")
    duration = [p[m] * 60.0 if m else load_time(p) for m in minutes]
    idle = p["idle_kw"]
    power = [idle, idle, idle, idle, idle + p["hoist_kw"]]  # the hoist lifts the body at the dump
    return {"duration": np.stack(duration, axis=1), "power": np.stack(power, axis=1)}


def build_route(p: ParamArrays, env: Environment) -> Route:
    """Tabulate every twin's cycle (a row per distinct site and parameters, `Route`)."""
    first, inverse = distinct(p, env.site_index)
    route = _tabulate(take(p, first), env.take(first))
    return replace(
        route,
        row=route.row[inverse],
        n_legs=route.n_legs[inverse],
        load_s=route.load_s[inverse],
        k_aero=route.k_aero[inverse],
        max_kw=route.max_kw[inverse],
        alike=inverse,
        exemplar=first,
    )


def _tabulate(p: ParamArrays, env: Environment) -> Route:
    """A row of tables for each twin: its timed steps and the legs of its site's road."""
    roads, counts = site_roads(env)
    legs, timed = _legs(p, env, roads), _timed(p)
    n, s = len(env.site_index), roads.shape[3]
    no_t, no_leg = np.zeros((n, 5)), np.zeros((2, n, s))

    def table(t: F64, leg: F64) -> F64:
        return np.concatenate([t[:, :3], leg[0], t[:, 3:], leg[1]], axis=1).ravel()

    def cell(name: str) -> F64:
        return np.repeat(p[name], 5 + 2 * s)

    speed, power = table(no_t, legs["speed"]), table(timed["power"], legs["power"])
    load = power / cell("engine_kw")
    sfc = phy.sfc_part_load(
        load, cell("sfc_l_kwh"), cell("sfc_knee_load_frac"), cell("sfc_idle_rise_frac")
    )
    timed_fuel = phy.fuel_rate_lph(power * 1e3, sfc) / 3600.0  # the road's legs: `_legs`
    fuel = np.where(table(np.ones((n, 5)), no_leg) > 0.0, timed_fuel, table(no_t, legs["fuel"]))
    return Route(
        first=np.array([0, 1, 2, 3, 3 + s, 4 + s, 5 + s], dtype=np.intp),
        row=np.arange(n, dtype=np.intp) * (5 + 2 * s),
        n_legs=counts[env.site_index],
        speed=speed,
        pace=np.divide(1.0, speed, out=np.zeros_like(speed), where=speed > 0),
        length=table(no_t, legs["length"]),
        duration=table(timed["duration"], no_leg),
        power=power,
        fuel=fuel,
        grade=table(no_t, legs["grade"]),
        f0=table(no_t, legs["f0"]),
        load_s=timed["duration"][:, LOAD],
        k_aero=legs["k_aero"],
        max_kw=legs["max_kw"],
        alike=np.arange(n, dtype=np.intp),
        exemplar=np.arange(n, dtype=np.intp),
    )


@dataclass
class _Tick:
    """Where each twin is in its cycle while a tick is spent, and what it has used so far."""

    phase: NDArray[np.intp]
    leg: NDArray[np.intp]
    left_s: F64  # time left in a timed step (0 on a road leg)
    left_m: F64  # distance left on a road leg (0 in a timed step)
    payload: F64
    budget_s: F64  # time the tick gives each twin (0 for a twin that is not available)
    time_s: F64  # time of the tick not yet spent
    fuel_l: F64
    energy_kj: F64
    dist_m: F64
    payload_tm: F64  # Σ payload·distance [t·m] (tyre and bearing loads)
    hauled_t: F64
    queued_s: F64

    @classmethod
    def start(cls, s: State, dt_s: float, on: NDArray[np.bool_]) -> _Tick:
        phase, leg = s["phase_code"].astype(np.intp), s["leg_index"].astype(np.intp)
        left = s["phase_left_s"].copy(), s["leg_left_m"].copy()
        budget = np.where(on, s["carry_s"] + dt_s, 0.0)
        used = np.zeros((6, len(phase)))
        return cls(phase, leg, *left, s["payload_t"].copy(), budget, budget.copy(), *used)

    @property
    def spent_s(self) -> F64:
        return self.budget_s - self.time_s

    @property
    def cycle(self) -> Cycle:
        """The arrays the compiled passes update in place."""
        return Cycle(
            self.phase, self.leg, self.left_s, self.left_m, self.payload, self.time_s,
            self.fuel_l, self.energy_kj, self.dist_m, self.payload_tm, self.hauled_t,
            self.queued_s,
        )  # fmt: skip


def _spread(route: Route, u: F64) -> tuple[NDArray[np.intp], NDArray[np.intp], F64, F64]:
    """Phase, leg, time and distance left of trucks placed at fraction u of a nominal cycle."""
    n = len(route.row)
    ends = np.cumsum(route.per_twin(route.length * route.pace + route.duration), axis=1)
    at = u * ends[:, -1]
    col = (ends <= at[:, None]).sum(axis=1)
    left = ends[np.arange(n), col] - at
    phase = np.searchsorted(route.first, col, side="right") - 1
    speed = route.speed[route.row + col]
    on_road = speed > 0
    left_s, left_m = np.where(on_road, 0.0, left), np.where(on_road, left * speed, 0.0)
    return phase, col - route.first[phase], left_s, left_m


_WEAR = (
    "coolant_temp_c",
    "oil_temp_c",
    "carry_s",
    "odometer_km",
    "tyre_tkph",
    "tyre_tread_mm",
    "",
    "bearing_damage_frac",
    "injector_wear_frac",
    "fuel_multiplier",
)  # the state `Wear` reads, in its order (the tyres' acceleration is the failure modes')


def _outputs(n: int) -> tuple[Settled, Readings]:
    """Fresh arrays for `settle` to fill: new state, and the tick's report."""
    settled = Settled._make(np.empty(n) for _ in Settled._fields)
    readings = Readings._make(np.empty(n) for _ in Readings._fields)
    return settled, readings._replace(status=np.empty(n, dtype=np.int8))


def _sensor(name: str, unit: str, what: str, noise: float, lo: float = -np.inf) -> Channel:
    return Channel(name, unit, what, noise, lo, source="A: typical accuracy of the sensor class")


class Truck(Kind):
    """A haul truck cycling between a loader and a dump over its site's road."""

    name: ClassVar[str] = "truck"
    label: ClassVar[str] = "TRUCK"
    description: ClassVar[str] = "CAT 793F-class mechanical-drive haul truck on a haul cycle"
    Params: ClassVar[type[KindParams]] = TruckParams
    site_needs: ClassVar[tuple[str, ...]] = ("road",)
    failure_modes = MODES
    anomalies = ANOMALIES
    state_vars: ClassVar[tuple[StateVar, ...]] = (
        StateVar("phase_code", "-", "haul-cycle phase, index into PHASES"),
        StateVar("leg_index", "-", "road segment within HAUL / RETURN in travel order, else 0"),
        StateVar("phase_left_s", "s", "time left in a timed phase"),
        StateVar("leg_left_m", "m", "distance left on the current road segment"),
        StateVar("carry_s", "s", "tick time not yet spent (more boundaries than passes)"),
        StateVar("payload_t", "t", "material in the body"),
        StateVar("coolant_temp_c", "°C", "engine coolant temperature"),
        StateVar("oil_temp_c", "°C", "engine oil temperature"),
        StateVar("odometer_km", "km", "distance travelled"),
        StateVar("fuel_multiplier", "-", "operator/machine fuel factor, fixed per twin"),
        StateVar("cooling_capacity_frac", "-", "radiator capacity, 1 clean (K_q = 1/this)"),
        StateVar("injector_wear_frac", "-", "injector wear, 0 new; raises SFC"),
        StateVar("bearing_damage_frac", "-", "driveline bearing damage, 0 new; raises vibration"),
        StateVar("tyre_tread_mm", "mm", "tyre tread depth left"),
        StateVar("tyre_tkph", "t·km/h", "working TKPH of a tyre, lagged like its heat"),
        StateVar("loader_index", "-", "loader it is sent to at a site that is a system, else -1"),
        StateVar("queued_at_s", "s", "when it joined its current queue (site systems: FIFO)"),
        StateVar("loading_s", "s", "its current loading's length (site systems), else 0"),
    )
    sensors: ClassVar[tuple[Channel, ...]] = (
        _sensor("payload_t", "t", "payload in the body (payload monitor)", 2.0, 0.0),
        _sensor("speed_kmh", "km/h", "ground speed", 0.5, 0.0),
        _sensor("grade_pct", "%", "road grade in the direction of travel", 0.3),
        _sensor("engine_rpm", "rpm", "engine speed", 10.0, 0.0),
        _sensor("engine_load_pct", "%", "engine output, % of rated power", 1.0, 0.0),
        _sensor("fuel_rate_lph", "L/h", "fuel rate (ECU)", 3.0, 0.0),
        _sensor("sfc_rise_pct", "%", "SFC above the as-new engine map (ECU fuel balance)", 0.5),
        _sensor("coolant_temp_c", "°C", "engine coolant temperature", 0.5),
        _sensor("oil_temp_c", "°C", "engine oil temperature", 0.5),
        _sensor("driveline_vibration_mm_s", "mm/s", "driveline vibration velocity RMS", 0.1, 0.0),
        _sensor("tyre_wear_mm", "mm", "tread worn since new (tread-depth gauge)", 1.0, 0.0),
        _sensor("tyre_temp_c", "°C", "tyre inflation-gas temperature (TPMS)", 1.0),
        _sensor("ambient_temp_c", "°C", "ambient air temperature", 0.3),
        Channel("cycle_phase_code", "-", "haul-cycle phase", categories=PHASES),
    )
    activity: ClassVar[tuple[Channel, ...]] = (
        Channel("diesel_l", "L", "diesel burned", category=OFFROAD),
    )
    production: ClassVar[Channel] = Channel("ore_hauled_t", "t", "payload dumped")

    def __init__(self) -> None:
        self._cache: tuple[ParamArrays, Environment, Route] | None = None
        self._consts: tuple[Route, float, Consts] | None = None

    def route(self, params: ParamArrays, env: Environment) -> Route:
        """The batch's cycle tables, built once per (params, env) and reused every tick."""
        if self._cache is None or self._cache[0] is not params or self._cache[1] is not env:
            self._cache = (params, env, build_route(params, env))
        return self._cache[2]

    def initial(self, params: ParamArrays, env: Environment, rng: Streams) -> State:
        p, z = params, np.zeros(rng.n)
        phase, leg, left_s, left_m = _spread(self.route(p, env), rng.uniform("init/phase", 0))
        full = (phase == HAUL) | (phase == QUEUE_DUMP) | (phase == DUMP)
        coolant = p["thermostat_c"] + 0.5 * p["thermostat_band_c"]
        return {
            "phase_code": phase.astype(np.float64),
            "leg_index": leg.astype(np.float64),
            "phase_left_s": left_s,
            "leg_left_m": left_m,
            "carry_s": z.copy(),
            "payload_t": np.where(full, p["payload_t"], 0.0),
            "coolant_temp_c": coolant,
            "oil_temp_c": coolant + p["oil_offset_c"] + 0.5 * p["oil_load_rise_c"],
            "odometer_km": z.copy(),
            "fuel_multiplier": 1.0 + p["fuel_spread_frac"] * (rng.uniform("init/fuel", 0) - 0.5),
            "cooling_capacity_frac": z + 1.0,
            "injector_wear_frac": z.copy(),
            "bearing_damage_frac": z.copy(),
            "tyre_tread_mm": initial_tread_mm(rng.uniform("init/tread", 0)),
            "tyre_tkph": z.copy(),
            "loader_index": np.full(rng.n, -1, dtype=np.int64),
            "queued_at_s": z.copy(),
            "loading_s": z.copy(),
        }

    def warm_up(self, params: ParamArrays, env: Environment, state: State) -> None:
        """Compile (or load) the tick's kernels for arrays like this batch's, on no twins."""
        no, f = slice(0, 0), np.zeros(0)
        route, consts = self.route(params, env), self.consts(params, env, 60.0)
        engine = route.engine(params, f, state["cooling_capacity_frac"])
        engine = Engine(*(a[no] for a in engine))
        tables = route.tables._replace(
            row=route.row[no], n_legs=route.n_legs[no], alike=route.alike[no]
        )
        consts = Consts._make(v[no] if isinstance(v, np.ndarray) else v for v in consts)
        i, b = np.zeros(0, dtype=np.intp), np.zeros(0, dtype=bool)
        cycle = Cycle(i, i.copy(), *(f.copy() for _ in range(10)))
        prot = Protection(b, f, b, f)
        spend_tick(tables, cycle, engine, prot, params["payload_t"][no], f, f, 1)
        wear = Wear._make(state[x][no] if x else f for x in _WEAR)
        out = _outputs(0)
        settle(tables, cycle, engine, consts, prot, f, b, 60.0, TREAD_NEW_MM, wear, *out)

    def consts(self, params: ParamArrays, env: Environment, dt_s: float) -> Consts:
        """The constants of the tick's end (`twins.truck.tick.Consts`), a row per row of the
        route's tables (twins alike), built once."""
        route = self.route(params, env)  # built once per (params, env): the cache's key
        if self._consts is None or self._consts[0] is not route or self._consts[1] != dt_s:
            p = take(params, route.exemplar)
            gvm = p["empty_t"] + p["payload_t"]
            lags = ("coolant_tau_s", "oil_tau_s", "engine_off_tau_s", "tyre_tkph_tau_s")
            coolant, oil, off, tyre = (decay(dt_s, p[tau]) for tau in lags)
            consts = Consts(
                p["empty_t"], p["payload_t"], p["bearing_friction_coeff"], p["injector_sfc_gain"],
                p["oil_offset_c"], p["oil_load_rise_c"], coolant, oil, off, tyre,
                p["tyre_tkph_rated"], (TREAD_NEW_MM - TREAD_LIMIT_MM) / p["tyre_life_km"],
                p["tyre_wear_exponent"], p["tyre_temp_rise_c"], p["vib_base_mm_s"],
                p["vib_per_kmh"], p["bearing_vib_gain"], p["bearing_ref_kmh"] / 3.6,
                phy.bearing_ageing_rate(p["empty_t"] / gvm, 1.0, ROLLER_EXPONENT),
                p["rpm_idle"], p["rpm_rated"], load_time(p),
            )  # fmt: skip
            self._consts = (route, dt_s, consts)
        return self._consts[2]

    def step(
        self, state: State, params: ParamArrays, env: Environment, ctx: TickContext, rng: Streams
    ) -> TickOutput:
        p, on = params, ctx.available
        route = self.route(p, env)
        t = _Tick.start(state, ctx.dt_s, on)
        prot = protection(state, ctx.ambient_c, p, route.max_kw)
        engine = route.engine(p, ctx.ambient_c, state["cooling_capacity_frac"])
        # exponential queue-time factors (mean 1) for the twins entering a queue this tick
        queue_load = -np.log1p(-rng.uniform("queue_load", ctx.tick))
        queue_dump = -np.log1p(-rng.uniform("queue_dump", ctx.tick))
        if ctx.site is None:
            spend_tick(
                route.tables, t.cycle, engine, prot, p["payload_t"], queue_load,
                queue_dump, MAX_PASSES,
            )  # fmt: skip
        else:  # queues at its site's loaders and dump (`twins.truck.haulage`)
            trucks = ctx.site.trucks(state)
            step_site(
                route.tables, t.cycle, engine, prot, p["payload_t"], queue_load, queue_dump,
                MAX_PASSES, (ctx.tick + 1) * ctx.dt_s, ctx.dt_s, trucks, ctx.site.loaders,
                ctx.site.sites,
            )  # fmt: skip
        accel = state.get(TYRES.var("accel"))  # a scenario's acceleration of tyre wear
        tyres = np.ones(len(on)) if accel is None else accel
        wear = Wear._make(state[x] if x else tyres for x in _WEAR)
        s, r = _outputs(len(on))
        settle(
            route.tables, t.cycle, engine, self.consts(p, env, ctx.dt_s), prot, t.budget_s, on,
            ctx.dt_s, TREAD_NEW_MM, wear, s, r,
        )  # fmt: skip
        state.update(
            phase_code=s.phase_code,
            leg_index=s.leg_index,
            phase_left_s=t.left_s,
            leg_left_m=t.left_m,
            carry_s=s.carry_s,
            payload_t=t.payload,
            odometer_km=s.odometer_km,
            coolant_temp_c=s.coolant_c,
            oil_temp_c=s.oil_c,
            tyre_tkph=s.tkph,
            tyre_tread_mm=s.tread_mm,
        )
        sensors = {
            "payload_t": r.payload_t,
            "speed_kmh": r.speed_kmh,
            "grade_pct": r.grade_pct,
            "engine_rpm": r.engine_rpm,
            "engine_load_pct": r.engine_load_pct,
            "fuel_rate_lph": r.fuel_rate_lph,
            "coolant_temp_c": s.coolant_c,
            "oil_temp_c": s.oil_c,
            "ambient_temp_c": ctx.ambient_c,
            "cycle_phase_code": s.phase_code,
            "sfc_rise_pct": r.sfc_rise_pct,
            "driveline_vibration_mm_s": r.vibration_mm_s,
            "tyre_wear_mm": r.tyre_wear_mm,
            "tyre_temp_c": r.tyre_temp_c,
        }
        extra = {
            "engine_kwh": r.engine_kwh,
            "stress/driveline_bearing": r.bearing_stress,
            "sum/queue_h": t.queued_s / 3600.0,
        }
        # diesel [L] a healthy truck making the same progress would not have burned
        # (`physics.truck.wear_fuel_l`); a mode no twin shows this tick has no entry. Worn
        # tyres cost none: tread depth does not change rolling resistance in this model.
        parts = (r.excess_injectors_l, r.excess_bearing_l, r.excess_cooling_l)
        for mode, x in zip((INJECTORS, DRIVELINE_BEARING, COOLING), parts, strict=True):
            if x.any():
                extra[f"excess/diesel_l/{mode.name}"] = x
        return TickOutput(sensors, {"diesel_l": r.diesel_l}, t.hauled_t, r.status, extra)
