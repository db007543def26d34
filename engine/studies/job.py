"""One run of a study as a plain function of plain data: what a Ray task or this process runs.

`execute_run(job)` simulates one variant at one seed in-process and reads its metrics; every
failure comes back as data (`failed`), so one broken variant never stops a study.
"""

from __future__ import annotations

import shutil
import socket
import time
import traceback
from pathlib import Path
from typing import Any

from aurum.engine.errors import AurumError


def execute_run(job: dict[str, Any]) -> dict[str, Any]:
    """Run one variant at one seed and read its metrics; failures come back as data."""
    from aurum.engine.run.runner import simulate

    folder = Path(job["folder"])
    shutil.rmtree(folder, ignore_errors=True)  # what an interrupted attempt left
    folder.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    out = _head(job)
    try:
        r = simulate(job["scenario"], seed=job["seed"], out=folder, backend="local")
        out |= {"run_dir": str(r.run_dir), "status": r.status}
        out |= measure(r.run_dir)
        if not job["keep"]:
            shutil.rmtree(r.run_dir, ignore_errors=True)
    except AurumError as e:
        out |= {"status": "failed", "error": "; ".join(str(p) for p in e.problems)}
    except Exception as e:
        (folder / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        out |= {"status": "failed", "error": f"{type(e).__name__}: {e} (see {folder}/error.txt)"}
    out["wall_s"] = time.perf_counter() - began
    return out


def measure(run_dir: Path) -> dict[str, Any]:
    """A finished run's metrics and time series (with the version of their definitions)."""
    from aurum.engine.studies.metrics import VERSION, run_metrics, run_series

    return {"metrics": run_metrics(run_dir), "series": run_series(run_dir), "version": VERSION}


def _head(job: dict[str, Any]) -> dict[str, Any]:
    keys = ("key", "variant", "replication", "seed")
    return {k: job[k] for k in keys} | {"node": socket.gethostname(), "error": ""}


def failed(job: dict[str, Any], error: str) -> dict[str, Any]:
    """The result of a run whose worker never answered (a lost node, a killed process)."""
    return _head(job) | {"status": "failed", "error": error, "wall_s": 0.0}
