"""Will a run fit? Memory and disk estimated up front; a fleet too large is refused.

The model is per process, calibrated on this project's machine (`benchmarks/scale.py`: peak
RSS of the driver, coordinator and shard actors at 1,000 to 1,000,000 twins):
a shard actor costs a Python/Ray/numpy process plus, per twin, its kind's state and
parameters, the step's temporaries and the epoch's telemetry buffers; the coordinator keeps
the fleet state (cumulative totals, latest readings, emissions and wear by gas) and one epoch
of results and table rows; the driver keeps the plan. Disk is the telemetry, production and
emissions rows the run will write.

A refusal is a `RunError` naming the estimate, what is available and what would make it fit:
larger shards (fewer actors), coarser telemetry, or a cluster.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import psutil

from aurum.engine.errors import Problem, RunError
from aurum.engine.run.plan import shard_size
from aurum.twins import registry

MIB = 2**20
GIB = 2**30
ACTOR_BASE = 230 * MIB  # a shard actor process with numpy, pyarrow and the engine imported
COORDINATOR_BASE = 250 * MIB
DRIVER_BASE = 250 * MIB
RAY_BASE = 600 * MIB  # raylet, GCS, idle workers of a local Ray
SHARD_PER_TWIN = 3_500  # bytes: state, parameters, step temporaries (measured 3.3-3.6 KB)
COORDINATOR_PER_TWIN = 3_000  # fleet state, wear, ids, workshop, one epoch of rows
DRIVER_PER_TWIN = 900  # the plan: ids, parameters by twin
BYTES_PER_READING = 20  # per sampled channel per twin: float64 buffer, float32 result, copy
# Risk scoring in a shard: each twin's feature windows and baseline, and per scoring instant of
# an epoch its feature row (float32), kept and then stacked for the one model call (measured at
# 1,000,000 twins with 6 instants an epoch: 3.9 KB a twin more than without scoring).
RISK_STATE_PER_TWIN = 2_000
BYTES_PER_FEATURE_ROW = 8
# On disk, zstd Parquet (measured at 100k and 1M twins, `benchmarks/scale.py`): per telemetry
# reading (a channel of a row), per production or emissions row.
DISK_PER_READING = 3.2
DISK_PER_EPOCH_ROW = 30
USABLE = 0.85  # of the memory available: leave room for the OS and the rest of the machine


@dataclass
class Estimate:
    twins: int
    actors: int
    driver: float
    coordinator: float
    actor_peak: float  # the largest shard actor
    actors_total: float
    ray: float
    disk: float

    @property
    def total(self) -> float:
        return self.driver + self.coordinator + self.actors_total + self.ray

    def describe(self) -> str:
        return (
            f"{self.total / GIB:.1f} GiB (driver {self.driver / GIB:.1f}, coordinator "
            f"{self.coordinator / GIB:.1f}, {self.actors:,} shard actors "
            f"{self.actors_total / GIB:.1f}, Ray {self.ray / GIB:.1f})"
        )


def _channels(kind: str) -> int:
    return len(registry.get(kind).sensors) + 1  # + status


@dataclass(frozen=True)
class Sizing:
    """What the estimate needs: twins by kind, shard sizes, and the run's clock."""

    counts: dict[str, int]
    shards: list[tuple[str, int]]  # (kind, twins) of every shard
    total_ticks: int
    epoch_ticks: int
    telemetry_every: int
    risk_instants: int = 0  # scoring instants per epoch (0: no risk scoring)


@cache
def _features(kind: str) -> int:
    from aurum.twins.risk import FeatureSpec

    return len(FeatureSpec.of(registry.get(kind)).names)


def sizing(scenario: Any, twins_per_actor: int | str, cpus: int) -> Sizing:
    """The sizing of a scenario before its plan is built (a 10M-twin plan takes minutes)."""
    from aurum.engine.scenario.model import fleet_of

    counts: dict[str, int] = {}
    for e in fleet_of(scenario):
        counts[e.kind] = counts.get(e.kind, 0) + (e.count or 1)
    n_total = max(1, sum(counts.values()))
    shards = []
    for kind, n in counts.items():  # as engine.run.plan.with_shards splits them
        size = shard_size(n, n_total, twins_per_actor, cpus)
        shards += [(kind, min(size, n - lo)) for lo in range(0, n, size)]
    risk = getattr(scenario, "risk", None)
    instants = 0
    if risk is not None and risk.enabled:
        every = max(1, round(risk.interval / scenario.tick))
        instants = max(1, scenario.epoch_ticks // every)
    return Sizing(
        counts,
        shards,
        scenario.total_ticks,
        scenario.epoch_ticks,
        scenario.telemetry_every,
        instants,
    )


def estimate(sz: Sizing, local: bool = False) -> Estimate:
    """Peak memory of each part of a run, and its output on disk."""
    per_epoch = max(1, sz.epoch_ticks // max(1, sz.telemetry_every))
    actor_bytes = []
    for kind, size in sz.shards:
        per_twin = SHARD_PER_TWIN + per_epoch * _channels(kind) * BYTES_PER_READING
        if sz.risk_instants:
            rows = sz.risk_instants * _features(kind) * BYTES_PER_FEATURE_ROW
            per_twin += RISK_STATE_PER_TWIN + rows
        actor_bytes.append(ACTOR_BASE * (not local) + size * per_twin)
    n = sum(sz.counts.values())
    samples = sz.total_ticks // max(1, sz.telemetry_every)
    readings = sum(c * samples * _channels(k) for k, c in sz.counts.items())
    rows_per_epoch = sum(c * _channels(k) for k, c in sz.counts.items())
    coordinator = COORDINATOR_BASE + n * COORDINATOR_PER_TWIN
    coordinator += per_epoch * rows_per_epoch * 2 * BYTES_PER_READING  # results + pending rows
    n_epochs = math.ceil(sz.total_ticks / max(1, sz.epoch_ticks))
    disk = readings * DISK_PER_READING + 2 * n * n_epochs * DISK_PER_EPOCH_ROW
    return Estimate(
        twins=n,
        actors=len(sz.shards),
        driver=DRIVER_BASE + n * DRIVER_PER_TWIN,
        coordinator=coordinator,
        actor_peak=max(actor_bytes, default=0.0),
        actors_total=sum(actor_bytes),
        ray=0.0 if local else RAY_BASE,
        disk=disk,
    )


def _refuse(message: str, value: str) -> RunError:
    return RunError(
        Problem(
            message,
            path="fleet",
            value=value,
            accepted="larger shards (execution.twins_per_actor), coarser telemetry "
            "(output.telemetry_resolution), fewer twins or a Ray cluster (--address)",
        )
    )


def check(sz: Sizing, memory: float, node_memory: float, local: bool, out: Path) -> Estimate:
    """Refuse a run whose estimated peak does not fit `memory` (or one node's for an actor)."""
    est = estimate(sz, local)
    what = f"{est.twins:,} twins in {est.actors:,} shards"
    if est.total > USABLE * memory:
        hints = []
        if est.actors * ACTOR_BASE > 0.25 * est.total and not local:
            hints.append(f"larger shards (each actor process costs ~{ACTOR_BASE // MIB} MiB)")
        if est.actors_total > 0.5 * est.total:
            hints.append("coarser telemetry")
        hints.append("a Ray cluster with more memory (--address)")
        raise _refuse(
            f"{what} would need about {est.describe()}, but only "
            f"{memory / GIB:.1f} GiB is available: try {', '.join(hints)}",
            what,
        )
    if est.actor_peak > USABLE * node_memory:
        raise _refuse(
            f"the largest shard would need about {est.actor_peak / GIB:.1f} GiB, more than a "
            f"node has ({node_memory / GIB:.1f} GiB): use smaller shards on a cluster",
            what,
        )
    free = _free_disk(out)
    if est.disk > 0.9 * free:
        raise _refuse(
            f"{what} would write about {est.disk / GIB:.1f} GiB of tables but only "
            f"{free / GIB:.1f} GiB is free in {out}: use coarser telemetry or a shorter run",
            what,
        )
    return est


def _free_disk(out: Path) -> float:
    p = Path(out).resolve()
    while not p.exists() and p != p.parent:
        p = p.parent
    return float(shutil.disk_usage(p).free)


def check_local(sz: Sizing, out: Path = Path(".")) -> Estimate:
    """Every shard in this process."""
    available = float(psutil.virtual_memory().available)
    return check(sz, available, available, True, out)


def check_cluster(sz: Sizing, out: Path = Path(".")) -> Estimate:
    """On the Ray cluster joined: its memory (and the largest node's) against the estimate."""
    import ray

    local_available = float(psutil.virtual_memory().available)
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    mems = [
        float(n["Resources"].get("memory", 0)) + float(n["Resources"].get("object_store_memory", 0))
        for n in nodes
    ]
    if len(nodes) <= 1:  # one machine: what it has free now is what counts
        total = node = local_available
    else:
        total, node = sum(mems), max(mems)
    return check(sz, total, node, False, out)
