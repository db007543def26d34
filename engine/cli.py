"""`aurum`: validate, run and describe scenarios from the shell.

Users' mistakes (`AurumError`) print one line per problem and exit 2; anything else is a bug:
one line on screen, the traceback in a crash file, exit 1. Never a traceback on screen.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from collections.abc import Sequence
from contextlib import AbstractContextManager
from importlib.metadata import entry_points
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from engine.durations import format_duration
from engine.errors import AurumError, Problem
from engine.loader import check
from engine.progress import ProgressFn, progress_display
from engine.scenario import fleet_of, json_schema
from engine.summary import Summary
from esg import EsgInputError

# Logs and pipes get 120 columns rather than rich's default 80, so tables are not squeezed.
out = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def _tpa(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError('a whole number ≥ 1 or "auto"') from None
    if n < 1:
        raise argparse.ArgumentTypeError('a whole number ≥ 1 or "auto"')
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="aurum", description="AurumAI Twin: fleet digital twins.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check scenario files and report every problem")
    v.add_argument("files", nargs="+", metavar="FILE")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="print the scenario JSON Schema (for editors)")
    s.set_defaults(func=cmd_schema)

    k = sub.add_parser("kinds", help="list machine kinds with their channels and parameters")
    k.set_defaults(func=cmd_kinds)

    r = sub.add_parser("run", help="run a scenario and write its tables")
    r.add_argument("scenario", metavar="FILE")
    r.add_argument("--seed", type=int, help="override the scenario's seed")
    r.add_argument("--out", help="folder that receives <run-id>/ (default: output.directory)")
    r.add_argument("--twins-per-actor", type=_tpa, help='twins per shard actor, or "auto"')
    r.add_argument("--address", help="join an existing Ray cluster (or set RAY_ADDRESS)")
    r.add_argument("--duration", help='simulate only this long, e.g. "1d"')
    r.add_argument(
        "--speed",
        type=float,
        help="real-time mode: simulated seconds per wall second (60 = 1 min/s)",
    )
    r.add_argument("--local", action="store_true", help="run all shards in this process")
    r.add_argument("--quiet", action="store_true", help="no progress display")
    r.set_defaults(func=cmd_run)

    rep = sub.add_parser("report", help="write a run's emissions report (HTML and XLSX)")
    rep.add_argument("run", metavar="RUN", help="a run folder, e.g. runs/demo-...")
    rep.add_argument("--gwp", help="GWP set for CO2e (default: the scenario's, AR6)")
    rep.add_argument("--out", type=Path, help="folder for the files (default: the run folder)")
    rep.set_defaults(func=cmd_report)
    for plugin in entry_points(group="aurum.commands"):
        plugin.load()(sub)  # e.g. `aurum serve` from the api layer, which sits above engine
    return p


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for f in args.files:
        scenario, problems = check(Path(f), file=f)
        if problems or scenario is None:
            bad += 1
            err.print(f"[red]✗[/] {f}: {len(problems)} problem(s)", highlight=False)
            for p in problems:
                err.print(f"  {p}", markup=False, highlight=False)
            continue
        counts: dict[str, int] = {}
        for e in fleet_of(scenario):
            counts[e.kind] = counts.get(e.kind, 0) + (e.count or 1)
        fleet = ", ".join(f"{n} {k}" for k, n in counts.items())
        out.print(
            f"[green]OK[/] {f}: {sum(counts.values())} twins ({fleet}); "
            f"{format_duration(scenario.duration)} at {format_duration(scenario.tick)} ticks, "
            f"{scenario.total_ticks // scenario.epoch_ticks} epochs",
            highlight=False,
        )
    return 2 if bad else 0


def cmd_report(args: argparse.Namespace) -> int:
    from engine.report import write_report

    for path in write_report(args.run, args.gwp, args.out):
        out.print(f"wrote {path}", highlight=False)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def cmd_kinds(args: argparse.Namespace) -> int:
    from twins import registry

    for kind in registry.all_kinds():
        t = Table(title=f"{kind.name}: {kind.description}", show_lines=False)
        for col in ("channel", "unit", "role"):
            t.add_column(col)
        for c in kind.sensors:
            t.add_row(c.name, c.unit, "sensor")
        for c in kind.activity:
            t.add_row(c.name, c.unit, "activity")
        t.add_row(kind.production.name, kind.production.unit, "production")
        out.print(t)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from engine.runner import simulate

    with _progress_display(args.quiet) as on_progress:
        result = simulate(
            args.scenario,
            seed=args.seed,
            out=args.out,
            twins_per_actor=args.twins_per_actor,
            address=args.address,
            backend="local" if args.local else "ray",
            duration=args.duration,
            speed=args.speed,
            on_progress=on_progress,
        )
    show_summary(result.summary)
    out.print(f"[bold]{result.status}[/]: tables in {result.run_dir}", highlight=False)
    return 0 if result.status == "done" else 1


def _progress_display(quiet: bool) -> AbstractContextManager[ProgressFn | None]:
    """The run's progress on stderr (engine.progress); kept for commands that import it here."""
    return progress_display(quiet, err)


def show_summary(summary: Summary) -> None:
    t = Table(title="Run summary", box=box.SIMPLE_HEAD)
    for c in summary.HEADER:
        t.add_column(c, justify="left" if c in ("kind", "product", "uses") else "right")
    for line in summary.lines():
        t.add_row(*line)
    out.print(t)
    m = Table(title="Maintenance", box=box.SIMPLE_HEAD)
    m.add_column("")
    for _, label, _ in summary.MAINTENANCE:
        m.add_column(label, justify="right")
    for line in summary.maintenance_lines():
        m.add_row(*line)
    out.print(m)
    if summary.emission_lines():
        e = Table(title=f"Emissions, t CO2e ({summary.gwp_set()})", box=box.SIMPLE_HEAD)
        e.add_column("")
        for _, label in summary.EMISSIONS:
            e.add_column(label, justify="right")
        for line in summary.emission_lines():
            e.add_row(*line)
        out.print(e)
    if summary.risk_lines():
        r = Table(title="Failure risk (latest scores; alerts over the run)", box=box.SIMPLE_HEAD)
        for c in summary.RISK:
            r.add_column(c, justify="left" if c in ("", "twin") else "right")
        for line in summary.risk_lines():
            r.add_row(*line)
        out.print(r)
    out.print(summary.footer(), highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except AurumError as e:
        for p in e.problems:
            err.print(f"error: {p}", markup=False, highlight=False)
        return 2
    except EsgInputError as e:
        accepted = e.accepted if isinstance(e.accepted, str) else ", ".join(map(str, e.accepted))
        problem = Problem(str(e.problem), str(e.path), e.value, accepted=accepted)
        err.print(f"error: {problem}", markup=False, highlight=False)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted: tables written so far are kept in the run folder")
        return 130
    except Exception as e:
        crash = Path(tempfile.gettempdir()) / "aurum-crash.txt"
        crash.write_text(traceback.format_exc(), encoding="utf-8")
        err.print(
            f"internal error: {type(e).__name__}: {e} (this is a bug; details in {crash})",
            markup=False,
            highlight=False,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
