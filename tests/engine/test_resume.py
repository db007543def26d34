"""`aurum resume RUN`: a run whose driver was killed goes on from its last checkpoint, and its
tables end equal to an undisturbed run's — part files written after the checkpoint are rolled
back, so no row is missing or duplicated."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aurum import engine
from aurum.engine.cli.main import main
from aurum.engine.run.checkpoint import FOLDER, LATEST, latest
from aurum.engine.run.manifest import read_manifest
from tests.conftest import ROOT
from tests.engine.test_run import TABLES, read_all, same, small_fleet

CHILD = """
import json, sys
from aurum import engine
engine.simulate(json.load(open(sys.argv[1])), out=sys.argv[2], backend="local",
                checkpoint=4, speed=86400 / 6.0)
"""


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("undisturbed")
    return read_all(engine.simulate(small_fleet("1d"), out=out, backend="local").run_dir)


def _killed_driver(tmp_path: Path) -> Path:
    """A driver process running the fleet, SIGKILLed after its second checkpoint."""
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(small_fleet("1d")))
    return killed_driver(scenario, tmp_path / "runs")


def killed_driver(scenario: Path, out: Path) -> Path:
    """A driver process running a scenario file, SIGKILLed after its second checkpoint."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(scenario), str(out)], cwd=ROOT, text=True
    )
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            pointers = list(out.glob(f"*/{FOLDER}/{LATEST}"))
            if pointers and json.loads(pointers[0].read_text())["epochs_done"] >= 8:
                break
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    (run_dir,) = out.iterdir()
    return run_dir


def test_resume_after_the_driver_was_killed(tmp_path: Path, undisturbed: dict[str, Any]) -> None:
    run_dir = _killed_driver(tmp_path)
    assert read_manifest(run_dir)["status"] == "running"
    ck = latest(run_dir)
    assert ck is not None and 8 <= ck.epochs_done < 24
    # A part file written after the checkpoint (and a half-written one): both must go.
    parts, _ = ck.tables["production"]
    last = run_dir / "production" / f"part-{parts - 1:05d}.parquet"
    shutil.copy(last, run_dir / "production" / f"part-{parts:05d}.parquet")
    (run_dir / "production" / f"part-{parts + 1:05d}.tmp").write_bytes(b"half")
    assert main(["resume", str(run_dir), "--quiet"]) == 0
    got = read_all(run_dir)
    for name in TABLES:
        assert got[name].num_rows == undisturbed[name].num_rows, f"{name}: rows differ"
        assert same(got[name], undisturbed[name]), f"{name} differs from the undisturbed run"
    m = read_manifest(run_dir)
    assert m["status"] == "done" and m["resumed"][0]["from_epoch"] == ck.epochs_done
    assert not (run_dir / FOLDER).exists()
    print(f"\ndriver killed after checkpoint {ck.epochs_done}; resumed; tables identical")
    # a finished run is not resumed again
    assert main(["resume", str(run_dir), "--quiet"]) == 2


def test_resume_refuses_a_run_without_checkpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = engine.simulate(small_fleet("3h"), out=tmp_path, backend="local", checkpoint=0)
    manifest = r.run_dir / "manifest.json"
    doc = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(doc | {"status": "running"}))
    assert main(["resume", str(r.run_dir)]) == 2
    assert "no checkpoint to resume from" in capsys.readouterr().err
    assert main(["resume", str(tmp_path / "nowhere")]) == 2
