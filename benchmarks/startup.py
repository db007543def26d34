"""How long `aurum run scenarios/demo.yaml` takes to start and finish, cold and warm, by phase.

    python benchmarks/startup.py [--rounds 3] [--duration 7d] [--checkout PATH]

Each round runs, one after the other in fresh processes:
- `baseline`: `python -c "import ray; ray.init(address='local', …); ray.shutdown()"`, the floor
  any run on a local Ray pays; every wall time is also given as a ratio to it (same round);
- `no cache`: the demo with an empty numba cache (NUMBA_CACHE_DIR): every kernel compiled in
  the actors — a first `make demo` before kernels were compiled at install;
- `install`: `python -m aurum.engine.run.precompile` into another empty cache (the step `make demo`
runs
  after `pip install`), then `after install`: the demo's first run on that cache;
- `warm`: the demo again on the same cache.
Figures are medians over the rounds (the machine may be shared: rounds alternate the cases).

Phases come from the run's manifest: `ray.init` (engine.run.actors), `scenario+plan` (the driver's
start before the actors, less ray.init), `actors` (coordinator and shard actors started, their
shards built, kernels loaded or compiled), `loop` (the epoch loop, Parquet included), `other`
(the rest of the wall: Python start, imports, the summary, Ray's shutdown). `--checkout A B`
runs several trees (e.g. a `git archive` of an older commit) with this venv, alternating within
each round; `import the CLI` is the driver's import time alone.

    python benchmarks/startup.py --compare RUN_A RUN_B

checks that two runs' Parquet tables are equal (schema and values; NaN equal where both are):
a start-up change must not change a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AURUM = str(Path(sys.executable).with_name("aurum"))
BASELINE = (
    "import logging, ray; ray.init(address='local', include_dashboard=False, "
    "log_to_driver=False, logging_level=logging.ERROR); ray.shutdown()"
)
PHASES = ("ray.init", "scenario+plan", "actors", "loop", "other")


PRECOMPILE = [
    ("engine/run/precompile.py", "aurum.engine.run.precompile"),
    ("engine/precompile.py", "engine.precompile"),
]


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    began = time.perf_counter()
    done = subprocess.run(cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - began


def demo(tree: Path, cache: Path, duration: str) -> dict[str, float]:
    """One `aurum run` of the demo on `cache`: its wall time and phases (seconds)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(tree))
    env.pop("RAY_ADDRESS", None)
    with tempfile.TemporaryDirectory(prefix="aurum-startup-") as out:
        args = ["run", "scenarios/demo.yaml", "--quiet", "--out", out, "--duration", duration]
        wall = timed([AURUM, *args], env, tree)
        (manifest,) = Path(out).glob("*/manifest.json")
        m = json.loads(manifest.read_text())
    t = m["progress"]["timings"]
    startup = m.get("execution", {}).get("startup", {})
    init = float(startup.get("ray_init_s", 0.0))
    phases = {
        "wall": wall,
        "ray.init": init,
        "scenario+plan": t["ray_connect_s"] - init,
        "actors": t["actors_start_s"],
        "loop": t["loop_s"],
    }
    phases["other"] = wall - sum(phases[p] for p in PHASES[:-1])
    builds = [a["built_s"] - a["ready_s"] for a in startup.get("shard_actors", [])]
    phases["shard build (max)"] = max(builds, default=float("nan"))
    return phases


def one_round(tree: Path, duration: str, work: Path, k: int) -> dict[str, dict[str, float]]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    out: dict[str, dict[str, float]] = {}
    out["baseline"] = {"wall": timed([sys.executable, "-c", BASELINE], env, tree)}
    cli = "aurum.engine.cli.main" if (tree / "aurum").is_dir() else "engine.cli"
    out["import the CLI"] = {"wall": timed([sys.executable, "-c", f"import {cli}"], env, tree)}
    out["no cache"] = demo(tree, work / f"nocache-{k}", duration)
    cache = work / f"installed-{k}"
    # the install step's module: before and after the `aurum` namespace
    step = next(
        (m for f, m in PRECOMPILE if (tree / f).exists()),
        None,
    )
    if step is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
        out["install"] = {"wall": timed([sys.executable, "-m", step], env, tree)}
        out["after install"] = demo(tree, cache, duration)
    out["warm"] = demo(tree, cache if cache.exists() else work / f"nocache-{k}", duration)
    return out


def medians(rounds: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    cases = rounds[0].keys()
    return {
        case: {key: statistics.median(r[case][key] for r in rounds) for key in rounds[0][case]}
        for case in cases
    }


def table(med: dict[str, dict[str, float]], rounds: list[dict[str, dict[str, float]]]) -> str:
    base = med["baseline"]["wall"]
    head = ["case", "wall s", "× baseline", *PHASES, "shard build (max)", "walls (rounds)"]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for case, m in med.items():
        walls = " / ".join(f"{r[case]['wall']:.1f}" for r in rounds)
        cells = [f"{m.get(p, float('nan')):.1f}" if p in m else "" for p in PHASES]
        build = m.get("shard build (max)")
        lines.append(
            f"| {case} | {m['wall']:.1f} | {m['wall'] / base:.2f}× | "
            + " | ".join(cells)
            + f" | {'' if build is None else f'{build:.1f}'} | {walls} |"
        )
    return "\n".join(lines)


def tables(run: Path) -> dict[str, list[Path]]:
    """A run's Parquet files by table: "kpis", "telemetry/truck", ..."""
    out: dict[str, list[Path]] = {}
    for p in sorted(run.rglob("*.parquet")):
        parts = p.relative_to(run).parts
        name = "/".join(parts[:-1]) if len(parts) > 1 else parts[0].removesuffix(".parquet")
        out.setdefault(name, []).append(p)
    return out


def compare(a: Path, b: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ta, tb = tables(a), tables(b)
    differ = sorted(ta.keys() ^ tb.keys())
    for name in sorted(ta.keys() & tb.keys()):
        x = pa.concat_tables([pq.read_table(p) for p in ta[name]])
        y = pa.concat_tables([pq.read_table(p) for p in tb[name]])
        same = x.schema.equals(y.schema) and x.to_pandas().equals(y.to_pandas())
        print(
            f"{'equal' if same else 'DIFFERENT'} {name}: {x.num_rows} rows, {x.num_columns} columns"
        )
        differ += [] if same else [name]
    print(
        f"{len(ta) - len(differ)} of {len(ta)} tables equal"
        + (f"; differ: {differ}" if differ else "")
    )
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", default="7d", help="the demo's length (7d: as shipped)")
    ap.add_argument(
        "--checkout",
        type=Path,
        nargs="+",
        default=[ROOT],
        help="the trees to run (PYTHONPATH), alternating within each round",
    )
    ap.add_argument("--json", type=Path, help="also write every round's figures here")
    ap.add_argument("--compare", type=Path, nargs=2, metavar="RUN", help="compare two runs")
    a = ap.parse_args(argv)
    if a.compare:
        return compare(*a.compare)
    trees = [t.resolve() for t in a.checkout]
    rounds: dict[Path, list[dict[str, dict[str, float]]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory(prefix="aurum-numba-") as work:
        for k in range(a.rounds):
            for i, tree in enumerate(trees):
                rounds[tree].append(one_round(tree, a.duration, Path(work) / str(i), k))
                print(f"round {k + 1}/{a.rounds} {tree}: " + ", ".join(
                    f"{case} {r['wall']:.1f} s" for case, r in rounds[tree][-1].items()
                ), file=sys.stderr, flush=True)  # fmt: skip
    for tree, rs in rounds.items():
        print(f"\n`aurum run scenarios/demo.yaml --duration {a.duration}` ({tree}), medians "
              f"of {a.rounds} rounds:\n")  # fmt: skip
        print(table(medians(rs), rs))
    if a.json:
        saved = {str(t): {"rounds": rs, "medians": medians(rs)} for t, rs in rounds.items()}
        a.json.write_text(json.dumps(saved, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
