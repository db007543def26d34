"""`aurum run` and `aurum resume` typed in a real terminal: bash in a pseudo-terminal, so rich
sees a terminal and draws its progress bar (which crashed on an unknown total) and the summary
tables as a person sees them; Ctrl-C is the terminal's, sent to the foreground job."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.conftest import Terminal, manifest, only_run

SUMMARY = ("Run summary", "Maintenance", "Emissions, t CO2e (AR6)", "simulated hours in")


def assert_run_shown(screen: str, epochs: int) -> None:
    assert "━" in screen  # the bar itself
    assert f"epoch {epochs}/{epochs}" in screen
    for title in SUMMARY:
        assert title in screen, title
    assert re.search(r"loop \d+\.\d s at [\d.]+ (k |M )?twin-ticks/s", screen)
    assert "done: tables in" in screen
    assert "Traceback" not in screen and "internal error" not in screen


def test_run_local_in_a_terminal(terminal: Terminal, tmp_path: Path) -> None:
    terminal.type("aurum run scenarios/demo.yaml --duration 3h --local")
    code, screen = terminal.finish()
    assert code == 0, screen
    assert_run_shown(screen, 3)
    run = only_run(tmp_path / "runs")
    assert manifest(run)["status"] == "done"
    assert "sim 2026-01-05 03:00" in screen


def test_run_on_ray_in_a_terminal(terminal: Terminal, tmp_path: Path) -> None:
    """The real `make demo` path: a local Ray started by the command, shard actors on it."""
    terminal.type("aurum run scenarios/demo.yaml --duration 3h")
    code, screen = terminal.finish(timeout=300)
    assert code == 0, screen
    assert_run_shown(screen, 3)
    assert re.search(r"start \d+\.\d s: Ray \d+\.\d s, actors \d+\.\d s", screen), screen
    doc = manifest(only_run(tmp_path / "runs"))
    assert (doc["status"], doc["execution"]["backend"]) == ("done", "ray")


def test_ctrl_c_marks_the_run_and_its_resume_line_continues_it(
    terminal: Terminal, tmp_path: Path
) -> None:
    # 12 one-hour epochs paced at 2 simulated hours a second, a checkpoint every 2 epochs
    terminal.type(
        "aurum run scenarios/demo.yaml --duration 12h --speed 7200 --checkpoint 2 --local"
    )
    terminal.wait_for(r"epoch ([3-9]|10)/12")
    terminal.interrupt()
    code, screen = terminal.finish()
    assert code == 130, screen
    assert "Traceback" not in screen
    run = only_run(tmp_path / "runs")
    doc = manifest(run)
    assert doc["status"] == "interrupted"
    stopped = doc["progress"]["epochs_done"]
    assert 3 <= stopped < 12
    said = f"interrupted after epoch {stopped}/12: the tables written so far are kept in {run}"
    assert f'{said} (manifest status "interrupted")' in screen, screen
    line = re.search(r"aurum resume \S+", screen)
    assert line is not None and line.group(0) == f"aurum resume {run}", screen
    assert (run / "production").is_dir() and any((run / "production").iterdir())

    # the resumed run keeps its pace; Ctrl-C stops it too, and its own line goes on
    terminal.type(line.group(0))  # typed as printed
    terminal.wait_for(rf"resuming {re.escape(str(run))} after epoch \d+")
    terminal.wait_for(r"epoch (9|10)/12")
    terminal.interrupt()
    code, screen = terminal.finish()
    assert code == 130, screen
    assert manifest(run)["status"] == "interrupted"
    again = re.search(r"aurum resume \S+", screen)
    assert again is not None and again.group(0) == line.group(0), screen

    terminal.type(again.group(0))
    code, screen = terminal.finish()
    assert code == 0, screen
    assert f"resuming {run} after epoch" in screen
    assert_run_shown(screen, 12)
    doc = manifest(run)
    assert (doc["status"], doc["progress"]["epochs_done"]) == ("done", 12)
    assert doc["resumed"][0]["from_epoch"] in range(2, stopped + 1, 2)
    assert len(doc["resumed"]) == 2 and doc["resumed"][1]["from_epoch"] >= 8
    # one production row per twin and epoch: none lost, none twice
    assert doc["tables"]["production"] == 12 * 3
