"""Risk scoring in a shard: one model call per epoch, alerts with hysteresis, resets, state."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from aurum.twins.clock import Timing
from aurum.twins.events import Event
from aurum.twins.mill.model import Mill, MillParams
from aurum.twins.params import stack
from aurum.twins.risk import RiskSettings
from aurum.twins.schedule import Job
from aurum.twins.shard import Shard
from aurum.twins.site import Environment

HOUR = 3600.0


class Scripted:
    """A stand-in scorer: risk = the script's value at each call's instant, for every row."""

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.calls = 0
        self.rows = 0

    def score(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        self.rows += len(x)
        return np.zeros(len(x), np.float32)


def mill_shard(
    n: int = 3, hours: int = 48, warmup_h: float = 2.0, clear_after_h: float = 0.0
) -> Shard:
    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), 600.0, hours * 6, 36, 6)  # 10-min ticks
    ids = [f"MILL-{i}" for i in range(n)]
    params = stack([MillParams()] * n)
    risk = RiskSettings(
        score=True,
        interval_s=HOUR,
        warmup_h=warmup_h,
        record_every_s=HOUR,
        clear_after_h=clear_after_h,
    )
    shard = Shard(Mill(), ids, np.arange(n), params, Environment.single(n), timing, 3, risk=risk)
    assert shard.scoring is not None
    shard.scoring.on, shard.scoring.off = 0.6, 0.3
    return shard


def script(shard: Shard, risk_of: Any) -> Scripted:
    """Make the shard's model return risk_of(tick, twin) for every scored row."""
    s = shard.scoring
    assert s is not None
    fake = Scripted([])

    def score(x: np.ndarray) -> np.ndarray:
        fake.calls += 1
        fake.rows += len(x)
        scored = np.stack(s._scored)
        ticks = np.repeat(np.array(s._ticks)[:, None], s.n, axis=1)[scored]
        twins = np.repeat(np.arange(s.n)[None, :], len(s._ticks), axis=0)[scored]
        return np.array([risk_of(t, w) for t, w in zip(ticks, twins, strict=True)], np.float32)

    fake.score = score  # type: ignore[method-assign]
    s.scorer = fake  # type: ignore[assignment]
    return fake


def events(shard: Shard, epochs: int, jobs: dict[int, list[Job]] | None = None) -> list[tuple]:
    out = []
    for e in range(epochs):
        r = shard.run_epoch((jobs or {}).get(e, []))
        ev = r.events
        for t, w, k, v in zip(ev["tick"], ev["twin"], ev["event"], ev["value"], strict=True):
            if k in (Event.ALERT, Event.ALERT_CLEARED):
                out.append((int(t), int(w), Event(int(k)).name, round(float(v), 3)))
    return out


def test_one_model_call_per_epoch_for_the_scored_rows() -> None:
    shard = mill_shard(n=3, warmup_h=2.0)
    fake = script(shard, lambda t, w: 0.1)
    r = shard.run_epoch()  # 6 h of 10-min ticks, scored hourly: 2 h of warm-up
    assert fake.calls == 1 and fake.rows == 3 * 5  # 6 instants, the first still warming up
    assert r.risk is not None and np.allclose(r.risk, 0.1)
    assert np.isnan(r.telemetry["risk"][0]).all() and np.allclose(r.telemetry["risk"][1:], 0.1)
    assert len(r.features["tick"]) == 15 and set(r.features) >= {"risk", "raw:liner_wear_pct"}


def test_hysteresis_gives_one_alert_per_degradation() -> None:
    shard = mill_shard(n=2, warmup_h=0.0)
    # hourly instants at ticks 5, 11, ...; a single threshold at 0.6 would alert 4 times
    wobble = [0.2, 0.65, 0.55, 0.7, 0.4, 0.62, 0.35, 0.25, 0.1, 0.7]
    script(shard, lambda t, w: wobble[t // 6] if w == 1 and t < 60 else 0.05)
    got = events(shard, 2)
    assert got == [
        (11, 1, "ALERT", 0.65),
        (47, 1, "ALERT_CLEARED", 0.25),
        (59, 1, "ALERT", 0.7),
        (65, 1, "ALERT_CLEARED", 0.05),
    ]


def test_an_alert_clears_only_after_risk_stays_low_for_the_dwell() -> None:
    shard = mill_shard(n=2, warmup_h=0.0, clear_after_h=2.0)  # two hourly instants at/below 0.3
    # tick 5: 0.7 raises; 11: 0.2 (one low instant); 17: 0.5 (back up: the count restarts);
    # 23, 29: 0.2, 0.2 (two in a row: cleared at 29); a one-instant dip never clears
    seq = [0.7, 0.2, 0.5, 0.2, 0.2]
    script(shard, lambda t, w: seq[t // 6] if w == 0 and t < 30 else 0.05)
    assert events(shard, 2) == [(5, 0, "ALERT", 0.7), (29, 0, "ALERT_CLEARED", 0.2)]
    a = mill_shard(n=2, warmup_h=0.0, clear_after_h=2.0)
    wobble = [0.2, 0.65, 0.55, 0.7, 0.4, 0.62, 0.35, 0.25, 0.1, 0.7]  # as in the test above
    script(a, lambda t, w: wobble[t // 6] if w == 1 and t < 60 else 0.05)
    assert events(a, 2) == [
        (11, 1, "ALERT", 0.65),
        (53, 1, "ALERT_CLEARED", 0.1),
        (59, 1, "ALERT", 0.7),
        (71, 1, "ALERT_CLEARED", 0.05),
    ]


def test_maintenance_clears_the_alert_and_restarts_the_warmup() -> None:
    shard = mill_shard(n=1, warmup_h=2.0)
    script(shard, lambda t, w: 0.9)
    job = Job(start=40, end=50, twin=0, modes=("liner",), preventive=True, restoration=1.0)
    got = events(shard, 4, {1: [job]})
    # warm at the 2nd hourly instant (tick 11); the job ends at 50; warm again at 59
    assert [(e[0], e[2]) for e in got] == [(11, "ALERT"), (50, "ALERT_CLEARED"), (59, "ALERT")]


def test_state_dict_resumes_scoring_exactly() -> None:
    a = mill_shard(n=3)
    script(a, lambda t, w: (t % 7) / 7.0)
    first = [a.run_epoch() for _ in range(2)]
    saved = a.state_dict()
    rest_a = [a.run_epoch() for _ in range(2)]
    b = mill_shard(n=3)
    script(b, lambda t, w: (t % 7) / 7.0)
    b.load_state_dict(saved)
    rest_b = [b.run_epoch() for _ in range(2)]
    assert saved["risk"] is not None and len(first) == 2
    for x, y in zip(rest_a, rest_b, strict=True):
        np.testing.assert_array_equal(x.telemetry["risk"], y.telemetry["risk"])
        for k in x.events:
            np.testing.assert_array_equal(x.events[k], y.events[k])
        for k in x.features:
            np.testing.assert_array_equal(x.features[k], y.features[k])


@pytest.mark.parametrize("n", [1, 4])
def test_without_risk_settings_nothing_is_scored(n: int) -> None:
    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), 600.0, 12, 6, 3)
    shard = Shard(
        Mill(), [f"M-{i}" for i in range(n)], np.arange(n), stack([MillParams()] * n),
        Environment.single(n), timing, 1,
    )  # fmt: skip
    r = shard.run_epoch()
    assert shard.scoring is None and r.features == {} and np.isnan(r.telemetry["risk"]).all()
    assert shard.state_dict()["risk"] is None
