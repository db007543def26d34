"""A run on its own local Ray, typed in a terminal: nothing of Ray's on the screen (its log
records go to the run's ray.log), and no Ray process left once the driver is gone, even when
it is killed with SIGKILL mid-run (engine/run/reaper.py).

These start their own driver process and Ray (not the session-wide fixture) and only look at
processes in the driver's own session, so the fixture's Ray is never touched."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from aurum.engine.run import reaper as ray_reaper
from aurum.engine.run.actors import RayLog

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[2]
AURUM = str(Path(sys.executable).with_name("aurum"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def record(name: str, msg: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, msg, None, None)


def test_ray_log_holds_records_until_it_has_a_folder(tmp_path: Path) -> None:
    log = RayLog(keep=2)
    for msg in ("first", "second", "third"):  # only the last `keep` are held
        log.emit(record("ray", msg))
    assert not (tmp_path / "ray.log").exists()
    log.to(tmp_path / "ray.log", note="# session logs: /tmp/x")
    log.emit(record("ray.worker", "fourth"))
    lines = (tmp_path / "ray.log").read_text().splitlines()
    assert lines[0] == "# session logs: /tmp/x"
    assert [line.rsplit(": ", 1)[1] for line in lines[1:]] == ["second", "third", "fourth"]
    assert "WARNING ray.worker" in lines[-1]


def test_reaper_knows_ray_processes_from_others() -> None:
    me = psutil.Process()
    assert not ray_reaper.is_ray(me)  # pytest's python
    with subprocess.Popen(["sleep", "30"]) as sleeper:
        assert not ray_reaper.is_ray(psutil.Process(sleeper.pid))
        sleeper.kill()


def typed(args: list[str], timeout: float) -> pexpect.spawn:
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="160")
    env.pop("RAY_ADDRESS", None)
    return pexpect.spawn(
        AURUM, args, cwd=str(ROOT), env=env, encoding="utf-8", codec_errors="replace",
        dimensions=(40, 160), timeout=timeout,
    )  # fmt: skip


def test_a_run_shows_nothing_of_ray_and_logs_it_in_the_run_folder(tmp_path: Path) -> None:
    child = typed(["run", "scenarios/demo.yaml", "--duration", "2h", "--out", str(tmp_path)], 300)
    child.expect(pexpect.EOF)
    screen = ANSI.sub("", child.before or "")
    child.close()
    assert child.exitstatus == 0, screen
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert f"done: tables in {run}" in " ".join(screen.split())
    for noise in ("WARNING", "Token authentication", "gcs_client", "Ray instance", "INFO"):
        assert noise not in screen, screen
    log = (run / "ray.log").read_text()
    assert log.startswith("# Ray session logs: ")  # its own session (never another program's)
    session_logs = Path(log.splitlines()[0].split(": ", 1)[1])
    assert (session_logs / "raylet.out").exists()
    if "RAY_AUTH_MODE" not in os.environ:  # Ray then says it turned token authentication on
        assert "Token authentication is enabled" in log


def in_session(sid: int) -> list[psutil.Process]:
    """Processes of the session the driver leads (Ray's daemons, agents and workers keep it)."""
    out = []
    for p in psutil.process_iter():
        try:
            if os.getsid(p.pid) == sid and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except (ProcessLookupError, psutil.Error):
            pass
    return out


def running_epochs(out: Path) -> int:
    for manifest in out.glob("*/manifest.json"):
        try:
            return int(json.loads(manifest.read_text())["progress"]["epochs_done"])
        except (ValueError, KeyError, OSError):
            return 0
    return 0


def test_killing_the_driver_leaves_no_ray_process_behind(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("RAY_ADDRESS", None)
    driver = subprocess.Popen(
        [AURUM, "run", "scenarios/demo.yaml", "--quiet", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its session id is its pid: what it and Ray start keep it
    )
    try:
        deadline = time.monotonic() + 300
        while running_epochs(tmp_path) < 2 and driver.poll() is None:
            assert time.monotonic() < deadline, "the run never got going"
            time.sleep(0.2)
        assert driver.poll() is None, "the run ended before it could be killed"
        started = {p.name() for p in in_session(driver.pid)}
        assert {"raylet", "gcs_server", "ray::DashboardAgent", "ray::RuntimeEnvAgent"} <= started
        assert any(n.startswith("ray::_ShardActor") for n in started)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        deadline = time.monotonic() + 30
        while (left := in_session(driver.pid)) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert not left, [(p.pid, p.name()) for p in left]
    finally:
        for p in in_session(driver.pid):  # only this test's processes: its own session
            p.kill()
        if driver.poll() is None:
            driver.kill()
