"""BOILER failure modes: health → symptom → fuel per tonne, Weibull failure ages, P before F."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pytest
from iapws import IAPWS97
from scipy import stats

from aurum.twins.boiler.model import Boiler, BoilerParams
from aurum.twins.boiler.modes import (
    BOILER_MODES,
    COMBUSTION_DRIFT,
    FAN_BEARING,
    FOULING,
    R_STAR_M2K_W,
    STACK_ALARM_C,
    STACK_LIMIT_C,
    TUBE_LEAK,
)
from aurum.twins.clock import Timing
from aurum.twins.events import Event
from aurum.twins.failures import FailureMode
from aurum.twins.kind import TickOutput
from aurum.twins.params import stack
from aurum.twins.schedule import ModeInjection
from aurum.twins.shard import Shard
from aurum.twins.site import Environment
from tests.twins.test_boiler import STEADY, Run, series

# --- physics coupling: a degradation state held at a value, against a clean twin -------------


def held(name: str, value: float, load: float = 0.9) -> tuple[list[TickOutput], list[TickOutput]]:
    """The same boiler at a steady load run clean, and with one degradation state held."""

    def hold(state: dict[str, np.ndarray]) -> None:
        state[name][:] = value

    models = [BoilerParams(base_load_frac=load, **STEADY)]
    return Run(models).steps(60), Run(models).steps(60, hold)


def per_t(outs: list[TickOutput], channel: str) -> float:
    """A channel per tonne of steam over the last half hour."""
    return float(series(outs, channel)[-30:].sum() / series(outs, "production")[-30:].sum())


def last(outs: list[TickOutput], channel: str) -> float:
    return float(series(outs, channel)[-1, 0])


@pytest.mark.parametrize("load", [0.8, 1.0])
def test_fouling_at_3_mm_soot_costs_about_2_5_points(load):
    clean, fouled = held("fouling_resistance_m2k_w", FOULING.failed_at, load)
    loss = last(clean, "efficiency_pct") - last(fouled, "efficiency_pct")
    assert 2.0 < loss < 3.0  # Forbes Marshall: 3 mm soot ≈ −2.5 %
    assert last(fouled, "stack_temp_c") > last(clean, "stack_temp_c") + 40
    more_fuel = per_t(fouled, "natural_gas_gj") / per_t(clean, "natural_gas_gj") - 1
    assert more_fuel == pytest.approx(loss / last(fouled, "efficiency_pct"), rel=0.1)


def test_fouling_limits_are_the_forbes_marshall_rules():
    reference = BoilerParams()  # the limits are derived for the reference boiler
    assert (reference.pressure_setpoint_mpa, reference.stack_temp_mcr_c) == (1.1, 170.0)
    t_sat = IAPWS97(P=1.1, x=1).T - 273.15
    assert pytest.approx(t_sat + 30.0) == STACK_LIMIT_C  # ≈ 214 °C
    clean, _ = held("fouling_resistance_m2k_w", 0.0, load=1.0)
    assert last(clean, "stack_temp_c") == pytest.approx(STACK_ALARM_C - 20.0, abs=3.0)
    assert FOULING.failed_at < R_STAR_M2K_W  # the asymptote is beyond the failure level


def test_tube_leak_shows_in_the_water_balance_and_costs_fuel_and_power():
    clean, leaking = held("tube_leak_kg_s", TUBE_LEAK.failed_at)
    assert last(leaking, "water_loss_tph") == pytest.approx(3.6)
    assert last(clean, "water_loss_tph") == 0.0
    assert last(leaking, "makeup_water_tph") - last(clean, "makeup_water_tph") == pytest.approx(3.6)
    assert per_t(leaking, "natural_gas_gj") > per_t(clean, "natural_gas_gj") * 1.05
    assert per_t(leaking, "electricity_kwh") > per_t(clean, "electricity_kwh")


def test_combustion_drift_raises_o2_fuel_and_co2_per_tonne():
    clean, drifted = held("o2_drift_pct", COMBUSTION_DRIFT.failed_at)
    assert last(drifted, "o2_deviation_pct") == pytest.approx(3.0)
    assert last(drifted, "flue_o2_pct") == pytest.approx(last(clean, "flue_o2_pct") + 3.0)
    assert last(drifted, "flue_co2_pct") < last(clean, "flue_co2_pct") - 1.0  # diluted by air
    loss = last(clean, "efficiency_pct") - last(drifted, "efficiency_pct")
    assert 0.5 < loss < 2.0
    assert per_t(drifted, "natural_gas_gj") > per_t(clean, "natural_gas_gj") * 1.005
    assert per_t(drifted, "electricity_kwh") > per_t(clean, "electricity_kwh")  # more air


def test_fan_bearing_damage_crosses_the_iso_zones_and_costs_power():
    clean, worn = held("fan_bearing_damage_frac", FAN_BEARING.failed_at)
    assert last(clean, "fan_vibration_mm_s") < 1.4  # zone A
    assert last(worn, "fan_vibration_mm_s") > 4.5  # zone D
    _, half = held("fan_bearing_damage_frac", 0.45)
    assert last(half, "fan_vibration_mm_s") > FAN_BEARING.alarm  # zone C before failure
    ratio = per_t(worn, "electricity_kwh") / per_t(clean, "electricity_kwh")
    assert 1.01 < ratio < 1.04  # 4 % more fan power; the feed pump is unchanged


def test_fouling_ages_with_the_firing_rate_about_one_at_the_mean_load():
    outs = Run([BoilerParams()]).steps(24 * 60)
    stress = np.array([o.extra["stress/fouling"][0] for o in outs])
    assert stress.mean() == pytest.approx(1.0, abs=0.05)
    assert stress.max() > 1.1  # the daily peak fouls faster


def test_anomalies_point_at_the_modes_and_the_fan():
    assert Boiler.anomalies == {
        "co2_excess": ("mode", "combustion_drift"),
        "temperature_drift": ("mode", "fouling"),
        "vibration_spike": ("sensor", "fan_vibration_mm_s"),
    }


# --- the modes over a fleet, with no maintenance --------------------------------------------


@dataclass
class Lives:
    age0: np.ndarray  # each twin's equivalent age of the mode at the start
    fail_age: np.ndarray  # equivalent age at failure (FAILURE events), by twin
    fail_tick: np.ndarray
    alarm_tick: np.ndarray  # tick of the first alarm, by twin (-1: none)


def shard(modes: tuple[FailureMode, ...], n: int, hours: float, tick_h: float, **kw) -> Shard:
    class Probe(Boiler):
        failure_modes = modes

    ticks = round(hours / tick_h)
    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), tick_h * 3600, ticks, ticks, 10**9)
    params = stack([BoilerParams()] * n)
    ids = [f"BOILER-{i}" for i in range(n)]
    return Shard(Probe(), ids, np.arange(n), params, Environment.single(n), timing, **kw)


def run_to_failure(mode: FailureMode, n: int, hours: float, tick_h: float) -> Lives:
    sh = shard((mode,), n, hours, tick_h, seed=3)
    age0 = sh.state[mode.var("age_h")].copy()
    ev = sh.run_epoch().events
    fails = ev["event"] == Event.FAILURE
    alarms = ev["event"] == Event.THRESHOLD_CROSSED
    order = np.argsort(ev["twin"][fails])
    alarm_tick = np.full(n, -1)
    alarm_tick[ev["twin"][alarms]] = ev["tick"][alarms]
    return Lives(
        age0[ev["twin"][fails][order]],
        ev["value"][fails][order],
        ev["tick"][fails][order],
        alarm_tick[ev["twin"][fails][order]],
    )


def conditional_ks_p(lives: Lives, m: FailureMode) -> float:
    """KS p-value of failure ages against Weibull(β, η) given each part's starting age.

    S(T)/S(a0) is uniform when T follows the Weibull conditional on surviving to a0.
    """
    s = np.exp((lives.age0 / m.eta_h) ** m.beta - (lives.fail_age / m.eta_h) ** m.beta)
    return float(stats.kstest(s, "uniform").pvalue)


@pytest.mark.parametrize(
    ("mode", "hours", "tick_h"),
    [(TUBE_LEAK, 100_000, 24.0), (COMBUSTION_DRIFT, 40_000, 12.0), (FAN_BEARING, 170_000, 48.0)],
    ids=["tube_leak", "combustion_drift", "fan_bearing"],
)
def test_failure_ages_follow_the_weibull_and_the_alarm_comes_first(mode, hours, tick_h):
    n = 300
    lives = run_to_failure(mode, n, hours, tick_h)
    assert len(lives.fail_age) == n  # the horizon is long enough for every part to fail
    assert conditional_ks_p(lives, mode) > 0.01
    warned = (lives.alarm_tick >= 0) & (lives.alarm_tick < lives.fail_tick)
    assert warned.mean() >= 0.8  # P before F


def test_fouling_fails_within_the_kern_seaton_bound_after_its_alarm():
    lives = run_to_failure(FOULING, 200, 3_000, 1.0)
    assert len(lives.fail_age) == 200
    bound_h = -FOULING.tau_h * math.log(1 - FOULING.failed_at / FOULING.ceiling)
    assert np.all(lives.fail_age <= bound_h + 1.5)  # a hot stack may trip before R_f fails
    assert 0.6 * bound_h < np.median(lives.fail_age)  # weeks to months between cleanings
    assert np.mean((lives.alarm_tick >= 0) & (lives.alarm_tick < lives.fail_tick)) >= 0.8


def test_failures_are_deterministic_per_seed():
    def events(seed: int) -> dict[str, np.ndarray]:
        return shard(BOILER_MODES, 40, 20_000, 24.0, seed=seed).run_epoch().events

    a, b, c = events(5), events(5), events(6)
    assert len(a["tick"]) > 40
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["tick"], c["tick"])


def test_a_co2_excess_injection_raises_fuel_per_tonne_from_its_tick():
    class Steady(Boiler):
        failure_modes = BOILER_MODES

    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), 60.0, 120, 60, 10**9)
    params = stack([BoilerParams(base_load_frac=0.9, **STEADY)])
    inject = ModeInjection(60, (0,), "combustion_drift", severity=0.5)
    sh = Shard(Steady(), ["B-0"], np.arange(1), params, Environment.single(1), timing, 3, [inject])
    drift0 = sh.state["o2_drift_pct"][0]
    before, after = sh.run_epoch(), sh.run_epoch()
    assert sh.state["o2_drift_pct"][0] >= max(drift0, 1.5)
    gas = [r.activity["natural_gas_gj"][0] / r.production[0] for r in (before, after)]
    assert gas[1] > gas[0] * (1.002 if drift0 < 1.0 else 1.0)
