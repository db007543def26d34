"""Throughput with interaction on: sites as systems against the commit before, in one session.

    python benchmarks/sites.py --before HEAD~1 --twins 10000 --rounds 3 --backend ray

Each round runs, in fresh processes and alternating (so the machine's noise falls on all alike):
- `before`: the given commit (exported with `git archive`), fleet-1k's 60/10/30 mix, risk off;
- `independent`: this checkout, the same fleet, risk off (no site interacts);
- `interaction`: this checkout, the fleet as pits of 100 twins that are systems (54 trucks
  queueing at 6 loaders, a stockpile feeding 10 mills, 30 boilers; `benchmarks/engine.py`
  `fleet_scenario(interaction=True)`), risk off.
The figure is twin-ticks/s over the epoch loop; ratios are medians over `before`'s median.

    python benchmarks/sites.py --kind boiler --before HEAD~1   # one kind: `auto` on every core?

With `--kind`, the fleet is n twins of that kind alone (no interaction variant): `auto` sharding
put 10,000 boilers in one actor, leaving a core idle, before it used every core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from foundation import ROOT, export

CHILD = r"""
import importlib.util, inspect, json, os, sys, tempfile
root, n, days, backend, interaction, only = sys.argv[1:7]
sys.path.insert(0, root)
spec = importlib.util.spec_from_file_location("bench_engine", f"{root}/benchmarks/engine.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
from aurum import engine
kw = {"risk": False}
if interaction == "1":
    kw["interaction"] = True
sc = bench.fleet_scenario(int(n), float(days), **kw)
if only != "-":
    sc["fleet"] = [{"kind": only, "count": int(n), "id_prefix": "X-", "site": sc["sites"][0]["id"]}]
with tempfile.TemporaryDirectory() as out:
    r = engine.simulate(sc, out=out, backend=backend)
p = r.progress
print(json.dumps({"twin_ticks": p["twin_ticks"], "loop_s": p["timings"]["loop_s"]}))
"""


def measure(
    root: Path, n: int, days: float, backend: str, interaction: bool, only: str = "-"
) -> float:
    env = dict(os.environ, PYTHONPATH=str(root))
    args = [str(root), str(n), str(days), backend, "1" if interaction else "0", only]
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
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return float(r["twin_ticks"]) / float(r["loop_s"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="HEAD~1", help="the commit to compare against")
    ap.add_argument("--twins", type=int, default=10_000)
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--backend", default="ray", choices=["local", "ray"])
    ap.add_argument("--kind", default="-", help="a fleet of this kind alone (no interaction)")
    args = ap.parse_args()
    print(
        f"machine: {platform.platform()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        before = export(args.before, Path(tmp))
        variants = [("before", before, False), ("independent", ROOT, False),
                    ("interaction", ROOT, True)]  # fmt: skip
        if args.kind != "-":
            variants = variants[:2]
        for _, root, inter in variants:  # unmeasured: caches, Ray's first start
            measure(root, 1000, 0.05, args.backend, inter, args.kind)
        rates: dict[str, list[float]] = {name: [] for name, _, _ in variants}
        began = time.perf_counter()
        for k in range(args.rounds):
            for name, root, inter in variants:
                rate = measure(root, args.twins, args.days, args.backend, inter, args.kind)
                rates[name].append(rate)
                print(f"  round {k + 1}: {name}: {rate:,.0f} twin-ticks/s")
    base = statistics.median(rates["before"])
    print(
        f"\n{args.twins:,} twins, {args.days:g} d, {args.backend}, {args.rounds} rounds in "
        f"{time.perf_counter() - began:.0f} s (before = {args.before}); "
        f"load average after: {os.getloadavg()[0]:.2f}\n"
    )
    print("| variant | twin-ticks/s (median) | rounds | × before |")
    print("|---|---:|---|---:|")
    for name, _, _ in variants:
        med = statistics.median(rates[name])
        runs = " / ".join(f"{x / 1e6:.2f} M" for x in rates[name])
        print(f"| {name} | {med:,.0f} | {runs} | {med / base:.2f} |")


if __name__ == "__main__":
    main()
