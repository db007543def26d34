"""The engine: scenarios, runs on Ray, studies, risk models, load tests, the CLI and the Python API.

Sub-packages, each importing only those below it (import-linter keeps it so):
`cli` → `studies` | `risk` | `scale` → `run` → `scenario` → `maintenance`; `errors` (the one
exception family for users' mistakes) and `catalogue` (the shipped scenarios) serve them all.

>>> from aurum import engine
>>> r = engine.simulate("scenarios/demo.yaml")  # a progress bar in Jupyter (progress=True: all)
>>> r                                            # the run at a glance (an HTML table in Jupyter)
>>> r.kpis.to_pandas()                           # every table is Arrow: r.table("production") ...
>>> s = engine.study("scenarios/studies/planner-what-if.yml")
"""

from __future__ import annotations

import importlib
from importlib import metadata
from pathlib import Path
from typing import Any

from aurum.engine.errors import AurumError, Problem, RunError, ScenarioError
from aurum.engine.run.result import NotFoundError
from aurum.engine.run.runner import RunHandle, RunResult, simulate, start
from aurum.engine.scenario.loader import check, load


def _version() -> str:
    """The installed distribution's version; in a bare checkout, pyproject.toml's."""
    try:
        return metadata.version("aurum-twin")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


__version__ = _version()


def __getattr__(name: str) -> Any:
    """`engine.study(...)` without importing engine.study first (loaded on first use)."""
    if name == "study":
        return importlib.import_module("aurum.engine.studies.study")
    raise AttributeError(f"module 'engine' has no attribute {name!r}")


__all__ = [
    "AurumError",
    "NotFoundError",
    "Problem",
    "RunError",
    "RunHandle",
    "RunResult",
    "ScenarioError",
    "__version__",
    "check",
    "load",
    "simulate",
    "start",
    "study",
]
