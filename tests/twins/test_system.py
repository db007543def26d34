"""A site as a system: trucks queue at loaders and the dump, ore flows through a stockpile into
the mill, dispatch decides; the results hold whatever the grouping of sites into shards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pytest
from numpy.typing import NDArray

from aurum.twins import registry
from aurum.twins.kind import Status
from aurum.twins.params import stack
from aurum.twins.shard import EpochResult, Shard, Timing
from aurum.twins.site import DEFAULT_ROAD, Environment, Haulage, SiteConditions, Stockpile
from aurum.twins.system import SiteShard

TICK_S = 60.0


def pit(
    dispatch: str = "fixed", capacity_t: float = 1e7, initial_t: float = 20_000.0
) -> SiteConditions:
    stockpile = Stockpile(capacity_t=capacity_t, initial_t=initial_t)
    return SiteConditions(
        altitude_m=800.0, road=DEFAULT_ROAD, haulage=Haulage(dispatch=dispatch, stockpile=stockpile)
    )


def timing(hours: int) -> Timing:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    return Timing(start=start, tick_s=TICK_S, total_ticks=hours * 60, epoch_ticks=60,
                  telemetry_every=15)  # fmt: skip


@dataclass
class Totals:
    hauled_t: float
    loaded_t: float
    milled_t: float
    queue_h: float
    starved_h: float
    level_t: NDArray[np.float64]


def build(
    sites: tuple[SiteConditions, ...],
    fleet: list[tuple[str, int, int]],
    hours: int,
    only: tuple[int, ...] | None = None,
) -> SiteShard:
    """A site system of `fleet` entries (kind, count, site), twins numbered in entry order
    (`only`: keep the twins of these sites, numbered as in the whole fleet)."""
    parts: dict[str, list[tuple[int, int]]] = {}
    g = 0
    for kind, count, site in fleet:
        if only is None or site in only:
            parts.setdefault(kind, []).extend((g + i, site) for i in range(count))
        g += count
    shards = {}
    for kind, twins in parts.items():
        k = registry.get(kind)
        index = np.array([t for t, _ in twins], dtype=np.int64)
        site_of = np.array([s for _, s in twins], dtype=np.intp)
        p = k.Params()
        shards[kind] = Shard(
            k(), [f"{kind}-{t}" for t in index], index, stack([p] * len(index)),
            Environment(sites, site_of), timing(hours), 42,
        )  # fmt: skip
    return SiteShard(shards, sites)


def run(system: SiteShard) -> tuple[Totals, list[list[EpochResult]]]:
    results = []
    while not system.done:
        results.append(system.run_epoch())
    flat = [r for epoch in results for r in epoch]
    by = {k: [r for r in flat if r.kind == k] for k in system.parts}
    tot = Totals(
        hauled_t=sum(r.production.sum() for r in by.get("truck", [])),
        loaded_t=sum(r.production.sum() for r in by.get("loader", [])),
        milled_t=sum(r.production.sum() for r in by.get("mill", [])),
        queue_h=sum(r.sums["queue_h"].sum() for r in by.get("truck", [])),
        starved_h=sum(r.status_hours[int(Status.STARVED)].sum() for r in by.get("mill", [])),
        level_t=system.level_t.copy(),
    )
    return tot, results


def fleet_of(trucks: int, loaders: int = 1) -> list[tuple[str, int, int]]:
    return [("truck", trucks, 0), ("loader", loaders, 0), ("mill", 1, 0)]


def test_ore_is_conserved_through_the_stockpile():
    """Stockpile at the end = at the start + what the trucks dumped − what the mill drew; the
    loader loaded what was hauled, up to the loads still on the road."""
    system = build((pit(),), fleet_of(6), hours=12)
    tot, _ = run(system)
    assert tot.hauled_t > 0 and tot.milled_t > 0
    assert tot.level_t[0] == pytest.approx(20_000.0 + tot.hauled_t - tot.milled_t, abs=1e-6)
    assert abs(tot.loaded_t - tot.hauled_t) <= 6 * 227.0 + 1e-6


def test_one_loader_saturates_more_trucks_queue():
    """Fleet sizing: production grows with trucks until the loader is busy all the time, then
    flattens while the queue time grows (the knee)."""
    out = {}
    for n in (2, 4, 12, 16):
        tot, _ = run(build((pit(),), fleet_of(n), hours=24))
        out[n] = tot
    assert out[4].hauled_t == pytest.approx(2 * out[2].hauled_t, rel=0.1)  # linear: no waiting
    assert out[16].hauled_t < 1.05 * out[12].hauled_t  # the loader is the limit
    assert out[2].queue_h < 1.0 < out[12].queue_h < out[16].queue_h
    # a loader serves one truck at a time: its tonnes are at most a day of back-to-back loads
    system = build((pit(),), fleet_of(16), hours=24)
    truck = system.trucks
    assert truck is not None
    cycle_s = 30.0 + 4 * 28.0  # spot + 4 passes of a 34 m³ bucket (0.85 fill, 2.6/1.3 t/m³)
    assert out[16].loaded_t <= 24 * 3600 / cycle_s * 227.0 + 227.0


def test_the_mill_starves_when_the_stockpile_empties():
    """Two trucks cannot feed the mill: the stockpile runs down, the mill is STARVED for hours,
    the level never goes below zero and the mill mills only what arrived."""
    system = build((pit(initial_t=5_000.0),), fleet_of(2), hours=12)
    tot, _ = run(system)
    assert tot.starved_h > 1.0
    assert tot.level_t[0] >= 0.0
    assert tot.milled_t == pytest.approx(5_000.0 + tot.hauled_t - tot.level_t[0], abs=1e-6)


def test_a_full_stockpile_stops_the_trucks():
    """With no room left, trucks wait at the dump: what they dump is bounded by the room the
    mill makes."""
    system = build((pit(capacity_t=21_000.0),), fleet_of(10), hours=6)
    tot, _ = run(system)
    assert tot.hauled_t <= 1_000.0 + tot.milled_t + 1e-6
    assert tot.queue_h > 5.0


def test_dispatch_rules_share_two_unequal_loaders():
    """Two loaders, one with a smaller bucket: a dynamic rule sends more trucks to the faster
    loader than the fixed round robin does, and moves more ore."""
    results = {}
    for rule in ("fixed", "shortest_queue", "earliest_service", "neediest"):
        system = build((pit(rule),), fleet_of(12, loaders=2), hours=24)
        assert system.loaders is not None
        system.loaders.params["bucket_m3"][1] = 17.0
        system.loaders_arr.bucket_m3[1] = 17.0
        tot, _ = run(system)
        results[rule] = tot.hauled_t
    assert results["earliest_service"] > results["fixed"]
    assert results["shortest_queue"] > results["fixed"]


def test_results_do_not_depend_on_how_sites_are_grouped():
    """Two pits in one site shard, or each in its own: the same tables for each."""
    sites = (pit("shortest_queue"), pit("neediest", initial_t=8_000.0))
    fleet = [("truck", 5, 0), ("loader", 2, 0), ("mill", 1, 0), ("truck", 3, 1), ("loader", 1, 1),
             ("mill", 1, 1)]  # fmt: skip
    together, t_results = run(build(sites, fleet, hours=6))
    alone = [run(build(sites, fleet, hours=6, only=(s,))) for s in (0, 1)]
    np.testing.assert_array_equal(together.level_t, [a[0].level_t[0] for a in alone])
    for kind in ("truck", "loader", "mill"):
        for channel in ("production", "status_hours"):
            joined = [getattr(r, channel) for ep in t_results for r in ep if r.kind == kind]
            split = [
                [getattr(r, channel) for ep in a[1] for r in ep if r.kind == kind] for a in alone
            ]
            for e, got in enumerate(joined):
                np.testing.assert_array_equal(got, np.concatenate([x[e] for x in split], axis=-1))


def test_a_loader_that_is_down_strands_its_trucks_unless_dispatch_moves_them():
    """One of two loaders broken for the whole run: a fixed assignment leaves its half of the
    trucks waiting; shortest-queue dispatch sends them to the other loader."""
    hauled = {}
    for rule in ("fixed", "shortest_queue"):
        system = build((pit(rule),), fleet_of(8, loaders=2), hours=12)
        assert system.loaders is not None
        system.loaders.machine[0] = Status.DOWN
        tot, results = run(system)
        hauled[rule] = tot.hauled_t
        loader_t = [r.production for ep in results for r in ep if r.kind == "loader"]
        assert sum(t[0] for t in loader_t) == 0.0  # the broken loader loads nothing
    assert hauled["shortest_queue"] > 1.5 * hauled["fixed"]


def test_a_loader_without_trucks_works_on_its_own():
    """Only trucks and loaders together make a site a system."""
    from aurum.twins.system import interacts

    assert interacts(pit(), ["truck", "loader", "mill"])
    assert not interacts(pit(), ["loader", "mill"])
    assert not interacts(pit(), ["truck", "mill"])
