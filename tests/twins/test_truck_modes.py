"""TRUCK failure modes: each mode's physics coupling, and the framework running them to failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pytest
from scipy import stats

from aurum.physics import truck as phy
from aurum.physics.common import G
from aurum.twins.clock import Timing
from aurum.twins.events import Event
from aurum.twins.failures import FailureMode, FailureModel
from aurum.twins.kind import State, Status, TickContext, TickOutput
from aurum.twins.params import stack
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.schedule import ModeInjection
from aurum.twins.shard import EpochResult, Shard
from aurum.twins.site import Ambient, Environment, Road, RoadSegment, SiteConditions
from aurum.twins.truck.cycle import Engine, pass_allowance_kw
from aurum.twins.truck.model import Truck, TruckParams
from aurum.twins.truck.modes import (
    COOLANT_DERATE_C,
    COOLANT_SHUTDOWN_C,
    COOLING,
    DRIVELINE_BEARING,
    INJECTORS,
    TREAD_LIFE_H,
    TREAD_LIMIT_MM,
    TREAD_NEW_MM,
    TYRES,
)
from tests.twins.test_truck import HOT_SITE, Run, simulate


def same_fuel(state: State) -> None:
    state["fuel_multiplier"][:] = 1.0  # identical operators, so twins compare per tonne


def capacities(*values: float) -> Callable[[State], None]:
    def tweak(state: State) -> None:
        same_fuel(state)
        state["cooling_capacity_frac"][:] = values

    return tweak


def statuses(run: Run) -> np.ndarray:
    return np.array([o.status for o in run.outputs])


def test_modes_anomalies_and_sources_are_declared():
    assert Truck.mode_names() == ("cooling", "tyres", "driveline_bearing", "injectors")
    assert Truck.anomalies == {
        "vibration_spike": ("sensor", "driveline_vibration_mm_s"),
        "temperature_drift": ("mode", "cooling"),
        "co2_excess": ("mode", "injectors"),
    }
    for m in Truck.failure_modes:
        assert any(f"[{tag}" in m.source for tag in "VDA"), m.name
        assert "§" not in m.source and ".md" not in m.source, m.name  # public sources only
        assert m.mttr_h > 0 and m.pm_h > 0 and m.parts_usd > 0 and m.pm_parts_usd > 0
    assert COOLING.alarm == 109.0 and COOLING.trip == 114.0  # Perkins 1200F (§2.5)
    assert DRIVELINE_BEARING.alarm == pytest.approx(4.0)  # 2 × the 2.0 mm/s baseline at 25 km/h


# --- cooling: fouling → hotter coolant → graded protection → shutdown --------------------------


@pytest.fixture(scope="module")
def fouled() -> Run:
    same = ["T"] * 4  # one twin id: the same operator and queues, only the radiator differs
    return simulate(n=4, ticks=12 * 60, tweak=capacities(1.0, 0.45, 0.25, 0.10), ids=same)


def test_a_clean_radiator_is_never_derated(fouled: Run):
    assert fouled.series("coolant_temp_c")[:, 0].max() <= 99.0
    assert np.all(statuses(fouled)[:, 0] == Status.RUNNING)


def test_protection_holds_a_fouled_engine_below_shutdown_at_a_cost_in_tonnes(fouled: Run):
    coolant, status = fouled.series("coolant_temp_c"), statuses(fouled)
    hauled = fouled.total("production")
    for col in (1, 2):
        assert coolant[:, col].max() > COOLANT_DERATE_C - 0.5  # it reaches the derate band
        assert coolant[:, col].max() < COOLANT_SHUTDOWN_C  # and the derate holds it there
        assert (status[:, col] == Status.DERATED).mean() > 0.01
    assert hauled[2] < hauled[1] <= hauled[0]  # slower climbs: fewer tonnes per hour
    assert hauled[2] < 0.8 * hauled[0]
    # its cut output stays above the SFC knee (≈ 50 % load) and per metre the engine does the
    # same work: about the same L/t, over whole and part cycles alike (20 dumps against 30)
    per_tonne = fouled.total("diesel_l") / hauled
    assert per_tonne[2] == pytest.approx(per_tonne[0], rel=0.05)


def test_a_blocked_radiator_trips_the_shutdown(fouled: Run):
    assert fouled.series("coolant_temp_c")[:, 3].max() >= COOLANT_SHUTDOWN_C


def test_a_derated_truck_climbs_slower_and_burns_less_per_hour(fouled: Run):
    speed, grade = fouled.series("speed_kmh"), fouled.series("grade_pct")
    derated = statuses(fouled)[:, 2] == Status.DERATED
    ramp = (grade[:, 2] == 8.0) & (fouled.series("payload_t")[:, 2] > 200.0)
    clean_ramp = (grade[:, 0] == 8.0) & (fouled.series("payload_t")[:, 0] > 200.0)
    assert speed[ramp & derated, 2].mean() < 0.8 * speed[clean_ramp, 0].mean()
    assert fouled.total("diesel_l")[2] < fouled.total("diesel_l")[0]


@pytest.mark.parametrize("dt_s", [600.0, 3600.0])
def test_protection_gives_the_same_tonnes_at_any_tick_length(dt_s: float):
    """The derate is solved implicitly per pass, so a 1-h tick holds the coolant as 1-min does."""
    hours = 12
    tweak = capacities(0.45, 0.3, 0.2)
    fine = simulate(n=3, ticks=hours * 60, tweak=tweak)
    coarse = simulate(n=3, ticks=int(hours * 3600 / dt_s), tweak=tweak, dt_s=dt_s)
    # to within two dumps (227 t of ≈ 6,500 t each)
    np.testing.assert_allclose(coarse.total("production"), fine.total("production"), rtol=0.075)
    assert coarse.series("coolant_temp_c").max() < COOLANT_SHUTDOWN_C


def test_a_protected_pass_ends_where_its_derate_balances_its_heat():
    """T₁ = a·T₀ + (1 − a)·T_eq(P_allowed(T₁)): the implicit derate of a pass is consistent."""
    n = 60
    p = stack([TruckParams()] * n)
    rng = np.random.default_rng(3)
    temp, capacity = rng.uniform(95.0, 116.0, n), rng.uniform(0.1, 0.5, n)
    max_kw, ambient = np.full(n, 1842.0), rng.uniform(0.0, 40.0, n)
    engine = Engine(
        p["engine_kw"], max_kw, p["idle_kw"], p["drivetrain_eff"], p["sfc_l_kwh"],
        p["sfc_knee_load_frac"], p["sfc_idle_rise_frac"], np.full(n, 25.0), p["coolant_tau_s"],
        p["thermostat_c"], p["thermostat_band_c"], p["coolant_rise_design_c"], ambient, capacity,
    )  # fmt: skip
    power, spent = rng.uniform(500.0, 1842.0, n), rng.uniform(10.0, 3600.0, n)
    allowed = np.array(
        [pass_allowance_kw(engine, i, temp[i], power[i], spent[i]) for i in range(n)]
    )
    hot = np.flatnonzero(allowed < power)
    assert len(hot) > 10
    a = np.exp(-spent[hot] / 600.0)
    load = allowed[hot] / p["engine_kw"][hot]
    eq = phy.coolant_equilibrium_c(ambient[hot], load, capacity[hot], 85.0, 8.0, 50.0)
    end = a * temp[hot] + (1.0 - a) * eq
    balanced = np.isclose(allowed[hot], phy.allowed_output_kw(end, 1842.0, 80.0), rtol=2e-3)
    chatter = (end <= COOLANT_DERATE_C + 1e-9) & np.isclose(allowed[hot], 0.75 * 1842.0)
    assert np.all(balanced | chatter)
    # a pass that stays below the derate point, or already at the full cut, runs as offered
    free = np.flatnonzero(allowed == power)
    assert len(free) > 5
    end_free = phy.coolant_equilibrium_c(
        ambient[free], power[free] / 2000.0, capacity[free], 85.0, 8.0, 50.0
    )
    end_free = end_free + (temp[free] - end_free) * np.exp(-spent[free] / 600.0)
    at_floor = power[free] <= 0.25 * 1842.0
    assert np.all((end_free <= COOLANT_DERATE_C) | at_floor)


# --- injectors, bearing and tyres: what the health variables cost ------------------------------


def test_worn_injectors_burn_more_per_tonne_and_show_in_the_fuel_balance():
    def wear(state: State) -> None:
        same_fuel(state)
        state["injector_wear_frac"][:] = [0.0, 0.5, 1.0]

    run = simulate(n=3, ticks=6 * 60, tweak=wear, ids=["T", "T", "T"])
    per_tonne = run.total("diesel_l") / run.total("production")
    np.testing.assert_allclose(per_tonne / per_tonne[0], [1.0, 1.05, 1.10], rtol=1e-9)
    np.testing.assert_allclose(run.series("sfc_rise_pct")[-1], [0.0, 5.0, 10.0])
    assert INJECTORS.alarm == 5.0  # +5 % SFC: half way to the +10 % failure


def test_a_damaged_bearing_vibrates_and_its_friction_takes_fuel():
    def damage(state: State) -> None:
        same_fuel(state)
        state["bearing_damage_frac"][:] = [0.0, 1.0]

    p = TruckParams()
    run = simulate(n=2, ticks=12 * 60, tweak=damage, ids=["T", "T"])
    np.testing.assert_array_equal(run.total("production")[0], run.total("production")[1])
    vib = run.series("driveline_vibration_mm_s")
    np.testing.assert_allclose(vib[:, 1], (1.0 + p.bearing_vib_gain) * vib[:, 0])
    km = run.state["odometer_km"][1]
    mass_tm = (p.empty_t + 0.5 * p.payload_t) * km * 1e3  # loaded half the way [t·m]
    work_j = p.bearing_friction_coeff * G * mass_tm * 1e3
    expected_l = work_j / p.drivetrain_eff / 3.6e6 * p.sfc_l_kwh
    extra = run.total("diesel_l")[1] - run.total("diesel_l")[0]
    assert extra == pytest.approx(expected_l, rel=0.03)
    assert 0.005 < extra / run.total("diesel_l")[0] < 0.03


def test_bearing_ageing_is_one_at_the_reference_duty_and_less_on_a_slower_road():
    """bearing_ref_kmh is the default road's cycle mean of (m/GVM)^(10/3)·v (§5.2)."""
    default = simulate(n=20, ticks=24 * 60)
    hot = simulate(n=20, ticks=24 * 60, env=Environment.single(20, HOT_SITE))
    stress = default.total("stress/driveline_bearing") / (24 * 60)
    assert stress.mean() == pytest.approx(1.0, abs=0.05)
    assert (hot.total("stress/driveline_bearing") / (24 * 60)).mean() < 0.9


def tread_worn_per_km(run: Run, n: int) -> np.ndarray:
    start = simulate(n=n, ticks=0).state["tyre_tread_mm"]  # the same twins' initial treads
    return (start - run.state["tyre_tread_mm"]) / run.state["odometer_km"]


def test_tyres_wear_at_the_tkph_rate_and_last_their_reference_life():
    """§2.6: ≈ 100,000 km at the rated TKPH; the default road runs under it → ≈ 5,700 h."""
    p = TruckParams()
    run = simulate(n=20, ticks=24 * 60)
    rise = run.series("tyre_temp_c") - run.series("ambient_temp_c")
    ratio = rise[60:] / p.tyre_temp_rise_c  # working TKPH / rating, after the first hour's lag
    np.testing.assert_allclose(
        ratio.mean(), run.state["tyre_tkph"].mean() / p.tyre_tkph_rated, rtol=0.05
    )
    k_w = (TREAD_NEW_MM - TREAD_LIMIT_MM) / p.tyre_life_km
    per_km = tread_worn_per_km(run, 20)
    assert per_km.mean() == pytest.approx(k_w * np.mean(ratio**1.5), rel=0.03)
    life_h = (TREAD_NEW_MM - TREAD_LIMIT_MM) / (per_km * run.state["odometer_km"] / 24.0).mean()
    assert 5_000.0 < life_h < 6_500.0
    assert life_h == pytest.approx(TREAD_LIFE_H, rel=0.1)  # the mode's life: its age's scale
    # a part-worn tread starts as old as its wear (what an age-based change interval reads)
    start = simulate(n=20, ticks=0).state
    FailureModel((TYRES,)).initial(start, Streams(7, twin_keys([f"TRUCK-{i}" for i in range(20)])))
    worn = (TREAD_NEW_MM - start["tyre_tread_mm"]) / (TREAD_NEW_MM - TREAD_LIMIT_MM)
    assert worn.min() > 0.0 and worn.max() <= 0.5
    np.testing.assert_allclose(start[TYRES.var("age_h")], worn * TREAD_LIFE_H, rtol=1e-9)
    assert 0.8 < ratio.mean() < 0.95


def test_a_fast_road_overruns_the_tkph_rating_runs_hot_and_wears_fast():
    fast = SiteConditions(
        altitude_m=800.0, road=Road(segments=[RoadSegment(length_m=6_000, grade_pct=0.0)])
    )
    base = simulate(n=5, ticks=12 * 60)
    over = simulate(n=5, ticks=12 * 60, env=Environment.single(5, fast))
    p = TruckParams()
    assert over.state["tyre_tkph"].mean() > 1.3 * p.tyre_tkph_rated
    assert over.series("tyre_temp_c")[-60:].mean() > base.series("tyre_temp_c")[-60:].mean() + 10
    assert tread_worn_per_km(over, 5).mean() > 1.5 * tread_worn_per_km(base, 5).mean()


# --- a truck that is down or in maintenance --------------------------------------------------


def run_with_downtime(ticks: int, down: range) -> tuple[list[TickOutput], list[State]]:
    n, env = 3, Environment.single(3)
    ids = [f"T{i}" for i in range(n)]
    p, model, rng = stack([TruckParams()] * n), Truck(), Streams(7, twin_keys(ids))
    state, ambient, outs, states = model.initial(p, env, rng), Ambient(env), [], []
    for tick in range(ticks):
        hours = tick / 60.0
        on = np.array([tick not in down, True, True])
        out = model.step(state, p, env, TickContext(tick, 60.0, hours, ambient.at(hours), on), rng)
        outs.append(out)
        states.append({k: v.copy() for k, v in state.items()})
    return outs, states


def test_a_truck_that_is_down_stands_still_with_its_engine_off():
    down = range(30, 150)
    outs, states = run_with_downtime(200, down)
    held = ("phase_code", "leg_index", "phase_left_s", "leg_left_m", "payload_t", "carry_s")
    for name in (*held, "odometer_km", "tyre_tread_mm"):
        assert states[149][name][0] == states[29][name][0], name
    for tick in down:
        out = outs[tick]
        assert out.activity["diesel_l"][0] == 0.0 and out.production[0] == 0.0
        for name in ("speed_kmh", "engine_rpm", "engine_load_pct", "fuel_rate_lph"):
            assert out.sensors[name][0] == 0.0, name
        assert out.sensors["driveline_vibration_mm_s"][0] == 0.0
        assert out.status[0] == Status.STANDBY
    ambient = outs[100].sensors["ambient_temp_c"][0]
    before, after = states[99]["coolant_temp_c"][0], states[100]["coolant_temp_c"][0]
    tau = TruckParams().engine_off_tau_s
    assert after == pytest.approx(ambient + (before - ambient) * np.exp(-60.0 / tau), rel=1e-12)
    assert states[149]["coolant_temp_c"][0] < states[29]["coolant_temp_c"][0] - 30.0
    assert sum(o.production[0] for o in outs[150:]) > 0.0
    assert states[199]["odometer_km"][0] > states[149]["odometer_km"][0]


# --- the framework drives the modes: Weibull ages, P-F, usage, determinism --------------------


@dataclass
class Fleet:
    events: dict[str, np.ndarray]
    result: EpochResult
    mode: FailureMode

    def of(self, event: Event) -> dict[int, tuple[int, float]]:
        """First (tick, value) per twin of an event."""
        e = self.events
        hit = np.flatnonzero(e["event"] == event)[::-1]
        return {int(e["twin"][i]): (int(e["tick"][i]), float(e["value"][i])) for i in hit}

    def alarm_before_failure(self) -> float:
        failures, alarms = self.of(Event.FAILURE), self.of(Event.THRESHOLD_CROSSED)
        early = [w for w, (tick, _) in failures.items() if w in alarms and alarms[w][0] <= tick]
        return len(early) / len(failures)


def run_fleet(
    mode: FailureMode, n: int, hours: int, params: TruckParams | None = None, seed: int = 1
) -> Fleet:
    """n trucks with one mode and no maintenance, 1-h ticks, one epoch (like /tmp/fm.py)."""

    class OneMode(Truck):
        failure_modes = (mode,)

    ids = [f"T{i}" for i in range(n)]
    timing = Timing(datetime(2026, 1, 1, tzinfo=UTC), 3600.0, hours, hours, hours)
    p = stack([params or TruckParams()] * n)
    shard = Shard(OneMode(), ids, np.arange(n), p, Environment.single(n), timing, seed)
    result = shard.run_epoch()
    return Fleet(result.events, result, mode)


SCALED = {"eta_h": 500.0, "duration_h": 120.0, "initial_age_frac": 0.0}  # fail within a test


@pytest.fixture(scope="module")
def bearings() -> Fleet:
    return run_fleet(replace(DRIVELINE_BEARING, **SCALED), n=250, hours=1600)


@pytest.fixture(scope="module")
def injectors() -> Fleet:
    return run_fleet(replace(INJECTORS, **SCALED), n=250, hours=1200)


@pytest.mark.parametrize("name", ["bearings", "injectors"])
def test_weibull_failure_ages_match_their_parameters(name: str, request: pytest.FixtureRequest):
    fleet: Fleet = request.getfixturevalue(name)
    ages = np.array([v for _, v in fleet.of(Event.FAILURE).values()])
    assert len(ages) >= 240
    test = stats.kstest(ages, "weibull_min", args=(fleet.mode.beta, 0, fleet.mode.eta_h))
    print(f"{fleet.mode.name}: {len(ages)} failures, KS p = {test.pvalue:.3f}")
    assert test.pvalue > 0.01


@pytest.mark.parametrize("name", ["bearings", "injectors"])
def test_the_symptom_crosses_its_alarm_before_the_failure(
    name: str, request: pytest.FixtureRequest
):
    fleet: Fleet = request.getfixturevalue(name)
    share = fleet.alarm_before_failure()
    print(f"{fleet.mode.name}: alarm before failure in {share:.0%}")
    assert share >= 0.8


def test_cooling_warns_then_derates_then_trips():
    fleet = run_fleet(replace(COOLING, **SCALED), n=80, hours=900)
    assert len(fleet.of(Event.FAILURE)) >= 72
    assert fleet.alarm_before_failure() >= 0.8
    alarms = [v for _, v in fleet.of(Event.THRESHOLD_CROSSED).values()]
    assert min(alarms) >= COOLING.alarm
    assert fleet.result.status_hours[Status.DERATED].sum() > 0.0


def test_tyres_wear_to_the_tread_limit_and_warn_first():
    fleet = run_fleet(TYRES, n=40, hours=400, params=TruckParams(tyre_life_km=3_000.0))
    failures = fleet.of(Event.FAILURE)
    assert len(failures) == 40
    assert fleet.alarm_before_failure() == 1.0
    worn = fleet.result.latest["tyre_wear_mm"]
    np.testing.assert_allclose(worn, TREAD_NEW_MM - TREAD_LIMIT_MM, atol=5.0)  # + gauge noise


def test_a_fleet_with_every_mode_is_deterministic():
    def run() -> EpochResult:
        n, hours = 20, 240
        ids = [f"T{i}" for i in range(n)]
        timing = Timing(datetime(2026, 1, 1, tzinfo=UTC), 3600.0, hours, hours, hours)
        p = stack([TruckParams()] * n)
        return Shard(Truck(), ids, np.arange(n), p, Environment.single(n), timing, 5).run_epoch()

    a, b = run(), run()
    for key in a.events:
        np.testing.assert_array_equal(a.events[key], b.events[key])
    np.testing.assert_array_equal(a.activity["diesel_l"], b.activity["diesel_l"])
    np.testing.assert_array_equal(a.production, b.production)


def test_scenario_anomalies_reach_the_truck_physics():
    """temperature_drift → cooling (hot, derated), co2_excess → injectors (more fuel per t)."""

    def run(actions: tuple[ModeInjection, ...]) -> EpochResult:
        n, ticks = 3, 24 * 12  # 5-min ticks, one day
        ids = [f"T{i}" for i in range(n)]
        timing = Timing(datetime(2026, 1, 1, tzinfo=UTC), 300.0, ticks, ticks, 1)
        p = stack([TruckParams()] * n)
        env = Environment.single(n)
        return Shard(Truck(), ids, np.arange(n), p, env, timing, 9, actions).run_epoch()

    drift = ModeInjection(0, (0,), "cooling", severity=0.8, ramp_h=2.0, label="temperature_drift")
    co2 = ModeInjection(0, (1,), "injectors", severity=0.5, label="co2_excess")
    base, hit = run(()), run((drift, co2))
    assert hit.telemetry["coolant_temp_c"][:, 0].max() > COOLING.alarm
    assert hit.status_hours[Status.DERATED, 0] > 0.0 and base.status_hours[Status.DERATED, 0] == 0
    assert hit.production[0] < base.production[0]
    np.testing.assert_array_equal(hit.production[1], base.production[1])
    ratio = hit.activity["diesel_l"][1] / base.activity["diesel_l"][1]
    assert ratio == pytest.approx(1.05, rel=0.01)  # +5 % SFC at half the failure wear


def test_an_accelerated_tyre_mode_wears_faster():
    def accelerate(state: State) -> None:
        state[TYRES.var("accel")] = np.array([1.0, 3.0])  # what a scenario's accelerate sets

    start = simulate(n=2, ticks=0, ids=["T", "T"]).state["tyre_tread_mm"]
    run = simulate(n=2, ticks=6 * 60, ids=["T", "T"], tweak=accelerate)
    worn = start - run.state["tyre_tread_mm"]
    assert worn[1] == pytest.approx(3.0 * worn[0])
