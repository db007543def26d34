"""Scenario variants: `extends:` merges deeply, patches lists by id, reports in the right file."""

from __future__ import annotations

from aurum.engine.scenario.loader import check, load
from aurum.engine.scenario.model import fleet_of
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "extends"


def test_child_patches_by_id_removes_and_appends() -> None:
    sc = load(DATA / "child.yaml")
    fleet = {e.id: e for e in fleet_of(sc)}
    assert list(fleet) == ["T-1", "B-1", "T-2"]
    assert fleet["T-1"].params.payload_t == 250.0  # patched
    assert fleet["T-1"].site == "s1"  # kept from the base
    assert fleet["T-2"].params.payload_t == 227.0  # appended with defaults
    assert sc.name == "child" and sc.seed == 3  # scalars: override wins, the rest inherited
    assert [s.country for s in sc.sites] == ["CL", "PE"]
    assert sc.sites[0].road is not None  # deep merge keeps what the child does not say


def test_chain_of_three_and_problems_point_at_the_file_that_wrote_them() -> None:
    sc, problems = check(DATA / "grandchild.yaml")
    assert sc is None and len(problems) == 1
    p = problems[0]
    assert p.path == "fleet[2].params.payloadd_t"
    assert p.file.endswith("grandchild.yaml") and p.line == 5
    assert "did you mean 'payload_t'" in p.message


def test_cycles_are_reported() -> None:
    _, problems = check(DATA / "loop-a.yaml")
    assert len(problems) == 1 and "cycle" in problems[0].message
    assert "loop-a.yaml → loop-b.yaml → loop-a.yaml" in problems[0].message


def test_missing_base_is_reported_with_its_line(tmp_path: object) -> None:
    from pathlib import Path

    child = Path(str(tmp_path)) / "c.yaml"
    child.write_text("name: c\nextends: nowhere.yaml\n", encoding="utf-8")
    _, problems = check(child)
    assert problems[0].message == "no such base scenario" and problems[0].line == 2


def _child(tmp_path: object, text: str) -> tuple[object, list[object]]:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "base.yaml").write_text((DATA / "base.yaml").read_text(), encoding="utf-8")
    child = folder / "c.yaml"
    child.write_text(text, encoding="utf-8")
    return check(child)


def test_remove_must_be_a_boolean_not_the_text_no(tmp_path: object) -> None:
    # YAML 1.2: `no` is the text "no", which removed the twin it was meant to keep
    sc, problems = _child(tmp_path, "extends: base.yaml\nfleet:\n  - {id: M-1, remove: no}\n")
    assert sc is None
    (p,) = problems
    assert (p.path, p.value, p.line, p.accepted) == ("fleet[0].remove", "no", 3, "true, false")
    assert p.message == "`remove` must be true or false"
    assert p.file.endswith("c.yaml")


def test_remove_false_keeps_and_an_unknown_id_to_remove_is_refused(tmp_path: object) -> None:
    sc, problems = _child(tmp_path, "extends: base.yaml\nfleet:\n  - {id: M-1, remove: false}\n")
    assert sc is not None and [e.id for e in fleet_of(sc)] == ["T-1", "M-1", "B-1"]
    sc, problems = _child(tmp_path, "extends: base.yaml\nfleet:\n  - {id: M-9, remove: true}\n")
    (p,) = problems
    assert (p.path, p.value, p.message) == (
        "fleet[0].remove",
        "M-9",
        "no such id in the base to remove",
    )
    assert p.accepted == "an id of the base's fleet: T-1, M-1, B-1"


def test_a_base_that_is_not_a_mapping_is_refused(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "list.yaml").write_text("- 1\n- 2\n", encoding="utf-8")
    (folder / "c.yaml").write_text("name: c\nextends: list.yaml\n", encoding="utf-8")
    _, problems = check(folder / "c.yaml")
    (p,) = problems
    assert p.message == "the base scenario is a list, not a mapping of fields"
    assert (p.path, p.value, p.line) == ("extends", "list.yaml", 2)


def test_ids_of_the_wrong_shape_replace_the_list_instead_of_crashing(tmp_path: object) -> None:
    text = "extends: base.yaml\nfleet:\n  - {id: [T-1], remove: true}\n  - 5\n"
    sc, problems = _child(tmp_path, text)
    assert sc is None
    assert {p.path for p in problems} == {"fleet[0]", "fleet[1]"}
