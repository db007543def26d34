"""Crews, queues and policies at epoch boundaries (no Ray: the workshop is plain Python)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from aurum.engine.maintenance.config import MaintenanceConfig
from aurum.engine.maintenance.policies import POLICIES
from aurum.engine.run.plan import build_plan
from aurum.engine.run.workshop import Order, Workshop
from aurum.engine.scenario.loader import load
from aurum.twins import registry
from aurum.twins.events import Event
from aurum.twins.kind import Status
from aurum.twins.shard import EpochResult
from tests.conftest import SCENARIOS


def plan_with(crews: int, mills: int = 2) -> object:
    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    data["fleet"] = [{"kind": "mill", "count": mills, "id_prefix": "M-", "site": "antofagasta"}]
    data["maintenance"] = {"crews": {"default": crews}}
    return build_plan(load(data))


def failures_at(tick: int, twins: list[int], mode: int = 0) -> EpochResult:
    k = len(twins)
    empty: dict = {}
    return EpochResult(
        "mill",
        0,
        np.arange(2),
        np.zeros(0, np.int64),
        empty,
        np.zeros(2),
        empty,
        np.zeros((5, 2)),
        empty,
        {
            "tick": np.full(k, tick),
            "twin": np.array(twins),
            "event": np.full(k, Event.FAILURE),
            "label": np.full(k, mode),
            "value": np.zeros(k),
        },
        empty,
        empty,
        0.0,
    )


def test_one_crew_two_simultaneous_failures_one_waits() -> None:
    plan = plan_with(crews=1)
    shop = Workshop(plan, plan.maintenance)  # type: ignore[attr-defined]
    shop.request(shop.failures([failures_at(30, [1, 0])]))
    jobs = shop.dispatch(60, 120)
    first, *rest = sorted(jobs, key=lambda j: j.start)
    assert first.twin == 0 and first.start == 60  # ties broken by twin order: deterministic
    records = {r.twin: r for r in shop.take_records()}
    if rest:
        assert rest[0].start == first.end  # the crew moves on as soon as it is free
    else:
        assert first.end >= 120  # the repair outlasts the epoch: twin 1 still queued
        later = shop.dispatch(first.end, first.end + 60)
        assert later[0].twin == 1 and later[0].start == first.end
    assert records[0].crew == 0


def test_crews_are_never_double_booked() -> None:
    plan = plan_with(crews=2, mills=12)
    shop = Workshop(plan, plan.maintenance)  # type: ignore[attr-defined]
    jobs = []
    for epoch in range(20):
        now = 60 * (epoch + 1)
        shop.request(shop.failures([failures_at(now - 5, [epoch % 12, (3 * epoch) % 12])]))
        jobs += shop.dispatch(now, now + 60)
    records = shop.take_records()
    by_crew: dict[int, list[tuple[int, int]]] = {}
    for r in records:
        by_crew.setdefault(r.crew, []).append((r.start, r.end))
    assert set(by_crew) <= {0, 1}
    for spans in by_crew.values():
        spans.sort()
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    # a twin is never in two jobs at once
    by_twin: dict[int, list[tuple[int, int]]] = {}
    for j in jobs:
        by_twin.setdefault(j.twin, []).append((j.start, j.end))
    for spans in by_twin.values():
        spans.sort()
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_repair_times_follow_the_mode_mttr() -> None:
    plan = plan_with(crews=400, mills=400)
    shop = Workshop(plan, plan.maintenance)  # type: ignore[attr-defined]
    shop.request(shop.failures([failures_at(10, list(range(400)))]))
    jobs = shop.dispatch(60, 120)
    mode = registry.get("mill").failure_modes[0]
    hours = np.array([(j.end - j.start) / 60 for j in jobs])
    assert np.median(hours) == pytest.approx(mode.mttr_h, rel=0.15)
    assert np.std(np.log(hours)) == pytest.approx(mode.mttr_sigma, rel=0.2)


def test_preventive_orders_skip_busy_twins_and_correctives_go_first() -> None:
    plan = plan_with(crews=1)
    shop = Workshop(plan, plan.maintenance)  # type: ignore[attr-defined]
    name = registry.get("mill").failure_modes[0].name
    shop.request([Order(1, 60, 0, (name,)), Order(0, 50, 1, (name,)), Order(1, 60, 1, (name,))])
    jobs = shop.dispatch(60, 10_000)
    assert [(j.twin, j.preventive) for j in jobs] == [(1, False), (0, True)]


def test_policy_registry() -> None:
    assert set(POLICIES) == {"run_to_failure", "time_based", "condition_based", "risk_based"}
    assert MaintenanceConfig().policy == "run_to_failure"


def _view(progress: dict[str, list[float]], status: list[int]) -> object:
    from aurum.engine.maintenance.policies import FleetView, KindView

    n = len(status)
    latest = {"status": np.array(status, dtype=np.int8)}
    p = {m: np.array(v, dtype=np.float64) for m, v in progress.items()}
    return FleetView(0, {"mill": KindView(np.arange(10, 10 + n), latest, {}, None, p)})


def test_condition_based_on_the_trend_services_the_modes_whose_trend_reached_the_alarm() -> None:
    """`condition_signal: trend`: a mode is due when its symptom's slow mean has reached its
    alarm (progress ≥ 1); NaN (no baseline yet), a twin that is down, or no trend at all order
    nothing."""
    policy = POLICIES["condition_based"](MaintenanceConfig(condition_signal="trend"))
    view = _view(
        {"liner": [1.2, 0.4, np.nan, 1.0], "gearbox": [1.0, 0.99, 3.0, 0.2]},
        [0, 0, 0, int(Status.DOWN)],
    )
    assert policy.orders(view) == [(10, ("liner", "gearbox")), (12, ("gearbox",))]  # type: ignore[arg-type]
    assert policy.orders(_view({}, [0, 0])) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("maintenance", "field"),
    [
        ({"policy": "risk_based"}, "maintenance.policy"),
        (
            {"policy": "condition_based", "condition_signal": "trend"},
            "maintenance.condition_signal",
        ),
    ],
)
def test_policies_that_read_risk_scoring_need_it_on(maintenance: dict, field: str) -> None:
    from aurum.engine.errors import ScenarioError

    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    data["maintenance"] = maintenance
    data["risk"] = {"enabled": False}
    with pytest.raises(ScenarioError) as e:
        load(data)
    assert any(p.path == field and "risk scoring" in p.message for p in e.value.problems)
    data["risk"] = {"enabled": True}
    load(data)  # fine with scoring on


def test_no_preventive_order_for_a_twin_whose_job_ends_as_the_policy_looks() -> None:
    """A job ending at the epoch boundary renews the twin in the next tick: the policy's view
    of it predates the renewal, so its preventive order is dropped (it used to start the same
    job again, every time); a corrective order at that tick still queues."""
    plan = plan_with(crews=2)
    shop = Workshop(plan, plan.maintenance)  # type: ignore[attr-defined]
    name = registry.get("mill").failure_modes[0].name
    shop.request([Order(1, 0, 0, (name,)), Order(1, 0, 1, (name,))])
    first = shop.dispatch(0, 60)
    end = {j.twin: j.end for j in first}
    shop.request([Order(1, end[0], 0, (name,)), Order(0, end[1], 1, (name,))])
    again = shop.dispatch(max(end.values()), 10_000)
    assert [(j.twin, j.preventive) for j in again] == [(1, False)]
    shop.request([Order(1, end[0] + 1, 0, (name,))])  # a later look is fresh: accepted
    assert [j.twin for j in shop.dispatch(end[0] + 1, 10_000)] == [0]


@pytest.mark.parametrize(
    ("maintenance", "field", "value"),
    [
        ({"intervals_h": {"truck.tyres": -5.0}}, "maintenance.intervals_h.truck.tyres", -5.0),
        ({"intervals_h": {"mill.liner": 0.0}}, "maintenance.intervals_h.mill.liner", 0.0),
        ({"intervals_h": {"mill.liner": math.nan}}, "maintenance.intervals_h.mill.liner", None),
        (
            {"thresholds": {"mill.trunnion_bearing_temp_c": math.inf}},
            "maintenance.thresholds.mill.trunnion_bearing_temp_c",
            math.inf,
        ),
        (
            {"costs": {"lost_production_usd_per_h": {"mill": -3.0}}},
            "maintenance.costs.lost_production_usd_per_h.mill",
            -3.0,
        ),
    ],
)
def test_an_interval_must_be_positive_and_levels_and_costs_finite(
    maintenance: dict, field: str, value: float | None
) -> None:
    """A zero or negative interval would order the same job at every epoch; NaN or an infinite
    level never or always triggers: refused with the field and the value."""
    from aurum.engine.errors import ScenarioError

    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    data["maintenance"] = {"policy": "time_based"} | maintenance
    with pytest.raises(ScenarioError) as e:
        load(data)
    [problem] = e.value.problems
    assert problem.path == field
    if value is not None:
        assert problem.value == value
