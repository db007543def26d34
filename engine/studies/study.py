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

import sys
import types
from pathlib import Path
from typing import Any

from aurum.engine.studies.compare import compare as _compare
from aurum.engine.studies.execute import Executor, ProgressFn, StudyProgress, run_all
from aurum.engine.studies.model import Study, StudyError
from aurum.engine.studies.plan import StudyPlan, plan_study
from aurum.engine.studies.result import Header, StudyResult, assemble

__all__ = ["Study", "StudyError", "StudyProgress", "StudyResult", "compare", "run_study"]


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


def compare(items: list[str | Path], **options: Any) -> StudyResult:
    """Compare finished run folders and/or scenario files (run as a study); see `aurum compare`."""
    return _compare(items, **options)


class _CallableModule(types.ModuleType):
    """`engine.study(...)` runs a study: the module is callable as `run_study`."""

    def __call__(self, *args: Any, **kwargs: Any) -> StudyResult:
        return run_study(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
