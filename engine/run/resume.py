"""Resume a run from its last checkpoint: `aurum resume RUN`, `engine.run.resume.resume`.

For a run whose driver (or machine) died: the plan is rebuilt from the manifest's resolved
scenario with the checkpoint's shards, the coordinator's and every shard's state are restored,
the part files written after the checkpoint are removed, and the run goes on in the same folder
on the backend it used (or the one asked for).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from aurum.engine.errors import Problem, RunError
from aurum.engine.run.checkpoint import latest
from aurum.engine.run.loop import RunLoop
from aurum.engine.run.manifest import read_manifest
from aurum.engine.run.plan import build_plan
from aurum.engine.run.result import polling
from aurum.engine.run.runner import (
    Backend,
    ProgressFn,
    RunHandle,
    RunResult,
    _drive_local,
    _launch,
    checkpoint_every,
    note_resume,
)
from aurum.engine.scenario.loader import load


def resume(
    run_dir: str | Path,
    *,
    address: str | None = None,
    backend: Backend | None = None,
    checkpoint: int | None = None,
    on_progress: ProgressFn | None = None,
) -> RunResult:
    """Continue a run from its last checkpoint (its driver or coordinator died)."""
    began = time.perf_counter()
    run_dir = Path(run_dir)
    try:
        manifest = read_manifest(run_dir)
    except (OSError, ValueError) as e:
        raise RunError(Problem(f"not a run folder: {e}", "RUN", str(run_dir))) from None
    if manifest.get("status") == "done":
        raise RunError(Problem("the run already finished", "RUN", str(run_dir)))
    ck = latest(run_dir)
    if ck is None:
        raise RunError(
            Problem(
                "no checkpoint to resume from (the run stopped before its first one, or ran "
                "with checkpoints off): run the scenario again",
                "RUN",
                str(run_dir),
            )
        )
    sc = load(manifest["scenario"], file=str(run_dir / "manifest.json"))
    plan = replace(build_plan(sc, seed=manifest["seed"]), shards=ck.shards)
    execution = manifest.setdefault("execution", {})
    every = checkpoint_every(
        checkpoint if checkpoint is not None else execution.get("checkpoint_every")
    )
    run_id = str(manifest.get("run_id", run_dir.name))
    speed = execution.get("speed")
    if (backend or execution.get("backend", "ray")) == "local":
        note_resume(manifest, ck.epochs_done)
        loop = RunLoop(plan, run_dir, speed, every)
        loop.restore(ck)
        states = [ck.shard_state(k) for k in range(len(plan.shards))]
        with polling(loop.progress.to_dict, on_progress):  # progress from this process too
            return _drive_local(plan, run_id, run_dir, manifest, loop, states, began)
    from aurum.engine.run.actors import connect

    cpus = connect(address)
    handle = RunHandle(plan, run_id, run_dir, None, began)
    _launch(handle, manifest, speed, every, cpus, {}, resume=True)
    return handle.wait(on_progress)
