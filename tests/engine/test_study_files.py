"""Study files: problems reported like `aurum validate`, grids, shipped studies, compare, report."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from aurum import engine
from aurum.engine.cli.main import main
from aurum.engine.studies.metrics import run_metrics
from aurum.engine.studies.model import StudyError
from aurum.engine.studies.plan import plan_study
from aurum.engine.studies.study import compare, run_study
from tests.conftest import SCENARIOS

DEMO = SCENARIOS / "demo.yaml"
STUDIES = sorted((SCENARIOS / "studies").glob("*.yml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yml"
    path.write_text(text.replace("DEMO", str(DEMO)), encoding="utf-8")
    return path


def test_problems_name_file_line_path_and_what_is_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "study: bad\n"
        "replicatons: 3\n"
        "variants:\n"
        "  - {name: a, scenario: DEMO}\n"
        "  - {name: b, scenario: nowhere.yaml}\n"
        "  - name: c\n"
        "    from: a\n"
        "    overrides: {maintenance: {polcy: time_based}}\n",
    )
    with pytest.raises(StudyError) as e:
        plan_study(path)
    text = str(e.value)
    assert f"{path}:2: replicatons: unknown field (did you mean 'replications'?)" in text
    # the study's own fields first; once they are right, every variant's problems at once
    path.write_text(path.read_text().replace("replicatons", "replications"), encoding="utf-8")
    with pytest.raises(StudyError) as e:
        plan_study(path)
    text = str(e.value)
    assert f"{path}:5: variants[1].scenario: no such scenario file" in text
    # an override's problem is reported in the study file, at the override's line
    assert f"{path}:8: maintenance.polcy: unknown field (did you mean 'policy'?)" in text


def test_grid_paths_are_checked_and_reported_at_their_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "study: grid\n"
        "grid:\n"
        "  base: DEMO\n"
        "  parameters:\n"
        "    maintenance.crew.default: [1, 2]\n"
        "    fleet[TRUCK-99].params.payload_t: [200]\n",
    )
    with pytest.raises(StudyError) as e:
        plan_study(path)
    text = str(e.value)
    assert f"{path}:6: grid.parameters.fleet[TRUCK-99].params.payload_t: no item" in text
    assert "accepted: TRUCK-21, MILL-3, BOILER-7" in text
    path.write_text(path.read_text().replace("TRUCK-99", "TRUCK-21"), encoding="utf-8")
    with pytest.raises(StudyError) as e:
        plan_study(path)
    assert f"{path}:5: maintenance.crew: unknown field (did you mean 'crews'?)" in str(e.value)
    assert "(variants 1-200, 2-200)" in str(e.value)  # once, naming the grid points


def test_the_cli_prints_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "study: x\nvariants:\n  - {name: a, scenario: DEMO}\nbaseline: zz\n")
    assert main(["study", str(path), "--check"]) == 2
    assert f"{path}:4: baseline: the baseline names no variant" in capsys.readouterr().err


def test_grid_expands_every_combination_with_named_variants(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "study: grid\n"
        "replications: 2\n"
        "baseline: time_based-crews1\n"
        "grid:\n"
        "  base: DEMO\n"
        "  parameters:\n"
        "    maintenance.policy: [time_based, condition_based]\n"
        "    maintenance.crews.default: [1, 3]\n"
        "    fleet[TRUCK-21].params.payload_t: [240]\n"
        '  name: "{policy}-crews{crews.default}"\n',
    )
    plan = plan_study(path)
    names = [v.name for v in plan.variants]
    assert names == [
        "time_based-crews1",
        "time_based-crews3",
        "condition_based-crews1",
        "condition_based-crews3",
    ]
    v = plan.variant("condition_based-crews3")
    assert v.scenario["maintenance"]["policy"] == "condition_based"
    assert v.scenario["maintenance"]["crews"]["default"] == 3
    assert v.scenario["fleet"][0]["params"]["payload_t"] == 240
    assert len(plan.runs) == 8 and len({r.seed for r in plan.runs}) == 2


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_shipped_studies_run(path: Path, tmp_path: Path) -> None:
    duration = {"truck-outage": "26h"}.get(path.stem, "6h")  # its trucks break down at 24 h
    r = run_study(
        path, replications=1, duration=duration, out=tmp_path, executor="serial", report=False
    )
    assert not r.failures and len(r.variants) >= 2
    assert all(x > 0 for x in r.runs.column("ore_milled_t").to_pylist())


def test_compare_run_folders_and_scenario_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = engine.simulate(DEMO, out=tmp_path, duration="2h", backend="local", seed=3)
    b = engine.simulate(DEMO, out=tmp_path, duration="2h", backend="local", seed=4)
    r = compare([a.run_dir, b.run_dir], out=tmp_path / "cmp", report=False)
    assert r.variants == ["demo"] and r.runs.num_rows == 2  # one variant, two replications
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text(
        f"extends: {DEMO}\nfleet:\n  - {{id: TRUCK-21, params: {{payload_t: 250}}}}\n",
        encoding="utf-8",
    )
    argv = ["compare", str(DEMO), str(heavy), "--replications", "2", "--duration", "2h"]
    assert main([*argv, "--serial", "--quiet", "--out", str(tmp_path / "cmp2")]) == 0
    printed = capsys.readouterr().out
    assert "baseline demo" in printed and "heavy" in printed and "Δ" in printed
    assert (tmp_path / "cmp2" / "compare" / "report.html").is_file()


def test_runs_without_emissions_show_a_dash_and_the_report_is_self_contained(
    tmp_path: Path,
) -> None:
    r = engine.simulate(DEMO, out=tmp_path, duration="2h", backend="local")
    shutil.rmtree(r.run_dir / "emissions", ignore_errors=True)  # as before issue 5
    m = run_metrics(r.run_dir)
    assert math.isnan(m["co2e_total_t"]) and m["ore_milled_t"] > 0
    result = compare([r.run_dir], out=tmp_path / "cmp")
    assert "–" in str(result)
    assert result.report is not None
    html = result.report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 5 and "not available in these runs" in html
    assert "<script" not in html and "src=" not in html and "<link" not in html


def test_maintenance_cost_per_kind_adds_up_to_the_fleet(tmp_path: Path) -> None:
    """The demo's first day: the mill's aged trunnion bearing trips and is repaired, so the
    mill's cost is the larger part; the kinds' costs add up to the fleet's."""
    r = engine.simulate(DEMO, out=tmp_path, duration="1d", backend="local")
    m = run_metrics(r.run_dir)
    kinds = [m[f"{k}_maintenance_cost_usd"] for k in ("truck", "mill", "boiler")]
    assert m["maintenance_cost_usd"] > 0 and m["mill_maintenance_cost_usd"] > 0
    assert math.fsum(kinds) == pytest.approx(m["maintenance_cost_usd"], rel=1e-12)


def test_compare_refuses_a_replication_twice_and_parts_differing_scenarios(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs of one scenario and seed are one replication: refused, naming both; a run of
    another scenario under the same name is a variant of its own, not a replication."""
    a = engine.simulate(DEMO, out=tmp_path, duration="2h", backend="local", seed=3)
    again = engine.simulate(DEMO, out=tmp_path, duration="2h", backend="local", seed=3)
    with pytest.raises(StudyError) as e:
        compare([a.run_dir, again.run_dir], out=tmp_path / "cmp", report=False)
    assert str(a.run_dir) in str(e.value) and "seed (3)" in str(e.value)
    assert main(["compare", str(a.run_dir), str(again.run_dir), "--quiet"]) == 2
    assert "counted twice" in capsys.readouterr().err
    longer = engine.simulate(DEMO, out=tmp_path, duration="3h", backend="local", seed=3)
    r = compare([a.run_dir, longer.run_dir], out=tmp_path / "cmp", report=False)
    assert r.variants == ["demo", "demo-2"] and r.runs.num_rows == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xfe\x00binary", "a binary file, not YAML text"),
        (b"name: caf\xe9\n", "not UTF-8 text (byte 0xe9)"),
        (b"variants: " + b"[" * 2000 + b"]" * 2000, "nested more than 32 levels deep"),
    ],
)
def test_a_study_file_that_is_not_text_is_one_problem(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.yml"
    path.write_bytes(content)
    with pytest.raises(StudyError) as e:
        plan_study(path)
    (problem,) = e.value.problems
    assert problem.file == str(path) and problem.message == expected
