"""engine layer of AurumAI Twin: scenarios, runs on Ray, records, the CLI and the Python API.

>>> import engine
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

from engine.errors import AurumError, Problem, RunError, ScenarioError
from engine.loader import check, load
from engine.result import NotFoundError
from engine.runner import RunHandle, RunResult, simulate, start


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
        return importlib.import_module("engine.study")
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
