"""Maintenance: the scenario's settings, crews per site, and the workshop that dispatches them.

At every epoch boundary the coordinator hands the workshop what the shards reported. Failures
become corrective orders; the policy (`engine.maintenance.policies`) adds preventive ones. Orders
queue per
site in a deterministic order (correctives first, then by request time, twin and mode) and
take the first free crew; a job's duration is drawn from the mode's repair-time distribution
(lognormal about its MTTR, keyed by twin and job number) or is the preventive job's length.
Jobs go to the shards with the next epoch and are applied at their exact ticks.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aurum.engine.maintenance.config import MaintenanceConfig
from aurum.engine.run.plan import FleetPlan
from aurum.twins import registry
from aurum.twins.events import Event
from aurum.twins.failures import FailureMode
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.schedule import Job
from aurum.twins.shard import EpochResult


@dataclass(order=True)
class Order:
    """A work order waiting for a crew (sorted: correctives first, then oldest)."""

    priority: int  # 0 corrective, 1 preventive
    request_tick: int
    twin: int
    modes: tuple[str, ...] = field(compare=False)


@dataclass
class JobRecord:
    crew: int  # crew number at the twin's site
    twin: int
    modes: tuple[str, ...]
    preventive: bool
    request_tick: int
    start: int
    end: int
    parts_usd: float
    labour_usd: float


class Workshop:
    """Crews, queues and jobs of one run."""

    def __init__(self, plan: FleetPlan, config: MaintenanceConfig) -> None:
        self.plan = plan
        self.config = config
        self.tick_h = plan.timing.tick_s / 3600.0
        n = plan.n_twins
        self.kind_of: list[str] = [""] * n
        self.site_of = np.zeros(n, dtype=np.int64)
        for name, g in plan.groups.items():
            for i in g.twin_index.tolist():
                self.kind_of[i] = name
            self.site_of[g.twin_index] = g.site_index
        self.crews = [
            [0] * config.crews_at(site) for site in plan.site_ids
        ]  # free-at tick of every crew, per site
        self.queue: list[list[Order]] = [[] for _ in plan.site_ids]
        # the tick a twin is free from (never busy: -1; queued: a huge tick)
        self.busy_until = np.full(n, -1, dtype=np.int64)
        self.jobs_done = np.zeros(n, dtype=np.int64)
        self.records: list[JobRecord] = []
        self.ids = plan.twin_ids()

    def mode(self, twin: int, name: str) -> FailureMode:
        kind = registry.get(self.kind_of[twin])
        return kind.failure_modes[kind.mode_names().index(name)]

    def failures(self, results: list[EpochResult]) -> list[Order]:
        """Corrective orders for the functional failures the shards reported."""
        out = []
        for r in results:
            names = registry.get(r.kind).mode_names()
            ev = r.events
            for tick, twin, label in zip(
                ev["tick"][ev["event"] == Event.FAILURE].tolist(),
                ev["twin"][ev["event"] == Event.FAILURE].tolist(),
                ev["label"][ev["event"] == Event.FAILURE].tolist(),
                strict=True,
            ):
                out.append(Order(0, tick, twin, (names[label],)))
        return out

    def request(self, orders: list[Order]) -> None:
        """Queue orders: a twin already queued or in a job gets no second one, nor a preventive
        one when its job ends as the policy looks (the renewal is applied in that tick, so
        what the policy saw of the twin — readings, trends, risk, ages — predates it)."""
        for o in sorted(orders):
            busy = self.busy_until[o.twin]
            if busy > o.request_tick or (o.priority == 1 and busy == o.request_tick):
                continue
            heapq.heappush(self.queue[int(self.site_of[o.twin])], o)
            self.busy_until[o.twin] = np.iinfo(np.int64).max

    def dispatch(self, now: int, horizon: int) -> list[Job]:
        """Jobs that start in [now, horizon): free crews take the queue in order."""
        jobs: list[Job] = []
        for site, crews in enumerate(self.crews):
            queue = self.queue[site]
            while queue:
                c = min(range(len(crews)), key=lambda k: (crews[k], k))
                start = max(now, crews[c])
                if start >= horizon:
                    break
                order = heapq.heappop(queue)
                job = self._job(order, start, c)
                crews[c] = job.end
                jobs.append(job)
        return jobs

    def _job(self, order: Order, start: int, crew: int) -> Job:
        preventive = order.priority == 1
        modes = [self.mode(order.twin, m) for m in order.modes]
        if preventive:
            hours = max(m.pm_h for m in modes)
        else:
            m = modes[0]
            k = self.jobs_done[order.twin : order.twin + 1]
            z = Streams(self.plan.seed, twin_keys([self.ids[order.twin]])).normal_each(
                f"mttr/{m.name}", k
            )
            hours = float(m.mttr_h * math.exp(m.mttr_sigma * float(z[0])))
        ticks = max(1, round(hours / self.tick_h))
        self.jobs_done[order.twin] += 1
        self.busy_until[order.twin] = start + ticks
        parts = sum(m.pm_parts_usd if preventive else m.parts_usd for m in modes)
        labour = ticks * self.tick_h * self.config.costs.labour_usd_per_crew_h
        self.records.append(
            JobRecord(
                crew,
                order.twin,
                order.modes,
                preventive,
                order.request_tick,
                start,
                start + ticks,
                parts,
                labour,
            )
        )
        return Job(
            start, start + ticks, order.twin, order.modes, preventive, self.config.restoration
        )

    def take_records(self) -> list[JobRecord]:
        out, self.records = self.records, []
        return out

    def state(self) -> dict[str, Any]:
        """Everything needed to resume the workshop (for checkpoints)."""
        return {
            "crews": [list(c) for c in self.crews],
            "queue": [list(q) for q in self.queue],
            "busy_until": self.busy_until.copy(),
            "jobs_done": self.jobs_done.copy(),
        }
