"""The coordinator's loop: owns the clock, advances every shard one epoch per call, records.

Pure Python over a `ShardPool`: `LocalPool` runs shards in this process (tests, profiling),
`engine.run.actors.RayPool` runs each shard in a Ray actor. The loop launches epoch e+1 as soon as
the epoch boundary's maintenance decisions are made, then does everything else for epoch e —
emissions accounting, the live fleet state, Parquet — while the shards compute.

Every `checkpoint_every` epochs the loop flushes every table and saves a checkpoint
(`engine.run.checkpoint`): the shards' `state_dict()`, the workshop, the fleet state, the jobs of
the next epoch and the tables' part counts. A shard actor that dies is rebuilt from it by the
pool and replays the epochs since; a dead coordinator or driver resumes from it.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from aurum.engine.maintenance.policies import FleetView, make_policy
from aurum.engine.run import kpis
from aurum.engine.run.checkpoint import Checkpoint, restore_workshop, write_checkpoint
from aurum.engine.run.fleetstate import FleetState
from aurum.engine.run.fleetstate import save as save_state
from aurum.engine.run.plan import FleetPlan
from aurum.engine.run.recorder import Recorder
from aurum.engine.run.shards import make_shard, shard_plan  # noqa: F401 (shard_plan: re-exported)
from aurum.engine.run.timers import instrument, sum_timers
from aurum.engine.run.workshop import Order, Workshop
from aurum.engine.scenario import emissions
from aurum.twins.schedule import Job
from aurum.twins.shard import EpochResult

STATE_FILE = "fleet_state.npz"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run: its folder, how far it got and its latest checkpoint (0: none).

    A KeyboardInterrupt still (a notebook's interrupt stays one), carrying what a person needs
    to continue: `aurum resume RUN` goes on from the checkpoint when there is one.
    """

    def __init__(self, run_dir: Path, progress: dict[str, Any]) -> None:
        super().__init__(f"run interrupted: {run_dir}")
        self.run_dir = run_dir
        self.epochs_done = int(progress.get("epochs_done") or 0)
        self.n_epochs = int(progress.get("n_epochs") or 0)
        self.checkpoint_epoch = int(progress.get("checkpoint_epoch") or 0)


class ShardPool(Protocol):
    def submit(self, jobs: list[Job]) -> None:
        """Start the next epoch on every shard, with the maintenance jobs for its twins."""

    def collect(self) -> Iterator[EpochResult]:
        """The results of the submitted epoch, in the order they complete."""

    def request_state(self) -> None:
        """Ask every shard for its state as of now (before the next submit), for a checkpoint."""

    def take_states(self) -> list[dict[str, Any]] | None:
        """The states asked for by `request_state` (None if a shard died meanwhile)."""

    def commit(self, epochs_done: int) -> None:
        """A checkpoint after `epochs_done` epochs is on disk: the pool's new restart point."""

    def stats(self) -> dict[str, Any]:
        """Time by part of the shards' work (summed over shards) and their peak memory."""

    def close(self) -> None: ...


class LocalPool:
    """All shards in this process, run one after the other."""

    def __init__(self, plan: FleetPlan, states: list[dict[str, Any]] | None = None) -> None:
        self.shards = [make_shard(plan, s) for s in plan.shards]
        self.timers = [instrument(s) for s in self.shards]
        for shard, state in zip(self.shards, states or [], strict=False):
            shard.load_state_dict(state)
        self.jobs: list[Job] = []
        self.states: list[dict[str, Any]] | None = None

    def submit(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    def collect(self) -> Iterator[EpochResult]:
        for s, timers in zip(self.shards, self.timers, strict=True):
            t = time.thread_time()
            r = s.run_epoch(self.jobs)
            timers["epoch"] += time.thread_time() - t
            yield from r if isinstance(r, list) else [r]  # a site system: a result per kind

    def request_state(self) -> None:
        self.states = [s.state_dict() for s in self.shards]

    def take_states(self) -> list[dict[str, Any]] | None:
        states, self.states = self.states, None
        return states

    def commit(self, epochs_done: int) -> None:
        pass

    def stats(self) -> dict[str, Any]:
        return {"timers": sum_timers(self.timers), "actors_peak_rss_mib": [], "nodes": {}}

    def close(self) -> None:
        pass


@dataclass
class Progress:
    status: str = "starting"  # starting | running | done | failed | cancelled | interrupted
    epochs_done: int = 0
    n_epochs: int = 0
    sim_time: str = ""
    twin_ticks: int = 0
    elapsed_s: float = 0.0
    twin_ticks_per_s: float = 0.0
    error: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    epoch_latency_s: dict[str, float] = field(default_factory=dict)  # p50, p95, max
    checkpoint_epoch: int = 0  # epochs saved in the latest checkpoint
    recoveries: list[dict[str, Any]] = field(default_factory=list)  # shard actors rebuilt

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Coordinator phases timed by the loop (seconds, summed over epochs).
PHASES = ("wait", "maintenance", "emissions", "state", "record", "checkpoint")


class RunLoop:
    """Advance the fleet epoch by epoch, keeping its state and writing its tables."""

    def __init__(
        self,
        plan: FleetPlan,
        run_dir: Path,
        speed: float | None = None,
        checkpoint_every: int = 0,
    ) -> None:
        self.plan = plan
        self.speed = speed  # simulated seconds per wall second (real-time mode); None = flat out
        self.run_dir = run_dir
        self.state = FleetState(plan)
        start = plan.timing.start.isoformat()
        self.progress = Progress(n_epochs=plan.timing.n_epochs, sim_time=start)
        self._cancel = threading.Event()
        self.rows: dict[str, int] = {}
        self.compute_s = 0.0
        self.ray_overhead_s = 0.0
        self.phase = dict.fromkeys(PHASES, 0.0)
        self.extra_timings: dict[str, float] = {}
        self.workshop = Workshop(plan, plan.maintenance)
        self.policy = make_policy(plan.maintenance)
        self.checkpoint_every = checkpoint_every
        self.start_epoch = 0  # > 0 when resumed from a checkpoint
        self.next_jobs: list[Job] = []  # jobs of the first epoch to run
        self.restored_tables: dict[str, tuple[int, int]] = {}  # table → (parts, rows) kept
        self.on_checkpoint: Callable[[RunLoop], None] | None = None
        self.latencies = array("d")
        self.shard_stats: dict[str, Any] = {}
        self.resumed_twin_ticks = 0  # twin-ticks done before this session (resumed runs)

    def cancel(self) -> None:
        self._cancel.set()

    def result(self) -> dict[str, Any]:
        """Progress, table row counts, fleet totals and KPIs by kind (plain data)."""
        return {
            "progress": self.progress.to_dict(),
            "rows": self.rows,
            "fleet": self.state.summary(),
            "kpis": kpis.by_kind(self.state, self.plan.maintenance.costs),
            "shards": self.shard_stats,
        }

    def run(self, pool: ShardPool) -> Progress:
        """Run every epoch (or until cancelled); tables are closed whatever happens."""
        from aurum.engine.run.checkpoint import restore_tables

        recorder = Recorder(self.run_dir, self.plan)
        restore_tables(recorder, self.run_dir, self.restored_tables)
        began = time.perf_counter()
        self.progress.status = "running"
        try:
            self._loop(pool, recorder, began)
            self.progress.status = "cancelled" if self._cancel.is_set() else "done"
        except KeyboardInterrupt:  # Ctrl-C: what is written so far is kept, and resumable
            self.progress.status = "interrupted"
            raise
        except BaseException as e:
            self.progress.status = "failed"
            self.progress.error = f"{type(e).__name__}: {e}"
            raise
        finally:
            t = time.perf_counter()
            costs = self.plan.maintenance.costs
            self.rows = recorder.close(kpis.table(self.state, costs), self.state.wear_table())
            save_state(self.state, self.run_dir / STATE_FILE)
            self.phase["record"] += time.perf_counter() - t
            self._finish_timings(pool, began)
            pool.close()
        if self.progress.status == "done":
            from aurum.engine.run.checkpoint import discard

            discard(self.run_dir)  # only a run that did not finish needs its checkpoint
        return self.progress

    def _finish_timings(self, pool: ShardPool, began: float) -> None:
        try:
            self.shard_stats = pool.stats()
        except Exception as e:  # stats are a report, never a reason to fail a run
            self.shard_stats = {"error": f"{type(e).__name__}: {e}"}
        self.progress.timings = {
            **self.extra_timings,
            "loop_s": time.perf_counter() - began,
            "compute_s": self.compute_s,
            "record_s": self.phase["record"],
            "ray_overhead_s": self.ray_overhead_s,
            **{f"{p}_s": v for p, v in self.phase.items() if p != "record"},
        }
        if len(self.latencies):
            lat = np.asarray(self.latencies)
            self.progress.epoch_latency_s = {
                "p50": float(np.percentile(lat, 50)),
                "p95": float(np.percentile(lat, 95)),
                "max": float(lat.max()),
            }

    def _loop(self, pool: ShardPool, recorder: Recorder, began: float) -> None:
        n_epochs = self.plan.timing.n_epochs
        if self.start_epoch >= n_epochs:
            return
        pool.submit(self.next_jobs)
        sent = last_done = time.perf_counter()
        for epoch in range(self.start_epoch, n_epochs):
            t = time.perf_counter()
            results = list(pool.collect())
            now = time.perf_counter()
            self.phase["wait"] += now - t
            slowest = max(r.compute_s for r in results)
            self.compute_s += slowest
            self.ray_overhead_s += max(0.0, now - sent - slowest)
            self.latencies.append(now - last_done)
            last_done = now
            self._pace(epoch, began)
            t = time.perf_counter()
            jobs = self._maintain(epoch, results)
            records = self.workshop.take_records()
            self.phase["maintenance"] += time.perf_counter() - t
            last = epoch + 1 == n_epochs or self._cancel.is_set()
            checkpoint = not last and self._checkpoint_due(epoch + 1)
            if checkpoint:
                pool.request_state()  # before the next submit: the state after this epoch
            if not last:
                pool.submit(jobs)
                sent = time.perf_counter()
            self._account(epoch, results, records, recorder)
            self._advance_progress(epoch, began)
            if checkpoint:
                self._checkpoint(pool, recorder, epoch + 1, jobs)
            if last:
                break

    def _account(
        self, epoch: int, results: list[EpochResult], records: Any, recorder: Recorder
    ) -> None:
        """Emissions, the live fleet state and the tables of a finished epoch."""
        t0 = time.perf_counter()
        gases = emissions.account(self.plan, results, epoch)
        wear = emissions.wear(self.plan, results, epoch)
        t1 = time.perf_counter()
        self.state.update(epoch, results, records, gases, wear)
        t2 = time.perf_counter()
        recorder.write_epoch(epoch, results, records, gases)
        t3 = time.perf_counter()
        self.phase["emissions"] += t1 - t0
        self.phase["state"] += t2 - t1
        self.phase["record"] += t3 - t2

    def _checkpoint_due(self, epochs_done: int) -> bool:
        k = self.checkpoint_every
        return k > 0 and epochs_done % k == 0

    def _checkpoint(
        self, pool: ShardPool, recorder: Recorder, epochs_done: int, jobs: list[Job]
    ) -> None:
        t = time.perf_counter()
        states = pool.take_states()
        if states is not None:  # a shard died: keep the previous checkpoint; the pool recovers
            saved, meta = self._saved(jobs), self._meta(epochs_done)
            write_checkpoint(self.run_dir, recorder, states, saved, meta)
            pool.commit(epochs_done)
            self.progress.checkpoint_epoch = epochs_done
            if self.on_checkpoint is not None:
                self.on_checkpoint(self)
        self.phase["checkpoint"] += time.perf_counter() - t

    def _saved(self, next_jobs: list[Job]) -> dict[str, Any]:
        """The coordinator's part of a checkpoint."""
        policy_state = getattr(self.policy, "state_dict", None)
        return {
            "workshop": self.workshop.state(),
            "fleet": self.state.arrays(),
            "next_jobs": next_jobs,
            "policy": policy_state() if callable(policy_state) else None,
        }

    def _meta(self, epochs_done: int) -> dict[str, Any]:
        p = self.progress
        return {
            "epochs_done": epochs_done,
            "shards": [[s.kind, s.lo, s.hi] for s in self.plan.shards],  # kind "site": sites
            "progress": {"twin_ticks": p.twin_ticks, "sim_time": p.sim_time},
            "recoveries": p.recoveries,
        }

    def restore(self, ck: Checkpoint) -> None:
        """Put this fresh loop where the checkpoint left the run."""
        c = ck.coordinator()
        restore_workshop(self.workshop, c["workshop"])
        load_policy = getattr(self.policy, "load_state_dict", None)
        if c.get("policy") is not None and callable(load_policy):
            load_policy(c["policy"])
        self.state.load_arrays(c["fleet"])
        self.next_jobs = list(c["next_jobs"])
        self.start_epoch = ck.epochs_done
        self.restored_tables = dict(ck.tables)
        p = self.progress
        p.epochs_done = p.checkpoint_epoch = ck.epochs_done
        p.twin_ticks = self.resumed_twin_ticks = int(ck.progress["twin_ticks"])
        p.sim_time = str(ck.progress["sim_time"])
        p.recoveries = list(ck.recoveries)

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
        sim_s = (t.epoch_span(epoch)[1] - t.epoch_span(self.start_epoch)[0]) * t.tick_s
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
        done = p.twin_ticks - self.resumed_twin_ticks
        p.twin_ticks_per_s = done / p.elapsed_s if p.elapsed_s > 0 else 0.0
