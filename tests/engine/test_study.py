"""Studies: determinism, paired differences, CIs, resumability and failures kept apart."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import aurum.engine.studies.study as study_module
from aurum.engine.errors import RunError
from aurum.engine.studies.execute import StudyProgress
from aurum.engine.studies.stats import estimate, paired, t_quantile
from aurum.engine.studies.study import StudyResult, run_study
from tests.conftest import SCENARIOS

DEMO = SCENARIOS / "demo.yaml"


def tiny(out: Path, replications: int = 3, **extra: Any) -> dict[str, Any]:
    """A study of the demo fleet cut to 3 hours: fast, but with random ore and queues."""
    return {
        "study": "tiny",
        "seed": 11,
        "replications": replications,
        "duration": "3h",
        "output": str(out),
        "variants": [
            {"name": "base", "scenario": str(DEMO)},
            {"name": "same", "from": "base"},
            {
                "name": "heavier",
                "from": "base",
                "overrides": {"fleet": [{"id": "TRUCK-21", "params": {"payload_t": 250}}]},
            },
        ],
    } | extra


def run(spec: dict[str, Any], **options: Any) -> StudyResult:
    return run_study(spec, executor="serial", report=False, **options)


def rows(result: StudyResult, metric: str) -> dict[str, dict[str, Any]]:
    return {r["variant"]: r for r in result.summary.to_pylist() if r["metric"] == metric}


def test_same_study_and_seed_give_identical_tables(tmp_path: Path) -> None:
    a = run(tiny(tmp_path / "a"))
    b = run(tiny(tmp_path / "b"))
    for name in ("runs", "summary", "series"):
        assert a.to_pandas(name).equals(b.to_pandas(name)), name
    assert a.runs.num_rows == 9 and set(a.runs.column("status").to_pylist()) == {"done"}
    runs = a.to_pandas("runs")
    seeds = {v: runs[runs.variant == v].seed.tolist() for v in a.variants}
    assert seeds["base"] == seeds["same"] == seeds["heavier"]  # common random numbers
    assert len(set(seeds["base"])) == 3


def test_variant_identical_to_baseline_has_zero_paired_difference(tmp_path: Path) -> None:
    r = run(tiny(tmp_path))
    checked = 0
    for row in r.summary.to_pylist():
        if row["variant"] == "same" and math.isfinite(row["mean"]):
            assert row["diff_mean"] == 0.0 and row["diff_n"] == 3, row["metric"]
            assert row["diff_ci_low"] == 0.0 == row["diff_ci_high"], row["metric"]
            checked += 1
    assert checked > 20
    heavier = rows(r, "diesel_l")["heavier"]
    assert heavier["diff_mean"] != 0.0  # a real change does show


def test_ci_of_a_metric_shrinks_as_replications_grow(tmp_path: Path) -> None:
    one = [{"name": "base", "scenario": str(DEMO)}]
    few = rows(run(tiny(tmp_path / "a", 3, variants=one)), "natural_gas_gj")["base"]
    many = rows(run(tiny(tmp_path / "b", 12, variants=one)), "natural_gas_gj")["base"]
    half = {k: r["ci_high"] - r["mean"] for k, r in (("few", few), ("many", many))}
    assert 0 < half["many"] < half["few"]


def test_student_t_interval_and_pairing() -> None:
    assert t_quantile(2) == pytest.approx(12.706, abs=1e-3)
    e = estimate([1.0, 2.0, 3.0, float("nan")])
    assert (e.n, e.mean, e.sd) == (3, 2.0, 1.0)
    assert e.half == pytest.approx(4.303 / math.sqrt(3), abs=1e-3)
    d, diffs = paired({1: 5.0, 2: 7.0, 3: 9.0}, {1: 4.0, 2: 6.0, 4: 0.0})
    assert diffs == [1.0, 1.0] and d.mean == 1.0 and d.half == 0.0
    assert estimate([4.0]).half != estimate([4.0]).half  # one value: no interval (NaN)


def test_a_second_run_reuses_finished_runs(tmp_path: Path) -> None:
    seen: list[StudyProgress] = []
    first = run(tiny(tmp_path))
    again = run(tiny(tmp_path), on_progress=seen.append)
    assert seen[-1].reused == seen[-1].total == 9 and seen[-1].done == 9
    assert first.to_pandas("runs").equals(again.to_pandas("runs"))
    seen.clear()
    run(tiny(tmp_path, replications=4), on_progress=seen.append)  # one more seed
    assert seen[-1].reused == 9 and seen[-1].done == 12
    changed = tiny(tmp_path)
    changed["variants"][2]["overrides"]["fleet"][0]["params"]["payload_t"] = 240
    seen.clear()
    run(changed, on_progress=seen.append)  # only the changed variant runs again
    assert seen[-1].reused == 6 and seen[-1].done == 9


def test_a_failing_variant_is_reported_and_the_others_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aurum.engine.run.runner

    real = aurum.engine.run.runner.simulate

    def flaky(scenario: Any, **kw: Any) -> Any:
        if scenario.get("description") == "breaks":
            if kw["seed"] % 2:
                raise RunError("the cluster went away")
            raise ZeroDivisionError("boom")
        return real(scenario, **kw)

    monkeypatch.setattr(aurum.engine.run.runner, "simulate", flaky)
    spec = tiny(tmp_path)
    spec["variants"].append(
        {"name": "broken", "from": "base", "overrides": {"description": "breaks"}}
    )
    r = run(spec)
    assert len(r.failures) == 3 and {f["variant"] for f in r.failures} == {"broken"}
    errors = " ".join(f["error"] for f in r.failures)
    assert "boom" in errors or "cluster went away" in errors
    runs = r.to_pandas("runs")
    assert (runs.status == "done").sum() == 9  # the other variants' results are all there
    assert math.isnan(rows(r, "ore_milled_t")["broken"]["mean"])
    assert rows(r, "ore_milled_t")["heavier"]["n"] == 3
    text = str(r)
    assert "FAILED" in text and "failed: broken r000" in text
    monkeypatch.setattr(aurum.engine.run.runner, "simulate", real)
    seen: list[StudyProgress] = []
    fixed = run(spec, on_progress=seen.append)  # failed runs are retried, finished ones kept
    assert seen[-1].reused == 9 and not fixed.failures


def test_engine_study_module_is_callable(tmp_path: Path) -> None:
    r = study_module(tiny(tmp_path, replications=1), executor="serial", report=False)
    assert isinstance(r, StudyResult) and r.runs.num_rows == 3
    assert (tmp_path / "tiny" / "runs.parquet").is_file()
    assert (tmp_path / "tiny" / "summary.parquet").is_file()


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_ray_tasks_give_the_same_tables_as_serial(tmp_path: Path) -> None:
    spec = tiny(tmp_path / "ray", replications=2)
    on_ray = run_study(spec, executor="ray", report=False)
    here = run(tiny(tmp_path / "serial", replications=2))
    assert not on_ray.failures, on_ray.failures
    assert on_ray.to_pandas("runs").equals(here.to_pandas("runs"))
    assert on_ray.to_pandas("summary").equals(here.to_pandas("summary"))


def test_results_of_older_metric_definitions_are_measured_again(tmp_path: Path) -> None:
    import json

    spec = tiny(tmp_path, replications=1)
    first = run(spec)
    saved = tmp_path / "tiny" / "runs" / "base" / "r000" / "result.json"
    data = json.loads(saved.read_text())
    data["version"] = 0
    data["metrics"]["ore_milled_t"] = -1.0
    saved.write_text(json.dumps(data))
    seen: list[StudyProgress] = []
    again = run(spec, on_progress=seen.append)
    assert seen[-1].reused == 3  # not simulated again: re-read from the run's tables
    assert again.to_pandas("runs").equals(first.to_pandas("runs"))
