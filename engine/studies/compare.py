"""`aurum compare RUN_OR_SCENARIO...`: finished runs and/or scenario files, side by side.

A run folder (`runs/<run-id>/`, as `aurum run` leaves it) joins the variant of its scenario's
name, paired with the other variants' runs by seed; runs of the same name whose scenarios differ
(beyond seed, output and execution) are variants of their own (`name-2`, ...), and two runs of
one scenario with one seed are the same replication twice, which is refused. Scenario files
become the variants of a small study (`runs/studies/compare/`), run over `replications` seeds
spawned from `seed` — the same seeds for every file, so the comparison is paired. The first item
is the baseline.
"""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

from aurum.engine.errors import Problem
from aurum.engine.studies.execute import Executor, ProgressFn, run_all
from aurum.engine.studies.metrics import run_metrics, run_series
from aurum.engine.studies.model import ReportSpec, StudyError
from aurum.engine.studies.plan import plan_study
from aurum.engine.studies.result import Header, StudyResult, assemble

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
    manifests = {p: _manifest(p) for p in paths if is_run(p)}
    names = _names(paths, manifests)
    _check_replications(names, paths, manifests)
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


def _names(paths: list[Path], manifests: dict[Path, dict[str, Any]]) -> list[str]:
    """Variant names: a run's scenario name (a differing scenario under a name already taken
    gets `name-2`, ...), a file's stem (made unique between the two)."""
    variants: dict[tuple[str, str], str] = {}  # (name, scenario) → variant
    key = {p: (str(m["scenario"]["name"]), _scenario(m)) for p, m in manifests.items()}
    for name, scenario in key.values():
        if (name, scenario) not in variants:
            variants[(name, scenario)] = _unique(name, set(variants.values()))
    out: list[str] = []
    for p in paths:
        if p in manifests:
            out.append(variants[key[p]])
        else:
            stem = p.name.removesuffix(".yaml").removesuffix(".yml")
            out.append(_unique(stem, set(variants.values()) | set(out)))
    return out


def _unique(name: str, taken: set[str]) -> str:
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name}-{k}", k + 1
    return candidate


def _scenario(manifest: dict[str, Any]) -> str:
    """What makes two runs replications of one variant: their resolved scenario, but for the
    seed and where and how it ran."""
    sc = {k: v for k, v in manifest["scenario"].items() if k not in ("seed", "output", "execution")}
    return json.dumps(sc, sort_keys=True, default=str)


def _check_replications(
    names: list[str], paths: list[Path], manifests: dict[Path, dict[str, Any]]
) -> None:
    """Two runs of one variant with one seed are one replication counted twice: refused."""
    first: dict[tuple[str, int], Path] = {}
    problems = []
    for p, name in zip(paths, names, strict=True):
        if p not in manifests:
            continue
        seed = int(manifests[p]["seed"])
        twin = first.setdefault((name, seed), p)
        if twin is not p:
            problems.append(
                Problem(
                    f"the same scenario and seed ({seed}) as {twin}: one replication counted "
                    "twice would shrink the confidence interval for nothing",
                    value=str(p),
                    accepted="runs of the scenario with other seeds (aurum run --seed), or the "
                    "scenario file with --replications",
                )
            )
    if problems:
        raise StudyError(problems)


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
