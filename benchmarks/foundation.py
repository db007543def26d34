"""Throughput against the foundation, measured in the same run: issue 3's "within 2×" check.

    python benchmarks/foundation.py                      # 10,000 twins, one day, 3 rounds, local
    python benchmarks/foundation.py --backend local ray --rounds 5 --twins 10000

The foundation (commit 67710ca, the engine before failure modes, maintenance, emissions and risk)
is exported with `git archive` into a temporary folder; each round runs the same fleet —
`fleet-1k`'s site, 60 % trucks / 10 % mills / 30 % boilers, one day at one-minute ticks,
telemetry every 15 min, Parquet written — on the foundation and on this checkout (risk scoring
off, then on), each in a fresh process, alternating, so that the machine's noise falls on all
of them alike. The figure is twin-ticks/s over the epoch loop, as `benchmarks/engine.py` has it;
the ratio is the median of this checkout's rounds over the median of the foundation's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
FOUNDATION = "67710ca"

# Run in a fresh interpreter inside a checkout: its own benchmarks/engine.py builds the fleet,
# its own engine simulates it. Prints one JSON line.
CHILD = r"""
import importlib.util, json, sys, tempfile, inspect
root, n, days, backend = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
risk = sys.argv[5] == "1"
sys.path.insert(0, root)
spec = importlib.util.spec_from_file_location("bench_engine", f"{root}/benchmarks/engine.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
import os
if os.path.isdir(f"{root}/aurum"):  # one `aurum` namespace since the package restructure
    from aurum import engine
else:
    import engine
assert os.path.realpath(engine.__file__).startswith(os.path.realpath(root)), engine.__file__
kw = {"risk": risk} if "risk" in inspect.signature(bench.fleet_scenario).parameters else {}
with tempfile.TemporaryDirectory() as out:
    r = engine.simulate(bench.fleet_scenario(n, days, **kw), out=out, backend=backend)
p = r.progress
print(json.dumps({"twin_ticks": p["twin_ticks"], "loop_s": p["timings"]["loop_s"]}))
"""


def export(rev: str, into: Path) -> Path:
    """The tree of commit `rev` in a folder of its own (no checkout or worktree is touched)."""
    archive = into / "tree.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", rev], stdout=f, check=True)
    tree = into / rev
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def measure(root: Path, n: int, days: float, backend: str, risk: bool) -> float:
    """Twin-ticks/s over the epoch loop of one run in a fresh process inside `root`."""
    env = dict(os.environ, PYTHONPATH=str(root), RAY_DEDUP_LOGS="0")
    args = [str(root), str(n), str(days), backend, "1" if risk else "0"]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"run in {root} failed:\n{done.stderr[-3000:]}")
    line = done.stdout.strip().splitlines()[-1]
    r: dict[str, Any] = json.loads(line)
    return float(r["twin_ticks"]) / float(r["loop_s"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--twins", type=int, default=10_000)
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backend", nargs="+", default=["local"], choices=["local", "ray"])
    ap.add_argument("--foundation", default=FOUNDATION, help="the commit to compare against")
    ap.add_argument(
        "--main",
        default=None,
        help="a commit to measure instead of this checkout's working tree (exported like the "
        "foundation: uncommitted changes do not count)",
    )
    args = ap.parse_args()
    print(
        f"machine: {platform.platform()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    variants = [("foundation", False), ("main, risk off", False), ("main, risk on", True)]
    with tempfile.TemporaryDirectory() as tmp:
        main = ROOT if args.main is None else export(args.main, Path(tmp))
        trees = {"foundation": export(args.foundation, Path(tmp)), "main": main}
        for backend in args.backend:
            # one unmeasured run each: numba's on-disk cache, Ray's first start, file caches
            for name, risk in variants:
                measure(trees[name.split(",")[0]], 1000, 0.05, backend, risk)
            rates: dict[str, list[float]] = {name: [] for name, _ in variants}
            began = time.perf_counter()
            for k in range(args.rounds):
                for name, risk in variants:
                    rate = measure(trees[name.split(",")[0]], args.twins, args.days, backend, risk)
                    rates[name].append(rate)
                    print(f"  {backend} round {k + 1}: {name}: {rate:,.0f} twin-ticks/s")
            base = statistics.median(rates["foundation"])
            print(
                f"\n{args.twins:,} twins, {args.days:g} d, backend {backend}, {args.rounds} rounds "
                f"in {time.perf_counter() - began:.0f} s (foundation = {args.foundation}); "
                f"load average after: {os.getloadavg()[0]:.2f}\n"
            )
            print("| checkout | twin-ticks/s (median) | rounds | × foundation | slower by |")
            print("|---|---:|---|---:|---:|")
            for name, _ in variants:
                med = statistics.median(rates[name])
                runs = " / ".join(f"{x / 1e6:.2f} M" for x in rates[name])
                print(f"| {name} | {med:,.0f} | {runs} | {med / base:.2f} | {base / med:.2f}× |")
            print()


if __name__ == "__main__":
    main()
