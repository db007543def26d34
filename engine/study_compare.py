"""`aurum compare RUN_OR_SCENARIO...`: finished runs and/or scenario files, side by side.

A run folder (`runs/<run-id>/`, as `aurum run` leaves it) joins the variant of its scenario's
name, paired with the other variants' runs by seed. Scenario files become the variants of a
small study (`runs/studies/compare/`), run over `replications` seeds spawned from `seed` — the
same seeds for every file, so the comparison is paired. The first item is the baseline.
"""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

from engine.errors import Problem
from engine.study import Header, StudyResult, assemble
from engine.study_exec import Executor, ProgressFn, run_all
from engine.study_metrics import run_metrics, run_series
from engine.study_model import ReportSpec, StudyError
from engine.study_plan import plan_study

NAME = "compare"


def is_run(path: Path) -> bool:
    """A folder a run left behind (it has a manifest)."""
    return path.is_dir() and (path / "manifest.json").is_file()


def compare(
    items: list[str | Path],
    *,
    baseline: str | None = None,
    out: str | Path = "runs/studies",
    report: bool = True,
    **run: Any,
) -> StudyResult:
    """Compare run folders and scenario files; the first item (or `baseline`) is the baseline.

    `run` goes to the scenario files' study: `replications` (3), `seed` (0), `duration`,
    `executor`, `address`, `max_parallel`, `on_progress`.
    """
    paths = [Path(i) for i in items]
    _check_items(paths)
    names = _names(paths)
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for n, p in zip(names, paths, strict=True):
        if is_run(p):
            results[n].append(folder_result(p, len(results[n])))
    files = [(n, p) for n, p in zip(names, paths, strict=True) if not is_run(p)]
    for r in _run_files(files, out, **run):
        results[r["variant"]].append(r)
    chosen = baseline or names[0]
    if chosen not in results:
        problem = Problem("the baseline names no item", "--baseline", chosen)
        raise StudyError(replace(problem, accepted=", ".join(results)))
    changes = {n: str(p) for n, p in zip(names, paths, strict=True)}
    meta = {"items": [str(i) for i in items]}
    head = Header(NAME, Path(out) / NAME, chosen, changes, ReportSpec(), meta)
    return assemble(head, [r for rs in results.values() for r in rs], report)


def _run_files(
    files: list[tuple[str, Path]],
    out: str | Path,
    *,
    replications: int = 3,
    seed: int = 0,
    duration: str | None = None,
    executor: Executor = "ray",
    address: str | None = None,
    max_parallel: int | None = None,
    on_progress: ProgressFn | None = None,
) -> list[dict[str, Any]]:
    """Scenario files as the variants of a study, run over the same seeds."""
    if not files:
        return []
    variants = [{"name": n, "scenario": str(p.resolve())} for n, p in files]
    study: dict[str, Any] = {"study": NAME, "seed": seed, "replications": replications}
    study |= {"variants": variants} | ({"duration": duration} if duration else {})
    plan = plan_study(study, out=out)
    done = run_all(
        plan, executor, address=address, max_parallel=max_parallel, on_progress=on_progress
    )
    return list(done.values())


def _check_items(paths: list[Path]) -> None:
    bad = [p for p in paths if not is_run(p) and not p.is_file()]
    if not paths or bad:
        raise StudyError(
            [
                Problem(
                    "neither a run folder nor a scenario file",
                    value=str(p),
                    accepted="runs/<run-id>/ (with manifest.json) or a scenario .yaml",
                )
                for p in bad
            ]
            or [Problem("nothing to compare", accepted="run folders and/or scenario files")]
        )


def _names(paths: list[Path]) -> list[str]:
    """Variant names: a run's scenario name, a file's stem (made unique between the two)."""
    runs = {_manifest(p)["scenario"]["name"] for p in paths if is_run(p)}
    out = []
    for p in paths:
        if is_run(p):
            out.append(str(_manifest(p)["scenario"]["name"]))
            continue
        stem = p.name.removesuffix(".yaml").removesuffix(".yml")
        name, k = stem, 2
        while name in runs or name in out:
            name, k = f"{stem}-{k}", k + 1
        out.append(name)
    return out


def _manifest(run_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    return data


def folder_result(run_dir: Path, replication: int) -> dict[str, Any]:
    """A finished run folder as a study run result (its metrics and time series)."""
    m = _manifest(run_dir)
    head = {
        "key": m.get("run_id", run_dir.name),
        "variant": str(m["scenario"]["name"]),
        "replication": replication,
        "seed": int(m["seed"]),
        "run_dir": str(run_dir),
        "node": socket.gethostname(),
        "wall_s": 0.0,
    }
    status = m.get("status", "done")
    if status != "done":
        return head | {"status": "failed", "error": f"the run's status is {status!r}, not done"}
    metrics = run_metrics(run_dir)
    return head | {"status": "done", "error": "", "metrics": metrics, "series": run_series(run_dir)}
