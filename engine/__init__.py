"""engine layer of AurumAI Twin: scenarios, runs on Ray, records, the CLI and the Python API.

>>> import engine
>>> r = engine.simulate("scenarios/demo.yaml")
>>> print(r.summary)
"""

from engine.errors import AurumError, Problem, RunError, ScenarioError
from engine.loader import check, load
from engine.runner import RunHandle, RunResult, simulate, start

__all__ = [
    "AurumError",
    "Problem",
    "RunError",
    "RunHandle",
    "RunResult",
    "ScenarioError",
    "check",
    "load",
    "simulate",
    "start",
]
