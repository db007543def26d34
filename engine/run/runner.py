"""Run a scenario: `engine.simulate(path)` from Python, `aurum run` from the shell.

A run whose coordinator dies while the driver waits is resumed from its last checkpoint by
`RunHandle.wait` itself; `engine.run.resume.resume` (`aurum resume RUN`) continues one
whose driver died.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from aurum.engine.errors import Problem, RunError
from aurum.engine.run.loop import LocalPool, RunInterrupted, RunLoop
from aurum.engine.run.manifest import machine, versions, write_manifest
from aurum.engine.run.plan import FleetPlan, build_plan, with_shards
from aurum.engine.run.result import (
    RunResult,
    html_table,
    kpis_table,
    live_facts,
    not_found,
    polling,
    progress_for,
)
from aurum.engine.run.summary import Summary
from aurum.engine.scenario.durations import format_duration
from aurum.engine.scenario.loader import load
from aurum.engine.scenario.model import ScenarioBase

Backend = Literal["ray", "local"]
ProgressFn = Callable[[dict[str, Any]], None]
# Checkpoint every this many epochs unless told (0 = never); AURUM_CHECKPOINT_EVERY overrides.
CHECKPOINT_EVERY = 24
MAX_COORDINATOR_RESTARTS = 3
MISSING: Any = object()  # twin_state's default when none is given


def checkpoint_every(value: int | None) -> int:
    if value is not None:
        return max(0, int(value))
    env = os.environ.get("AURUM_CHECKPOINT_EVERY")
    if env:
        try:
            return max(0, int(env))
        except ValueError:
            raise RunError(
                Problem("not a whole number", "AURUM_CHECKPOINT_EVERY", env, accepted="0, 1, 2...")
            ) from None
    return CHECKPOINT_EVERY


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
    checkpoint: int | None = None,
    progress: bool | None = None,
) -> RunResult:
    """Run a scenario to the end and return what it left behind.

    `seed`, `out`, `twins_per_actor` and `duration` override the scenario's own values;
    `address` joins an existing Ray cluster; `backend="local"` runs every shard in this process;
    `speed` paces the run to the wall clock (60 = one simulated minute per second);
    `checkpoint` saves a checkpoint every that many epochs (default 24; 0 = never);
    `on_progress` receives the progress dict while it runs; without it, `progress=True` shows a
    progress bar (None, the default: only in Jupyter).
    """
    sc = prepare(scenario, seed, duration, epoch)
    with progress_for(progress, on_progress) as report:
        if backend == "local":
            every = checkpoint_every(checkpoint)
            return _run_local(sc, out, twins_per_actor, speed, every, report)
        handle = start(
            sc,
            out=out,
            twins_per_actor=twins_per_actor,
            address=address,
            speed=speed,
            checkpoint=checkpoint,
        )
        return handle.wait(report)


def _setup(
    sc: ScenarioBase, out: str | Path | None, plan: FleetPlan | None = None
) -> tuple[FleetPlan, str, Path, dict[str, Any]]:
    plan = plan if plan is not None else build_plan(sc)
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
    timings = progress.get("timings") or {}
    summary = Summary.from_fleet(result["fleet"], result["kpis"], sim_h, wall, rate, timings)
    execution = dict(result.get("execution", {}))
    execution["shards"] = result.get("shards", {})
    execution["coordinator_peak_rss_mib"] = result.get("coordinator_peak_rss_mib")
    return RunResult(
        run_id,
        run_dir,
        progress["status"],
        summary,
        progress,
        result["rows"],
        result["fleet"],
        kpis_table(result["kpis"]),
        execution,
    )


def _run_local(
    sc: ScenarioBase,
    out: str | Path | None,
    twins_per_actor: int | str | None,
    speed: float | None,
    every: int,
    on_progress: ProgressFn | None = None,
) -> RunResult:
    from aurum.engine.run.capacity import check_local, sizing

    began = time.perf_counter()
    tpa = twins_per_actor if twins_per_actor is not None else sc.execution.twins_per_actor
    check_local(sizing(sc, tpa, 1), Path(out or sc.output.directory))
    plan = with_shards(build_plan(sc), tpa, 1)
    plan, run_id, run_dir, manifest = _setup(sc, out, plan)
    manifest["execution"] = {
        "backend": "local",
        "shards": len(plan.shards),
        "speed": speed,  # a resumed run keeps its pace, as on Ray
        "checkpoint_every": every,
    }
    loop = RunLoop(plan, run_dir, speed, every)
    with polling(loop.progress.to_dict, on_progress):
        return _drive_local(plan, run_id, run_dir, manifest, loop, None, began)


def _drive_local(
    plan: FleetPlan,
    run_id: str,
    run_dir: Path,
    manifest: dict[str, Any],
    loop: RunLoop,
    states: list[dict[str, Any]] | None,
    began: float,
) -> RunResult:
    def saved(loop: RunLoop) -> None:
        write_manifest(run_dir, manifest, loop.progress.to_dict(), {})

    loop.on_checkpoint = saved
    write_manifest(run_dir, manifest, loop.progress.to_dict(), {})
    try:
        loop.run(LocalPool(plan, states))
    except KeyboardInterrupt:  # Ctrl-C: the manifest says so (below), the cli how to resume
        loop.progress.status = "interrupted"
        raise RunInterrupted(run_dir, loop.progress.to_dict()) from None
    finally:
        write_manifest(run_dir, manifest, loop.progress.to_dict(), loop.rows)
    out = loop.result()
    out["coordinator_peak_rss_mib"] = _peak_rss()
    return _result(plan, run_id, run_dir, out, time.perf_counter() - began)


def _peak_rss() -> float:
    from aurum.engine.run.timers import peak_rss_mib

    return peak_rss_mib()


class RunHandle:
    """A run in progress on Ray: read its live state, cancel it, or wait for its end.

    If the coordinator dies while `wait` waits, a new one resumes the run from its last
    checkpoint (up to MAX_COORDINATOR_RESTARTS times).
    """

    def __init__(
        self, plan: FleetPlan, run_id: str, run_dir: Path, coordinator: Any, began: float
    ) -> None:
        self.plan = plan
        self.run_id = run_id
        self.run_dir = run_dir
        self.coordinator = coordinator
        self.began = began
        self.done_ref: Any = None
        self.execution: dict[str, Any] = {}
        self.relaunch: Callable[[], None] | None = None
        self.restarts = 0

    def _get(self, ref: Any, timeout: float | None = None) -> Any:
        import ray

        return ray.get(ref, timeout=timeout)

    def facts(self) -> list[tuple[str, str]]:
        """The run at a glance, asked of the coordinator (never raises: a repr must not)."""

        def ask() -> dict[str, Any]:
            return self._get(self.coordinator.progress.remote(), timeout=2)

        return live_facts(self.run_id, self.run_dir, ask)

    def __repr__(self) -> str:
        facts = dict(self.facts())
        more = ", ".join(f"{k} {v}" for k, v in facts.items() if k not in ("run", "folder"))
        return f"<RunHandle {self.run_id}: {more}; folder {self.run_dir}>"

    def _repr_html_(self) -> str:
        return f"<b>RunHandle</b> {html_table(('', ''), self.facts(), header=False)}"

    def progress(self) -> dict[str, Any]:
        return self._get(self.coordinator.progress.remote())

    def fleet_state(self) -> dict[str, Any]:
        return self._get(self.coordinator.fleet_state.remote())

    def twin_state(self, twin_id: str, default: Any = MISSING) -> Any:
        """A twin's live state; `default` if given and the run has no such twin, else
        NotFoundError (a KeyError) naming the closest ids."""
        state = self._get(self.coordinator.twin_state.remote(twin_id))
        if state is not None:
            return state
        if default is not MISSING:
            return default
        raise not_found("twin", "twin_id", twin_id, self.plan.twin_ids())

    def twins(self, **filters: Any) -> dict[str, Any]:
        """A page of twins: filters kind, site, status; offset, limit."""
        return self._get(self.coordinator.twins.remote(**filters))

    def snapshot(self, timeout: float | None = None) -> dict[str, Any]:
        """The live fleet state's arrays; `FleetState.load_arrays` turns them back into one."""
        import ray

        return ray.get(self.coordinator.snapshot.remote(), timeout=timeout)

    def shard_actors(self) -> list[tuple[Any, dict[str, Any]]]:
        """(actor handle, {pid, node, host, twins}) of every shard actor now."""
        return self._get(self.coordinator.shard_actors.remote())

    def cancel(self) -> None:
        self._get(self.coordinator.cancel.remote())

    def done(self) -> bool:
        import ray

        return bool(ray.wait([self.done_ref], timeout=0)[0])

    def wait(self, on_progress: ProgressFn | None = None) -> RunResult:
        """Block until the run ends (polling progress for `on_progress`); its result."""
        import ray

        try:
            while True:
                try:
                    while not ray.wait([self.done_ref], timeout=0.25)[0]:
                        if on_progress is not None:
                            on_progress(self.progress())
                    result: dict[str, Any] = ray.get(self.done_ref)
                    break
                except ray.exceptions.RayActorError as e:  # the coordinator died
                    self._restart(e)
        except KeyboardInterrupt:
            raise self._interrupted() from None
        finally:
            ray.kill(self.coordinator)  # also when the run failed: no leaked actor
        if on_progress is not None:
            on_progress(result["progress"])
        wall = time.perf_counter() - self.began
        result["execution"] = self.execution | {"coordinator_restarts": self.restarts}
        return _result(self.plan, self.run_id, self.run_dir, result, wall)

    def _interrupted(self, grace_s: float = 20.0) -> RunInterrupted:
        """Ctrl-C while waiting: stop the run at its next epoch (its tables closed and kept),
        mark its manifest "interrupted" and say where it stopped."""
        import ray

        from aurum.engine.run.manifest import mark_status

        progress: dict[str, Any] = {}
        try:
            self.coordinator.cancel.remote()
            if ray.wait([self.done_ref], timeout=grace_s)[0]:
                progress = ray.get(self.done_ref)["progress"]
        except (KeyboardInterrupt, Exception):  # a second Ctrl-C, a dead coordinator: kill it
            pass
        marked = mark_status(self.run_dir, "interrupted")
        return RunInterrupted(self.run_dir, marked or progress)

    def _restart(self, e: Exception) -> None:
        from aurum.engine.run.checkpoint import latest

        ck = latest(self.run_dir)
        if self.relaunch is None or ck is None or self.restarts >= MAX_COORDINATOR_RESTARTS:
            why = "no checkpoint yet" if ck is None else f"{self.restarts} restarts already"
            raise RunError(
                Problem(
                    f"the run's coordinator died ({type(e).__name__}) and cannot be resumed "
                    f"here: {why}; `aurum resume {self.run_dir}` continues from the last "
                    "checkpoint if there is one",
                    path="execution",
                )
            ) from None
        self.restarts += 1
        self.relaunch()


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
    checkpoint: int | None = None,
) -> RunHandle:
    """Start a run on Ray (local or `address`) and return at once with a handle to it."""
    from aurum.engine.run.actors import connect
    from aurum.engine.run.capacity import check_cluster, sizing

    began = time.perf_counter()
    sc = prepare(scenario, seed, duration, epoch)
    every = checkpoint_every(checkpoint)
    tpa = twins_per_actor if twins_per_actor is not None else sc.execution.twins_per_actor
    cpus = connect(address)
    check_cluster(sizing(sc, tpa, cpus), Path(out or sc.output.directory))
    plan = with_shards(build_plan(sc), tpa, cpus)
    plan, run_id, run_dir, manifest = _setup(sc, out, plan)
    t1 = time.perf_counter()
    manifest["execution"] = {
        "backend": "ray",
        "cluster_cpus": cpus,
        "actors": len(plan.shards),
        "twins_per_actor": tpa,
        "address": address,
        "speed": speed,
        "checkpoint_every": every,
    }
    handle = RunHandle(plan, run_id, run_dir, None, began)
    _launch(handle, manifest, speed, every, cpus, {"ray_connect_s": t1 - began}, resume=False)
    return handle


def note_resume(manifest: dict[str, Any], epochs_done: int) -> None:
    """Record in the manifest that the run went on from a checkpoint."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    manifest.setdefault("resumed", []).append({"from_epoch": epochs_done, "at": at})


def _launch(
    handle: RunHandle,
    manifest: dict[str, Any],
    speed: float | None,
    every: int,
    cpus: int,
    timings: dict[str, float],
    resume: bool,
) -> None:
    """Start a coordinator (fresh, or resuming the run's last checkpoint) and its run."""
    import ray

    from aurum.engine.run.actors import cluster_error, start_coordinator

    t = time.perf_counter()
    if resume:
        from aurum.engine.run.checkpoint import latest

        ck = latest(handle.run_dir)
        note_resume(manifest, ck.epochs_done if ck is not None else 0)
    coordinator = start_coordinator(handle.plan, handle.run_dir, manifest, speed, every, resume)
    try:
        info: dict[str, Any] = ray.get(coordinator.start.remote(cpus))
    except ray.exceptions.RayError as e:
        raise cluster_error("the run's actors could not start on the cluster", e) from None
    here = socket.gethostname()
    if info["coordinator_host"] != here:  # Ray Client: files are written on the head node
        info["warning"] = (
            f"tables are written on host {info['coordinator_host']} (not {here}) "
            f"in {info['run_dir']}"
        )
    handle.coordinator = coordinator
    handle.execution = info
    handle.done_ref = coordinator.run.remote(timings | {"actors_start_s": time.perf_counter() - t})
    handle.relaunch = lambda: _launch(handle, manifest, speed, every, cpus, {}, resume=True)
