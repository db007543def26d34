"""Injections land at the exact tick that contains their time, on the twins they target."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from aurum.engine.run.loop import make_shard
from aurum.engine.run.plan import build_plan, with_shards
from aurum.engine.scenario.injections import Injection, targets, tick_of
from aurum.engine.scenario.loader import load
from aurum.twins import registry
from tests.conftest import SCENARIOS

START = datetime(2026, 1, 5, tzinfo=UTC)


def test_tick_of_absolute_and_relative_times() -> None:
    assert tick_of(START + timedelta(minutes=90, seconds=30), START, 60.0) == 90
    assert tick_of(timedelta(hours=36), START, 60.0) == 2160
    assert tick_of(timedelta(minutes=59), START, 3600.0) == 0


def test_fraction_picks_the_same_twins_whatever_their_order() -> None:
    ids = [f"T-{i}" for i in range(1000)]
    inj = Injection(at=timedelta(hours=1), kind="truck", fraction=0.2, mode="x")
    hit = targets(inj, 0, 7, ids, ["truck"] * 1000)
    assert 150 < len(hit) < 250
    shuffled = ids[::-1]
    again = targets(inj, 0, 7, shuffled, ["truck"] * 1000)
    assert {ids[i] for i in hit} == {shuffled[i] for i in again}
    assert targets(inj, 1, 7, ids, ["truck"] * 1000) != hit  # another injection, other twins


def scenario(injection: dict) -> dict:
    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    data["duration"] = "3h"
    data["injections"] = [injection] if injection else []
    return data


def telemetry(data: dict, kind: str) -> dict[str, np.ndarray]:
    plan = with_shards(build_plan(load(data)), 100, 1)
    spec = next(s for s in plan.shards if s.kind == kind)
    shard = make_shard(plan, spec)
    out: dict[str, list[np.ndarray]] = {}
    while not shard.done:
        r = shard.run_epoch()
        for k, v in r.telemetry.items():
            out.setdefault(k, []).append(v[:, 0])
    return {k: np.concatenate(v) for k, v in out.items()}


@pytest.mark.parametrize("kind", ["truck", "mill", "boiler"])
def test_a_mode_injection_changes_the_twin_exactly_from_its_tick(kind: str) -> None:
    mode = registry.get(kind).failure_modes[0]
    twin = {"truck": "TRUCK-21", "mill": "MILL-3", "boiler": "BOILER-7"}[kind]
    at = START + timedelta(minutes=95, seconds=20)  # inside tick 95
    hit = telemetry(scenario({"at": at, "twin": twin, "mode": mode.name, "severity": 0.9}), kind)
    base = telemetry(scenario({}), kind)
    differs = np.flatnonzero(~np.isclose(hit[mode.symptom], base[mode.symptom], equal_nan=True))
    assert differs[0] == 95  # row k is the reading at the end of tick k


def test_a_sensor_fault_changes_readings_not_the_machine() -> None:
    at = START + timedelta(minutes=30)
    bias = {
        "at": at,
        "until": "1h",
        "twin": "MILL-3",
        "sensor": "motor_power_kw",
        "fault": "bias",
        "magnitude": 500.0,
    }
    hit, base = telemetry(scenario(bias), "mill"), telemetry(scenario({}), "mill")
    delta = hit["motor_power_kw"] - base["motor_power_kw"]
    assert np.all(delta[:30] == 0) and np.allclose(delta[30:60], 500.0, atol=0.01)
    assert np.all(delta[60:] == 0)
    others = [k for k in hit if k != "motor_power_kw"]
    assert all(np.array_equal(hit[k], base[k], equal_nan=True) for k in others)
