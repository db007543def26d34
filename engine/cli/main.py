"""`aurum`: validate, run and describe scenarios from the shell.

Users' mistakes (`AurumError`) print one line per problem and exit 2; a disk that refuses a
write prints one line and exits 1; Ctrl-C marks the run `interrupted`, says how to resume it and
exits 130; anything else is a bug: one line on screen, the traceback in a crash file of its own,
exit 1. Never a traceback on screen.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import shlex
import sys
import tempfile
import traceback
from collections.abc import Sequence
from contextlib import AbstractContextManager
from importlib import metadata
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from aurum.engine.cli import args as cliargs
from aurum.engine.errors import AurumError, Problem
from aurum.engine.run.progress import ProgressFn, progress_display
from aurum.engine.run.summary import Summary
from aurum.engine.scenario.durations import format_duration
from aurum.engine.scenario.loader import check
from aurum.engine.scenario.model import ScenarioBase, fleet_of, json_schema
from aurum.esg import EsgInputError

# Logs and pipes get 120 columns rather than rich's default 80, so tables are not squeezed.
out = Console(width=None if sys.stdout.isatty() else 120)
# Messages on stderr are never wrapped: an error stays one line, whatever the width.
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120, soft_wrap=True)

COMPLETION_SHELLS = ("bash", "zsh", "tcsh")


def version() -> str:
    try:
        return metadata.version("aurum-twin")
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        return "unknown"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `aurum` parser. Given the `command` about to run, a built-in one (`run`, `validate`,
    ...) leaves the `aurum.commands` entry points unloaded (`aurum serve` imports the API server,
    `aurum study` the studies: ~1 s a run would wait for), and another loads only its own."""
    p = cliargs.OneLineParser(prog="aurum", description="AurumAI Twin: fleet digital twins.")
    p.add_argument("--version", action="version", version=f"aurum {version()}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check scenario files and report every problem")
    v.add_argument("files", nargs="+", metavar="FILE")
    _quiet(v, "print only the problems")
    cliargs.add_json(v)
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("schema", help="print the scenario JSON Schema (for editors)")
    s.set_defaults(func=cmd_schema)

    k = sub.add_parser(
        "kinds",
        help="machine kinds: channels (units, heating-value basis), parameters (units, "
        "sources), failure modes and anomalies",
    )
    k.add_argument("names", nargs="*", metavar="KIND", help="only these kinds (default: all)")
    _quiet(k, "print only the kinds' names")
    cliargs.add_json(k)
    k.set_defaults(func=cmd_kinds)

    r = sub.add_parser("run", help="run a scenario and write its tables")
    r.add_argument("scenario", metavar="FILE")
    r.add_argument("--seed", type=cliargs.whole_number(0), help="override the scenario's seed")
    r.add_argument(
        "--out",
        help=f"folder that receives <run-id>/ (default: ${cliargs.RUNS_DIR_ENV}, "
        "else the scenario's output.directory, runs/)",
    )
    r.add_argument(
        "--twins-per-actor", type=cliargs.twins_per_actor, help='twins per shard actor, or "auto"'
    )
    cliargs.add_duration(r)
    r.add_argument(
        "--speed",
        type=cliargs.positive_number,
        help="real-time mode: simulated seconds per wall second (60 = 1 min/s)",
    )
    r.add_argument(
        "--checkpoint",
        type=cliargs.whole_number(0),
        help="save a checkpoint every K epochs, for `aurum resume` (default 24; 0 = never)",
    )
    cliargs.add_cluster(r)
    cliargs.add_quiet(r)
    cliargs.add_json(r)
    r.set_defaults(func=cmd_run)

    rep = sub.add_parser("report", help="write a run's emissions report (HTML and XLSX)")
    rep.add_argument("run", metavar="RUN", help="a run folder, e.g. runs/demo-...")
    rep.add_argument("--gwp", help="GWP set for CO2e (default: the scenario's, AR6)")
    rep.add_argument("--out", type=Path, help="folder for the files (default: the run folder)")
    _quiet(rep, "print nothing when the report is written")
    cliargs.add_json(rep)
    rep.set_defaults(func=cmd_report)

    c = sub.add_parser("completion", help="print a shell completion script for aurum")
    c.add_argument("shell", choices=COMPLETION_SHELLS, help="the shell to complete in")
    c.set_defaults(func=cmd_completion)
    if command in sub.choices and command != "completion":  # completion: every command
        return p
    plugins = list(entry_points(group="aurum.commands"))
    for plugin in [e for e in plugins if e.name == command] or plugins:
        plugin.load()(sub)  # e.g. `aurum serve` from the api layer, which sits above engine
    return p


def command_of(argv: Sequence[str]) -> str | None:
    """The command `argv` asks for: its first word that is not an option (None: none)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _quiet(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help=what)


def cmd_validate(args: argparse.Namespace) -> int:
    results = []
    for f in args.files:
        scenario, problems = check(Path(f), file=f)
        ok = not problems and scenario is not None
        results.append({"file": f, "ok": ok, "problems": [p.to_dict() for p in problems]})
        if scenario is not None and ok:
            results[-1] |= _shape(scenario)
        if args.json == "-":
            continue
        if not ok:
            err.print(f"[red]✗[/] {f}: {len(problems)} problem(s)", highlight=False)
            for p in problems:
                err.print(f"  {p}", markup=False, highlight=False)
        elif not args.quiet:
            r = results[-1]
            fleet = ", ".join(f"{n} {k}" for k, n in r["kinds"].items())
            out.print(
                f"[green]OK[/] {f}: {r['twins']} twins ({fleet}); "
                f"{r['duration']} at {r['tick']} ticks, {r['epochs']} epochs",
                highlight=False,
            )
    cliargs.write_json(args.json, results)
    return 2 if any(not r["ok"] for r in results) else 0


def _shape(scenario: ScenarioBase) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for e in fleet_of(scenario):
        counts[e.kind] = counts.get(e.kind, 0) + (e.count or 1)
    return {
        "name": scenario.name,
        "twins": sum(counts.values()),
        "kinds": counts,
        "duration": format_duration(scenario.duration),
        "tick": format_duration(scenario.tick),
        "epochs": scenario.total_ticks // scenario.epoch_ticks,
    }


def cmd_report(args: argparse.Namespace) -> int:
    from aurum.engine.run.report import partial_of, write_report

    run = cliargs.run_folder(args.run)
    paths = write_report(run, args.gwp, args.out)
    partial = partial_of(run)  # a run that did not finish: said on the terminal too
    if partial:
        err.print(f"warning: {partial}", highlight=False, markup=False)
    doc = {"run": str(run), "files": [str(p) for p in paths], "partial": partial or None}
    cliargs.write_json(args.json, doc)
    for path in paths if not (args.quiet or args.json == "-") else []:
        out.print(f"wrote {path}", highlight=False)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2))
    return 0


def cmd_completion(args: argparse.Namespace) -> int:
    import shtab

    print(shtab.complete(build_parser(), shell=args.shell))
    return 0


def cmd_kinds(args: argparse.Namespace) -> int:
    from aurum.engine.cli.kinds import facts, show_dispatch, show_kind

    kinds = facts(args.names)
    cliargs.write_json(args.json, kinds)
    for kind in kinds if args.json != "-" else []:
        if args.quiet:
            out.print(kind["name"], highlight=False)
        else:
            show_kind(out, kind)
    if args.json != "-" and not args.quiet and {"truck", "loader"} & {k["name"] for k in kinds}:
        show_dispatch(out)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    env_dir = os.environ.get(cliargs.RUNS_DIR_ENV)
    base = args.out or (cliargs.runs_dir() if env_dir else None)
    try:
        result = _simulate(args, base)
    except OSError as e:
        if not is_write_failure(e):
            raise
        write_failed(e, base or "the scenario's output.directory")
        return 1
    if args.json != "-":
        show_summary(result.summary)
        out.print(f"[bold]{result.status}[/]: tables in {result.run_dir}", highlight=False)
    cliargs.write_json(args.json, run_json(result))
    return 0 if result.status == "done" else 1


def _simulate(args: argparse.Namespace, base: str | Path | None) -> Any:
    from aurum.engine.run.runner import simulate

    with progress_display(args.quiet, err) as on_progress:
        return simulate(
            args.scenario,
            seed=args.seed,
            out=base,
            twins_per_actor=args.twins_per_actor,
            address=args.address,
            backend="local" if args.local else "ray",
            duration=args.duration,
            speed=args.speed,
            on_progress=on_progress,
            checkpoint=args.checkpoint,
        )


def run_json(result: Any) -> dict[str, Any]:
    """A run's outcome as plain data: where, status, the summary's rows, KPIs and timings."""
    s: Summary = result.summary
    return {
        "run_id": result.run_id,
        "run_dir": str(result.run_dir),
        "status": result.status,
        "sim_hours": s.sim_hours,
        "wall_s": s.wall_s,
        "twin_ticks_per_s": s.twin_ticks_per_s,
        "timings": s.timings,
        "kinds": s.rows,
        "kpis": s.kpis,
        "tables": result.rows,
    }


def _progress_display(quiet: bool) -> AbstractContextManager[ProgressFn | None]:
    """The run's progress on stderr (engine.run.progress); kept for commands that import it here."""
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


def interrupted(e: KeyboardInterrupt) -> None:
    """After Ctrl-C: what was kept and the exact line that continues the run."""
    from aurum.engine.run.checkpoint import latest
    from aurum.engine.run.loop import RunInterrupted

    if not isinstance(e, RunInterrupted):
        err.print("interrupted while the run was starting: no epoch was simulated")
        return
    folder = shlex.quote(str(e.run_dir))
    where = f"after epoch {e.epochs_done}/{e.n_epochs}" if e.n_epochs else "before its first epoch"
    err.print(
        f"interrupted {where}: the tables written so far are kept in {e.run_dir} "
        '(manifest status "interrupted")',
        markup=False,
        highlight=False,
    )
    try:
        ck = latest(e.run_dir) if e.run_dir.is_dir() else None
    except Exception:  # an unreadable checkpoint: nothing to resume from, said below
        ck = None
    if ck is None:
        err.print(
            "no checkpoint yet to resume from (see --checkpoint); run the scenario again",
            highlight=False,
        )
        return
    err.print(f"to continue from epoch {ck.epochs_done}, type:", highlight=False)
    err.print(f"  aurum resume {folder}", markup=False, highlight=False)


# a disk or folder refusing writes: the person's to fix, not a bug
WRITE_ERRNOS = {errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG}


def _cause(e: OSError) -> OSError:
    """The OSError itself, or the one a Ray task raised (RayTaskError keeps it as `cause`)."""
    cause = getattr(e, "cause", None)
    return cause if isinstance(cause, OSError) else e


def is_write_failure(e: OSError) -> bool:
    return _cause(e).errno in WRITE_ERRNOS


def write_failed(e: OSError, where: str | Path | None = None) -> None:
    """A disk that refused a write (read-only, full): one line, whatever raised it (Ray too)."""
    e = _cause(e)
    what = e.strerror or str(e).splitlines()[0]
    name = f" {e.filename}" if e.filename else f" under {where}" if where else ""
    err.print(
        f"error: cannot write{name}: {what}; the run stopped and what it wrote before is kept",
        markup=False,
        highlight=False,
    )


def crashed(e: BaseException) -> None:
    fd, name = tempfile.mkstemp(prefix="aurum-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(traceback.format_exc())
    err.print(
        f"internal error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''} "
        f"(this is a bug; details in {name})",
        markup=False,
        highlight=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(command_of(argv)).parse_args(argv)
    try:
        return int(args.func(args))
    except (AurumError, EsgInputError) as e:
        for p in e.problems if isinstance(e, AurumError) else [_esg_problem(e)]:
            err.print(f"error: {p}", markup=False, highlight=False)
        return 2
    except KeyboardInterrupt as e:
        interrupted(e)
        return 130
    except BrokenPipeError:  # the reader left (`aurum ... | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as e:
        if isinstance(e, OSError) and is_write_failure(e):
            write_failed(e)
        else:
            crashed(e)
        return 1


def _esg_problem(e: EsgInputError) -> Problem:
    accepted = e.accepted if isinstance(e.accepted, str) else ", ".join(map(str, e.accepted))
    return Problem(str(e.problem), str(e.path), e.value, accepted=accepted)


if __name__ == "__main__":
    sys.exit(main())
