"""The TRUCK kind: haul cycle, fuel, production and heat against independent calculations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from aurum.physics import truck as phy
from aurum.twins.conformance import check_kind
from aurum.twins.kind import State, TickContext, TickOutput
from aurum.twins.params import stack
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.site import (
    DEFAULT_SITE,
    Ambient,
    Climate,
    Environment,
    Road,
    RoadSegment,
    SiteConditions,
)
from aurum.twins.truck.model import DUMP, HAUL, PHASES, QUEUE_LOAD, RETURN, Truck, TruckParams

HOT_SITE = SiteConditions(
    altitude_m=2500.0,
    climate=Climate(ambient_mean_c=35.0, ambient_amplitude_c=8.0),
    road=Road(
        segments=[
            RoadSegment(length_m=300, grade_pct=-4.0, rolling_resistance_pct=4.0),
            RoadSegment(length_m=1_800, grade_pct=10.0, speed_limit_kmh=40),
            RoadSegment(length_m=900, grade_pct=-9.0, speed_limit_kmh=35),
            RoadSegment(length_m=700, grade_pct=2.0),
            RoadSegment(length_m=200, grade_pct=0.0, rolling_resistance_pct=5.0),
        ]
    ),
)


@dataclass
class Run:
    outputs: list[TickOutput]
    state: State
    hours: float

    def total(self, name: str) -> np.ndarray:
        if name == "production":
            return np.sum([o.production for o in self.outputs], axis=0)
        if name in self.outputs[0].activity:
            return np.sum([o.activity[name] for o in self.outputs], axis=0)
        return np.sum([o.extra[name] for o in self.outputs], axis=0)

    def series(self, name: str) -> np.ndarray:
        return np.array([o.sensors[name] for o in self.outputs])


def simulate(
    n: int,
    ticks: int,
    params: TruckParams | None = None,
    env: Environment | None = None,
    ids: list[str] | None = None,
    tweak: Callable[[State], None] | None = None,
    dt_s: float = 60.0,
) -> Run:
    """Run trucks tick by tick as the shard does (no sensor noise), keeping every output."""
    ids = ids or [f"TRUCK-{i}" for i in range(n)]
    env = env or Environment.single(n)
    p = stack([params or TruckParams()] * n)
    model, rng, ambient = Truck(), Streams(7, twin_keys(ids)), Ambient(env)
    state = model.initial(p, env, rng)
    if tweak:
        tweak(state)
    outputs = []
    for tick in range(ticks):
        hours = tick * dt_s / 3600.0
        out = model.step(
            state,
            p,
            env,
            TickContext(tick, dt_s, hours, ambient.at(hours), np.ones(n, dtype=bool)),
            rng,
        )
        outputs.append(out)
    return Run(outputs, state, ticks * dt_s / 3600.0)


@dataclass
class Leg:
    """One leg of a road in travel order, from the physics functions alone."""

    length_m: float
    f0_n: float
    steady_m_s: float
    full: bool  # a climb the engine holds at full power


def road_legs(p: TruckParams, site: SiteConditions, loaded: bool) -> tuple[list[Leg], float]:
    """The legs one way (loaded: in order; empty: reversed, grade negated) and the mass [kg]."""
    assert site.road is not None
    k_aero = phy.aero_coefficient(phy.air_density(site.altitude_m), p.drag_coeff, p.frontal_area_m2)
    derate = phy.altitude_power_factor(
        site.altitude_m, p.altitude_full_power_m, p.altitude_derate_per_1000ft,
        p.altitude_max_derate,
    )  # fmt: skip
    wheel_w = p.drivetrain_eff * p.engine_kw * 1e3 * derate
    mass = (p.empty_t + p.payload_t if loaded else p.empty_t) * 1e3
    segments = site.road.segments if loaded else site.road.segments[::-1]
    legs = []
    for seg in segments:
        grade = seg.grade_pct if loaded else -seg.grade_pct
        f0 = float(phy.grade_rolling_force(mass, grade, seg.rolling_resistance_pct))
        traction = phy.traction_limit(mass, p.mu_traction, p.driven_axle_share)
        cap = min(p.v_max_kmh, seg.speed_limit_kmh) / 3.6
        v = float(
            phy.steady_speed(
                wheel_w, p.retarder_kw * 1e3, f0, k_aero, traction, cap, 1.0,
                descent_cap_m_s=p.descent_limit_kmh / 3.6,
            )
        )  # fmt: skip
        full = f0 > 0 and v < cap and f0 < traction
        legs.append(Leg(seg.length_m, f0, v, full))
    return legs, mass


def drive_s(p: TruckParams, site: SiteConditions, loaded: bool, dt: float = 0.05) -> list[float]:
    """Time on each leg [s] of a truck stepped through the road second by second (midpoint
    rule): full throttle up to a leg's steady speed (Rakha's force balance), a climb entered fast
    slowed at full power, brakes (retarder power, adhesion-bound) applied when what is left of
    the leg is the braking distance to the next leg's lower speed or the final stop; from rest."""
    legs, mass = road_legs(p, site, loaded)
    k = float(
        phy.aero_coefficient(phy.air_density(site.altitude_m), p.drag_coeff, p.frontal_area_m2)
    )
    derate = phy.altitude_power_factor(
        site.altitude_m, p.altitude_full_power_m, p.altitude_derate_per_1000ft,
        p.altitude_max_derate,
    )  # fmt: skip
    wheel_w = p.drivetrain_eff * p.engine_kw * 1e3 * float(derate)
    traction = float(phy.traction_limit(mass, p.mu_traction, p.driven_axle_share))
    retarder = p.retarder_kw * 1e3
    times, v = [], 0.0
    for j, leg in enumerate(legs):
        nxt = legs[j + 1] if j + 1 < len(legs) else None
        end = 0.0 if nxt is None else (np.inf if nxt.full else nxt.steady_m_s)

        def accel(u: float, braking: bool, leg: Leg = leg) -> float:
            drag = leg.f0_n + k * u * u
            if braking:
                force = min(retarder / max(u, 1e-9), traction) + drag
                return -(force if force >= 0.25 * traction else traction + drag) / mass
            return (min(wheel_w / max(u, 1e-9), traction) - drag) / mass

        x = t = 0.0
        while x < leg.length_m:
            left = leg.length_m - x
            braking = v > end and left < 400.0  # (braking distances here are < 150 m)
            if braking:
                s_b = phy.braking_transient(v, end, mass, leg.f0_n, k, retarder, traction)[1]
                braking = float(s_b) >= left
            if not braking and abs(v - leg.steady_m_s) <= 1e-3 and not leg.full:
                step = min(dt, left / v)  # cruising at the steady speed
                dv = 0.0
            else:
                if not braking and not leg.full and v > leg.steady_m_s:
                    v = leg.steady_m_s  # (not reached: the leg before brakes down to it)
                step = dt
                dv = accel(v + 0.5 * dt * accel(v, braking), braking) * dt
                if not braking and (v - leg.steady_m_s) * (v + dv - leg.steady_m_s) < 0:
                    dv = leg.steady_m_s - v  # reached the steady speed
                if braking and v + dv < end:
                    dv = end - v
            ds = (v + 0.5 * dv) * step
            if ds > left:  # the leg ends within the step
                step *= left / ds
                ds = left
            x, t, v = x + ds, t + step, max(v + dv * step / dt if step < dt else v + dv, 0.0)
        times.append(t)
    return times


def expected_cycle_s(p: TruckParams, site: SiteConditions) -> float:
    """Σ phase times: the timed steps (CAT handbook cycle, MineLab) and both ways of the road
    driven by `drive_s`, independently of the route tables."""
    haul, back = sum(drive_s(p, site, True)), sum(drive_s(p, site, False))
    rho = phy.loose_density(p.bank_density_t_m3, p.swell_frac)
    passes = phy.loading_passes(p.payload_t, p.bucket_m3, p.bucket_fill_frac, rho)
    load = phy.load_time_s(passes, p.swing_s)
    minutes = p.queue_load_mean_min + p.spot_min + p.queue_dump_mean_min + p.dump_min
    return float(60.0 * minutes + load + haul + back)


def measured_cycle_s(run: Run) -> float:
    """Mean time between a truck's dumps, from the ticks in which dumps completed."""
    dumps = np.array([o.production > 0 for o in run.outputs])
    cycles = []
    for col in dumps.T:
        ticks = np.flatnonzero(col)
        cycles.append((ticks[-1] - ticks[0]) * 60.0 / (len(ticks) - 1))
    return float(np.mean(cycles))


@pytest.fixture(scope="module")
def shift() -> Run:
    return simulate(n=50, ticks=12 * 60)


def test_truck_passes_conformance():
    check_kind(Truck)


def test_cycle_time_is_the_sum_of_phase_times(shift: Run):
    expected = expected_cycle_s(TruckParams(), DEFAULT_SITE)
    assert measured_cycle_s(shift) == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("site", [DEFAULT_SITE, HOT_SITE], ids=["default", "hot-5-segments"])
def test_cycle_time_without_queues_is_exact(site: SiteConditions):
    p = TruckParams(queue_load_mean_min=0.0, queue_dump_mean_min=0.0)
    run = simulate(n=10, ticks=8 * 60, params=p, env=Environment.single(10, site))
    assert measured_cycle_s(run) == pytest.approx(expected_cycle_s(p, site), rel=0.005)
    assert np.all(run.state["carry_s"] == 0.0)


def test_long_ticks_lose_no_time_at_step_boundaries():
    """Ten 10-min ticks cross many boundaries each, yet end where a hundred 1-min ticks do."""
    p = TruckParams(queue_load_mean_min=0.0, queue_dump_mean_min=0.0)
    short = simulate(n=10, ticks=100, params=p)
    long = simulate(n=10, ticks=10, params=p, dt_s=600.0)
    for name in ("phase_code", "leg_index", "payload_t"):
        np.testing.assert_array_equal(long.state[name], short.state[name])
    for name in ("phase_left_s", "leg_left_m", "odometer_km", "carry_s"):
        np.testing.assert_allclose(long.state[name], short.state[name], atol=1e-6)
    np.testing.assert_array_equal(long.total("production"), short.total("production"))
    np.testing.assert_allclose(long.total("diesel_l"), short.total("diesel_l"), rtol=1e-9)


def test_tonnes_hauled_per_hour_match_payload_times_cycles(shift: Run):
    hauled = shift.total("production")
    dumps = hauled / TruckParams().payload_t
    np.testing.assert_allclose(dumps, np.round(dumps), atol=1e-9)  # whole payloads only
    per_hour = hauled.mean() / shift.hours
    expected = TruckParams().payload_t * 3600.0 / expected_cycle_s(TruckParams(), DEFAULT_SITE)
    assert per_hour == pytest.approx(expected, rel=0.02)


def test_cycle_average_fuel_lies_in_the_handbook_load_factor_band(shift: Run):
    """§2.4: haul-truck LF 0.40-0.70 → 190-332 L/h for a 1976 kW 793F."""
    fuel_lph = shift.total("diesel_l") / shift.hours
    load_factor = shift.total("engine_kwh") / shift.hours / TruckParams().engine_kw
    print(f"mean fuel {fuel_lph.mean():.0f} L/h, mean load factor {load_factor.mean():.3f}")
    assert 190.0 <= fuel_lph.mean() <= 332.0
    assert 0.40 <= load_factor.mean() <= 0.70
    spread = fuel_lph.max() / fuel_lph.min() - 1.0
    assert 0.03 < spread < 0.15  # operators differ 10-12 % (CAT handbook)


def test_queues_burn_idle_fuel():
    z = np.zeros(4)

    def queue(state: State) -> None:
        state.update(phase_code=z + QUEUE_LOAD, leg_index=z, phase_left_s=z + 600.0, leg_left_m=z)

    run = simulate(n=4, ticks=1, tweak=queue)
    p = TruckParams()
    idle_lph = phy.fuel_rate_lph(
        p.idle_kw * 1e3,
        phy.sfc_part_load(p.idle_kw / p.engine_kw, p.sfc_l_kwh, p.sfc_knee_load_frac, 0.6),
    )
    out = run.outputs[0]
    per_minute = idle_lph / 60.0 * run.state["fuel_multiplier"]
    np.testing.assert_allclose(out.activity["diesel_l"], per_minute)
    assert 15.0 < idle_lph < 40.0
    assert np.all(out.sensors["speed_kmh"] == 0) and np.all(out.sensors["engine_rpm"] == 700)


def test_time_after_a_dump_is_spent_returning():
    z = np.zeros(2)

    def ending_dump(state: State) -> None:
        state.update(phase_code=z + DUMP, leg_index=z, phase_left_s=z + 20.0, leg_left_m=z)
        state["payload_t"] = z + 227.0

    run = simulate(n=2, ticks=1, tweak=ending_dump)
    out, state = run.outputs[0], run.state
    np.testing.assert_array_equal(out.production, 227.0)
    assert np.all(state["phase_code"] == RETURN) and np.all(state["leg_index"] == 0)
    last = DEFAULT_SITE.road.segments[-1]  # type: ignore[union-attr]
    speed = out.sensors["speed_kmh"] / 3.6
    np.testing.assert_allclose(state["leg_left_m"], last.length_m - speed * 40.0)
    np.testing.assert_allclose(state["odometer_km"], speed * 40.0 / 1e3)


def test_speed_on_the_ramp_is_the_physics_speed(shift: Run):
    """The reading on the 8 % ramp is the leg's mean speed: the power-limited speed at full
    rated power (800 m is below the 793F's derate altitude), a little more for the speed the
    truck carries into the ramp, as the stepped drive gives it."""
    phase, grade = shift.series("cycle_phase_code"), shift.series("grade_pct")
    on_ramp = (phase == HAUL) & (grade == 8.0)
    p = TruckParams()
    f0 = phy.grade_rolling_force((p.payload_t + p.empty_t) * 1e3, 8.0, 3.0)
    v = phy.power_limited_speed(
        0.8 * 1976e3, f0, phy.aero_coefficient(phy.air_density(800.0), 0.9, 45.0)
    )
    ramp = DEFAULT_SITE.road.segments[1]  # type: ignore[union-attr]
    mean = ramp.length_m / drive_s(p, DEFAULT_SITE, True)[1]
    np.testing.assert_allclose(shift.series("speed_kmh")[on_ramp], mean * 3.6, rtol=2e-3)
    assert v < mean < 1.02 * v
    assert 12.0 < v * 3.6 < 15.0  # TR 11 %, 1976 kW


def test_descents_keep_to_the_retarder_and_the_descent_rule():
    """Empty down the hot site's 10 % ramp the truck would run at top gear: the 45 km/h descent
    rule and the segment's 40 km/h limit hold it; loaded down its −9 % leg the retarder allows
    39 km/h and the 35 km/h limit holds it."""
    legs, _ = road_legs(TruckParams(), HOT_SITE, loaded=False)
    assert legs[3].f0_n < 0 and legs[3].steady_m_s * 3.6 == pytest.approx(40.0)
    steep = HOT_SITE.model_copy(
        update={"road": Road(segments=[RoadSegment(length_m=2000, grade_pct=10.0)])}
    )
    empty_down, _ = road_legs(TruckParams(), steep, loaded=False)
    assert empty_down[0].steady_m_s * 3.6 == pytest.approx(45.0)  # was 54 (top gear)
    loaded_down, _ = road_legs(TruckParams(), HOT_SITE, loaded=True)
    assert loaded_down[2].steady_m_s * 3.6 == pytest.approx(35.0)


def test_payload_and_phase_codes_are_consistent(shift: Run):
    phase, payload = shift.series("cycle_phase_code"), shift.series("payload_t")
    assert set(np.unique(phase).astype(int)) == set(range(len(PHASES)))
    assert np.all(payload[(phase == HAUL) | (phase == DUMP)] == 227.0)
    assert np.all(payload[phase == RETURN] == 0.0)


@pytest.mark.parametrize("site", [DEFAULT_SITE, HOT_SITE], ids=["default", "hot"])
def test_healthy_coolant_stays_in_the_normal_band(site: SiteConditions):
    run = simulate(n=20, ticks=24 * 60, env=Environment.single(20, site))
    coolant = run.series("coolant_temp_c")
    assert coolant.min() >= 82.0 and coolant.max() <= 99.0  # §2.5 normal band


def test_a_fouled_radiator_runs_hotter():
    def foul(state: State) -> None:
        state["cooling_capacity_frac"][:] = 0.4

    env = Environment.single(20, HOT_SITE)
    clean = simulate(n=20, ticks=12 * 60, env=env).series("coolant_temp_c")
    fouled = simulate(n=20, ticks=12 * 60, env=env, tweak=foul).series("coolant_temp_c")
    assert fouled.mean() > clean.mean() + 5.0
    assert fouled.max() > 99.0


def test_wear_hooks_raise_fuel_and_vibration():
    """Worn injectors: +10 % fuel for the same tonnes; a damaged bearing: 4 × the vibration."""

    def worn_injectors(state: State) -> None:
        state["injector_wear_frac"][:] = 1.0

    def damaged_bearing(state: State) -> None:
        state["bearing_damage_frac"][:] = 1.0

    new = simulate(n=5, ticks=60)
    injectors = simulate(n=5, ticks=60, tweak=worn_injectors)
    bearing = simulate(n=5, ticks=60, tweak=damaged_bearing)
    np.testing.assert_allclose(injectors.total("diesel_l"), 1.1 * new.total("diesel_l"))
    np.testing.assert_array_equal(injectors.total("production"), new.total("production"))
    np.testing.assert_allclose(
        bearing.series("driveline_vibration_mm_s"), 4.0 * new.series("driveline_vibration_mm_s")
    )


def test_run_is_deterministic_and_independent_of_the_batch():
    """A twin at a second site gives the same outputs alone as inside a mixed-site batch."""
    env = Environment((DEFAULT_SITE, HOT_SITE), np.array([0, 1, 0, 1, 1]))
    ids = [f"TRUCK-{i}" for i in range(5)]
    batch = simulate(n=5, ticks=180, env=env, ids=ids)
    again = simulate(n=5, ticks=180, env=env, ids=ids)
    alone = simulate(n=1, ticks=180, env=Environment.single(1, HOT_SITE), ids=["TRUCK-3"])
    for a, b, c in zip(batch.outputs, again.outputs, alone.outputs, strict=True):
        for name in a.sensors:
            np.testing.assert_array_equal(a.sensors[name], b.sensors[name])
            np.testing.assert_array_equal(a.sensors[name][3:4], c.sensors[name])
        np.testing.assert_array_equal(a.activity["diesel_l"][3:4], c.activity["diesel_l"])
        np.testing.assert_array_equal(a.production[3:4], c.production)


def test_a_site_without_road_is_refused():
    env = Environment.single(2, SiteConditions())
    with pytest.raises(ValueError, match="no road"):
        simulate(n=2, ticks=1, env=env)


def test_a_site_without_road_and_without_trucks_is_no_obstacle():
    """Trucks at one site of a scenario whose other site (a boiler house) has no road."""
    from aurum.twins.site import DEFAULT_SITE, Environment, SiteConditions
    from aurum.twins.truck.model import site_roads

    env = Environment((SiteConditions(altitude_m=100.0), DEFAULT_SITE), np.array([1, 1]))
    roads, counts = site_roads(env)
    assert counts[1] == len(DEFAULT_SITE.road.segments) and roads.shape[2] == 2
    with pytest.raises(ValueError, match="has no road"):
        site_roads(Environment(env.sites, np.array([0, 1])))
