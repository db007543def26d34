"""Every shipped scenario runs (longer ones cut to three days) and produces sane output."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest

from aurum import engine
from tests.conftest import SCENARIOS

MAX = timedelta(days=3)


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenario_runs(path: Path, tmp_path: Path) -> None:
    sc = engine.load(path)
    span = min(sc.duration, MAX)
    r = engine.simulate(sc, out=tmp_path, duration=span, backend="local")
    assert r.status == "done"
    for kind, k in r.fleet["kinds"].items():
        assert k["production_t"] > 0, f"{path.name}: {kind} produced nothing"
        assert any(v > 0 for v in k["activity"].values()), f"{path.name}: {kind} used nothing"
    epochs = math.ceil(span / sc.epoch)
    assert r.rows["production"] == epochs * sum(k["twins"] for k in r.fleet["kinds"].values())
