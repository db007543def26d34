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
from typing import Any, NoReturn

from aurum.engine.errors import Problem, RunError

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


def json_target(value: str) -> str:
    """An argparse type for `--json [FILE]`: "-" (stdout) or a file name ending in .json.

    The suffix is required so that `--json` before a positional (`aurum kinds --json boiler`)
    is refused instead of silently writing a file named after the positional.
    """
    if value == "-" or value.lower().endswith(".json"):
        return value
    raise argparse.ArgumentTypeError("a file name ending in .json, or --json alone after the rest")


json_target.__name__ = "file name ending in .json"


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json",
        nargs="?",
        const="-",
        type=json_target,
        metavar="FILE.json",
        help="print the result as JSON (or write it to FILE.json)",
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


def port_number(value: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a port number from 1 to 65535") from None
    if not 1 <= n <= 65_535:
        raise argparse.ArgumentTypeError("a port number from 1 to 65535")
    return n


port_number.__name__ = "port number"


def add_alias(p: argparse._ActionsContainer, *flags: str, dest: str, **kwargs: object) -> None:
    """An old spelling of an option: still accepted, hidden from --help."""
    p.add_argument(*flags, dest=dest, help=argparse.SUPPRESS, **kwargs)  # type: ignore[arg-type]


def write_json(target: str | None, data: object) -> str | None:
    """`--json [FILE]`'s result: printed on stdout ("-"), written to FILE, or nothing (None);
    the file written, if any."""
    import json
    import sys

    if target is None:
        return None
    text = json.dumps(_plain(data), indent=2, default=str, allow_nan=False) + "\n"
    if target == "-":
        sys.stdout.write(text)
        return None
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as e:
        raise RunError(
            Problem(f"cannot write the file ({e.strerror})", path="--json", value=target)
        ) from None
    return target


def _plain(value: object) -> object:
    """JSON-ready: NaN and infinities as null (strict JSON has neither), containers walked."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def positive_at_most(limit: float) -> Callable[[str], float]:
    """An argparse type: a finite number > 0 and ≤ `limit`."""
    accepted = f"a finite number > 0 and ≤ {limit:g}"

    def parse(value: str) -> float:
        try:
            x = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(accepted) from None
        if not (math.isfinite(x) and 0 < x <= limit):
            raise argparse.ArgumentTypeError(accepted)
        return x

    parse.__name__ = accepted
    return parse


class OneLineParser(argparse.ArgumentParser):
    """A parser whose mistakes are one line, `error: OPTION: got VALUE; accepted: …`, exit 2
    (argparse's default prints the whole usage first and drops the value a type refused)."""

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as e:
            if repr(arg_string) in e.message:
                raise
            raise argparse.ArgumentError(
                action, f"got {arg_string!r}; accepted: {e.message}"
            ) from None

    def error(self, message: str) -> NoReturn:
        import sys

        if message.startswith("argument "):
            message = message.removeprefix("argument ")
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        sys.exit(2)


def check_json(target: str | None) -> None:
    """Before the work: `--json FILE` names a file in a folder that exists (RunError if not),
    so a long run does not end in a file it cannot write."""
    if target is None or target == "-":
        return
    path = Path(target)
    if path.is_dir() or not path.parent.is_dir():
        raise RunError(
            Problem(
                "not a file in an existing folder",
                path="--json",
                value=target,
                accepted="a file path, e.g. figures.json (or --json alone: print it)",
            )
        )
