"""Options that mean the same in every `aurum` command, and checks of what a person types.

Every command takes its shared options from here, so `--out`, `--duration`, `--workers`,
`--local`, `--quiet` and `--json` have one name and one meaning everywhere. Numbers are checked
as argparse types (one clear line, exit 2); run folders by `run_folder`.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path

from engine.errors import Problem, RunError

RUNS_DIR_ENV = "AURUM_RUNS_DIR"


def runs_dir() -> Path:
    """Where runs go when no `--out` is given: $AURUM_RUNS_DIR, else ./runs."""
    return Path(os.environ.get(RUNS_DIR_ENV) or "runs")


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number ≥ `minimum`."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"a whole number ≥ {minimum}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"a whole number ≥ {minimum}")
        return n

    parse.__name__ = f"whole number ≥ {minimum}"
    return parse


def positive_number(value: str) -> float:
    """An argparse type: a finite number > 0."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a finite number > 0") from None
    if not math.isfinite(x) or x <= 0:
        raise argparse.ArgumentTypeError("a finite number > 0")
    return x


positive_number.__name__ = "finite number > 0"


def twins_per_actor(value: str) -> int | str:
    """An argparse type: a whole number ≥ 1 or "auto"."""
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError('a whole number ≥ 1 or "auto"') from None
    if n < 1:
        raise argparse.ArgumentTypeError('a whole number ≥ 1 or "auto"')
    return n


twins_per_actor.__name__ = 'whole number ≥ 1 or "auto"'


def add_out(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--out", help=f"{what} (default: ${RUNS_DIR_ENV} or runs/)")


def add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar="FILE",
        help="print the result as JSON (or write it to FILE)",
    )


def add_duration(p: argparse.ArgumentParser, what: str = "simulate only this long") -> None:
    p.add_argument("--duration", help=f'{what}, e.g. "1d" or "12h"')


def add_workers(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--workers", type=whole_number(1), help=what)


def add_cluster(p: argparse.ArgumentParser) -> None:
    p.add_argument("--address", help="join an existing Ray cluster (or set RAY_ADDRESS)")
    p.add_argument("--local", action="store_true", help="run everything in this process")


def run_folder(value: str | Path, *, needs: str = "manifest.json") -> Path:
    """A run folder a person named; RunError (one line) when it is not one."""
    path = Path(value)
    accepted = "a run folder written by `aurum run`, e.g. runs/demo-20260105-0000-s42"
    if not path.exists():
        raise RunError(Problem("no such folder", path="RUN", value=str(path), accepted=accepted))
    if not path.is_dir():
        raise RunError(Problem("not a folder", path="RUN", value=str(path), accepted=accepted))
    if not (path / needs).is_file():
        msg = f"not a run folder (no {needs})"
        raise RunError(Problem(msg, path="RUN", value=str(path), accepted=accepted))
    return path
