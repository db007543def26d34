"""Ray actors: one per shard, and the coordinator that owns the clock and the fleet's state.

The coordinator is a threaded actor: one thread runs the epoch loop while others answer
`progress()`, `fleet_state()` and `twin_state()` — what the API and the progress bar read.
It is pinned to the driver's node so that the run's files land where the user asked.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from engine.errors import Problem, RunError
from engine.manifest import write_manifest
from engine.plan import FleetPlan, ShardSpec
from engine.runloop import RunLoop, make_shard
from twins.schedule import Job
from twins.shard import EpochResult

ADDRESS_FORMS = "ray://host:10001 (Ray Client), host:6379 (GCS), 'auto', or nothing for local"


def connect(address: str | None = None) -> int:
    """Join a Ray cluster (address / RAY_ADDRESS) or start a local one; its CPU count."""
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS") or None
        try:
            _init(address)
        except Exception as e:  # any failure to join is about the address or its token
            raise _join_error(address, e) from None
    return int(ray.cluster_resources().get("CPU", 1))


def _init(address: str | None) -> None:
    kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address is None:
        kwargs["include_dashboard"] = False
    else:
        # Nodes of an existing cluster get this package's code shipped with the job.
        kwargs["runtime_env"] = {"py_modules": _own_packages()}
    ray.init(address=address, **kwargs)


TOKEN_HINT = (
    "if the cluster uses token authentication (the default of `ray start` since Ray 2.59), "
    "set RAY_AUTH_MODE=token and give the head's token (~/.ray/auth_token or RAY_AUTH_TOKEN)"
)


def _join_error(address: str | None, e: Exception) -> RunError:
    first = str(e).splitlines()[0] if str(e) else ""
    return RunError(
        Problem(
            f"cannot join Ray: {type(e).__name__}: {first}; {TOKEN_HINT}",
            path="address",
            value=address,
            accepted=ADDRESS_FORMS,
        )
    )


def cluster_error(what: str, e: Exception) -> RunError:
    """A Ray failure while setting a run up (actors that cannot start, a lost node)."""
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    return RunError(Problem(f"{what}: {type(e).__name__}: {first}; {TOKEN_HINT}"))


def _own_packages() -> list[str]:
    """Folders of this project's packages (shipped to the nodes of an existing cluster)."""
    root = Path(__file__).resolve().parent.parent
    return [str(root / p) for p in ("api", "engine", "esg", "physics", "twins")]


class _ShardActor:
    """One shard of twins, advanced an epoch per call."""

    def __init__(self, plan: FleetPlan, spec: ShardSpec) -> None:
        self.shard = make_shard(plan, spec)

    def run_epoch(self, jobs: list[Job]) -> EpochResult:
        return self.shard.run_epoch(jobs)

    def ready(self) -> int:
        return self.shard.n


ShardActor = ray.remote(_ShardActor)


class RayPool:
    """Shard actors, spread over the cluster; results gathered with ray.wait as they finish."""

    def __init__(self, plan: FleetPlan, cpus: float) -> None:
        share = min(1.0, max(0.001, int(cpus / len(plan.shards) * 1000) / 1000))
        plan_ref = ray.put(plan)
        self.actors = [
            ShardActor.options(num_cpus=share, scheduling_strategy="SPREAD").remote(plan_ref, s)
            for s in plan.shards
        ]
        ray.get([a.ready.remote() for a in self.actors])
        self.owner = np.zeros(plan.n_twins, dtype=np.int32)  # which actor holds each twin
        for k, s in enumerate(plan.shards):
            self.owner[plan.groups[s.kind].twin_index[s.lo : s.hi]] = k
        self.pending: list[Any] = []

    def submit(self, jobs: list[Job]) -> None:
        mine: list[list[Job]] = [[] for _ in self.actors]
        for j in jobs:
            mine[int(self.owner[j.twin])].append(j)
        self.pending = [a.run_epoch.remote(js) for a, js in zip(self.actors, mine, strict=True)]

    def collect(self) -> Iterator[EpochResult]:
        pending, self.pending = self.pending, []
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            yield ray.get(ready[0])

    def close(self) -> None:
        for a in self.actors:
            ray.kill(a)


class _Coordinator:
    """Owns one run: its clock, shards, recorder and the fleet's live state."""

    def __init__(
        self, plan: FleetPlan, run_dir: str, manifest: dict[str, Any], speed: float | None
    ) -> None:
        self.loop = RunLoop(plan, Path(run_dir), speed)
        self.plan = plan
        self.manifest = manifest
        self.pool: RayPool | None = None

    def start(self, cpus: float) -> int:
        """Create the shard actors; the number of actors."""
        self.pool = RayPool(self.plan, cpus)
        return len(self.pool.actors)

    def run(self, timings: dict[str, float]) -> dict[str, Any]:
        """Run to the end; `timings` measured by the driver go into the manifest."""
        assert self.pool is not None, "start() first"
        self.loop.extra_timings = timings
        write_manifest(self.loop.run_dir, self.manifest, self.loop.progress.to_dict(), {})
        try:
            self.loop.run(self.pool)
        finally:
            write_manifest(
                self.loop.run_dir, self.manifest, self.loop.progress.to_dict(), self.loop.rows
            )
        return self.result()

    def result(self) -> dict[str, Any]:
        return self.loop.result()

    def progress(self) -> dict[str, Any]:
        return self.loop.progress.to_dict()

    def fleet_state(self) -> dict[str, Any]:
        return self.loop.state.summary()

    def twin_state(self, twin_id: str) -> dict[str, Any] | None:
        return self.loop.state.twin(twin_id)

    def twins(self, **filters: Any) -> dict[str, Any]:
        return self.loop.state.list_twins(**filters)

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the live fleet state (`FleetState.arrays()`)."""
        return self.loop.state.arrays()

    def cancel(self) -> None:
        self.loop.cancel()


Coordinator = ray.remote(num_cpus=0, max_concurrency=16)(_Coordinator)


def start_coordinator(
    plan: FleetPlan, run_dir: Path, manifest: dict[str, Any], speed: float | None = None
) -> Any:
    """A coordinator actor on this (the driver's) node, so files land where the user asked."""
    here = ray.get_runtime_context().get_node_id()
    strategy = NodeAffinitySchedulingStrategy(node_id=here, soft=True)
    return Coordinator.options(scheduling_strategy=strategy).remote(
        plan, str(run_dir), manifest, speed
    )
