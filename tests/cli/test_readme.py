"""Every command of README.md's sh blocks runs as written (exit 0, no traceback), shortened where
it would take minutes, so the README cannot rot; and its Python block runs.

The commands run in order in a scratch folder that sees the repository's `scenarios/`, so
`runs/…` and redirections land there. They run through `engine.cli.main.main` in this process (the
console script is a one-line shim, and typing `aurum` in a real terminal, as a process, is
tests/cli/test_pty_run.py's part): one import instead of twenty. What is skipped or shortened,
and why, is listed below; a listed command that is no longer in the README fails the test too."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aurum.engine.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent

SKIPPED = {
    "make demo": "installs the project; its command, aurum run scenarios/demo.yaml, runs below",
    "make test": "the suite this test is part of",
    "aurum run scenarios/fleet-1k.yaml --address ray://head:10001": "needs a cluster there",
    "aurum serve": "serves until Ctrl-C: tests/cli/test_pty_commands.py starts and stops it",
    "aurum loadtest --twins 100000": "minutes flat out: the tiny loadtest is in test_pty_commands",
}
# Every `aurum run` not listed here also gets `--duration 2h --local` (the last --duration
# wins): the Ray path is typed in tests/cli/test_pty_run.py. Long commands, shortened:
SHORTENED = {
    # its injection is at 6 h
    "aurum run scenarios/failures/truck-cooling.yaml": "--duration 12h --local",
    "aurum study scenarios/studies/planner-what-if.yml": "--check",  # 2 x 3 runs of a week
    "aurum study scenarios/studies/fleet-sizing.yml": "--check",  # 70 runs of two days
    # its trucks break down at 24 h
    "aurum run scenarios/haulage/truck-outage.yaml": "--duration 26h --local",
    "aurum risk evaluate": "--twins 4 --duration 5d --workers 1",  # 20 fleets of 120 days
}
PYTHON_SHORTENED = (
    'simulate("scenarios/demo.yaml")',
    'simulate("scenarios/demo.yaml", duration="2h", backend="local")',
)


def sh_commands() -> list[str]:
    """Each command line of the README's sh blocks, its trailing comment dropped."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
            if command:
                lines.append(command)
    return lines


def runs_in(folder: Path) -> set[Path]:
    return {p for p in folder.glob("*/") if (p / "manifest.json").is_file()}


class Shell:
    """Runs commands in `work` as a person's shell would, the venv's `aurum` on PATH."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        self.env.pop("AURUM_RUNS_DIR", None)  # runs go to the scenario's runs/, here
        self.outputs = 0

    def adapt(self, command: str, names: dict[str, Path]) -> str:
        """The command made to run here: placeholders, scratch paths, shortened."""
        for placeholder, path in names.items():
            command = command.replace(placeholder, str(path))
        command = command.replace("[--gwp AR5]", "--gwp AR5").replace(" /tmp/r", f" {self.work}/r")
        if ">" in command:  # a redirection: into the scratch folder
            self.outputs += 1
            command = re.sub(r">\s*\S+", f"> {self.work}/output-{self.outputs}", command)
        if command in SHORTENED:
            return f"{command} {SHORTENED[command]}"
        if command.startswith("aurum run "):
            command += " --duration 2h --local"
        return command

    def run(self, command: str) -> str:
        """Run one `aurum …` line (an optional `> FILE` on the end); what it printed."""
        words = shlex.split(command)
        assert words[0] == "aurum", command
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[-1]
        shown, said = io.StringIO(), io.StringIO()
        t = time.perf_counter()
        with contextlib.redirect_stdout(shown), contextlib.redirect_stderr(said):
            try:
                code = main(words[1:])
            except SystemExit as e:
                code = int(e.code or 0)
        print(f"{time.perf_counter() - t:5.1f} s  {command}")  # shown with -s or on failure
        text = shown.getvalue() + said.getvalue()
        assert code == 0, f"{command}\n{text}"
        assert "Traceback" not in text and "internal error" not in text, f"{command}\n{text}"
        if target is not None:
            Path(target).write_text(shown.getvalue(), encoding="utf-8")
        return text


def interrupted_run(shell: Shell) -> Path:
    """A run stopped by SIGINT after its first checkpoint: what `aurum resume` continues."""
    before = runs_in(shell.work / "runs")
    argv = ["aurum", "run", "scenarios/demo.yaml", "--local", "--duration", "6h"]
    argv += ["--speed", "3600", "--checkpoint", "1"]
    with subprocess.Popen(
        argv, cwd=shell.work, env=shell.env, stderr=subprocess.PIPE, text=True
    ) as p:
        assert p.stderr is not None
        for line in p.stderr:  # one line per epoch on a pipe: "epoch 2/6  sim ..."
            if line.startswith("epoch 2/"):
                p.send_signal(signal.SIGINT)
                break
        rest = p.stderr.read()
        assert p.wait(timeout=60) == 130, rest
    (run,) = runs_in(shell.work / "runs") - before
    assert f"aurum resume {run.relative_to(shell.work)}" in rest, rest
    return run


def test_every_readme_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = sh_commands()
    for listed in [*SKIPPED, *SHORTENED]:
        assert listed in commands, f"{listed!r} is no longer in README.md: update this list"
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AURUM_RUNS_DIR", raising=False)  # runs go to the scenario's runs/, here
    shell = Shell(tmp_path)
    names: dict[str, Path] = {}
    ran = []
    for command in commands:
        if command in SKIPPED:
            continue
        if command.startswith("aurum resume"):
            names["runs/<run-id>"] = stopped = interrupted_run(shell)
        before = runs_in(tmp_path / "runs") | runs_in(tmp_path / "r")
        shell.run(shell.adapt(command, names))
        ran.append(command)
        made = sorted((runs_in(tmp_path / "runs") | runs_in(tmp_path / "r")) - before)
        if command == "aurum run scenarios/demo.yaml":
            names |= {"runs/<run-id>": made[0], "runs/<run-a>": made[0]}
            demo = made[0]
        elif command.startswith("aurum run scenarios/demo.yaml --twins-per-actor 1 --seed 7"):
            names["runs/<run-b>"] = made[0]
    assert len(ran) == len(commands) - len(SKIPPED)
    assert (tmp_path / "output-1").read_text().startswith("{")  # the schema
    assert (
        "complete -o" in (tmp_path / "output-2").read_text()
        or "aurum" in (tmp_path / "output-2").read_text()
    )
    assert (demo / "report.html").is_file() and (demo / "report.xlsx").is_file()
    assert json.loads((stopped / "manifest.json").read_text())["status"] == "done"  # resumed


def test_the_python_block_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (block,) = re.findall(r"```python\n(.*?)```", README, re.S)
    assert PYTHON_SHORTENED[0] in block, "README's Python block changed: update this test"
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown):
        exec(compile(block.replace(*PYTHON_SHORTENED), "README.md", "exec"), {})
    assert "simulated hours in" in shown.getvalue()
    assert len(runs_in(tmp_path / "runs")) == 1


@pytest.mark.parametrize("command", sorted(SKIPPED))
def test_skipped_commands_are_said_why(command: str) -> None:
    assert SKIPPED[command]
