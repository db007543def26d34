"""A run's progress on screen: a rich bar on a terminal (or Jupyter), a line every 10 % in logs.

    with progress_display(quiet, console) as on_progress:
        simulate(path, on_progress=on_progress)

`on_progress` takes the dict a run emits (`engine.run.loop.Progress.to_dict()`); it reads only
`epochs_done`, `n_epochs`, `sim_time` and `twin_ticks_per_s`, each optional, so a caller with
other work (a study's runs) can pass `{"epochs_done": 3, "n_epochs": 40}` and `unit="run"`.
Every cell is formatted here, before rich sees it: a total that is not known yet (None, 0,
missing) shows as "-" and a pulsing bar, never as a format error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

ProgressFn = Callable[[dict[str, Any]], None]


def _count(value: Any) -> int | None:
    """A whole count from a progress field, or None when it is missing or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(value)


def cells(p: dict[str, Any], unit: str = "epoch") -> dict[str, str]:
    """The display's text for one progress dict: count, simulated time and rate."""
    done, total = _count(p.get("epochs_done")), _count(p.get("n_epochs"))
    count = f"{unit} {'-' if done is None else done}/{total if total else '-'}"
    # before the first report (Ray and the actors starting) there is no simulated time yet
    sim = str(p.get("sim_time") or "starting")[:16].replace("T", " ")
    rate = p.get("twin_ticks_per_s")
    fast = isinstance(rate, int | float) and math.isfinite(rate) and rate > 0
    return {"count": count, "sim": sim, "rate": f"{rate:,.0f} twin-ticks/s" if fast else ""}


class _Bar:
    """A rich progress bar; the total is set once it is known (a pulse until then)."""

    def __init__(self, console: Console, unit: str) -> None:
        self.unit = unit
        self.bar = Progress(
            TextColumn("[bold]sim[/] {task.fields[sim]}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        c = cells({}, unit)
        self.task: TaskID = self.bar.add_task(
            "run", total=None, count=c["count"], sim=c["sim"], rate=c["rate"]
        )

    def update(self, p: dict[str, Any]) -> None:
        total = _count(p.get("n_epochs")) or None
        done = _count(p.get("epochs_done")) or 0
        c = cells(p, self.unit)
        self.bar.update(
            self.task, total=total, completed=done, count=c["count"], sim=c["sim"], rate=c["rate"]
        )


class _Lines:
    """For logs and pipes: one line per tenth of the run (and the first one)."""

    def __init__(self, console: Console, unit: str) -> None:
        self.console = console
        self.unit = unit
        self.last = -1

    def update(self, p: dict[str, Any]) -> None:
        done, total = _count(p.get("epochs_done")) or 0, _count(p.get("n_epochs"))
        if not total:
            return
        decile = int(10 * done / total)
        if decile == self.last:
            return
        self.last = decile
        c = cells(p, self.unit)
        text = f"{c['count']}  sim {c['sim']}  {c['rate']}".rstrip()
        self.console.print(text, highlight=False, markup=False)


@contextmanager
def progress_display(
    quiet: bool, console: Console, *, unit: str = "epoch"
) -> Iterator[ProgressFn | None]:
    """A callback showing progress on `console` (None when `quiet`: nothing to show or poll)."""
    if quiet:
        yield None
        return
    if not (console.is_terminal or console.is_jupyter):
        yield _Lines(console, unit).update
        return
    bar = _Bar(console, unit)
    bar.bar.start()
    try:
        yield bar.update
    finally:
        bar.bar.stop()
