"""`aurum validate`: every problem at once, with line, field path, value and what is accepted."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.errors import ScenarioError
from engine.loader import check, load
from engine.scenario import json_schema
from tests.conftest import ROOT, SCENARIOS

BROKEN = ROOT / "tests" / "data" / "broken.yaml"


def _problems(path: Path) -> dict[str, tuple[int | None, str, str]]:
    scenario, problems = check(path)
    assert scenario is None
    return {p.path: (p.line, p.message, p.accepted) for p in problems}


def test_broken_scenario_reports_every_mistake_with_its_line() -> None:
    found = _problems(BROKEN)
    expected_lines = {
        "name": 2,
        "seed": 3,
        "duration": 5,
        "epoch": 7,
        "sites[0].country": 10,
        "sites[0].climate.humidity_pct": 12,
        "fleet[0].site": 18,
        "fleet[0].params.payload_t": 19,
        "fleet[0].params.paylod_t": 19,
        "fleet[1]": 20,
        "fleet[2].site": 25,
        "fleet[3]": 26,
        "fleet[3].params.fuel": 29,
        "output.telemetry_resolution": 31,
        "execution.twins_per_actor": 33,
    }
    assert {p: found[p][0] for p in expected_lines} == expected_lines
    assert set(found) == set(expected_lines)


def test_messages_say_what_is_accepted() -> None:
    found = _problems(BROKEN)
    assert "did you mean 'payload_t'" in found["fleet[0].params.paylod_t"][1]
    assert "payload_t" in found["fleet[0].params.paylod_t"][2]
    assert found["fleet[0].params.payload_t"][2] == "a number > 0 and ≤ 500 [t]"
    assert "'truck', 'mill', 'boiler'" in found["fleet[1]"][1]
    assert found["fleet[2].site"][2] == "antofagasta, pampa"
    assert "'natural_gas', 'diesel' or 'coal'" in found["fleet[3].params.fuel"][1]
    assert 'write "min"' in found["output.telemetry_resolution"][1]
    assert "road" in found["fleet[0].site"][1]
    assert "ISO 3166" in found["sites[0].country"][2]
    assert found["epoch"][2] == "a multiple of 1min"


def test_cli_prints_problems_and_exits_2_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["validate", str(BROKEN)]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "broken.yaml:19: fleet[0].params.payload_t" in captured.err
    assert "15 problem(s)" in captured.err


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("name: x\nsites: [\n  - id: a\n", encoding="utf-8")
    _, problems = check(bad)
    assert len(problems) == 1 and problems[0].line is not None
    assert "YAML syntax error" in problems[0].message


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    _, problems = check(tmp_path / "nope.yaml")
    assert problems[0].message == "no such scenario file"
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n", encoding="utf-8")
    _, problems = check(listy)
    assert "mapping" in problems[0].message


def test_run_of_a_broken_scenario_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(BROKEN), "--local"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_load_raises_scenario_error_with_problems() -> None:
    with pytest.raises(ScenarioError) as info:
        load(BROKEN)
    assert len(info.value.problems) == 15


def test_generated_ids_and_defaults() -> None:
    sc = load(SCENARIOS / "fleet-1k.yaml")
    from engine.plan import build_plan

    plan = build_plan(sc)
    ids = plan.twin_ids()
    assert len(ids) == 1000 and len(set(ids)) == 1000
    assert ids[0] == "CL-TRUCK-001" and ids[400] == "PE-TRUCK-001"
    assert plan.counts() == {"truck": 600, "mill": 100, "boiler": 300}
    assert sc.telemetry_every == 15 and sc.epoch_ticks == 60 and sc.total_ticks == 1440


def test_json_schema_accepts_shipped_scenarios_and_rejects_typos(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == json.loads(json.dumps(json_schema()))
    from ruamel.yaml import YAML

    demo = YAML(typ="safe").load((SCENARIOS / "demo.yaml").read_text())
    demo["start"] = str(demo["start"])
    jsonschema.validate(demo, schema)
    demo["fleet"][0]["params"] = {"paylod_t": 3}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(demo, schema)
