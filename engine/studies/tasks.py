"""A study's runs as Ray tasks of one CPU each, within the machine's or a cluster's cores.

Each task simulates one run in its worker process (`backend="local"`): one run = one core, no
actor to start, and runs of a study are independent, so a lost worker costs only its run
(Ray retries it on a system failure; the run is deterministic). At most `max_parallel` tasks
are in flight (default: the cluster's CPUs), results are taken with `ray.wait` as they finish,
and an interrupted study cancels what is still running: finished runs are already saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ray

from aurum.engine.run.actors import connect
from aurum.engine.studies.job import execute_run, failed

run_task = ray.remote(num_cpus=1, max_retries=2)(execute_run)
Finished = Callable[[dict[str, Any], dict[str, Any]], None]


def run_tasks(
    jobs: list[dict[str, Any]],
    finished: Finished,
    *,
    address: str | None = None,
    max_parallel: int | None = None,
) -> int:
    """Run every job as a task, calling `finished(job, result)` as each ends; the CPUs used."""
    cpus = connect(address)
    limit = max(1, max_parallel or cpus)
    queue = list(reversed(jobs))
    pending: dict[Any, dict[str, Any]] = {}
    try:
        while queue or pending:
            while queue and len(pending) < limit:
                job = queue.pop()
                pending[run_task.remote(job)] = job
            ready, _ = ray.wait(list(pending), num_returns=1)
            job = pending.pop(ready[0])
            finished(job, _result(ready[0], job))
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)
    return min(limit, cpus)


def _result(ref: Any, job: dict[str, Any]) -> dict[str, Any]:
    try:
        result: dict[str, Any] = ray.get(ref)
    except ray.exceptions.RayError as e:
        first = str(e).splitlines()[0] if str(e) else ""
        return failed(job, f"the run's worker failed: {type(e).__name__}: {first}")
    return result
