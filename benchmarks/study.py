"""Study throughput: the same runs one after the other vs as parallel Ray tasks (one per core).

    python benchmarks/study.py                     # 3 policies × 8 replications, 20 days each
    python benchmarks/study.py --replications 10 --days 30

The study is the maintenance-policy fleet (20 machines at 15-minute ticks) under run-to-failure,
time-based and condition-based maintenance. Three ways, each from scratch (`fresh`):
`serial` runs every run in this process; `ray ×1` runs them as Ray tasks one at a time (Ray's
overhead alone); `ray` runs as many tasks at once as there are CPUs. CPU use per core is
sampled during each; the tables of all three must be identical.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aurum.engine.studies.execute import Executor  # noqa: E402
from aurum.engine.studies.study import StudyResult, run_study  # noqa: E402

POLICIES = ROOT / "scenarios" / "policies"


def study(replications: int, days: int, out: Path) -> dict[str, Any]:
    files = ("run-to-failure", "time-based", "condition-based")
    return {
        "study": "bench",
        "seed": 7,
        "replications": replications,
        "duration": f"{days}d",
        "output": str(out),
        "keep_runs": False,
        "variants": [{"name": f, "scenario": str(POLICIES / f"{f}.yaml")} for f in files],
    }


class CpuSampler:
    """Mean busy % of each core while it runs (psutil, sampled every 0.5 s)."""

    def __init__(self) -> None:
        self.samples: list[list[float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        psutil.cpu_percent(percpu=True)
        while not self.stop.wait(0.5):
            self.samples.append(psutil.cpu_percent(percpu=True))

    def __enter__(self) -> CpuSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def per_core(self) -> list[float]:
        n = len(self.samples) or 1
        return [sum(s[i] for s in self.samples) / n for i in range(len(self.samples[0]))]


def measure(
    spec: dict[str, Any], executor: Executor, max_parallel: int | None
) -> tuple[float, list[float], StudyResult]:
    with CpuSampler() as cpu:
        began = time.perf_counter()
        r = run_study(spec, executor=executor, max_parallel=max_parallel, fresh=True, report=False)
        wall = time.perf_counter() - began
    assert not r.failures, r.failures
    return wall, cpu.per_core(), r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--days", type=int, default=20)
    args = ap.parse_args()
    import ray

    from aurum.engine.run.actors import connect

    t = time.perf_counter()
    cpus = connect(None)
    ray_start = time.perf_counter() - t
    print(
        f"# {platform.platform()}, {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
        f"Ray {ray.__version__}; Ray start {ray_start:.1f} s; load before {os.getloadavg()[0]:.2f}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        spec = study(args.replications, args.days, Path(tmp))
        n = 3 * args.replications
        results = {}
        ways: list[tuple[str, Executor, int | None]] = [
            ("serial", "serial", None),
            ("ray ×1", "ray", 1),
            (f"ray ×{cpus}", "ray", None),
        ]
        for label, executor, par in ways:
            wall, cores, r = measure(spec, executor, par)
            results[label] = r
            rows.append((label, n, wall, cores))
    base = rows[0][2]
    print("| executor | runs | wall s | s per run | speed-up vs serial | busy % per core |")
    print("|---|---:|---:|---:|---:|---|")
    for label, runs, wall, cores in rows:
        busy = " / ".join(f"{c:.0f}" for c in cores)
        print(
            f"| {label} | {runs} | {wall:.1f} | {wall / runs:.2f} | {base / wall:.2f}× | {busy} |"
        )
    ref = results["serial"].to_pandas("runs")
    same = all(r.to_pandas("runs").equals(ref) for r in results.values())
    print(f"\nidentical runs tables across executors: {same}")


if __name__ == "__main__":
    main()
