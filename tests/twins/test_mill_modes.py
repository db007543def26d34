"""The MILL's failure modes: physics couplings, Weibull lives, P-F, liner wear, sources."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy import stats

from aurum.physics.degradation import weibull_cdf
from aurum.physics.mill import ISO_10816_G1_RIGID_MM_S, TRUNNION_ALARM_C, TRUNNION_TRIP_C
from aurum.twins.clock import Timing
from aurum.twins.events import Event
from aurum.twins.failures import FailureMode
from aurum.twins.kind import TickOutput
from aurum.twins.mill.model import DESIGN_POWER_KW, Mill, MillParams
from aurum.twins.mill.modes import (
    GEARBOX,
    LINER,
    LINER_SET_USD,
    REFERENCE_POWER_KW,
    TRUNNION_BEARING,
)
from aurum.twins.params import stack
from aurum.twins.schedule import Action, ModeInjection
from aurum.twins.shard import Shard
from aurum.twins.site import Environment
from tests.twins.test_mill import series, setter, simulate

AB, BC, CD = ISO_10816_G1_RIGID_MM_S
STEADY = MillParams(work_index_sd_frac=0.0, filling_sd_frac=0.0)  # at the design point


def shard(
    modes: tuple[FailureMode, ...],
    n: int,
    hours: int,
    params: MillParams | None = None,
    actions: tuple[Action, ...] = (),
    seed: int = 1,
) -> Shard:
    """n mills with only `modes`, hourly ticks, no maintenance, telemetry rarely sampled."""

    class Some(Mill):
        failure_modes = modes

    ids = [f"MILL-{i}" for i in range(n)]
    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), 3600.0, hours, 1_000, 1_000)
    arrays = stack([params or MillParams()] * n)
    return Shard(Some(), ids, np.arange(n), arrays, Environment.single(n), timing, seed, actions)


def run(sh: Shard) -> dict[str, NDArray[np.generic]]:
    """Run a shard to its end; all its events."""
    logs = []
    while not sh.done:
        logs.append(sh.run_epoch().events)
    return {k: np.concatenate([e[k] for e in logs]) for k in logs[0]}


def first(events: dict[str, NDArray[np.generic]], kind: Event, n: int) -> NDArray[np.float64]:
    """Tick of each twin's first event of a kind (inf if none)."""
    out = np.full(n, np.inf)
    hit = events["event"] == kind
    for twin, tick in zip(events["twin"][hit][::-1], events["tick"][hit][::-1], strict=True):
        out[twin] = tick
    return out


def per_tonne(outputs: list[TickOutput]) -> float:
    kwh = sum(float(o.activity["electricity_kwh"].sum()) for o in outputs)
    return kwh / sum(float(o.production.sum()) for o in outputs)


# --- health → symptom → activity per tonne / output ------------------------------------


def test_trunnion_damage_heats_vibrates_and_costs_electricity() -> None:
    healthy, _ = simulate(1, 720, STEADY)
    worn, _ = simulate(1, 720, STEADY, tweak=setter("bearing_damage_frac", 0.8))
    assert series(healthy, "trunnion_bearing_temp_c").max() < TRUNNION_ALARM_C
    assert series(worn, "trunnion_bearing_temp_c")[-60:].min() > TRUNNION_TRIP_C
    assert series(worn, "trunnion_vibration_mm_s")[0, 0] == pytest.approx(1.6 + 8.0 * 0.8)  # D
    # the extra friction (0.8 × 1.5 × 30 kW) comes from the motor; with a motor rated above the
    # design draw the charge sees no change
    big = STEADY.model_copy(update={"motor_rating_kw": 40_000.0})
    healthy_big, _ = simulate(1, 5, big)
    worn_big, _ = simulate(1, 5, big, tweak=setter("bearing_damage_frac", 0.8))
    np.testing.assert_allclose(worn_big[-1].production, healthy_big[-1].production, rtol=1e-12)
    extra_kwh = (
        worn_big[-1].activity["electricity_kwh"] - healthy_big[-1].activity["electricity_kwh"]
    )[0]
    assert extra_kwh == pytest.approx(36.0 / 0.955 / 60.0, rel=1e-9)
    # Cadia's design point draws the 20 MW rating: the motor is full, so the charge gives up the
    # 36 kW the friction takes and the mill mills that much less
    rating = MillParams().motor_rating_kw
    ratio = worn[-1].production / healthy[-1].production
    np.testing.assert_allclose(ratio, (rating - 36.0) / DESIGN_POWER_KW, rtol=1e-9)
    assert per_tonne(worn) > per_tonne(healthy)


@pytest.mark.parametrize(("height_mm", "worn_pct"), [(152.0, 0.0), (76.0, 50.0), (30.4, 80.0)])
def test_liner_wear_costs_kwh_per_tonne_below_the_knee(height_mm: float, worn_pct: float) -> None:
    new, _ = simulate(1, 60, STEADY, tweak=setter("liner_height_mm", 152.0))
    worn, _ = simulate(1, 60, STEADY, tweak=setter("liner_height_mm", height_mm))
    assert series(worn, "liner_wear_pct")[0, 0] == pytest.approx(worn_pct, abs=0.01)
    excess = max(0.0, 1.0 - height_mm / 76.0)  # past the knee h/h0 = 0.5
    energy = series(worn, "specific_energy_kwh_t") / series(new, "specific_energy_kwh_t")
    np.testing.assert_allclose(energy, 1.0 + 0.15 * excess, rtol=1e-3)
    tonnes = series(worn, "feed_rate_tph") / series(new, "feed_rate_tph")
    np.testing.assert_allclose(tonnes, (1.0 - 0.10 * excess) / (1.0 + 0.15 * excess), rtol=1e-3)
    assert per_tonne(worn) == pytest.approx(per_tonne(new) * (1.0 + 0.15 * excess), rel=0.01)


def test_gearbox_damage_vibrates_the_pinion_and_loses_efficiency() -> None:
    healthy, _ = simulate(1, 30, STEADY)
    alarm, _ = simulate(1, 30, STEADY, tweak=setter("gearbox_damage_frac", 0.3625))
    failed, _ = simulate(1, 30, STEADY, tweak=setter("gearbox_damage_frac", 1.0))
    assert series(alarm, "pinion_vibration_mm_s")[0, 0] == pytest.approx(BC)  # zone C
    assert series(failed, "pinion_vibration_mm_s")[0, 0] > CD
    np.testing.assert_allclose(failed[-1].production, healthy[-1].production, rtol=1e-12)
    aux = MillParams().auxiliary_kw / 60.0
    motor = [o.activity["electricity_kwh"][0] - aux for o in (healthy[-1], failed[-1])]
    assert motor[1] / motor[0] == pytest.approx(1.0 / 0.98, rel=1e-9)  # 2 % drive loss [A]
    assert per_tonne(failed) > 1.015 * per_tonne(healthy)


# --- Weibull lives and P-F, no maintenance ------------------------------------------------


def scaled(mode: FailureMode, aged: bool) -> FailureMode:
    """The mode with η → 1,000 h (D scaled alike) so that a short run sees every failure."""
    if not mode.weibull:
        return mode
    k = mode.eta_h / 1_000.0
    frac = mode.initial_age_frac if aged else 0.0
    return dataclasses.replace(
        mode, eta_h=1_000.0, duration_h=mode.duration_h / k, initial_age_frac=frac
    )


@pytest.mark.parametrize("mode", [TRUNNION_BEARING, GEARBOX], ids=lambda m: m.name)
@pytest.mark.parametrize("aged", [False, True], ids=["new", "aged"])
def test_failure_ages_follow_the_weibull_and_the_alarm_comes_first(
    mode: FailureMode, aged: bool
) -> None:
    m, n = scaled(mode, aged), 400
    sh = shard((m,), n, 4_000)
    age0 = sh.state[m.var("age_h")].copy()
    events = run(sh)
    failure = events["event"] == Event.FAILURE
    assert failure.sum() == pytest.approx(n, abs=2)
    age = np.full(n, np.nan)
    age[events["twin"][failure]] = events["value"][failure]
    ok = np.isfinite(age)
    # P(T ≤ t | T > a) is uniform if T is drawn from the Weibull conditional on the age a
    f0 = weibull_cdf(age0[ok], m.beta, m.eta_h)
    u = (weibull_cdf(age[ok], m.beta, m.eta_h) - f0) / (1.0 - f0)
    assert stats.kstest(u, "uniform").pvalue > 0.01
    if not aged:
        assert stats.kstest(age[ok], "weibull_min", args=(m.beta, 0, m.eta_h)).pvalue > 0.01
    warned = first(events, Event.THRESHOLD_CROSSED, n) < first(events, Event.FAILURE, n)
    assert warned[ok].mean() >= 0.8


def test_trunnion_temperature_warns_weeks_before_the_trip() -> None:
    """Real scale: 70 °C is crossed ≈ 3 weeks before the 75 °C trip (P-F, §5.9)."""
    n = 100
    start = ModeInjection(0, tuple(range(n)), TRUNNION_BEARING.name)  # onset now
    events = run(shard((TRUNNION_BEARING,), n, 9_000, actions=(start,)))
    fail, alarm = first(events, Event.FAILURE, n), first(events, Event.THRESHOLD_CROSSED, n)
    done = np.isfinite(fail)
    assert done.mean() > 0.8 and np.all(alarm[done] < fail[done])
    assert 300 < np.median(fail[done] - alarm[done]) < 600


def test_gearbox_zone_c_warns_months_before_failure() -> None:
    """Zone C at 0.36 of the damage, c = 4: P-F ≈ 0.25·D ≈ 1,500 h (vibration 1–9 months)."""
    m = scaled(GEARBOX, aged=False)
    events = run(shard((m,), 300, 4_000))
    fail, alarm = first(events, Event.FAILURE, 300), first(events, Event.THRESHOLD_CROSSED, 300)
    ok = np.isfinite(fail) & (alarm > 0)
    k = GEARBOX.eta_h / m.eta_h
    assert 1_100 < k * np.median(fail[ok] - alarm[ok]) < 1_900


# --- liner: usage law ------------------------------------------------------------------------


def test_liner_wears_at_the_sarcheshmeh_rate_at_design_throughput() -> None:
    sh = shard((LINER,), 20, 500, STEADY)
    before = sh.state["liner_height_mm"].copy()
    age0 = sh.state[LINER.var("age_h")].copy()
    # a part-worn liner starts as old as its wear (what an age-based reline interval reads)
    np.testing.assert_allclose(age0, (152.0 - before) / 0.024, rtol=1e-9)
    assert age0.min() > 0.0 and age0.max() <= 0.5 * LINER.life_h
    run(sh)
    worn = before - sh.state["liner_height_mm"]
    np.testing.assert_allclose(worn, 0.024 * 500, rtol=2e-3)  # 12 mm in 500 h
    np.testing.assert_allclose(sh.state[LINER.var("age_h")] - age0, 500.0, rtol=2e-3)


def test_a_worn_liner_mills_less_and_wears_slower() -> None:
    sh = shard((LINER,), 5, 100, STEADY)
    sh.state["liner_height_mm"][:] = 40.0  # past the knee: Q/Q_design = 0.953/1.071
    run(sh)
    assert 40.0 - sh.state["liner_height_mm"][0] == pytest.approx(2.4 * 0.953 / 1.071, rel=0.01)


def test_the_liner_alarms_then_fails_at_the_minimum_height() -> None:
    sh = shard((LINER,), 10, 1_200, STEADY)
    sh.state["liner_height_mm"][:] = 50.0  # 67 % worn: below the 70 % alarm
    events = run(sh)
    fail, alarm = first(events, Event.FAILURE, 10), first(events, Event.THRESHOLD_CROSSED, 10)
    assert np.all(alarm < fail) and np.all(np.isfinite(fail))
    assert np.all(fail - alarm > 500)  # weeks to plan a 3-day reline
    np.testing.assert_allclose(sh.state["liner_height_mm"], 0.2 * 152.0, atol=0.05)


def test_an_accelerated_liner_wears_faster() -> None:
    fast = ModeInjection(0, tuple(range(4)), LINER.name, accelerate=3.0)
    sh = shard((LINER,), 4, 100, STEADY, actions=(fast,))
    before = sh.state["liner_height_mm"].copy()
    run(sh)
    np.testing.assert_allclose(before - sh.state["liner_height_mm"], 3 * 2.4, rtol=2e-3)


# --- declarations, anomalies, injections, determinism --------------------------------------


def test_modes_carry_the_reference_figures() -> None:
    assert Mill.mode_names() == ("trunnion_bearing", "liner", "gearbox")
    assert 1.3 <= TRUNNION_BEARING.beta <= 1.5 and 40_000 <= TRUNNION_BEARING.eta_h <= 100_000
    assert (GEARBOX.beta, GEARBOX.eta_h) == (2.0, 40_000.0)
    assert (TRUNNION_BEARING.alarm, TRUNNION_BEARING.trip) == (70.0, 75.0)
    assert GEARBOX.alarm == BC
    assert LINER.failed_at == pytest.approx(0.2 * LINER.healthy)
    assert 48 <= LINER.pm_h <= 120 and 48 <= LINER.mttr_h <= 120
    for m in (TRUNNION_BEARING, GEARBOX):
        assert 4 <= m.mttr_h <= 24 and m.pm_h < m.mttr_h
    for m in Mill.failure_modes:
        assert "[" in m.source and "§" not in m.source and ".md" not in m.source, m.name
        assert m.parts_usd >= m.pm_parts_usd > 0


def test_reline_cost_is_derived_from_the_reference_mill() -> None:
    assert pytest.approx(DESIGN_POWER_KW, rel=1e-3) == REFERENCE_POWER_KW
    assert 1.5e6 < LINER_SET_USD < 3.0e6


def test_anomalies() -> None:
    assert Mill.anomalies == {
        "vibration_spike": ("sensor", "pinion_vibration_mm_s"),
        "temperature_drift": ("mode", "trunnion_bearing"),
    }


def test_a_temperature_drift_ends_in_the_trip() -> None:
    """The anomaly ramps bearing damage to 0.9 over 48 h: 70 °C, then the 75 °C trip."""
    new = dataclasses.replace(TRUNNION_BEARING, initial_age_frac=0.0)
    drift = ModeInjection(10, (0,), new.name, severity=0.9, ramp_h=48.0, label="temperature_drift")
    sh = shard((new,), 2, 200, STEADY, actions=(drift,))
    sh.state[new.var("onset_h")][:] = 1e9  # healthy bearings whatever their drawn lives
    events = run(sh)
    fail, alarm = first(events, Event.FAILURE, 2), first(events, Event.THRESHOLD_CROSSED, 2)
    assert 10 + 24 < fail[0] < 10 + 48 and 10 < alarm[0] < fail[0]
    assert np.isinf(fail[1]) and np.isinf(alarm[1])


def test_runs_with_all_modes_are_deterministic() -> None:
    a = run(shard(tuple(scaled(m, True) for m in Mill.failure_modes), 50, 1_500, seed=3))
    b = run(shard(tuple(scaled(m, True) for m in Mill.failure_modes), 50, 1_500, seed=3))
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert np.sum(a["event"] == Event.FAILURE) > 10
