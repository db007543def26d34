"""What a finished run hands back in Python, made to be read in a notebook.

`RunResult` has a one-look `repr` and an HTML summary for Jupyter; every table is a pyarrow
Table (`.to_pandas()` for pandas), and a wrong table or twin name is an error listing the names
there are (with the closest first), not an Arrow exception or a silent `None`.
"""

from __future__ import annotations

import difflib
import importlib.util
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from aurum.engine.errors import AurumError, Problem
from aurum.engine.run.recorder import read_table
from aurum.engine.run.summary import Summary

if TYPE_CHECKING:
    from rich.console import Console

ProgressFn = Callable[[dict[str, Any]], None]
SKIP = {"checkpoint"}  # folders of a run that are not tables


class NotFoundError(AurumError, KeyError):
    """A table or twin name the run does not have; a KeyError too, so `except KeyError` works."""

    def __str__(self) -> str:  # KeyError would quote the message
        return "\n".join(str(p) for p in self.problems)


def not_found(what: str, path: str, name: str, names: Iterable[str]) -> NotFoundError:
    """The error for an unknown name: the closest names first, then the rest (at most 30)."""
    known = sorted(set(names))
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    close += [n for n in known if n.startswith(f"{name}/") and n not in close]  # "telemetry"
    rest = [n for n in known if n not in close]
    shown = [*close, *rest][:30]
    more = f" and {len(known) - len(shown)} more" if len(known) > len(shown) else ""
    message = f"no {what} of that name"
    if close:
        message += f"; did you mean {' or '.join(repr(c) for c in close)}?"
    accepted = ", ".join(shown) + more if known else "(none yet)"
    return NotFoundError(Problem(message, path, name, accepted=accepted))


def table_names(run_dir: Path) -> list[str]:
    """The tables a run folder holds: "twins", "production", "telemetry/truck", ..."""
    if not run_dir.is_dir():
        return []
    names = [p.stem for p in run_dir.glob("*.parquet")]
    for part in run_dir.rglob("part-*.parquet"):
        folder = part.parent.relative_to(run_dir)
        if folder.parts and folder.parts[0] not in SKIP:
            names.append(folder.as_posix())
    return sorted(set(names))


def read_named(run_dir: Path, name: str) -> pa.Table:
    """A run's table by name, or NotFoundError listing the tables it has."""
    names = table_names(run_dir)
    if name not in names:
        raise not_found("table", "table", name, names)
    return read_table(run_dir, name)


def kpis_table(kpis: dict[str, dict[str, float]]) -> pa.Table:
    """Maintenance KPIs by kind and for the fleet, one row each (`key`), as an Arrow table."""
    metrics: list[str] = []
    for values in kpis.values():
        metrics += [m for m in values if m not in metrics]
    cols: dict[str, pa.Array] = {"key": pa.array(list(kpis), pa.string())}
    for m in metrics:
        cols[m] = pa.array([_number(v.get(m)) for v in kpis.values()], pa.float64())
    return pa.table(cols) if kpis else pa.table({"key": pa.array([], pa.string())})


def _number(v: Any) -> float | None:
    return None if v is None else float(v)


@dataclass(repr=False)
class RunResult:
    """What a finished run left behind: its folder, status, summary and tables.

    `kpis` is an Arrow table (one row per kind and `fleet`); `table(name)` reads any table of
    the run folder (`tables` lists them); `summary.kpis` keeps the KPIs as a dict.
    """

    run_id: str
    run_dir: Path
    status: str
    summary: Summary
    progress: dict[str, Any]
    rows: dict[str, int]
    fleet: dict[str, Any] = field(default_factory=dict)
    kpis: pa.Table = field(default_factory=lambda: kpis_table({}))
    # where it ran: actors, nodes, the coordinator's host, shard timers and peak memory
    execution: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pa.Table:
        """A table of the run by name: "production", "twins", "telemetry/truck", ..."""
        return read_named(self.run_dir, name)

    @property
    def tables(self) -> list[str]:
        """The names `table()` accepts for this run."""
        return table_names(self.run_dir)

    def facts(self) -> list[tuple[str, str]]:
        """The run at a glance: (label, value) pairs."""
        twins = sum(int(r["twins"]) for r in self.summary.rows)
        kinds = ", ".join(f"{r['kind']} {r['twins']}" for r in self.summary.rows)
        return [
            ("run", self.run_id),
            ("status", self.status),
            ("simulated", f"{self.summary.sim_hours:,.0f} h"),
            ("wall", f"{self.summary.wall_s:,.1f} s"),
            ("twins", f"{twins:,} ({kinds})" if kinds else f"{twins:,}"),
            ("folder", str(self.run_dir)),
        ]

    def __repr__(self) -> str:
        facts = dict(self.facts())
        return (
            f"<RunResult {facts['run']} {facts['status']}: {facts['simulated']} simulated in "
            f"{facts['wall']}, twins {facts['twins']}; folder {facts['folder']}>"
        )

    def __str__(self) -> str:
        return f"{self!r}\n{self.summary}"

    def _repr_html_(self) -> str:
        s = self.summary
        parts = [
            f"<b>RunResult</b> {html_table(('', ''), self.facts(), header=False)}",
            html_table(s.HEADER, s.lines()),
            html_table(("", *(label for _, label, _ in s.MAINTENANCE)), s.maintenance_lines()),
        ]
        if s.emission_lines():
            head = (f"t CO2e ({s.gwp_set()})", *(label for _, label in s.EMISSIONS))
            parts.append(html_table(head, s.emission_lines()))
        tables = ", ".join(f"<code>{escape(n)}</code>" for n in self.tables)
        parts.append(f"<p>Tables (<code>r.table(name).to_pandas()</code>): {tables}</p>")
        return "<div>" + "".join(parts) + "</div>"


def live_facts(
    run_id: str, run_dir: Path, ask: Callable[[], dict[str, Any]]
) -> list[tuple[str, str]]:
    """A live run at a glance from `ask()` (its progress); never raises (a repr must not)."""
    from aurum.engine.run.progress import cells

    facts = [("run", run_id), ("folder", str(run_dir))]
    try:
        p = ask()
    except Exception as e:  # ended, killed or busy: say so instead of failing
        return [*facts, ("status", f"unknown ({type(e).__name__})")]
    c = cells(p)
    shown = [("status", str(p.get("status"))), ("progress", c["count"])]
    return facts + shown + [(k, c[k]) for k in ("sim", "rate") if c[k]]


def html_table(
    head: Sequence[str], rows: Iterable[Sequence[object]], *, header: bool = True
) -> str:
    """A small HTML table of already formatted cells (escaped here)."""
    top = "".join(f"<th>{escape(str(h))}</th>" for h in head) if header else ""
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table>{f'<tr>{top}</tr>' if top else ''}{body}</table>"


def in_jupyter() -> bool:
    """True in a Jupyter kernel (where a run shows its progress unless told not to)."""
    from rich.console import Console

    return bool(Console().is_jupyter)


@contextmanager
def progress_for(show: bool | None, given: ProgressFn | None) -> Iterator[ProgressFn | None]:
    """The callback a Python caller's run reports to: theirs if given; else a progress bar when
    `show` is True, or when None and running in Jupyter; else none."""
    if given is not None or show is False or (show is None and not in_jupyter()):
        yield given
        return
    from aurum.engine.run.progress import progress_display

    with progress_display(False, _console()) as on_progress:
        yield on_progress


def _console() -> Console:
    """Where the bar goes: the notebook (a live widget, which needs ipywidgets; without it a
    line every 10 % in the cell's output), else stderr."""
    from rich.console import Console

    if not in_jupyter():
        return Console(stderr=True)
    if importlib.util.find_spec("ipywidgets") is None:
        return Console(force_jupyter=False, force_terminal=False, file=sys.stdout)
    return Console()


@contextmanager
def polling(read: Callable[[], dict[str, Any]], on_progress: ProgressFn | None) -> Iterator[None]:
    """Report `read()` to `on_progress` every quarter second from a thread while the body runs
    (an in-process run has no coordinator to poll), and once more at its end."""
    if on_progress is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.25):
            on_progress(read())

    thread = threading.Thread(target=poll, name="aurum-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        on_progress(read())
