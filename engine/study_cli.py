"""`aurum study FILE` and `aurum compare RUN_OR_SCENARIO...` (entry points of `aurum.commands`).

Both print the comparison — per group of metrics a row per variant: mean ± 95 % CI, and under
it the paired difference to the baseline ± 95 % CI — then where the tables and the HTML report
are. Progress across the whole study: a rich bar on a terminal, a line every 10 % otherwise.
A study with failed runs lists them and exits 1; its other runs are kept and compared.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich import box
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from engine.cli import err, out
from engine.study_exec import StudyProgress, finished
from engine.study_table import NOTE, groups, header

if TYPE_CHECKING:
    from engine.study import StudyResult


def register(sub: Any) -> None:
    """Add `study` to the `aurum` command."""
    p = sub.add_parser("study", help="run a study: variants × replications, compared with CIs")
    p.add_argument("file", metavar="FILE", help="a study file (see docs/studies.md)")
    p.add_argument("--replications", type=int, help="override the study's replications")
    p.add_argument("--seed", type=int, help="override the study's seed")
    p.add_argument("--duration", help='override every variant\'s duration, e.g. "7d"')
    p.add_argument("--out", help="folder that receives <study>/ (default: the study's output)")
    p.add_argument("--fresh", action="store_true", help="redo runs already finished")
    p.add_argument("--check", action="store_true", help="only validate the study and variants")
    _common(p)
    p.set_defaults(func=cmd_study)


def register_compare(sub: Any) -> None:
    """Add `compare` to the `aurum` command."""
    p = sub.add_parser("compare", help="compare run folders and/or scenario files with CIs")
    p.add_argument("items", nargs="+", metavar="RUN_OR_SCENARIO")
    p.add_argument("--replications", type=int, default=3, help="runs per scenario file (3)")
    p.add_argument("--seed", type=int, default=0, help="replication seeds are spawned from it")
    p.add_argument("--duration", help="override the scenario files' duration")
    p.add_argument("--baseline", help="variant the others are compared to (default: the first)")
    p.add_argument("--out", default="runs/studies", help="folder that receives compare/")
    _common(p)
    p.set_defaults(func=cmd_compare)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--address", help="run on an existing Ray cluster (or set RAY_ADDRESS)")
    p.add_argument("--max-parallel", type=int, help="runs at once (default: the CPUs)")
    p.add_argument("--serial", action="store_true", help="run here, one after the other")
    p.add_argument("--quiet", action="store_true", help="no progress display")


def cmd_study(args: argparse.Namespace) -> int:
    """`aurum study FILE`: validate (--check) or run the study and print its comparison."""
    from engine.study import run_study
    from engine.study_plan import plan_study

    if args.check:
        plan = plan_study(
            args.file,
            replications=args.replications,
            seed=args.seed,
            duration=args.duration,
            out=args.out,
        )
        done = sum(finished(s) is not None for s in plan.runs)
        out.print(
            f"[green]OK[/] {args.file}: {len(plan.variants)} variants × "
            f"{plan.study.replications} replications = {len(plan.runs)} runs "
            f"({done} already finished in {plan.folder})",
            highlight=False,
        )
        return 0
    with StudyProgressDisplay(args.quiet) as on_progress:
        result = run_study(args.file, fresh=args.fresh, on_progress=on_progress, **_runs(args))
    return show(result)


def cmd_compare(args: argparse.Namespace) -> int:
    """`aurum compare RUN_OR_SCENARIO...`: run what is a scenario, compare everything."""
    from engine.study import compare

    with StudyProgressDisplay(args.quiet) as on_progress:
        result = compare(args.items, baseline=args.baseline, on_progress=on_progress, **_runs(args))
    return show(result)


def _runs(args: argparse.Namespace) -> dict[str, Any]:
    """How `aurum study` and `aurum compare` run their runs (their shared options)."""
    return {
        "replications": args.replications,
        "seed": args.seed,
        "duration": args.duration,
        "out": args.out,
        "executor": "serial" if args.serial else "ray",
        "address": args.address,
        "max_parallel": args.max_parallel,
    }


def show(result: StudyResult) -> int:
    """Print the comparison, the failures and where the files are; the exit code."""
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


class StudyProgressDisplay:
    """Runs done / total with the ETA: a rich bar on a terminal, a line every 10 % elsewhere."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: Any = None
        self.last_decile = -1

    def __enter__(self) -> Any:
        if self.quiet:
            return None
        if err.is_terminal:
            self.bar = Progress(
                TextColumn("[bold]study[/]"),
                BarColumn(),
                TextColumn("runs {task.completed:.0f}/{task.total:.0f}"),
                TextColumn("{task.fields[failed]}"),
                TimeElapsedColumn(),
                TextColumn("ETA {task.fields[eta]}"),
                console=err,
            )
            self.bar.start()
            self.task = self.bar.add_task("study", total=None, failed="", eta="-")
        return self.update

    def update(self, p: StudyProgress) -> None:
        """Show where the study stands (the bar, or a line when a tenth more is done)."""
        eta = clock(p.eta_s)
        failed = f"[red]{p.failed} failed[/]" if p.failed else ""
        if self.bar is not None:
            self.bar.update(self.task, total=p.total, completed=p.done, failed=failed, eta=eta)
            return
        decile = int(10 * p.fraction)
        if decile != self.last_decile:
            self.last_decile = decile
            reused = f", {p.reused} reused" if p.reused else ""
            err.print(
                f"study: {p.done}/{p.total} runs ({100 * p.fraction:.0f} %){reused}, "
                f"{p.failed} failed, elapsed {clock(p.elapsed_s)}, ETA {eta}",
                highlight=False,
            )

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


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
