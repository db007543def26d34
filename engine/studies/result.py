"""A study's result: the runs' table, the summary per variant and metric, time series, and the
files a study leaves (runs/summary/series.parquet, study.json, report.html).

`assemble` turns run results into a `StudyResult`, for a study (engine.studies.study) and for
`aurum compare` (engine.studies.compare) alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from aurum.engine.studies.metrics import METRICS, SERIES
from aurum.engine.studies.model import ReportSpec
from aurum.engine.studies.stats import summarize


@dataclass
class StudyResult:
    """A study's outcome: one row per run, the summary per variant and metric, time series."""

    name: str
    folder: Path
    baseline: str
    variants: list[str]
    changes: dict[str, str]
    runs: pa.Table
    summary: pa.Table
    series: pa.Table
    failures: list[dict[str, Any]] = field(default_factory=list)
    report: Path | None = None
    series_metric: str = "physical_availability"
    tradeoff: tuple[str, str] = ("maintenance_cost_usd", "co2e_total_t")

    def to_pandas(self, table: str = "summary") -> Any:
        """A table as a pandas DataFrame: "summary" (default), "runs" or "series"."""
        return getattr(self, table).to_pandas()

    def __str__(self) -> str:
        from aurum.engine.studies.table import text_tables

        return text_tables(self)

    def __repr__(self) -> str:
        done = sum(1 for st in self.runs["status"].to_pylist() if st == "done")
        return (
            f"<StudyResult {self.name}: {len(self.variants)} variants, {done} of "
            f"{self.runs.num_rows} runs done, baseline {self.baseline}; folder {self.folder}>"
        )

    def _repr_html_(self) -> str:
        """The comparison tables as text in a notebook (the same as `print(r)`)."""
        from html import escape

        return f"<b>{escape(repr(self))}</b><pre>{escape(str(self))}</pre>"


@dataclass(frozen=True)
class Header:
    """What a comparison is: its name, folder, baseline, variants (with what each changes)."""

    name: str
    folder: Path
    baseline: str
    changes: dict[str, str]
    options: ReportSpec
    meta: dict[str, Any]


def assemble(head: Header, ordered: list[dict[str, Any]], report: bool) -> StudyResult:
    """Compare run results (in order) and write the study's files."""
    names = list(head.changes)
    runs = runs_table(ordered)
    result = StudyResult(
        head.name,
        head.folder,
        head.baseline,
        names,
        head.changes,
        runs,
        summarize(runs, [m.key for m in METRICS], names, head.baseline),
        series_table(ordered),
        [_failure(r) for r in ordered if r["status"] != "done"],
        series_metric=head.options.series,
        tradeoff=head.options.tradeoff,
    )
    write(result, ordered, head.meta, report)
    return result


def _failure(r: dict[str, Any]) -> dict[str, Any]:
    keys = ("variant", "replication", "seed", "error")
    return {k: r.get(k) for k in keys}


def runs_table(results: list[dict[str, Any]]) -> pa.Table:
    """One row per run: who (variant, replication, seed), status, and every metric."""
    cols: dict[str, Any] = {
        "variant": pa.array([r["variant"] for r in results], pa.string()),
        "replication": pa.array([r["replication"] for r in results], pa.int32()),
        "seed": pa.array([r["seed"] for r in results], pa.int64()),
        "status": pa.array([r["status"] for r in results], pa.string()),
        "error": pa.array([r.get("error", "") for r in results], pa.string()),
    }
    for m in METRICS:
        values = [r.get("metrics", {}).get(m.key) for r in results]
        cols[m.key] = pa.array([float("nan") if v is None else v for v in values], pa.float64())
    return pa.table(cols)


def series_table(results: list[dict[str, Any]]) -> pa.Table:
    """KPIs over the run: one row per run and time bucket (day, or epoch for short runs)."""
    cols: dict[str, list[Any]] = {k: [] for k in ("variant", "replication", "seed", "t_h")}
    cols |= {k: [] for k in SERIES}
    for r in results:
        s = r.get("series") or {}
        n = len(s.get("t_h", []))
        for k in ("variant", "replication", "seed"):
            cols[k] += [r[k]] * n
        cols["t_h"] += s.get("t_h", [])
        for k in SERIES:
            cols[k] += s.get(k, [float("nan")] * n)
    schema = [("variant", pa.string()), ("replication", pa.int32()), ("seed", pa.int64())]
    schema += [(k, pa.float64()) for k in ("t_h", *SERIES)]
    return pa.table(cols, schema=pa.schema(schema))


def write(
    result: StudyResult, ordered: list[dict[str, Any]], study: dict[str, Any], report: bool
) -> None:
    """runs.parquet, summary.parquet, series.parquet, study.json and report.html."""
    folder = result.folder
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("runs", "summary", "series"):
        pq.write_table(getattr(result, name), folder / f"{name}.parquet", compression="zstd")
    index = [
        {k: r.get(k) for k in ("variant", "replication", "seed", "status", "run_dir", "wall_s")}
        | {"node": r.get("node"), "error": r.get("error", "")}
        for r in ordered
    ]
    meta = {"study": study, "baseline": result.baseline, "changes": result.changes, "runs": index}
    (folder / "study.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    if report:
        from aurum.engine.studies.report import write_report

        result.report = write_report(result, folder / "report.html")
