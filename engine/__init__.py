"""The engine: scenarios, runs on Ray, studies, risk models, load tests, the CLI and the Python API.

Sub-packages, each importing only those below it (import-linter keeps it so):
`cli` → `studies` | `risk` | `scale` → `run` → `scenario` → `maintenance`; `errors` (the one
exception family for users' mistakes) and `catalogue` (the shipped scenarios) serve them all.

>>> from aurum import engine
>>> r = engine.simulate("scenarios/demo.yaml")  # a progress bar in Jupyter (progress=True: all)
>>> r                                            # the run at a glance (an HTML table in Jupyter)
>>> r.kpis.to_pandas()                           # every table is Arrow: r.table("production") ...
>>> s = engine.study("scenarios/studies/planner-what-if.yml")

The names below are loaded on first use (PEP 562): importing any `aurum.engine.*` module — what
a Ray worker does to build a shard actor — does not import the runner, the result tables
(pyarrow, pandas) or the scenario loader with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from aurum.engine.errors import AurumError, Problem, RunError, ScenarioError

if TYPE_CHECKING:
    from aurum.engine.run.result import NotFoundError
    from aurum.engine.run.runner import RunHandle, RunResult, simulate, start
    from aurum.engine.scenario.loader import check, load

    __version__: str
    # `study` stays Any (from __getattr__): the module is callable as `run_study`

# name -> the module that defines it (imported on first use)
_LAZY = {
    "NotFoundError": "aurum.engine.run.result",
    "RunHandle": "aurum.engine.run.runner",
    "RunResult": "aurum.engine.run.runner",
    "simulate": "aurum.engine.run.runner",
    "start": "aurum.engine.run.runner",
    "check": "aurum.engine.scenario.loader",
    "load": "aurum.engine.scenario.loader",
}


def _version() -> str:
    """The installed distribution's version; in a bare checkout, pyproject.toml's."""
    from importlib import metadata

    try:
        return metadata.version("aurum-twin")
    except metadata.PackageNotFoundError:
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0+unknown"


def __getattr__(name: str) -> Any:
    """`engine.simulate(...)`, `engine.study(...)`, ... without importing them first."""
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name == "study":
        value = importlib.import_module("aurum.engine.studies.study")
    elif name == "__version__":
        value = _version()
    else:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    globals()[name] = value  # the next look-up is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
