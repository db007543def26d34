"""Risk features: incremental windows, their meaning, per-twin independence, gaps, resets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum.twins import registry
from aurum.twins.kind import Status
from aurum.twins.risk.features import (
    CONTEXT_STATS,
    SYMPTOM_STATS,
    TAU_FAST_H,
    TWIN_FEATURES,
    Features,
    FeatureSpec,
)

KINDS = registry.names()


def readings(spec: FeatureSpec, n: int, value: float | np.ndarray) -> dict[str, np.ndarray]:
    return {c: np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
            for c in spec.channels}  # fmt: skip


def running(n: int) -> np.ndarray:
    return np.full(n, Status.RUNNING, dtype=np.int8)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_symptom_and_context_features(kind: str) -> None:
    k = registry.get(kind)
    spec = FeatureSpec.of(k)
    symptoms = {m.symptom for m in k.failure_modes if m.symptom}
    assert set(spec.symptoms) == symptoms
    assert set(spec.context) <= set(k.sensor_names()) and not set(spec.context) & symptoms
    per = len(spec.symptoms) * len(SYMPTOM_STATS) + len(spec.context) * len(CONTEXT_STATS)
    assert len(spec.names) == per + len(TWIN_FEATURES) == len(set(spec.names))


def test_fast_mean_follows_a_step_with_its_time_constant() -> None:
    spec = FeatureSpec.of(registry.get("mill"))
    f = Features(spec, 1, dt_h=0.25, warmup_h=0.0)
    f.update(readings(spec, 1, 0.0), running(1))
    for _ in range(4):  # one hour after a unit step
        f.update(readings(spec, 1, 1.0), running(1))
    x = f.matrix()[0]
    fast = x[spec.names.index(f"{spec.symptoms[0]}:fast")]
    assert fast == pytest.approx(1.0 - math.exp(-1.0 / TAU_FAST_H), rel=1e-6)


def test_slope_of_a_ramp_is_its_rate_per_hour() -> None:
    spec = FeatureSpec.of(registry.get("boiler"))
    f = Features(spec, 1, dt_h=0.25, warmup_h=0.0)
    for k in range(2000):  # 500 h of a 0.1/h ramp: every window has settled
        f.update(readings(spec, 1, 0.1 * 0.25 * k), running(1))
    x = f.matrix()[0]
    c = spec.symptoms[0]
    assert x[spec.names.index(f"{c}:slope")] == pytest.approx(0.1, rel=1e-3)
    lag = x[spec.names.index(f"{c}:fast")] - x[spec.names.index(f"{c}:slow")]
    assert lag == pytest.approx(0.1 * (24.0 - 1.0), rel=0.02)  # an EW mean lags a ramp by τ


def test_peak_hold_and_peak_count_see_spikes() -> None:
    spec = FeatureSpec.of(registry.get("truck"))
    f = Features(spec, 2, dt_h=1 / 6, warmup_h=0.0)
    rng = np.random.default_rng(0)
    for k in range(600):
        x = 90.0 + rng.normal(0.0, 0.5, 2)
        x[1] += 10.0 * (k % 50 == 0)  # twin 1: a spike every ~8 h
        f.update({c: x for c in spec.channels}, running(2))
    m = f.matrix()
    c = spec.symptoms[0]
    peak, peaks = spec.names.index(f"{c}:peak"), spec.names.index(f"{c}:peaks")
    assert m[1, peak] > m[0, peak] + 3.0
    assert m[1, peaks] > 2 * m[0, peaks]


def test_twin_features_do_not_depend_on_the_batch() -> None:
    spec = FeatureSpec.of(registry.get("truck"))
    rng = np.random.default_rng(1)
    series = rng.normal(50.0, 5.0, (300, 5))
    status = rng.choice([Status.RUNNING, Status.DERATED, Status.DOWN], (300, 5)).astype(np.int8)
    batch = Features(spec, 5, 0.25, 2.0)
    alone = Features(spec, 1, 0.25, 2.0)
    for k in range(300):
        batch.update({c: series[k] for c in spec.channels}, status[k])
        alone.update({c: series[k, 3:4] for c in spec.channels}, status[k, 3:4])
    np.testing.assert_array_equal(batch.matrix()[3], alone.matrix()[0])


def test_down_twins_and_dropouts_leave_windows_alone() -> None:
    spec = FeatureSpec.of(registry.get("mill"))
    f = Features(spec, 2, 0.25, 1.0)
    for _ in range(8):
        f.update(readings(spec, 2, 5.0), running(2))
    before = f.matrix().copy()
    down = np.array([Status.DOWN, Status.RUNNING], dtype=np.int8)
    values = readings(spec, 2, np.array([50.0, np.nan]))
    scored = f.update(values, down)
    np.testing.assert_array_equal(f.matrix()[0], before[0])  # down: nothing moves
    c = spec.channels[0]
    assert f.matrix()[1, spec.names.index(f"{c}:fast")] == before[1, spec.names.index(f"{c}:fast")]
    assert scored.tolist() == [False, True]


def test_warmup_then_baseline_and_reset() -> None:
    spec = FeatureSpec.of(registry.get("boiler"))
    f = Features(spec, 1, 0.5, warmup_h=2.0)
    scored = [bool(f.update(readings(spec, 1, 3.0), running(1))[0]) for _ in range(6)]
    assert scored == [False, False, False, True, True, True]  # 4 × 0.5 h = the warm-up
    c = spec.symptoms[0]
    vs_base = spec.names.index(f"{c}:vs_base")
    f.update(readings(spec, 1, 4.0), running(1))
    assert f.matrix()[0, vs_base] > 0.0
    f.reset(np.array([0]))
    assert not f.update(readings(spec, 1, 9.0), running(1))[0]
    assert f.matrix()[0, spec.names.index(f"{c}:slow")] == 9.0  # windows start anew


def test_state_dict_round_trip() -> None:
    spec = FeatureSpec.of(registry.get("truck"))
    a = Features(spec, 3, 0.25, 1.0)
    for k in range(20):
        a.update(readings(spec, 3, float(k)), running(3))
    b = Features(spec, 3, 0.25, 1.0)
    b.load_state_dict(a.state_dict())
    for f in (a, b):
        f.update(readings(spec, 3, 30.0), running(3))
    np.testing.assert_array_equal(a.matrix(), b.matrix())
