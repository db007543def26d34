"""The docs a clone can follow: every link and file they name exists in the repository, they
point at nothing outside it and at no project-history issue, and the counts they give are true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE = re.compile(r"`([^`\n]+)`")
TOP = ("api/", "engine/", "esg/", "physics/", "twins/", "scenarios/", "tests/", "benchmarks/")
OUTSIDE = re.compile(
    r"\.\./shared|\bshared/(?:reference|ARCHITECTURE)|\bmachines\.md|emission-factors\.md"
)
ISSUE = re.compile(r"\bissues?\s+#?\d+|\(#\d+\)", re.IGNORECASE)


def _name(doc: Path) -> str:
    return doc.relative_to(ROOT).as_posix()


def _lines(doc: Path) -> list[tuple[int, str]]:
    return list(enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1))


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_every_relative_link_resolves_to_a_file_in_the_repository(doc: Path) -> None:
    broken = []
    for n, line in _lines(doc):
        for target in LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                continue  # a web address, mailto:, or an anchor on the same page
            path = (doc.parent / target.split("#")[0]).resolve()
            if not path.exists() or not path.is_relative_to(ROOT):
                broken.append(f"{_name(doc)}:{n}: {target}")
    assert not broken, "links to nothing in a clone:\n" + "\n".join(broken)


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_every_repository_path_named_in_code_spans_exists(doc: Path) -> None:
    missing = []
    for n, line in _lines(doc):
        for span in CODE.findall(line):
            path = span.split()[0].rstrip(".,:;)").split("::")[0]
            if not path.startswith(TOP) or re.search(r"[*<>{}…$]", path):
                continue  # not a path, or a pattern / placeholder (runs/<id>/, *.yaml)
            if not (ROOT / path).exists():
                missing.append(f"{_name(doc)}:{n}: {path}")
    assert not missing, "paths a clone lacks:\n" + "\n".join(missing)


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_no_doc_points_outside_the_repository_or_at_issue_numbers(doc: Path) -> None:
    found = [
        f"{_name(doc)}:{n}: {line.strip()}"
        for n, line in _lines(doc)
        if OUTSIDE.search(line) or ISSUE.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_studies_page_counts_variants_and_replications_as_the_files_have_them(
    tmp_path: Path,
) -> None:
    from aurum.engine.studies.plan import plan_study

    text = (ROOT / "docs" / "studies.md").read_text(encoding="utf-8")
    claims = list(re.finditer(r"(\d+)\s+variants\s+×\s+(\d+)\s+replications", text))
    assert len(claims) >= 3
    for claim in claims:
        named = re.findall(r"([\w-]+)\.yml", text[: claim.start()])
        assert named, f"no study file named before {claim.group(0)!r}"
        plan = plan_study(ROOT / "scenarios" / "studies" / f"{named[-1]}.yml", out=tmp_path)
        counted = (len(plan.variants), plan.study.replications)
        stated = (int(claim.group(1)), int(claim.group(2)))
        assert stated == counted, f"{named[-1]}.yml: docs say {stated}, the file has {counted}"
