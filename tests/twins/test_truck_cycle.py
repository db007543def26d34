"""The compiled haul-cycle passes: the coolant protection inside a pass, and the passes
against a plain per-twin reading of the cycle."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.physics import truck as phy
from aurum.twins.params import stack
from aurum.twins.site import DEFAULT_SITE, Environment
from aurum.twins.truck.cycle import Cycle, Engine, Protection, protected_coolant_c, spend_tick
from aurum.twins.truck.model import HAUL, QUEUE_DUMP, QUEUE_LOAD, Route, Truck, TruckParams
from tests.twins.test_truck import HOT_SITE


def protected(start_c: float, lag: float, capacity: float, demand_kw: float = 1800.0) -> float:
    return float(
        protected_coolant_c(
            start_c, lag, 20.0, demand_kw, 2000.0, 1800.0, 80.0, capacity, 85.0, 8.0, 50.0
        )
    )


@pytest.mark.parametrize("capacity", [0.12, 0.2, 0.3, 0.4])
def test_a_long_protected_stretch_settles_where_the_derate_balances_the_heat(capacity: float):
    """Backward Euler in the protection: T₁ = T_eq(P_allowed(T₁)) when a → 0."""
    end = protected(100.0, 0.0, capacity)
    load = min(1800.0, float(phy.allowed_output_kw(end, 1800.0, 80.0))) / 2000.0
    eq = float(phy.coolant_equilibrium_c(20.0, load, capacity, 85.0, 8.0, 50.0))
    if end > 111.0 + 1e-9:
        assert end == pytest.approx(eq, abs=0.01)  # on the ramp or beyond 113 °C (trip)
    else:  # the first 25 % step overshoots: held at the derate point
        assert end == 111.0 and eq < 111.0


def test_protection_only_trips_when_the_full_derate_cannot_hold():
    """Full derate is 25 % of 1800 kW = 450 kW: T_eq = 20 + 0.225·50/c ≥ 114 ⇔ c ≤ 0.12."""
    assert protected(100.0, 0.0, 0.11) > 114.0
    assert protected(100.0, 0.0, 0.13) < 114.0
    free = 0.99 * 90.0 + 0.01 * (20.0 + 0.9 * 50.0 / 0.13)  # a short stretch: below 111 °C
    assert protected(90.0, 0.99, 0.13) == pytest.approx(free)


def _cycle_at_queue(n: int, budget_s: np.ndarray, route: Route) -> Cycle:
    """n trucks at the start of the loader queue (empty), each with its own budget."""
    z = np.zeros(n)
    left_s = route.duration[route.row + route.first[QUEUE_LOAD]].copy()
    return Cycle(
        np.full(n, QUEUE_LOAD, dtype=np.intp), np.zeros(n, dtype=np.intp), left_s, z.copy(),
        z.copy(), budget_s.astype(np.float64), *(z.copy() for _ in range(6)),
    )  # fmt: skip


def _setup(n: int) -> tuple[Route, Engine, Protection, np.ndarray]:
    env = Environment((DEFAULT_SITE, HOT_SITE), np.arange(n, dtype=np.intp) % 2)
    p = stack([TruckParams()] * n)
    route = Truck().route(p, env)
    cold = np.full(n, 20.0)
    engine = route.engine(p, cold, np.ones(n))
    prot = Protection(np.zeros(n, bool), cold.copy(), np.zeros(n, bool), np.zeros(n))
    return route, engine, prot, p["payload_t"]


def test_one_nominal_cycle_spent_at_once_comes_back_to_the_queue():
    """A budget of exactly one cycle (mean queues, steps and legs at their tabulated speed):
    the truck crosses every boundary, is back at the queue's start, has hauled one payload,
    driven the road both ways and burned Σ rate × time — whatever the site's road."""
    n = 4
    route, engine, prot, payload = _setup(n)
    seconds = route.length * route.pace + route.duration  # padding legs: 0 m, 0 s
    cycle_s = route.per_twin(seconds).sum(axis=1)
    c = _cycle_at_queue(n, cycle_s + 1e-9, route)  # a rounding's worth more: the last step ends
    ones = np.ones(n)
    spend_tick(route.tables, c, engine, prot, payload, ones, ones, 64)
    np.testing.assert_array_equal(c.phase, QUEUE_LOAD)
    np.testing.assert_allclose(c.time_s, 0.0, atol=1e-6)
    np.testing.assert_allclose(c.hauled_t, payload)
    np.testing.assert_allclose(c.dist_m, route.per_twin(route.length).sum(axis=1), rtol=1e-9)
    fuel_l = route.per_twin(route.fuel * seconds).sum(axis=1)
    np.testing.assert_allclose(c.fuel_l, fuel_l, rtol=1e-9)
    haul = slice(route.first[HAUL], route.first[QUEUE_DUMP])  # loaded on the haul legs only
    haul_m = route.per_twin(route.length)[:, haul].sum(axis=1)
    np.testing.assert_allclose(c.payload_tm, payload * haul_m, rtol=1e-9)
    assert haul_m.min() > 0 and cycle_s.min() > 600.0
    assert not prot.limited.any()


def test_a_tick_split_in_two_is_the_same_tick():
    """Spending 600 s, or 250 s then 350 s, gives the same place, fuel and distance: passes
    cross step boundaries without losing or gaining time."""
    n = 6
    route, engine, prot, payload = _setup(n)
    rng = np.random.default_rng(5)
    once = _cycle_at_queue(n, np.full(n, 600.0), route)
    twice = _cycle_at_queue(n, np.full(n, 250.0), route)
    q = rng.uniform(0.2, 3.0, n), rng.uniform(0.2, 3.0, n)
    spend_tick(route.tables, once, engine, prot, payload, *q, 64)
    spend_tick(route.tables, twice, engine, prot, payload, *q, 64)
    twice.time_s[:] = 350.0
    spend_tick(route.tables, twice, engine, prot, payload, *q, 64)
    for a, b in zip(once, twice, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-6)


def test_a_twin_out_of_passes_keeps_its_time_and_an_idle_twin_stays_put():
    n = 2
    route, engine, prot, payload = _setup(n)
    c = _cycle_at_queue(n, np.array([3600.0, 0.0]), route)
    before = [a.copy() for a in c]
    spend_tick(route.tables, c, engine, prot, payload, np.ones(n), np.ones(n), 3)
    assert 0.0 < c.time_s[0] < 3600.0  # three boundaries crossed, the rest carried
    assert c.phase[0] == HAUL
    for a, b in zip(c, before, strict=True):
        assert a[1] == b[1]  # no budget: nothing moved


def test_twins_alike_share_a_row_of_the_tables():
    """A row per distinct (site, parameters): each twin reads what it would tabulate alone."""
    env = Environment((DEFAULT_SITE, HOT_SITE), np.array([0, 1, 0, 1, 0], dtype=np.intp))
    params = [TruckParams()] * 4 + [TruckParams(payload_t=200.0)]
    route = Truck().route(stack(params), env)
    assert len(set(route.row.tolist())) == 3
    assert len(route.speed) == 3 * route.width
    for i, one in enumerate(params):
        alone = Truck().route(stack([one]), env.take(np.array([i])))
        for name in ("speed", "pace", "length", "duration", "power", "fuel", "grade", "f0"):
            np.testing.assert_array_equal(
                route.per_twin(getattr(route, name))[i], getattr(alone, name)
            )
        for name in ("n_legs", "load_s", "k_aero", "max_kw"):
            assert getattr(route, name)[i] == getattr(alone, name)[0]
