"""The failure-mode framework on its own: laws, Weibull lives, P-F, renewals, injections."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from aurum.physics.degradation import weibull_cdf
from aurum.twins.failures import FailureMode, FailureModel
from aurum.twins.rng import Streams, twin_keys

BEARING = FailureMode(
    "bearing",
    "bearing",
    "test mode",
    "damage",
    0.0,
    1.0,
    "exp",
    "test",
    beta=1.5,
    eta_h=2_000.0,
    duration_h=200.0,
    symptom="vib",
    alarm=0.3,
    initial_age_frac=0.0,
)


def run(mode: FailureMode, n: int, hours: int, seed: int = 1) -> tuple[np.ndarray, dict]:
    """Advance n twins hour by hour with no maintenance; failure age of each (inf if none)."""
    model = FailureModel((mode,))
    state: dict[str, np.ndarray] = {mode.health: np.zeros(n)}
    rng = Streams(seed, twin_keys([f"t{i}" for i in range(n)]))
    model.initial(state, rng)
    failed_at = np.full(n, np.inf)
    alarm_at = np.full(n, np.inf)
    up = np.ones(n, dtype=bool)
    for hour in range(hours):
        truth = {"vib": state[mode.health]}  # the symptom reads the health at the tick's start
        failed, alarms = model.tick(state, truth, up, 1.0, {})
        for _, idx in alarms:
            alarm_at[idx] = hour
        hit = failed > 0
        assert not (hit & ~up).any()  # a stopped machine does not fail
        failed_at[hit] = state[mode.var("age_h")][hit]
        up &= ~hit
    return failed_at, {"alarm_at": alarm_at, "state": state, "model": model, "rng": rng}


def test_failure_ages_follow_the_weibull() -> None:
    ages, _ = run(BEARING, 2_000, 8_000)
    assert np.isfinite(ages).mean() > 0.99
    p = stats.kstest(ages[np.isfinite(ages)], "weibull_min", args=(1.5, 0, 2_000.0)).pvalue
    assert p > 0.01


def test_the_symptom_warns_before_the_failure() -> None:
    ages, info = run(BEARING, 500, 8_000)
    warned = info["alarm_at"] < ages  # hours of operation == age here
    assert warned.mean() > 0.95
    # exp law, c = 4: the alarm (0.3 of the way) comes at ln(1 + 0.3(e^4 - 1))/4 ≈ 0.71 D,
    # so the P-F interval is ≈ 0.29 D ≈ 58 h for the median D of 200 h
    pf = ages[warned] - info["alarm_at"][warned]
    assert 40 < np.median(pf) < 80


def test_aged_parts_are_sampled_conditionally() -> None:
    aged = FailureMode(**{**BEARING.__dict__, "initial_age_frac": 1.0})
    model = FailureModel((aged,))
    n = 4_000
    state: dict[str, np.ndarray] = {"damage": np.zeros(n)}
    model.initial(state, Streams(3, twin_keys([f"t{i}" for i in range(n)])))
    age0 = state[aged.var("age_h")]
    life = state[aged.var("onset_h")] + state[aged.var("dur_h")]
    assert np.all(life >= age0) and age0.max() > 1_500
    # P(T <= t | T > a) = (F(t) - F(a)) / (1 - F(a)) is uniform when T is drawn right
    u = (weibull_cdf(life, 1.5, 2_000) - weibull_cdf(age0, 1.5, 2_000)) / (
        1 - weibull_cdf(age0, 1.5, 2_000)
    )
    assert stats.kstest(u, "uniform").pvalue > 0.01


def test_renewal_as_good_as_new_and_imperfect() -> None:
    _, info = run(BEARING, 50, 3_000)
    model, state, rng = info["model"], info["state"], info["rng"]
    idx = np.arange(10)
    model.renew(state, 0, idx, rng, restoration=1.0)
    assert np.all(state["bearing_age_h"][idx] == 0.0) and np.all(state["damage"][idx] == 0.0)
    assert np.all(state["bearing_renewals"][idx] == 1.0)
    before = state["bearing_age_h"][10:20].copy()
    model.renew(state, 0, np.arange(10, 20), rng, restoration=0.6)
    assert np.allclose(state["bearing_age_h"][10:20], 0.4 * before)


def test_injection_ramps_to_its_severity_then_degradation_continues() -> None:
    model = FailureModel((BEARING,))
    state: dict[str, np.ndarray] = {"damage": np.zeros(2)}
    model.initial(state, Streams(1, twin_keys(["a", "b"])))
    state["bearing_onset_h"][:] = 1e9  # healthy for ages
    model.inject(state, 0, np.array([0]), severity=0.5, ramp_h=10.0, accelerate=1.0)
    up = np.ones(2, dtype=bool)
    for _ in range(5):
        model.tick(state, {}, up, 1.0, {})
    assert state["damage"][0] == pytest.approx(0.25 + model.natural(state, BEARING)[0])
    for _ in range(20):
        model.tick(state, {}, up, 1.0, {})
    assert state["bearing_forced"][0] == pytest.approx(0.5)
    assert state["damage"][0] > 0.5 and state["damage"][1] == 0.0


def test_usage_law_is_renewed_not_recomputed() -> None:
    tread = FailureMode(
        "tyres",
        "tyres",
        "t",
        "tread_mm",
        100.0,
        10.0,
        "usage",
        "test",
        symptom="tread_mm",
        alarm=25.0,
        symptom_falls=True,
    )
    model = FailureModel((tread,))
    state: dict[str, np.ndarray] = {"tread_mm": np.array([100.0, 30.0, 9.0])}
    model.initial(state, Streams(1, twin_keys(["a", "b", "c"])))
    up = np.ones(3, dtype=bool)
    failed, alarms = model.tick(state, {"tread_mm": state["tread_mm"]}, up, 1.0, {})
    assert np.array_equal(state["tread_mm"], [100.0, 30.0, 9.0])  # the kind wears it, not us
    assert failed.tolist() == [0, 0, 1]
    assert [i.tolist() for _, i in alarms] == [[2]]
    _, alarms = model.tick(state, {"tread_mm": state["tread_mm"]}, up, 1.0, {})
    assert alarms == []  # an alarm is raised once per life
    model.renew(state, 0, np.array([2]), Streams(1, twin_keys(["a", "b", "c"])))
    assert state["tread_mm"][2] == 100.0


def test_a_part_worn_usage_part_starts_as_old_as_its_wear() -> None:
    """A fleet mid-life: the kind starts treads part-worn, so their equivalent age — what an
    age-based policy reads — is the wear's share of the way to failure × the mode's life (it
    used to start at 0 for every part, so a 4,000-h reline interval never came due)."""
    tread = FailureMode(
        "tyres", "tyres", "t", "tread_mm", 100.0, 10.0, "usage", "test", life_h=6_000.0
    )
    model = FailureModel((tread,))
    state: dict[str, np.ndarray] = {"tread_mm": np.array([100.0, 55.0, 10.0, 4.0, 101.0])}
    model.initial(state, Streams(1, twin_keys(list("abcde"))))
    np.testing.assert_allclose(state["tyres_age_h"], [0.0, 3_000.0, 6_000.0, 6_000.0, 0.0])
    assert np.array_equal(state["tread_mm"], [100.0, 55.0, 10.0, 4.0, 101.0])  # health untouched
    no_life = FailureModel((FailureMode("t", "t", "t", "tread_mm", 100.0, 10.0, "usage", "t"),))
    state = {"tread_mm": np.array([55.0])}
    no_life.initial(state, Streams(1, twin_keys(["a"])))
    assert state["t_age_h"].tolist() == [0.0]  # no life given: age from the run's start


def test_stress_speeds_up_ageing() -> None:
    model = FailureModel((BEARING,))
    state: dict[str, np.ndarray] = {"damage": np.zeros(2)}
    model.initial(state, Streams(1, twin_keys(["a", "b"])))
    model.tick(state, {}, np.ones(2, dtype=bool), 1.0, {"bearing": np.array([1.0, 2.5])})
    assert state["bearing_age_h"].tolist() == [1.0, 2.5]
    model.tick(state, {}, np.array([False, True]), 1.0, {})
    assert state["bearing_age_h"].tolist() == [1.0, 3.5]  # a stopped machine does not age


@pytest.mark.parametrize("law", ["exp", "linear", "asymptotic", "usage"])
def test_a_compiled_tick_gives_the_health_the_laws_give(law: str) -> None:
    """`tick` (compiled, one twin at a time) against `health_of` (the laws of
    physics.degradation over arrays) on aged, injected and ramping twins of every law."""
    mode = FailureMode(
        "m", "m", "t", "h", 2.0, 0.5, law, "test", beta=2.0, eta_h=500.0, duration_h=100.0,
        tau_h=80.0, ceiling=3.0, curvature=3.0, initial_age_frac=1.0,
    )  # fmt: skip
    n = 400
    model = FailureModel((mode,))
    state: dict[str, np.ndarray] = {"h": np.full(n, 2.0)}
    rng = Streams(4, twin_keys([f"t{i}" for i in range(n)]))
    model.initial(state, rng)
    some = np.arange(0, n, 7)
    model.inject(state, 0, some, severity=0.4, ramp_h=30.0, accelerate=2.0)
    up = np.arange(n) % 5 != 0
    stress = {"m": np.linspace(0.5, 2.0, n)}
    usage_before, age_before = state["h"].copy(), state["m_age_h"].copy()
    for _ in range(50):
        model.tick(state, {}, up, 1.0, stress)
    forced = state["m_forced"]
    assert forced[some].min() > 0.0 and forced[some].max() <= 0.4 * 1.5 + 1e-12
    aged = 50.0 * state["m_accel"] * stress["m"] * up  # a stopped machine does not age
    np.testing.assert_allclose(state["m_age_h"] - age_before, aged, rtol=1e-12, atol=1e-9)
    if law == "usage":  # the kind wears it; only the injected part is added here
        np.testing.assert_allclose(state["h"], usage_before - forced, rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(state["h"], model.health_of(state, mode), rtol=1e-12)
        assert np.ptp(state["h"]) > 0.1  # the batch is spread over its laws' range


def test_first_declared_mode_wins_and_a_trip_is_a_failure() -> None:
    """Two modes failing in the same tick count as the first declared; a symptom past its trip
    fails the twin whatever its health; a stopped twin neither fails nor hides its alarm."""
    first = FailureMode("a", "a", "t", "ha", 0.0, 1.0, "linear", "test", symptom="x", trip=5.0)
    second = FailureMode("b", "b", "t", "hb", 0.0, 1.0, "linear", "test", symptom="y", alarm=2.0)
    model = FailureModel((first, second))
    n = 4
    state: dict[str, np.ndarray] = {"ha": np.zeros(n), "hb": np.zeros(n)}
    model.initial(state, Streams(1, twin_keys([f"t{i}" for i in range(n)])))
    for m in (first, second):
        state[m.var("onset_h")][:] = 0.0
        state[m.var("dur_h")][:] = 10.0
    state["a_age_h"][:] = [20.0, 0.0, 0.0, 20.0]  # twins 0 and 3: mode a past failure
    state["b_age_h"][:] = [20.0, 20.0, 0.0, 20.0]  # twins 0, 1 and 3: mode b too
    x = np.array([0.0, 0.0, 7.0, 0.0])  # twin 2: a's symptom past its trip
    y = np.array([3.0, 0.0, 0.0, 3.0])
    up = np.array([True, True, True, False])
    failed, alarms = model.tick(state, {"x": x, "y": y}, up, 0.0, {})
    assert failed.tolist() == [1, 2, 1, 0]
    assert [(i, idx.tolist()) for i, idx in alarms] == [(1, [0, 3])]


def test_a_tick_follows_state_arrays_replaced_between_ticks() -> None:
    """`tick` keeps the state's mode columns across ticks: a new state dict (a checkpoint
    loaded), an array replaced in the same dict, or a batch of another size is what it ticks."""
    model = FailureModel((BEARING,))
    n = 3
    state: dict[str, np.ndarray] = {"damage": np.zeros(n)}
    model.initial(state, Streams(1, twin_keys([f"t{i}" for i in range(n)])))
    up = np.ones(n, dtype=bool)
    model.tick(state, {}, up, 1.0, {})
    loaded = {k: v.copy() for k, v in state.items()}
    model.tick(loaded, {}, up, 1.0, {})
    assert loaded["bearing_age_h"].tolist() == (state["bearing_age_h"] + 1.0).tolist()
    state["bearing_age_h"] = np.full(n, 7.0)  # replaced in the same dict
    model.tick(state, {}, up, 2.0, {"bearing": np.array([1.0, 0.5, 0.0])})
    assert state["bearing_age_h"].tolist() == [9.0, 8.0, 7.0]
    small = {"damage": np.zeros(1)}
    model.initial(small, Streams(1, twin_keys(["s"])))
    failed, _ = model.tick(small, {"vib": np.array([0.0])}, np.ones(1, dtype=bool), 1.0, {})
    assert failed.shape == (1,) and small["bearing_age_h"].tolist() == [1.0]
