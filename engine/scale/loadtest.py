"""`aurum loadtest`: spawn a large fleet, run it flat out, and measure it.

    aurum loadtest --twins 100000 [--mix truck=0.6,mill=0.1,boiler=0.3] [--duration 1d]
    aurum loadtest --scenario scenarios/fleet-1k.yaml [--address ray://head:10001]

Reports twin-ticks/s, wall time, peak memory (driver, coordinator, each shard actor, and the
whole local Ray session), the actors and nodes used, epoch latency (p50/p95) and where the time
went: the shards' physics, failure modes, sensors and risk scoring, the coordinator's emissions
accounting, fleet state, maintenance, recording and checkpoints, and Ray's overhead. Telemetry
resolution is chosen for the fleet size (coarser for big fleets) so the disk stays sane.
The tables go to a temporary folder removed afterwards unless `--out` is given (bare `--out`:
$AURUM_RUNS_DIR or runs/). `--json` prints the figures as JSON instead of the tables, `--json
FILE` writes them to FILE as well.
"""

from __future__ import annotations

import math
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from aurum.engine.errors import Problem, RunError
from aurum.engine.run.manifest import read_manifest

MAX_DAYS = 36_500  # a scenario's longest duration (100 years)
MIX = {"truck": 0.6, "mill": 0.1, "boiler": 0.3}
# Finest telemetry resolution whose rows stay under this many per simulated day.
TELEMETRY_ROWS_PER_DAY = 10_000_000
LADDER_MIN = (1, 5, 15, 30, 60, 120, 360, 720, 1440)
SITES: list[dict[str, Any]] = [
    {
        "id": "atacama",
        "country": "CL",
        "altitude_m": 3000,
        "climate": {"ambient_mean_c": 12, "ambient_amplitude_c": 10, "utc_offset_h": -3},
        "road": {
            "segments": [
                {"length_m": 400, "grade_pct": 0.0, "rolling_resistance_pct": 4.5},
                {"length_m": 3000, "grade_pct": 9.0, "rolling_resistance_pct": 3.0},
                {"length_m": 2500, "grade_pct": 1.0, "rolling_resistance_pct": 2.5},
            ]
        },
    },
    {
        "id": "arequipa",
        "country": "PE",
        "altitude_m": 2600,
        "climate": {"ambient_mean_c": 16, "ambient_amplitude_c": 7, "utc_offset_h": -5},
        "road": {
            "segments": [
                {"length_m": 300, "grade_pct": 0.0, "rolling_resistance_pct": 4.0},
                {"length_m": 1800, "grade_pct": 8.0, "rolling_resistance_pct": 3.0},
                {"length_m": 1200, "grade_pct": -2.0, "rolling_resistance_pct": 2.5},
            ]
        },
    },
]


def parse_mix(text: str) -> dict[str, float]:
    """ "truck=0.6,mill=0.1,boiler=0.3" → shares summing to 1 (each share finite and ≥ 0)."""
    from aurum.twins import registry

    kinds = sorted(k.name for k in registry.all_kinds())
    accepted = f"kind=share,… (kinds: {', '.join(kinds)}; shares finite, ≥ 0)"
    mix: dict[str, float] = {}
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise RunError(Problem("no kind=share given", "--mix", text, accepted=accepted))
    for part in parts:
        name, _, share = part.partition("=")
        try:
            value = float(share)
        except ValueError:
            value = math.nan
        if name.strip() not in kinds or not math.isfinite(value) or value < 0:
            raise RunError(Problem("not kind=share", "--mix", part, accepted=accepted))
        mix[name.strip()] = value
    total = sum(mix.values())
    if total <= 0:
        raise RunError(Problem("shares sum to 0", "--mix", text, accepted="some share > 0"))
    return {k: v / total for k, v in mix.items() if v > 0}


def split(n: int, mix: dict[str, float]) -> dict[str, int]:
    """n twins by kind in the mix's proportions (largest remainders: they sum to n)."""
    exact = {k: n * f for k, f in mix.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: n - sum(counts.values())]:
        counts[k] += 1
    return {k: c for k, c in counts.items() if c > 0}


def telemetry_minutes(n: int, tick_min: int = 1) -> int:
    """Telemetry resolution for a fleet of n twins (minutes, a multiple of the tick)."""
    for m in LADDER_MIN:
        if m % tick_min == 0 and n * (1440 // m) <= TELEMETRY_ROWS_PER_DAY:
            return m
    return LADDER_MIN[-1]


def fleet_scenario(
    n: int,
    mix: dict[str, float] | None = None,
    days: float = 1.0,
    telemetry: str | None = None,
    policy: str = "condition_based",
    risk: bool = True,
    seed: int = 7,
) -> dict[str, Any]:
    """A scenario of n twins over two Andean sites (two thirds at the first)."""
    fleet = []
    for kind, count in split(n, mix or MIX).items():
        first = (2 * count + 2) // 3
        for site, c in (("atacama", first), ("arequipa", count - first)):
            if c:
                prefix = f"{site[:2].upper()}-{kind.upper()}-"
                fleet.append({"kind": kind, "count": c, "id_prefix": prefix, "site": site})
    data: dict[str, Any] = {
        "name": f"loadtest-{n}",
        "seed": seed,
        "start": "2026-03-02T00:00:00Z",
        "duration": f"{max(1, round(days * 1440))}min",
        "tick": "1min",
        "epoch": "1h",
        "sites": SITES,
        "fleet": fleet,
        "maintenance": {"policy": policy},
        "output": {"telemetry_resolution": telemetry or f"{telemetry_minutes(n)}min"},
    }
    data["risk"] = {"enabled": risk}  # every twin scores its failure risk (or not: --no-risk)
    return data


class SessionMemory:
    """Peak proportional memory (PSS) of this process and its descendants — the driver and,
    for a local Ray it started, every Ray process and actor — sampled every `every` s."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        me = psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.every)

    def __enter__(self) -> SessionMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _disk(run_dir: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for f in run_dir.rglob("*"):
        if f.is_file():
            rel = f.relative_to(run_dir).parts
            key = "/".join(rel[:2]) if rel[0] == "telemetry" else rel[0].removesuffix(".parquet")
            sizes[key] = sizes.get(key, 0) + f.stat().st_size
    return sizes


def run(
    scenario: dict[str, Any] | str | Path,
    *,
    out: str | Path | None = None,
    backend: str = "ray",
    address: str | None = None,
    twins_per_actor: int | str | None = None,
    days: float | None = None,
    duration: str | None = None,
    checkpoint: int | None = None,
    on_progress: Any = None,
    sample_every: float = 0.5,
) -> dict[str, Any]:
    """Run a load test; every figure of the report as plain data. `days` (a number) or
    `duration` ("6h") override the scenario's length."""
    from aurum.engine.run.runner import prepare, simulate

    began = time.perf_counter()
    if days is not None:
        duration = f"{max(1, round(days * 1440))}min"
    sc = prepare(scenario, duration=duration)
    keep = out is not None
    folder = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="aurum-loadtest-"))
    try:
        with SessionMemory(sample_every) as mem:
            r = simulate(
                sc,
                out=folder,
                backend=backend,  # type: ignore[arg-type]
                address=address,
                twins_per_actor=twins_per_actor,
                checkpoint=checkpoint,
                on_progress=on_progress,
            )
        wall = time.perf_counter() - began
        disk = _disk(r.run_dir)
        execution = read_manifest(r.run_dir).get("execution", {})
    finally:
        if not keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return _figures(sc, r, wall, mem.peak, disk, execution, kept=keep)


def _figures(
    sc: Any,
    r: Any,
    wall: float,
    session_pss: int,
    disk: dict[str, int],
    execution: dict[str, Any],
    kept: bool,
) -> dict[str, Any]:
    from aurum.engine.run.timers import peak_rss_mib

    p = r.progress
    t = p["timings"]
    shards = r.execution.get("shards", {})
    actors = shards.get("actors_peak_rss_mib", [])
    counts: dict[str, int] = {}
    for e in sc.model_dump()["fleet"]:
        counts[e["kind"]] = counts.get(e["kind"], 0) + (e["count"] or 1)
    return {
        "twins": sum(counts.values()),
        "kinds": counts,
        "days": sc.duration.total_seconds() / 86400,
        "tick_s": sc.tick.total_seconds(),
        "epoch_s": sc.epoch.total_seconds(),
        "telemetry_s": sc.output.telemetry_resolution.total_seconds(),
        "policy": sc.maintenance.policy,
        "risk": bool(getattr(getattr(sc, "risk", None), "enabled", False)),
        "backend": execution.get("backend"),
        "status": r.status,
        "twin_ticks": p["twin_ticks"],
        "wall_s": wall,
        "loop_s": t.get("loop_s", 0.0),
        "rate_loop": p["twin_ticks"] / t["loop_s"] if t.get("loop_s") else 0.0,
        "rate_wall": p["twin_ticks"] / wall if wall else 0.0,
        "actors": execution.get("actors", 0),
        "shards": execution.get("actors", execution.get("shards", 0)),
        "cluster_cpus": execution.get("cluster_cpus"),
        "nodes": shards.get("nodes", {}),
        "hosts": shards.get("hosts", []),
        "epoch_latency_s": p.get("epoch_latency_s", {}),
        "timings": t,
        "shard_timers": shards.get("timers", {}),
        "memory_mib": {
            "driver_peak_rss": peak_rss_mib(),
            "coordinator_peak_rss": r.execution.get("coordinator_peak_rss_mib"),
            "actor_peak_rss_max": max(actors, default=0.0),
            "actors_peak_rss_sum": sum(actors),
            "session_peak_pss": session_pss / 2**20,
        },
        "disk_mib": {k: v / 2**20 for k, v in sorted(disk.items())},
        "rows": r.rows,
        "recoveries": p.get("recoveries", []),
        "run_dir": str(r.run_dir) if kept else None,
    }
