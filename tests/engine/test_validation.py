"""`aurum validate`: every problem at once, with line, field path, value and what is accepted."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from aurum.engine.cli.main import main
from aurum.engine.errors import ScenarioError
from aurum.engine.scenario.loader import check, load
from aurum.engine.scenario.model import json_schema
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
    from aurum.engine.run.plan import build_plan

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


# --- what a person may point `aurum validate` at (issue 15) --------------------------------

GOOD = """name: t
start: 2026-01-05T00:00:00Z
duration: 2h
sites:
  - id: s
    country: CL
    road: {segments: [{length_m: 300, grade_pct: 0.0}]}
fleet:
  - {kind: truck, id: T1, site: s}
"""
FILE = "a .yaml, .yml or .json scenario file (JSON is read as YAML)"


def _one(source: object) -> tuple[str, str, object, int | None, str]:
    scenario, problems = check(source)  # type: ignore[arg-type]
    assert scenario is None and len(problems) == 1, problems
    p = problems[0]
    return p.message, p.path, p.value, p.line, p.accepted


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("s.txt", GOOD, ("not a scenario file name (suffix '.txt')", "", None, None, FILE)),
        ("s", GOOD, ("not a scenario file name (suffix 'none')", "", None, None, FILE)),
        (
            "e.yaml",
            "  \n",
            ("the file is empty", "", None, None, "name:, start:, duration:, sites:, fleet:"),
        ),
        (
            "b.yaml",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            ("a binary file, not YAML text", "", None, None, FILE),
        ),
        (
            "l.yaml",
            b"name: t\ndescription: caf\xe9\n",
            ("not UTF-8 text (byte 0xe9)", "", None, 2, "a file saved as UTF-8"),
        ),
        (
            "c.yaml",
            "name: t\x07\n",
            ("control character U+0007 in the text", "", None, 1, "printable text"),
        ),
        (
            "d.yaml",
            "name: t\ndescription: " + "[" * 1000 + "]" * 1000 + "\n",
            (
                "nested more than 32 levels deep",
                "",
                None,
                None,
                "at most 32 levels of mappings and lists",
            ),
        ),
        (
            "s.yaml",
            "study: x\ngrid: {}\n",
            (
                "this is a study file, not a scenario: use `aurum study FILE`",
                "",
                None,
                None,
                "a scenario (name:, start:, duration:, sites:, fleet:)",
            ),
        ),
    ],
)
def test_files_that_are_not_scenarios(
    tmp_path: Path, name: str, content: str | bytes, expected: tuple[object, ...]
) -> None:
    assert _one(_write(tmp_path, name, content)) == expected


def test_a_folder_and_a_missing_path(tmp_path: Path) -> None:
    assert _one(tmp_path) == ("a folder, not a scenario file", "", None, None, FILE)
    assert _one(tmp_path / "no.yaml") == ("no such scenario file", "", None, None, FILE)


def test_alias_bomb_is_refused_by_its_size_not_expanded(tmp_path: Path) -> None:
    lines = ["name: t", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    bomb = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    msg = "too many values (YAML aliases count each time they are used)"
    assert _one(bomb) == (msg, "", None, None, "at most 1,000,000 values")


def test_a_json_scenario_is_read_as_yaml(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(GOOD)
    data["start"] = data["start"].isoformat()
    scenario, problems = check(_write(tmp_path, "s.json", json.dumps(data, indent="\t")))
    assert problems == [] and scenario is not None and scenario.name == "t"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("id: T1, site: s", "id: T1, site: [s]"),
            ("Input should be a valid string", "fleet[0].site", "text"),
        ),
        (("- id: s\n", "- id: [s]\n"), ("Input should be a valid string", "sites[0].id", "text")),
        (
            ("fleet:", "maintenance: {crews: [1, 2]}\nfleet:"),
            (
                "Input should be a valid dictionary",
                "maintenance.crews",
                "a mapping of `key: value` lines",
            ),
        ),
        (
            ("fleet:", "maintenance: {intervals_h: 5}\nfleet:"),
            (
                "Input should be a valid dictionary",
                "maintenance.intervals_h",
                "a mapping of `key: value` lines",
            ),
        ),
    ],
)
def test_wrong_shapes_are_named_by_the_model(
    edit: tuple[str, str], expected: tuple[str, str, str]
) -> None:
    scenario, problems = check(GOOD.replace(*edit))
    assert scenario is None
    assert [(p.message, p.path, p.accepted) for p in problems] == [expected]


def test_twins_are_counted_before_they_are_listed() -> None:
    fleet = "fleet:\n" + "".join(
        f"  - {{kind: truck, count: 10000000, id_prefix: {c}, site: s}}\n" for c in "ABC"
    )
    _, problems = check(GOOD.split("fleet:", maxsplit=1)[0] + fleet)
    (p,) = problems
    assert (p.path, p.message) == ("fleet", "30,000,000 twins in all, across 3 entries")
    assert p.accepted == "at most 10,000,000 twins in one scenario"


def test_generated_ids_that_clash_are_found_without_listing_them() -> None:
    fleet = "fleet:\n  - {kind: truck, count: 1000000, id_prefix: T, site: s}\n"
    fleet += "  - {kind: truck, count: 10, id_prefix: T00000, site: s}\n"
    fleet += "  - {kind: truck, id: T0999999, site: s}\n"
    _, problems = check(GOOD.split("fleet:", maxsplit=1)[0] + fleet)
    assert [(p.path, p.value, p.message) for p in problems] == [
        ("fleet[1]", "T0000001", "duplicate twin id (also in fleet[0])"),
        ("fleet[2]", "T0999999", "duplicate twin id (also in fleet[0])"),
    ]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", '"inf"', '"nan"', "1e400"])
def test_non_finite_numbers_are_refused(value: str) -> None:
    text = GOOD.replace("id: T1, site: s}", f"id: T1, site: s, params: {{payload_t: {value}}}}}")
    assert "params" in text
    message, path, _, _, accepted = _one(text)
    assert (message, path) == ("Input should be a finite number", "fleet[0].params.payload_t")
    assert accepted == "a number > 0 and ≤ 500 [t]"


@pytest.mark.parametrize("value", [".inf", '"inf"', '"Infinity"'])
def test_non_finite_numbers_in_models_of_other_layers_are_refused(value: str) -> None:
    # esg's factor override accepts any value ≥ 0, inf included: the loader's walks refuse it
    override = f"{{target: grid, value: {value}, unit: kg/kWh, source: meter}}"
    text = GOOD.replace("country: CL\n", f"country: CL\n    esg: {{overrides: [{override}]}}\n")
    message, path, got, line, accepted = _one(text)
    assert (message, path, got, line) == (
        "not a finite number",
        "sites[0].esg.overrides[0].value",
        "inf",
        7,
    )
    assert accepted == "a finite number"


INJECT = "injections:\n  - {twin: T1, mode: tyres, severity: 0.5, at: %s}\n"


def test_injection_time_without_a_zone_is_utc_and_runs(tmp_path: Path) -> None:
    from aurum.engine.run.runner import simulate

    sc = load(GOOD + INJECT % "2026-01-05T01:00:00")
    (inj,) = sc.injections
    assert inj.at.isoformat() == "2026-01-05T01:00:00+00:00"  # type: ignore[union-attr]
    result = simulate(sc, backend="local", out=tmp_path)
    assert result.progress["status"] == "done"


@pytest.mark.parametrize(
    ("injection", "expected"),
    [
        (
            "{twin: T1, mode: tyres, at: 2026-01-04T00:00:00Z}",
            (
                "outside the simulated span",
                "injections[0].at",
                "2026-01-04T00:00:00+00:00",
                "a time within 2h of the start (2026-01-05T00:00:00+00:00)",
            ),
        ),
        (
            "{twin: T1, sensor: payload_t, fault: stuck, at: 1h, until: 30min}",
            ("ends before it starts", "injections[0].until", "30min", "a time after `at` (1h)"),
        ),
        (
            '{twin: T1, mode: tyres, at: "2026-01-04T00:00:00Z"}',
            (
                "outside the simulated span",
                "injections[0].at",
                "2026-01-04T00:00:00Z",
                "a time within 2h of the start (2026-01-05T00:00:00+00:00)",
            ),
        ),
    ],
)
def test_injection_times_out_of_order_or_span(injection: str, expected: tuple[str, ...]) -> None:
    message, path, value, _, accepted = _one(GOOD + f"injections:\n  - {injection}\n")
    assert (message, path, value, accepted) == expected


def test_a_start_whose_end_is_past_the_calendar() -> None:
    message, path, value, line, accepted = _one(GOOD.replace("2026-01-05", "9999-06-01"))
    assert (message, path, value, line) == (
        "the run would end after 9000-01-01",
        "start",
        "9999-06-01T00:00:00+00:00",
        2,
    )
    assert accepted == (
        "a start by 8999-12-31T22:00:00+00:00 for a duration of 2h "
        "(the end at most 9000-01-01T00:00:00+00:00)"
    )


def test_a_number_is_not_a_time() -> None:
    # pydantic would read it as seconds since 1970: an injection silently before the run
    message, path, value, _, accepted = _one(GOOD + INJECT % "5")
    assert (message, path, value) == ("a number is not a time", "injections[0].at", 5)
    assert accepted == (
        'an ISO time such as 2026-01-05T06:00:00Z, or a duration from the start such as "36h"'
    )
    message, path, value, _, accepted = _one(GOOD.replace("2026-01-05T00:00:00Z", "2026"))
    assert (message, path, value) == ("a number is not a time", "start", 2026)
    assert accepted == "an ISO time: 2026-01-05T00:00:00Z"


def test_deep_flow_brackets_are_refused_before_yaml_parses_them(tmp_path: Path) -> None:
    """2,000 nested `[` took ruamel ~9 s to build before the depth check saw the tree."""
    from aurum.engine.scenario.file import _flow_depth

    path = tmp_path / "deep.yaml"
    path.write_text("name: x\nfleet: " + "[" * 2000 + "]" * 2000 + "\n")
    _, problems = check(path, file="deep.yaml")
    assert [p.message for p in problems] == ["nested more than 32 levels deep"]
    assert _flow_depth("a: [1, [2, {b: 3}]]") == 0  # few brackets: not scanned
    assert _flow_depth("x: " + "[" * 40 + "]" * 40) == 40
    assert _flow_depth("a: '" + "[" * 40 + "'\n# " + "{" * 40) == 0  # quoted, comment
