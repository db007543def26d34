"""What-if and policy studies: variants × replications, run in parallel, compared with CIs.

>>> import engine
>>> r = engine.study("scenarios/studies/maintenance-policy.yml")  # engine.study.run_study
>>> print(r)                     # KPI tables: mean ± 95 % CI, paired Δ to the baseline
>>> r.summary.to_pandas()        # or r.runs (one row per run), r.series (KPIs over time)

`engine.study(...)` is `run_study(...)`: this module is callable. A study folder
(`runs/studies/<study>/`) keeps every finished run, `runs.parquet`, `summary.parquet`,
`series.parquet`, `study.json` and `report.html`; running the study again reuses finished runs.
"""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from engine.study_exec import Executor, ProgressFn, StudyProgress, run_all
from engine.study_metrics import METRICS, SERIES
from engine.study_model import ReportSpec, Study, StudyError
from engine.study_plan import StudyPlan, plan_study
from engine.study_stats import summarize

__all__ = ["Study", "StudyError", "StudyProgress", "StudyResult", "compare", "run_study"]


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
        from engine.study_table import text_tables

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


def run_study(
    study: str | Path | dict[str, Any] | Study,
    *,
    replications: int | None = None,
    seed: int | None = None,
    duration: str | None = None,
    out: str | Path | None = None,
    executor: Executor = "ray",
    address: str | None = None,
    max_parallel: int | None = None,
    fresh: bool = False,
    report: bool = True,
    on_progress: ProgressFn | None = None,
) -> StudyResult:
    """Run a study (a file, YAML text, a dict or a `Study`) and compare its variants.

    `replications`, `seed` and `duration` override the study's; `out` is the folder that receives
    `<study>/`; `executor="ray"` runs one Ray task per run on this machine's cores (or the
    cluster at `address`), `"serial"` runs them here one after the other; `fresh` redoes
    finished runs. Failed runs are listed in `failures`; the others are kept and compared.
    """
    plan = plan_study(study, replications=replications, seed=seed, duration=duration, out=out)
    results = run_all(
        plan,
        executor,
        address=address,
        max_parallel=max_parallel,
        fresh=fresh,
        on_progress=on_progress,
    )
    return finish(plan, results, report)


def finish(plan: StudyPlan, results: dict[str, dict[str, Any]], report: bool = True) -> StudyResult:
    """Tables, summary, files and report of a study's run results."""
    return assemble(
        Header(
            plan.study.study,
            plan.folder,
            plan.baseline,
            {v.name: v.changes for v in plan.variants},
            plan.study.report,
            plan.study.model_dump(mode="json", by_alias=True),
        ),
        list(results.values()),
        report,
    )


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
        from engine.study_report import write_report

        result.report = write_report(result, folder / "report.html")


def compare(items: list[str | Path], **options: Any) -> StudyResult:
    """Compare finished run folders and/or scenario files (run as a study); see `aurum compare`."""
    from engine.study_compare import compare as _compare

    return _compare(items, **options)


class _CallableModule(types.ModuleType):
    """`engine.study(...)` runs a study: the module is callable as `run_study`."""

    def __call__(self, *args: Any, **kwargs: Any) -> StudyResult:
        return run_study(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
