"""Risk scoring cost: µs per twin, and engine throughput with scoring every 10 minutes vs without.

    python benchmarks/risk.py                    # 10,000-row batches; fleet-1k, one day
    python benchmarks/risk.py --twins 1000 --repeats 3

1. Per twin and scoring instant, on one core: the feature update (`Features.update` + `matrix`,
   n = 10,000 twins), the onnxruntime call of the committed model (one intra-op thread, a batch
   of 10,000 rows as a shard's epoch gives it), and the rest of the scoring path measured inside
   a shard (reported readings, alerts).
2. The same fleet run twice in one process (`backend="local"`), scoring off then on (every 10
   simulated minutes), alternating, best of `--repeats`: twin-ticks/s and the overhead.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aurum import engine  # noqa: E402
from aurum.twins import registry  # noqa: E402
from aurum.twins.kind import Status  # noqa: E402
from aurum.twins.risk import Features, FeatureSpec, Scorer, load_model  # noqa: E402
from benchmarks.engine import fleet_scenario  # noqa: E402


def per_twin_us(kind: str, n: int = 10_000, reps: int = 20) -> dict[str, float]:
    """µs per twin per scoring instant: features, and the model on a batch of n rows."""
    spec = FeatureSpec.of(registry.get(kind))
    f = Features(spec, n, 1 / 6, 0.0)
    rng = np.random.default_rng(0)
    base = rng.normal(50.0, 10.0, (len(spec.channels), n))
    status = np.full(n, Status.RUNNING, dtype=np.int8)
    t = time.perf_counter()
    for k in range(reps):
        f.update({c: base[i] + 0.1 * k for i, c in enumerate(spec.channels)}, status)
        x = f.matrix()
    features = (time.perf_counter() - t) / reps / n * 1e6
    scorer = Scorer(load_model(spec))
    scorer.score(x)  # session start-up is not part of the cost
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        for _ in range(reps // 4):
            scorer.score(x)
        best = min(best, (time.perf_counter() - t) / (reps // 4) / n * 1e6)
    return {"features_us": features, "model_us": best, "n_features": len(spec.names)}


def run(n: int, days: float, scoring: bool) -> dict[str, Any]:
    sc = fleet_scenario(n, days)
    sc["risk"] = {"enabled": scoring, "interval": "10min"}
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        r = engine.simulate(sc, out=out, backend="local")
        wall = time.perf_counter() - began
    p = r.progress
    return {"twin_ticks": p["twin_ticks"], "loop_s": p["timings"]["loop_s"], "wall_s": wall,
            "rate": p["twin_ticks"] / p["timings"]["loop_s"]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--twins", type=int, default=1000)
    ap.add_argument("--days", type=float, default=1.0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import numpy
    import onnxruntime

    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, numpy {numpy.__version__}, "
          f"onnxruntime {onnxruntime.__version__}")  # fmt: skip
    print(
        "\n| kind | features | features µs/twin | model µs/twin (batch 10,000, 1 thread) | total |"
    )
    print("|---|---:|---:|---:|---:|")
    for kind in registry.names():
        c = per_twin_us(kind)
        total = c["features_us"] + c["model_us"]
        print(f"| {kind} | {c['n_features']} | {c['features_us']:.2f} | {c['model_us']:.2f} | "
              f"{total:.2f} |")  # fmt: skip
    best: dict[bool, dict[str, Any]] = {}
    for _ in range(args.repeats):
        for scoring in (False, True):
            r = run(args.twins, args.days, scoring)
            if scoring not in best or r["rate"] > best[scoring]["rate"]:
                best[scoring] = r
    off, on = best[False], best[True]
    print(f"\nfleet-1k mix, {args.twins} twins, {args.days:g} d at 1-min ticks, local backend, "
          f"best of {args.repeats}:")  # fmt: skip
    print("| scoring | twin-ticks | loop s | twin-ticks/s |")
    print("|---|---:|---:|---:|")
    for name, r in (("off", off), ("every 10 min", on)):
        print(f"| {name} | {r['twin_ticks']:,} | {r['loop_s']:.2f} | {r['rate']:,.0f} |")
    extra_us = (on["loop_s"] - off["loop_s"]) / (on["twin_ticks"] / 10) * 1e6
    print(
        f"\noverhead: {100 * (off['rate'] / on['rate'] - 1):.1f} % of the run time; "
        f"{extra_us:.2f} µs per twin per scoring instant inside the engine"
    )


if __name__ == "__main__":
    main()
