"""Engine throughput: twin-ticks/s and peak memory for mixed fleets, against a per-twin loop.

    python benchmarks/engine.py                 # 1,000 and 10,000 twins, one simulated day
    python benchmarks/engine.py --twins 1000 --days 0.25

Rates are compared with the per-twin Python loop measured in the same run (the machine is shared
and noisy): the same kind models stepped with n = 1 batches, one twin at a time. That loop is
slower than the simulator a user would write instead (a plain-Python SimPy model of the same
boiler runs several times faster): the headline ratio is against such a peer, measured by
benchmarks/peer.py.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aurum import engine  # noqa: E402
from aurum.engine.scenario.loader import load  # noqa: E402
from aurum.twins import registry  # noqa: E402
from aurum.twins.kind import TickContext  # noqa: E402
from aurum.twins.params import stack  # noqa: E402
from aurum.twins.rng import Streams, twin_keys  # noqa: E402
from aurum.twins.site import Ambient, Environment  # noqa: E402

ONE = np.ones(1, dtype=bool)
MIX = {"truck": 0.6, "mill": 0.1, "boiler": 0.3}


PIT = 100  # twins of a pit when the fleet interacts: 54 trucks, 6 loaders, 10 mills, 30 boilers


def fleet_scenario(
    n: int, days: float, resolution: str = "15min", risk: bool = True, interaction: bool = False
) -> dict[str, Any]:
    """fleet-1k's two sites with a fleet of n twins in the 60/10/30 mix (every failure mode
    active, condition-based maintenance; risk scoring every 10 simulated minutes unless off).

    `interaction`: the fleet as pits of 100 twins, each a system (`twins.system`): 54 trucks
    queueing at 6 loaders (the 60 % of haulage), dumping onto a stockpile that feeds 10 mills,
    and 30 boilers; trucks dispatched to the shortest queue. Loaders have no risk model yet:
    risk scoring is off with interaction.
    """
    base = load(ROOT / "scenarios" / "fleet-1k.yaml").model_dump(mode="json")
    if interaction:
        return _pits(base, n, days, resolution)
    counts = {k: max(1, round(n * f)) for k, f in MIX.items()}
    counts["truck"] += n - sum(counts.values())
    base["fleet"] = [
        {"kind": k, "count": c, "id_prefix": f"{k.upper()}-", "site": "atacama"}
        for k, c in counts.items()
    ]
    base["name"] = f"bench-{n}"
    base["duration"] = f"{round(days * 24 * 60)}min"
    base["output"] = {"telemetry_resolution": resolution, "directory": "runs"}
    base["risk"] = {"enabled": risk}
    return base


def _pits(base: dict[str, Any], n: int, days: float, resolution: str) -> dict[str, Any]:
    site = base["sites"][0]
    pits = max(1, n // PIT)
    base["sites"] = [
        {**site, "id": f"pit-{k:04d}", "haulage": {
            "dispatch": "shortest_queue", "dump_bays": 2,
            "stockpile": {"capacity_t": 400_000, "initial_t": 100_000}}}
        for k in range(pits)
    ]  # fmt: skip
    per = {"truck": 54, "loader": 6, "mill": 10, "boiler": 30}
    base["fleet"] = [
        {"kind": k, "count": c, "id_prefix": f"P{p:04d}-{k.upper()}-", "site": f"pit-{p:04d}"}
        for p in range(pits)
        for k, c in per.items()
    ]
    base["name"] = f"bench-pits-{pits * PIT}"
    base["duration"] = f"{round(days * 24 * 60)}min"
    base["output"] = {"telemetry_resolution": resolution, "directory": "runs"}
    base["risk"] = {"enabled": False}
    return base


class PeakMemory:
    """Peak memory during a run: driver RSS, and the sum of the Ray workers' PSS.

    PSS (proportional set size) charges shared pages (numpy, the object store) once in total
    rather than once per process, so the sum over processes is a fair machine-wide figure.
    """

    def __init__(self) -> None:
        self.peak_driver = 0
        self.peak_actors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _actors(self) -> int:
        total = 0
        for p in psutil.process_iter(["cmdline"]):
            try:
                if any(part.startswith("ray::") for part in p.info["cmdline"] or []):
                    total += p.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.peak_driver = max(self.peak_driver, me.memory_info().rss)
            self.peak_actors = max(self.peak_actors, self._actors())
            time.sleep(0.25)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def per_twin_loop(n_per_kind: int = 30, ticks: int = 60) -> float:
    """Twin-ticks/s of the same models stepped one twin at a time (a twin = a Python object)."""
    done = 0
    began = time.perf_counter()
    site = load(ROOT / "scenarios" / "fleet-1k.yaml").sites[0]
    for kind_cls in registry.all_kinds():
        twins = []
        for i in range(n_per_kind):
            kind = kind_cls()
            env = Environment((site,), np.zeros(1, dtype=np.intp))
            params = stack([kind_cls.Params()])
            rng = Streams(1, twin_keys([f"{kind_cls.label}-{i}"]))
            twins.append((kind, params, env, rng, kind.initial(params, env, rng), Ambient(env)))
        for tick in range(ticks):
            for kind, params, env, rng, state, ambient in twins:
                hours = tick / 60.0
                ctx = TickContext(tick, 60.0, hours, ambient.at(hours), ONE)
                kind.step(state, params, env, ctx, rng)
                done += 1
    return done / (time.perf_counter() - began)


def run_fleet(n: int, days: float, backend: str, risk: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out, PeakMemory() as mem:
        began = time.perf_counter()
        sc = fleet_scenario(n, days, risk=risk)
        r = engine.simulate(sc, out=out, backend=backend)  # type: ignore[arg-type]
        wall = time.perf_counter() - began
    p = r.progress
    return {
        "twins": n,
        "backend": backend,
        "twin_ticks": p["twin_ticks"],
        "loop_s": p["timings"]["loop_s"],
        "wall_s": wall,
        "rate": p["twin_ticks"] / p["timings"]["loop_s"],
        "peak_driver_mib": mem.peak_driver / 2**20,
        "peak_actors_mib": mem.peak_actors / 2**20 if backend == "ray" else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--twins", type=int, nargs="+", default=[1000, 10_000])
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--backend", nargs="+", default=["ray", "local"], choices=["ray", "local"])
    ap.add_argument("--no-risk", action="store_true", help="leave risk scoring out")
    args = ap.parse_args()
    print(
        f"machine: {platform.platform()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
    baseline = per_twin_loop()
    print(f"n = 1 loop (same models, one twin per step): {baseline:,.0f} twin-ticks/s")
    rows = [run_fleet(n, args.days, b, not args.no_risk) for n in args.twins for b in args.backend]
    print()
    print(
        "| twins | backend | twin-ticks | loop s | wall s | twin-ticks/s | × n = 1 loop "
        "| peak driver RSS MiB | peak actors PSS MiB |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['twins']:,} | {r['backend']} | {r['twin_ticks']:,} | {r['loop_s']:.1f} "
            f"| {r['wall_s']:.1f} | {r['rate']:,.0f} | {r['rate'] / baseline:,.0f}× "
            f"| {r['peak_driver_mib']:,.0f} | {r['peak_actors_mib']:,.0f} |"
        )


if __name__ == "__main__":
    main()
