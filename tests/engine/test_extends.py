"""Scenario variants: `extends:` merges deeply, patches lists by id, reports in the right file."""

from __future__ import annotations

from engine.loader import check, load
from engine.scenario import fleet_of
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
