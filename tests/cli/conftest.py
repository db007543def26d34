"""Helpers for typing `aurum` like a person: a pseudo-terminal, an interactive shell, a screen.

`Terminal` starts bash in a 40 × 160 pty with the venv's `aurum` on PATH and runs under a
temporary AURUM_RUNS_DIR; `type` sends a line as typed, `interrupt` the terminal's Ctrl-C, and
`exit_code` asks the shell for `$?` of the last command. `screen` is what was shown: colours
and cursor moves dropped, whitespace runs (padding, the terminal's wrapping) as one space.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pexpect  # dev dependency: tests that type like a person
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROMPT = "aurum-test$ "
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]")


def plain(text: str) -> str:
    """What a person reads: no escape codes, whitespace runs as one space."""
    return re.sub(r"\s+", " ", ANSI.sub("", text.replace("\r", "\n")))


class Terminal:
    """An interactive bash in a pty, in the repository, as a person's terminal."""

    def __init__(self, runs: Path, timeout: float = 120) -> None:
        env = dict(os.environ)
        env |= {
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
            "AURUM_RUNS_DIR": str(runs),
            "TERM": "xterm-256color",
            "PS1": PROMPT,
            "PROMPT_COMMAND": "",
        }
        for var in ("NO_COLOR", "COLUMNS", "LINES", "CI"):
            env.pop(var, None)  # rich would not draw a bar with these (CI: no animation)
        self.child = pexpect.spawn(
            "bash",
            ["--norc", "--noprofile", "-i"],
            cwd=str(ROOT),
            env=env,
            encoding="utf-8",
            codec_errors="replace",
            dimensions=(40, 160),
            timeout=timeout,
        )
        self.child.expect_exact(PROMPT)
        self.shown = ""

    def type(self, line: str) -> None:
        self.child.sendline(line)

    def wait_for(self, pattern: str, timeout: float | None = None) -> re.Match[str]:
        """Wait until the (raw) output matches `pattern`; the match."""
        self.child.expect(pattern, timeout=timeout)
        self.shown += (self.child.before or "") + (self.child.after or "")
        match: re.Match[str] = self.child.match
        return match

    def interrupt(self) -> None:
        """Ctrl-C as a keyboard sends it: SIGINT to the foreground job, through the tty."""
        self.child.sendintr()

    def finish(self, timeout: float | None = None) -> tuple[int, str]:
        """Wait for the command to end; its exit status and everything it showed."""
        self.child.expect_exact(PROMPT, timeout=timeout)
        self.shown += self.child.before or ""
        screen, self.shown = self.shown, ""
        self.child.sendline("echo exit=$?")
        self.child.expect(r"exit=(\d+)")
        code = int(self.child.match.group(1))
        self.child.expect_exact(PROMPT)
        return code, plain(screen)

    def close(self) -> None:
        self.child.sendline("exit")
        self.child.close(force=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    t = Terminal(tmp_path / "runs")
    yield t
    t.close()


def manifest(run_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return doc


def only_run(runs: Path) -> Path:
    """The one run folder under `runs`."""
    found = [p for p in runs.iterdir() if p.is_dir()]
    assert len(found) == 1, found
    return found[0]
