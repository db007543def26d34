"""Every shipped scenario runs (shortened to two hours) and produces sane output."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from tests.conftest import SCENARIOS


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenario_runs(path: Path, tmp_path: Path) -> None:
    r = engine.simulate(path, out=tmp_path, duration="2h", backend="local")
    assert r.status == "done"
    for kind, k in r.fleet["kinds"].items():
        assert k["production_t"] > 0, f"{path.name}: {kind} produced nothing"
        assert any(v > 0 for v in k["activity"].values()), f"{path.name}: {kind} used nothing"
    assert r.rows["production"] == 2 * sum(k["twins"] for k in r.fleet["kinds"].values())
