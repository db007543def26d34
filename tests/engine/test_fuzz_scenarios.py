"""Hostile scenarios: every mutation of a shipped scenario is refused naming a field or file, or
accepted and then runs (a few ticks, in process) with finite numbers in its tables.

Each case takes a shipped scenario (fully written out: every parameter, maintenance, esg and
risk field is a path to hit), puts a hostile value at a random field path (a wrong type, a huge,
tiny or non-finite number, odd text, a deep structure), adds an unknown key or drops one, and
hands it to `engine.scenario.loader.check` as a YAML file or as a mapping (the API's way in).
Seeded and
bounded (`derandomize=True`, fixed example counts), so CI sees the same cases on every run; each
case runs under a watchdog, so a hang fails the case instead of stalling the suite.
"""

from __future__ import annotations

import math
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from types import FrameType
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from aurum.engine.errors import AurumError, Problem
from aurum.engine.run.runner import simulate
from aurum.engine.scenario.loader import check
from aurum.engine.scenario.model import ScenarioBase, fleet_of
from tests.conftest import SCENARIOS

CASE_SECONDS = 20  # far above any case's real time; only a hang reaches it
# Bounded for CI (600 cases, about 40 s); a longer hunt: AURUM_FUZZ_CASES=5000 AURUM_FUZZ_RUNS=200
CASES = int(os.environ.get("AURUM_FUZZ_CASES", "400"))
MAX_RUNS = int(os.environ.get("AURUM_FUZZ_RUNS", "12"))  # accepted cases also run a few ticks
RUN_TWINS = 1_000  # a mutation that makes the fleet larger is checked but not run
SHIPPED = sorted(p for d in ("", "failures", "policies") for p in (SCENARIOS / d).glob("*.yaml"))
COUNTS = {"cases": 0, "accepted": 0, "refused": 0, "run": 0}


@cache
def base_tree(path: Path) -> dict[str, Any]:
    """A shipped scenario with every field written out (the `extends` chain merged)."""
    scenario, problems = check(path)
    assert scenario is not None, problems
    return scenario.model_dump(mode="json")


def paths_in(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths_in(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths_in(v, (*at, i))


def nested(depth: int) -> Any:
    node: Any = 1
    for _ in range(depth):
        node = [node]
    return node


ODD_TEXT = [
    "",
    " ",
    "no",
    "yes",
    "off",
    "null",
    "~",
    ".inf",
    ".nan",
    "inf",
    "-inf",
    "nan",
    "NaN",
    "99999999999d",
    "0.0000001s",
    "1.5s",
    "0s",
    "-1h",
    "36h",
    "1e400",
    "15m",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2026-01-05T00:00:00",
    "2026-01-05",
    "truck",
    "mill",
    "boiler",
    "antofagasta",
    "TRUCK-21",
    "MILL-3",
    "a" * 300,
    "é",
    "🙂",
    "tab\there",
    "line\nbreak",
    "bell\x07",
    "nul\x00",
    "../../etc/passwd",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 10_000_000, 10_000_001, 2**63, 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, -0.0, 1e-9, 0.5, math.inf, math.nan]),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=12),
)
hostile = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["id", "kind", "x", "count", "site"]), scalars, max_size=3),
    st.sampled_from([nested(40), nested(5), [[]], {}, []]),
)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, Any, str]:
    """(shipped scenario name, mutated tree, what was done)."""
    path = draw(st.sampled_from(SHIPPED))
    tree = _copy(base_tree(path))
    done = []
    for _ in range(draw(st.integers(1, 3))):
        paths = list(paths_in(tree))
        at = paths[draw(st.integers(0, len(paths) - 1))]
        op = draw(st.sampled_from(["replace", "replace", "replace", "add", "drop"]))
        value = draw(hostile)
        tree = _apply(tree, at, op, _copy(value))  # never mutate a shared sampled value
        done.append(f"{op} {at} {value!r:.60}")
    return path.name, tree, "; ".join(done)


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _apply(tree: Any, at: tuple[Any, ...], op: str, value: Any) -> Any:
    if not at:
        return value if op == "replace" else tree
    parent = tree
    for part in at[:-1]:
        parent = parent[part]
    key = at[-1]
    if op == "replace":
        parent[key] = value
    elif op == "drop":
        del parent[key]
    elif isinstance(parent, dict):
        parent[f"unknown_{len(parent)}"] = value
    else:
        parent.append(value)
    return tree


class HangError(Exception):
    pass


@contextmanager
def watchdog(seconds: int) -> Iterator[None]:
    def _alarm(signum: int, frame: FrameType | None) -> None:
        raise HangError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _as_file(tree: Any, folder: Path, n: int) -> Path:
    path = folder / f"case-{n}.yaml"
    with path.open("w", encoding="utf-8") as f:
        YAML(typ="rt").dump(tree, f)
    return path


def _short(sc: ScenarioBase) -> tuple[ScenarioBase, timedelta]:
    """The scenario cut to 3 ticks, keeping the injections that fall inside them."""
    span = sc.tick * 3
    kept = []
    for inj in sc.injections:
        at = inj.at - sc.start if isinstance(inj.at, datetime) else inj.at
        if at < span:
            until = inj.until - sc.start if isinstance(inj.until, datetime) else inj.until
            kept.append(inj if until is None or until <= span else inj.model_copy({"until": None}))
    return sc.model_copy(update={"injections": kept}), span


def _run_and_check_tables(sc: ScenarioBase, folder: Path) -> None:
    short, span = _short(sc)
    try:
        result = simulate(short, backend="local", out=folder / "runs", duration=span)
    except AurumError as e:  # refused at start (a capacity check): still one clear answer
        _assert_named(e.problems)
        return
    COUNTS["run"] += 1
    assert result.progress["status"] == "done"
    for name, rows in result.rows.items():
        if rows:
            _assert_finite(name, result.table(name))


# NaN by design in a 3-tick run of any shipped scenario: no risk score yet, no failure or
# repair to take a mean of, no tonnes to divide a cost by, no operating hour to divide tonnes
# by; a site's or the fleet's tonnes of several products (kpis: per product instead), and a
# match factor only for sites whose trucks share loaders.
UNDEFINED = {
    "risk", "mtbf_h", "mttr_h", "inherent_availability", "cost_per_t_usd",
    "cost_per_t_milled_usd", "production_t", "match_factor", "productivity_t_per_operating_h",
    "productivity_t_per_calendar_h",
}  # fmt: skip


def _assert_finite(name: str, table: pa.Table) -> None:
    for column in set(table.column_names) - UNDEFINED:
        values = table.column(column)
        if pa.types.is_floating(values.type):
            bad = [v for v in values.to_pylist() if v is not None and not math.isfinite(v)]
            assert not bad, f"{name}.{column}: {bad[:3]}"


def _assert_named(problems: list[Problem]) -> None:
    assert problems
    for p in problems:
        assert p.message and (p.path or p.file), p
        assert "Traceback" not in str(p)


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    print(f"\nfuzz cases: {COUNTS}")  # shown with -s: the count the closing note quotes


@settings(
    derandomize=True,
    database=None,
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutations(), as_file=st.booleans())
def test_mutated_scenarios_are_refused_by_field_or_run(
    case: tuple[str, Any, str], as_file: bool
) -> None:
    name, tree, what = case
    note(f"{name}: {what}")
    with tempfile.TemporaryDirectory() as tmp, watchdog(CASE_SECONDS):
        folder = Path(tmp)
        source: Any = _as_file(tree, folder, COUNTS["cases"]) if as_file else tree
        COUNTS["cases"] += 1
        scenario, problems = check(source)
        if scenario is None:
            COUNTS["refused"] += 1
            _assert_named(problems)
            return
        COUNTS["accepted"] += 1
        twins = sum(e.count or 1 for e in fleet_of(scenario))
        if COUNTS["run"] < MAX_RUNS and twins <= RUN_TWINS:
            _run_and_check_tables(scenario, folder)


@pytest.mark.parametrize(
    "text",
    [
        "name: x\nstart: 2026-01-05T00:00:00Z\nduration: 1h\nsites: {a: 1}\nfleet: 5\n",
        "name: [x]\nduration: [1h]\ntick: {a: b}\nsites: [[1]]\nfleet: [[1], 2, {site: [s]}]\n",
        "maintenance: {crews: [1], intervals_h: 3, thresholds: x}\ninjections: 7\n",
        "injections: [{twin: [a], kind: {x: 1}, anomaly: [z], at: [1], until: {}}]\n",
    ],
)
def test_wrong_shapes_are_problems_not_exceptions(text: str) -> None:
    with watchdog(CASE_SECONDS):
        scenario, problems = check(text)
    assert scenario is None
    _assert_named(problems)


SNIPPETS = [
    "a: &x [1, 2]\nb: [*x, *x]",
    "<<: {seed: 3}",
    "? [a, b]\n: c",
    "x: !!binary aGVsbG8=",
    "x: !!set {a}",
    "x: !foo bar",
    "x: *nowhere",
    "%YAML 1.1\n---",
    "---",
    "...",
    "- 1",
    "seed: 1e999",
    "seed: 0x1F",
    "seed: " + "9" * 5000,
    "start: 2026-13-45",
    "start: 9999-12-31T23:59:59-05:00",
    'x: "\\ud800"',
    'x: "\\x01"',
    "\t- tab",
    "{",
    "]",
    "x: " + "[" * 60 + "]" * 60,
    "extends: base.yaml",
    "extends: [a]",
    "study: s",
]


@settings(derandomize=True, database=None, max_examples=CASES // 2, deadline=None)
@given(
    shipped=st.sampled_from(["demo.yaml", "fleet-1k.yaml", "policies/fleet.yaml"]),
    line=st.integers(0, 60),
    snippet=st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=20)),
)
def test_hostile_yaml_text_is_refused_by_line_or_read(
    shipped: str, line: int, snippet: str
) -> None:
    lines = (SCENARIOS / shipped).read_text(encoding="utf-8").splitlines()
    lines.insert(min(line, len(lines)), snippet)
    with tempfile.TemporaryDirectory() as tmp, watchdog(CASE_SECONDS):
        path = Path(tmp) / "case.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
        COUNTS["cases"] += 1
        scenario, problems = check(path)
    if scenario is None:
        _assert_named(problems)
