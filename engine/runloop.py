"""The coordinator's loop: owns the clock, advances every shard one epoch per call, records.

Pure Python over a `ShardPool`: `LocalPool` runs shards in this process (tests, profiling),
`engine.rayrun.RayPool` runs each shard in a Ray actor. The loop launches epoch e+1 before it
writes epoch e, so Parquet writing overlaps the shards' computing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine import emissions, kpis
from engine.fleetstate import FleetState
from engine.fleetstate import save as save_state
from engine.maintenance import Order, Workshop
from engine.plan import FleetPlan, ShardSpec
from engine.policies import FleetView, make_policy
from engine.recorder import Recorder
from twins import registry
from twins.schedule import Job
from twins.shard import EpochResult, Shard
from twins.site import Environment

STATE_FILE = "fleet_state.npz"


class ShardPool(Protocol):
    def submit(self, jobs: list[Job]) -> None:
        """Start the next epoch on every shard, with the maintenance jobs for its twins."""

    def collect(self) -> Iterator[EpochResult]:
        """The results of the submitted epoch, in the order they complete."""

    def close(self) -> None: ...


def make_shard(plan: FleetPlan, spec: ShardSpec) -> Shard:
    """The Shard object a ShardSpec describes (built where it will run)."""
    g = plan.groups[spec.kind]
    rows = slice(spec.lo, spec.hi)
    index = g.twin_index[rows]
    params = {k: v[rows] for k, v in g.params.items()}
    env = Environment(plan.sites, g.site_index[rows])
    kind = registry.get(spec.kind)()
    ids = g.twin_ids[rows]
    return Shard(kind, ids, index, params, env, plan.timing, plan.seed, plan.actions)


class LocalPool:
    """All shards in this process, run one after the other."""

    def __init__(self, plan: FleetPlan) -> None:
        self.shards = [make_shard(plan, s) for s in plan.shards]
        self.jobs: list[Job] = []

    def submit(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    def collect(self) -> Iterator[EpochResult]:
        for s in self.shards:
            yield s.run_epoch(self.jobs)

    def close(self) -> None:
        pass


@dataclass
class Progress:
    status: str = "starting"  # starting | running | done | failed | cancelled
    epochs_done: int = 0
    n_epochs: int = 0
    sim_time: str = ""
    twin_ticks: int = 0
    elapsed_s: float = 0.0
    twin_ticks_per_s: float = 0.0
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RunLoop:
    """Advance the fleet epoch by epoch, keeping its state and writing its tables."""

    def __init__(self, plan: FleetPlan, run_dir: Path, speed: float | None = None) -> None:
        self.plan = plan
        self.speed = speed  # simulated seconds per wall second (real-time mode); None = flat out
        self.run_dir = run_dir
        self.state = FleetState(plan)
        start = plan.timing.start.isoformat()
        self.progress = Progress(n_epochs=plan.timing.n_epochs, sim_time=start)
        self._cancel = threading.Event()
        self.rows: dict[str, int] = {}
        self.compute_s = 0.0
        self.record_s = 0.0
        self.extra_timings: dict[str, float] = {}
        self.workshop = Workshop(plan, plan.maintenance)
        self.policy = make_policy(plan.maintenance)

    def cancel(self) -> None:
        self._cancel.set()

    def result(self) -> dict[str, Any]:
        """Progress, table row counts, fleet totals and KPIs by kind (plain data)."""
        return {
            "progress": self.progress.to_dict(),
            "rows": self.rows,
            "fleet": self.state.summary(),
            "kpis": kpis.by_kind(self.state, self.plan.maintenance.costs),
        }

    def run(self, pool: ShardPool) -> Progress:
        """Run every epoch (or until cancelled); tables are closed whatever happens."""
        recorder = Recorder(self.run_dir, self.plan)
        began = time.perf_counter()
        self.progress.status = "running"
        try:
            self._loop(pool, recorder, began)
            self.progress.status = "cancelled" if self._cancel.is_set() else "done"
        except BaseException as e:
            self.progress.status = "failed"
            self.progress.error = f"{type(e).__name__}: {e}"
            raise
        finally:
            t = time.perf_counter()
            costs = self.plan.maintenance.costs
            self.rows = recorder.close(kpis.table(self.state, costs), self.state.wear_table())
            save_state(self.state, self.run_dir / STATE_FILE)
            self.record_s += time.perf_counter() - t
            self.progress.timings = {
                **self.extra_timings,
                "loop_s": time.perf_counter() - began,
                "compute_s": self.compute_s,
                "record_s": self.record_s,
            }
            pool.close()
        return self.progress

    def _loop(self, pool: ShardPool, recorder: Recorder, began: float) -> None:
        n_epochs = self.plan.timing.n_epochs
        pool.submit([])
        for epoch in range(n_epochs):
            results = list(pool.collect())
            self.compute_s += max(r.compute_s for r in results)
            self._pace(epoch, began)
            jobs = self._maintain(epoch, results)
            records = self.workshop.take_records()
            gases = emissions.account(self.plan, results, epoch)
            wear = emissions.wear(self.plan, results, epoch)
            self.state.update(epoch, results, records, gases, wear)
            last = epoch + 1 == n_epochs or self._cancel.is_set()
            if not last:
                pool.submit(jobs)
            t = time.perf_counter()
            recorder.write_epoch(epoch, results, records, gases)
            self.record_s += time.perf_counter() - t
            self._advance_progress(epoch, began)
            if last:
                break

    def _maintain(self, epoch: int, results: list[EpochResult]) -> list[Job]:
        """Epoch boundary: failures and the policy's orders queue; free crews take them."""
        t = self.plan.timing
        now = t.epoch_span(epoch)[1]
        orders = self.workshop.failures(results)
        view = FleetView.of(now, results)
        orders += [Order(1, now, twin, modes) for twin, modes in self.policy.orders(view)]
        self.workshop.request(orders)
        return self.workshop.dispatch(now, now + t.epoch_ticks)

    def _pace(self, epoch: int, began: float) -> None:
        """In real-time mode, hold epoch results until the wall clock reaches their sim time."""
        if not self.speed:
            return
        t = self.plan.timing
        sim_s = t.epoch_span(epoch)[1] * t.tick_s
        wait = began + sim_s / self.speed - time.perf_counter()
        if wait > 0:
            self._cancel.wait(wait)

    def _advance_progress(self, epoch: int, began: float) -> None:
        p = self.progress
        t0, t1 = self.plan.timing.epoch_span(epoch)
        p.epochs_done = epoch + 1
        p.sim_time = self.plan.timing.time_at(t1).isoformat()
        p.twin_ticks += (t1 - t0) * self.plan.n_twins
        p.elapsed_s = time.perf_counter() - began
        p.twin_ticks_per_s = p.twin_ticks / p.elapsed_s if p.elapsed_s > 0 else 0.0
