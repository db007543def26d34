"""Running a study's runs: one run per core, each independent, resumable and fail-safe.

A run is a plain function of plain data (`engine.studies.job.execute_run`), executed in this
process one after the other (`executor="serial"`) or as Ray tasks of one CPU each
(`engine.studies.tasks`), which simulate in-process (`backend="local"`): one run = one core,
no actors to start. The driver keeps each finished run's `result.json` (metrics, time series,
the run's folder) in the run's study folder; a run whose `result.json` matches its scenario and
seed is not run again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aurum.engine.studies.job import execute_run, measure
from aurum.engine.studies.metrics import VERSION
from aurum.engine.studies.plan import RunSpec, StudyPlan

Executor = Literal["ray", "serial"]
RESULT = "result.json"


@dataclass
class StudyProgress:
    """Where the whole study stands: runs done (reused included) of total, and the ETA."""

    total: int
    done: int = 0
    reused: int = 0
    failed: int = 0
    elapsed_s: float = 0.0
    eta_s: float | None = None
    last: str = ""

    @property
    def fraction(self) -> float:
        """Share of the runs done (1 for an empty study)."""
        return self.done / self.total if self.total else 1.0


ProgressFn = Callable[[StudyProgress], None]


def payload(plan: StudyPlan, spec: RunSpec) -> dict[str, Any]:
    """Everything a worker needs to run one spec (plain data; travels through Ray)."""
    return {
        "scenario": plan.variant(spec.variant).scenario,
        "seed": spec.seed,
        "folder": str(spec.folder.resolve()),
        "keep": plan.study.keep_runs,
        "key": spec.key,
        "variant": spec.variant,
        "replication": spec.replication,
    }


def finished(spec: RunSpec) -> dict[str, Any] | None:
    """The saved result of this run (same scenario and seed), if it finished."""
    try:
        saved: dict[str, Any] = json.loads((spec.folder / RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = saved.get("key") == spec.key and saved.get("status") == "done"
    return saved if ok else None


def reusable(spec: RunSpec) -> dict[str, Any] | None:
    """A finished run's result, measured again if the metrics' definitions changed since."""
    saved = finished(spec)
    if saved is None or saved.get("version") == VERSION:
        return saved
    return _remeasured(spec, saved)


def _remeasured(spec: RunSpec, saved: dict[str, Any]) -> dict[str, Any] | None:
    """A result saved by an older definition of the metrics, measured again from its tables."""
    run_dir = Path(saved.get("run_dir") or "")
    if not (run_dir / "manifest.json").is_file():
        return None
    try:
        fresh = saved | measure(run_dir)
    except (OSError, ValueError, KeyError):
        return None
    save(spec, fresh)
    return fresh


def save(spec: RunSpec, result: dict[str, Any]) -> None:
    """Write a run's result atomically (a crash never leaves half a file)."""
    spec.folder.mkdir(parents=True, exist_ok=True)
    tmp = spec.folder / f".{RESULT}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(result, indent=1), encoding="utf-8")
    tmp.replace(spec.folder / RESULT)


def run_all(
    plan: StudyPlan,
    executor: Executor = "ray",
    *,
    address: str | None = None,
    max_parallel: int | None = None,
    fresh: bool = False,
    on_progress: ProgressFn | None = None,
) -> dict[str, dict[str, Any]]:
    """Every run's result by label: reused where possible, the rest run now."""
    results = {} if fresh else {s.label: r for s in plan.runs if (r := reusable(s)) is not None}
    todo = [spec for spec in plan.runs if spec.label not in results]
    progress = StudyProgress(len(plan.runs), done=len(results), reused=len(results))
    tracker = _Tracker(progress, len(todo), on_progress)
    by_id = {(spec.variant, spec.replication): spec for spec in todo}

    def on_result(job: dict[str, Any], result: dict[str, Any]) -> None:
        """Save a run's result as soon as it comes back (an interruption loses no other)."""
        spec = by_id[(job["variant"], job["replication"])]
        save(spec, result)
        results[spec.label] = result
        tracker.advance(spec.label, result["status"] != "done")

    tracker.report()
    jobs = [payload(plan, spec) for spec in todo]
    if executor == "serial":
        for job in jobs:
            on_result(job, execute_run(job))
    elif jobs:
        from aurum.engine.studies.tasks import run_tasks

        run_tasks(jobs, on_result, address=address, max_parallel=max_parallel)
    return {spec.label: results[spec.label] for spec in plan.runs}


class _Tracker:
    """Counts finished runs and estimates the time left from this session's pace."""

    def __init__(self, progress: StudyProgress, to_run: int, fn: ProgressFn | None) -> None:
        self.progress = progress
        self.to_run = to_run
        self.ran = 0
        self.fn = fn
        self.began = time.perf_counter()

    def advance(self, label: str, failed: bool) -> None:
        """One more run finished (failed or not): counts, last label, ETA."""
        p = self.progress
        self.ran += 1
        p.done += 1
        p.failed += int(failed)
        p.last = label
        p.elapsed_s = time.perf_counter() - self.began
        p.eta_s = p.elapsed_s / self.ran * (self.to_run - self.ran)
        self.report()

    def report(self) -> None:
        """Tell the caller where the study stands."""
        if self.fn is not None:
            self.fn(self.progress)
