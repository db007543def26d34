"""Run a scenario: `engine.simulate(path)` from Python, `aurum run` from the shell."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from engine.durations import format_duration
from engine.errors import Problem, RunError
from engine.loader import load
from engine.manifest import machine, versions, write_manifest
from engine.plan import FleetPlan, build_plan, with_shards
from engine.recorder import read_table
from engine.runloop import LocalPool, RunLoop
from engine.scenario import ScenarioBase
from engine.summary import Summary

Backend = Literal["ray", "local"]
ProgressFn = Callable[[dict[str, Any]], None]


@dataclass
class RunResult:
    """What a finished run left behind: its folder, status, summary and tables."""

    run_id: str
    run_dir: Path
    status: str
    summary: Summary
    progress: dict[str, Any]
    rows: dict[str, int]
    fleet: dict[str, Any] = field(repr=False, default_factory=dict)
    kpis: dict[str, dict[str, float]] = field(repr=False, default_factory=dict)

    def table(self, name: str) -> pa.Table:
        """A table of the run by name: "production", "twins", "telemetry/truck", ..."""
        return read_table(self.run_dir, name)


def prepare(
    scenario: str | Path | dict[str, Any] | ScenarioBase,
    seed: int | None = None,
    duration: str | timedelta | None = None,
    epoch: str | timedelta | None = None,
) -> ScenarioBase:
    """A validated scenario with optional overrides (a shorter smoke run, finer epochs)."""
    sc = scenario if isinstance(scenario, ScenarioBase) else load(scenario)
    changes: dict[str, Any] = {
        k: v for k, v in (("seed", seed), ("duration", duration), ("epoch", epoch)) if v is not None
    }
    if not changes:
        return sc
    data = sc.model_dump(mode="json") | {
        k: format_duration(v) if isinstance(v, timedelta) else v for k, v in changes.items()
    }
    return load(data, file=f"{sc.name} (with {', '.join(changes)} overridden)")


def new_run_dir(base: str | Path, name: str) -> tuple[str, Path]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_id = f"{name}-{stamp}-{secrets.token_hex(2)}"
    run_dir = Path(base) / run_id
    try:
        run_dir.mkdir(parents=True, exist_ok=False)
    except OSError as e:
        raise RunError(
            Problem(f"cannot create the run folder: {e.strerror}", "output.directory", str(base))
        ) from None
    return run_id, run_dir


def simulate(
    scenario: str | Path | dict[str, Any] | ScenarioBase,
    *,
    seed: int | None = None,
    out: str | Path | None = None,
    twins_per_actor: int | str | None = None,
    address: str | None = None,
    backend: Backend = "ray",
    duration: str | timedelta | None = None,
    epoch: str | timedelta | None = None,
    speed: float | None = None,
    on_progress: ProgressFn | None = None,
) -> RunResult:
    """Run a scenario to the end and return what it left behind.

    `seed`, `out`, `twins_per_actor` and `duration` override the scenario's own values;
    `address` joins an existing Ray cluster; `backend="local"` runs every shard in this process;
    `speed` paces the run to the wall clock (60 = one simulated minute per second).
    """
    sc = prepare(scenario, seed, duration, epoch)
    if backend == "local":
        return _run_local(sc, out, twins_per_actor, speed)
    handle = start(sc, out=out, twins_per_actor=twins_per_actor, address=address, speed=speed)
    return handle.wait(on_progress)


def _setup(sc: ScenarioBase, out: str | Path | None) -> tuple[FleetPlan, str, Path, dict[str, Any]]:
    plan = build_plan(sc)
    run_id, run_dir = new_run_dir(out or sc.output.directory, sc.name)
    manifest = {
        "run_id": run_id,
        "scenario": plan.resolved,
        "seed": plan.seed,
        "versions": versions(),
        "machine": machine(),
    }
    return plan, run_id, run_dir, manifest


def _result(
    plan: FleetPlan, run_id: str, run_dir: Path, result: dict[str, Any], wall: float
) -> RunResult:
    progress = result["progress"]
    sim_h = plan.timing.total_ticks * plan.timing.tick_s / 3600.0
    rate = progress["twin_ticks_per_s"]
    summary = Summary.from_fleet(result["fleet"], result["kpis"], sim_h, wall, rate)
    return RunResult(
        run_id,
        run_dir,
        progress["status"],
        summary,
        progress,
        result["rows"],
        result["fleet"],
        result["kpis"],
    )


def _run_local(
    sc: ScenarioBase, out: str | Path | None, twins_per_actor: int | str | None, speed: float | None
) -> RunResult:
    began = time.perf_counter()
    plan, run_id, run_dir, manifest = _setup(sc, out)
    tpa = twins_per_actor if twins_per_actor is not None else sc.execution.twins_per_actor
    plan = with_shards(plan, tpa, 1)
    manifest["execution"] = {"backend": "local", "shards": len(plan.shards)}
    loop = RunLoop(plan, run_dir, speed)
    try:
        loop.run(LocalPool(plan))
    finally:
        write_manifest(run_dir, manifest, loop.progress.to_dict(), loop.rows)
    return _result(plan, run_id, run_dir, loop.result(), time.perf_counter() - began)


class RunHandle:
    """A run in progress on Ray: read its live state, cancel it, or wait for its end."""

    def __init__(
        self, plan: FleetPlan, run_id: str, run_dir: Path, coordinator: Any, began: float
    ) -> None:
        self.plan = plan
        self.run_id = run_id
        self.run_dir = run_dir
        self.coordinator = coordinator
        self.began = began
        self.done_ref: Any = None

    def _get(self, ref: Any) -> Any:
        import ray

        return ray.get(ref)

    def progress(self) -> dict[str, Any]:
        return self._get(self.coordinator.progress.remote())

    def fleet_state(self) -> dict[str, Any]:
        return self._get(self.coordinator.fleet_state.remote())

    def twin_state(self, twin_id: str) -> dict[str, Any] | None:
        return self._get(self.coordinator.twin_state.remote(twin_id))

    def twins(self, **filters: Any) -> dict[str, Any]:
        """A page of twins: filters kind, site, status; offset, limit."""
        return self._get(self.coordinator.twins.remote(**filters))

    def snapshot(self, timeout: float | None = None) -> dict[str, Any]:
        """The live fleet state's arrays; `FleetState.load_arrays` turns them back into one."""
        import ray

        return ray.get(self.coordinator.snapshot.remote(), timeout=timeout)

    def cancel(self) -> None:
        self._get(self.coordinator.cancel.remote())

    def done(self) -> bool:
        import ray

        return bool(ray.wait([self.done_ref], timeout=0)[0])

    def wait(self, on_progress: ProgressFn | None = None) -> RunResult:
        """Block until the run ends (polling progress for `on_progress`); its result."""
        import ray

        try:
            while not ray.wait([self.done_ref], timeout=0.25)[0]:
                if on_progress is not None:
                    on_progress(self.progress())
            result: dict[str, Any] = ray.get(self.done_ref)
        finally:
            ray.kill(self.coordinator)  # also when the run failed: no leaked actor
        if on_progress is not None:
            on_progress(result["progress"])
        wall = time.perf_counter() - self.began
        return _result(self.plan, self.run_id, self.run_dir, result, wall)


def start(
    scenario: str | Path | dict[str, Any] | ScenarioBase,
    *,
    seed: int | None = None,
    out: str | Path | None = None,
    twins_per_actor: int | str | None = None,
    address: str | None = None,
    duration: str | timedelta | None = None,
    epoch: str | timedelta | None = None,
    speed: float | None = None,
) -> RunHandle:
    """Start a run on Ray (local or `address`) and return at once with a handle to it."""
    import ray

    from engine.rayrun import cluster_error, connect, start_coordinator

    began = time.perf_counter()
    sc = prepare(scenario, seed, duration, epoch)
    plan, run_id, run_dir, manifest = _setup(sc, out)
    tpa = twins_per_actor if twins_per_actor is not None else sc.execution.twins_per_actor
    cpus = connect(address)
    plan = with_shards(plan, tpa, cpus)
    t1 = time.perf_counter()
    manifest["execution"] = {
        "backend": "ray",
        "cluster_cpus": cpus,
        "actors": len(plan.shards),
        "twins_per_actor": tpa,
        "address": address,
    }
    manifest["execution"]["speed"] = speed
    coordinator = start_coordinator(plan, run_dir, manifest, speed)
    try:
        ray.get(coordinator.start.remote(cpus))
    except ray.exceptions.RayError as e:
        raise cluster_error("the run's actors could not start on the cluster", e) from None
    t2 = time.perf_counter()
    handle = RunHandle(plan, run_id, run_dir, coordinator, began)
    timings = {"ray_connect_s": t1 - began, "actors_start_s": t2 - t1}
    handle.done_ref = coordinator.run.remote(timings)
    return handle
