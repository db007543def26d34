"""`aurum study FILE` and `aurum compare RUN_OR_SCENARIO...` (entry points of `aurum.commands`).

Both print the comparison — per group of metrics a row per variant: mean ± 95 % CI, and under
it the paired difference to the baseline ± 95 % CI — then where the tables and the HTML report
are. Progress across the whole study: a rich bar on a terminal, a line every 10 % otherwise.
A study with failed runs lists them and exits 1; its other runs are kept and compared.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from aurum.engine.cli import args as cliargs
from aurum.engine.cli.main import err, out
from aurum.engine.run.progress import progress_display
from aurum.engine.studies.execute import ProgressFn as StudyProgressFn
from aurum.engine.studies.execute import StudyProgress, finished
from aurum.engine.studies.table import NOTE, groups, header

if TYPE_CHECKING:
    from aurum.engine.studies.study import StudyResult


def register(sub: Any) -> None:
    """Add `study` to the `aurum` command."""
    p = sub.add_parser("study", help="run a study: variants × replications, compared with CIs")
    p.add_argument("file", metavar="FILE", help="a study file (see docs/studies.md)")
    p.add_argument("--replications", type=cliargs.whole_number(1), help="override the study's")
    p.add_argument("--seed", type=cliargs.whole_number(0), help="override the study's seed")
    cliargs.add_duration(p, "override every variant's duration")
    p.add_argument(
        "--out",
        help=f"folder that receives <study>/ (default: ${cliargs.RUNS_DIR_ENV}/studies if set, "
        "else the study's output, runs/studies)",
    )
    p.add_argument("--fresh", action="store_true", help="redo runs already finished")
    p.add_argument("--check", action="store_true", help="only validate the study and variants")
    _common(p)
    p.set_defaults(func=cmd_study)


def register_compare(sub: Any) -> None:
    """Add `compare` to the `aurum` command."""
    p = sub.add_parser("compare", help="compare run folders and/or scenario files with CIs")
    p.add_argument("items", nargs="+", metavar="RUN_OR_SCENARIO")
    p.add_argument(
        "--replications", type=cliargs.whole_number(1), default=3, help="runs per scenario (3)"
    )
    p.add_argument(
        "--seed", type=cliargs.whole_number(0), default=0, help="replication seeds come from it"
    )
    cliargs.add_duration(p, "override the scenario files' duration")
    p.add_argument("--baseline", help="variant the others are compared to (default: the first)")
    p.add_argument(
        "--out",
        help=f"folder that receives compare/ (default: ${cliargs.RUNS_DIR_ENV}/studies, or "
        "runs/studies)",
    )
    _common(p)
    p.set_defaults(func=cmd_compare)


def _common(p: argparse.ArgumentParser) -> None:
    cliargs.add_cluster(p)
    cliargs.add_workers(p, "runs at once (default: the CPUs)")
    cliargs.add_quiet(p)
    cliargs.add_json(p)
    # the spellings before `--workers` and `--local` (issue 15), still accepted
    cliargs.add_alias(p, "--max-parallel", dest="workers", type=cliargs.whole_number(1))
    cliargs.add_alias(p, "--serial", dest="local", action="store_true")


def cmd_study(args: argparse.Namespace) -> int:
    """`aurum study FILE`: validate (--check) or run the study and print its comparison."""
    from aurum.engine.studies.plan import plan_study
    from aurum.engine.studies.study import run_study

    cliargs.check_json(args.json)
    if args.check:
        plan = plan_study(
            args.file,
            replications=args.replications,
            seed=args.seed,
            duration=args.duration,
            out=_study_out(args),
        )
        done = sum(finished(s) is not None for s in plan.runs)
        checked = {
            "file": args.file,
            "variants": [v.name for v in plan.variants],
            "replications": plan.study.replications,
            "runs": len(plan.runs),
            "finished": done,
            "folder": str(plan.folder),
        }
        if args.json != "-":
            out.print(
                f"[green]OK[/] {args.file}: {len(plan.variants)} variants × "
                f"{plan.study.replications} replications = {len(plan.runs)} runs "
                f"({done} already finished in {plan.folder})",
                highlight=False,
            )
        cliargs.write_json(args.json, checked)
        return 0
    with study_progress(args.quiet or args.json == "-") as on_progress:
        result = run_study(
            args.file, fresh=args.fresh, on_progress=on_progress, **_runs(args, _study_out(args))
        )
    return show(result, args.json)


def cmd_compare(args: argparse.Namespace) -> int:
    """`aurum compare RUN_OR_SCENARIO...`: run what is a scenario, compare everything."""
    from aurum.engine.studies.study import compare

    cliargs.check_json(args.json)
    for item in args.items:
        if Path(item).is_dir():
            cliargs.run_folder(item)  # a folder that is not a run: one line naming it
    out_dir = args.out or cliargs.runs_dir() / "studies"
    with study_progress(args.quiet or args.json == "-") as on_progress:
        result = compare(
            args.items, baseline=args.baseline, on_progress=on_progress, **_runs(args, out_dir)
        )
    return show(result, args.json)


def _study_out(args: argparse.Namespace) -> str | Path | None:
    """--out, else $AURUM_RUNS_DIR/studies when it is set, else the study file's `output`."""
    if args.out:
        return str(args.out)
    if os.environ.get(cliargs.RUNS_DIR_ENV):
        return cliargs.runs_dir() / "studies"
    return None


def _runs(args: argparse.Namespace, out_dir: str | Path | None) -> dict[str, Any]:
    """How `aurum study` and `aurum compare` run their runs (their shared options)."""
    return {
        "replications": args.replications,
        "seed": args.seed,
        "duration": args.duration,
        "out": out_dir,
        "executor": "serial" if args.local else "ray",
        "address": args.address,
        "max_parallel": args.workers,
    }


def show(result: StudyResult, json_to: str | None = None) -> int:
    """Print the comparison (or its JSON, `--json`), the failures and where the files are;
    the exit code."""
    cliargs.write_json(json_to, as_json(result))
    if json_to == "-":
        return 1 if result.failures else 0
    out.print(header(result), highlight=False)
    out.print(NOTE, style="dim", highlight=False)
    for g in groups(result):
        t = Table(title=g.title, box=box.SIMPLE_HEAD, title_justify="left")
        t.add_column("variant")
        for m in g.metrics:
            t.add_column(escape(f"{m.label}\n[{m.unit}]"), justify="right")
        for variant, cells in g.rows:
            row = [Text(variant)]
            for c in cells:
                style = "bold" if c.significant else "dim"
                row.append(Text(c.mean + "\n") + Text(c.diff, style=style))
            t.add_row(*row)
        out.print(t)
    for f in result.failures:
        err.print(
            f"[red]failed[/] {f['variant']} r{f['replication']:03d} (seed {f['seed']}): "
            f"{f['error']}",
            highlight=False,
        )
    where = result.folder
    out.print(f"tables: {where}/runs.parquet, summary.parquet, series.parquet", highlight=False)
    if result.report is not None:
        out.print(f"report: {result.report}", highlight=False)
    return 1 if result.failures else 0


def as_json(result: StudyResult) -> dict[str, Any]:
    """The comparison as plain data: the summary per variant and metric, the failures, files."""
    return {
        "study": result.name,
        "baseline": result.baseline,
        "variants": result.variants,
        "summary": result.summary.to_pylist(),
        "failures": result.failures,
        "folder": str(result.folder),
        "report": None if result.report is None else str(result.report),
    }


@contextmanager
def study_progress(quiet: bool) -> Iterator[StudyProgressFn | None]:
    """Runs done / total: engine.run.progress's bar on a terminal or in Jupyter; elsewhere (logs) a
    line every 10 % with the failures, the runs reused and the ETA."""
    if quiet:
        yield None
    elif err.is_terminal or err.is_jupyter:
        with progress_display(False, err, unit="run") as bar:
            assert bar is not None

            def update(p: StudyProgress) -> None:
                bar({"epochs_done": p.done, "n_epochs": p.total})

            yield update
    else:
        yield StudyLines().update


class StudyLines:
    """For logs and pipes: one line per tenth of the study."""

    def __init__(self) -> None:
        self.last_decile = -1

    def update(self, p: StudyProgress) -> None:
        decile = int(10 * p.fraction)
        if decile != self.last_decile:
            self.last_decile = decile
            reused = f", {p.reused} reused" if p.reused else ""
            err.print(
                f"study: {p.done}/{p.total} runs ({100 * p.fraction:.0f} %){reused}, "
                f"{p.failed} failed, elapsed {clock(p.elapsed_s)}, ETA {clock(p.eta_s)}",
                highlight=False,
            )


def clock(seconds: float | None) -> str:
    """12s, 3m05s, 1h02m."""
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"
