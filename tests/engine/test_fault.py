"""Crash recovery: a shard actor killed mid-run (ray.kill, or SIGKILL of its process) and a
dead coordinator are rebuilt from the last checkpoint; the tables equal an undisturbed run's."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from aurum import engine
from aurum.engine.run.checkpoint import FOLDER
from aurum.engine.run.manifest import read_manifest
from aurum.engine.run.runner import start
from tests.engine.test_run import TABLES, read_all, same, small_fleet

DURATION = "1d"  # 24 one-hour epochs
EVERY = 4  # checkpoint every 4 epochs: a kill lands between two, epochs are replayed
PACE = 86400 / 5.0  # simulated seconds per wall second: the run lasts about 5 s
KILL_AT = 9  # epochs done when the kill comes (past two checkpoints)


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("undisturbed")
    r = engine.simulate(small_fleet(DURATION), out=out, backend="local", checkpoint=0)
    return read_all(r.run_dir)


def _wait_for_epoch(handle: engine.RunHandle, epochs: int) -> None:
    deadline = time.time() + 60
    while handle.progress()["epochs_done"] < epochs and time.time() < deadline:
        time.sleep(0.05)


def _check(result: engine.RunResult, expected: dict[str, Any]) -> dict[str, Any]:
    assert result.status == "done"
    got = read_all(result.run_dir)
    for name in TABLES:
        assert got[name].num_rows == expected[name].num_rows, f"{name}: rows differ"
        assert same(got[name], expected[name]), f"{name} differs from the undisturbed run"
    assert not (result.run_dir / FOLDER).exists()  # a finished run drops its checkpoints
    return read_manifest(result.run_dir)


def _killed_run(tmp_path: Path, kill: str) -> engine.RunResult:
    handle = start(
        small_fleet(DURATION), out=tmp_path, twins_per_actor=3, speed=PACE, checkpoint=EVERY
    )
    _wait_for_epoch(handle, KILL_AT)
    actor, info = handle.shard_actors()[1]
    if kill == "ray.kill":
        import ray

        ray.kill(actor)
    else:
        os.kill(info["pid"], signal.SIGKILL)
    return handle.wait()


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
@pytest.mark.parametrize("kill", ["ray.kill", "SIGKILL"])
def test_killed_shard_actor_is_rebuilt_and_tables_are_identical(
    tmp_path: Path, undisturbed: dict[str, Any], kill: str
) -> None:
    r = _killed_run(tmp_path, kill)
    m = _check(r, undisturbed)
    recoveries = m["progress"]["recoveries"]
    assert len(recoveries) == 1 and recoveries[0]["shard"] == 1
    assert recoveries[0]["replayed_from"] % EVERY == 0 and recoveries[0]["replayed_from"] >= 8
    print(f"\n{kill}: recovered {recoveries[0]}; {len(TABLES)} tables identical")


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_dead_coordinator_is_resumed_from_its_checkpoint(
    tmp_path: Path, undisturbed: dict[str, Any]
) -> None:
    import ray

    handle = start(
        small_fleet(DURATION), out=tmp_path, twins_per_actor=3, speed=PACE, checkpoint=EVERY
    )
    _wait_for_epoch(handle, KILL_AT)
    ray.kill(handle.coordinator)
    r = handle.wait()
    m = _check(r, undisturbed)
    assert r.execution["coordinator_restarts"] == 1
    assert m["resumed"][0]["from_epoch"] % EVERY == 0
    print(f"\ncoordinator killed: resumed from epoch {m['resumed'][0]['from_epoch']}")
