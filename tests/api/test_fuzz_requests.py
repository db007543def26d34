"""Hostile requests (hypothesis, seeded and bounded): POST /runs bodies with overrides and
scenario fields of the wrong type, huge, tiny and non-finite numbers, deep nesting, unknown
fields, non-UTF-8 bytes and oversize bodies; GET endpoints with hostile paths and queries.

Every answer is a 2xx, or a 4xx with a JSON `detail` (and, for a body, `problems` each naming a
field or the request) — never a 5xx, never a hang. Accepted runs are planned by the engine,
not started. Deterministic: derandomized, fixed example counts, no deadline.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurum.api.launch import Launch
from aurum.api.main import create_app
from tests.api.conftest import AUTH, PlannedRun, TestClient, make_settings, small_fleet

FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
BODY_LIMIT = 20_000
# Examples per test (each a request, two for fields and GETs): 1,300 requests in all.
OVERRIDE_CASES, FIELD_CASES, BYTES_CASES, GET_CASES = 250, 200, 150, 250
OVERRIDES = ["seed", "duration", "epoch", "speed", "twins_per_actor"]
FIELDS = [  # paths into a scenario mapping the fuzzer replaces
    ("name",), ("seed",), ("start",), ("duration",), ("tick",), ("epoch",), ("sites",),
    ("sites", 0), ("sites", 0, "id"), ("sites", 0, "country"), ("fleet",), ("fleet", 0),
    ("fleet", 0, "count"), ("fleet", 0, "kind"), ("fleet", 0, "site"), ("fleet", 0, "params"),
    ("fleet", 2, "id"), ("injections",), ("risk",), ("risk", "models"), ("risk", "interval"),
    ("maintenance",), ("maintenance", "policy"), ("output",), ("output", "telemetry_resolution"),
    ("execution",), ("execution", "twins_per_actor"), ("esg",), ("extends",),
]  # fmt: skip
SEEN: Counter[str] = Counter()  # requests made, and answers by status

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**63, 2**64, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e-300, 5e-324, 1e308, -0.0]),
)
DURATIONS = ["99999999999d", "1e9w", "0.0000001s", "0s", "-1h", "nan", "inf", "1h", "1 h",
             "15m", "2h", "1d", "9" * 30 + "w", "0.5s", "", " ", "1h" * 100]  # fmt: skip
TIMES = ["9999-12-31T23:59:59Z", "9999-01-01", "0001-01-01T00:00:00Z", "2026-01-05T00:00:00",
         "2026-13-45T99:00:00Z", "yesterday", "2026-01-05T00:00:00+25:00", "1e10"]  # fmt: skip
TEXTS = ["..", "../..", "%2e%2e", "-1", "1e999", "NaN", "99999999999999999999",
         "9999-12-31T23:59:59Z", "0001-01-01", "\x00", "TRUCK-21", "truck"]  # fmt: skip
durations = st.one_of(
    st.sampled_from(DURATIONS),
    st.builds(
        "{}{}".format,
        st.decimals(min_value=0, max_value=10**15, places=7, allow_nan=False).map(str),
        st.sampled_from(["s", "min", "h", "d", "w"]),
    ),
)
times = st.sampled_from(TIMES)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    durations,
    times,
    st.text(max_size=40),
    st.text(alphabet="\x00\x01\x1b\u202e\ud7ff\ufffe", max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def real(value: Any) -> Any:
    """The value with each ("deep", n) marker as a placeholder that `_post` nests n deep in the
    JSON text (hypothesis cannot print, nor json.dumps write, a value nested thousands deep)."""
    if isinstance(value, tuple):
        return f"<deep:{value[1]}:{value[0]}>"
    if isinstance(value, list):
        return [real(v) for v in value]
    if isinstance(value, dict):
        return {k: real(v) for k, v in value.items()}
    return value


DEEP = re.compile(r'"<deep:(\d+):(deep|deep-map)>"')


def _nest(m: re.Match[str]) -> str:
    n = int(m.group(1))
    inner = "[" * n + "1" + "]" * n
    return inner if m.group(2) == "deep" else '{"a": ' + inner + "}"


hostile = st.one_of(
    values,
    st.tuples(st.just("deep"), st.integers(min_value=50, max_value=3000)),
    st.tuples(st.just("deep-map"), st.integers(min_value=1, max_value=40)),
)


def _plan(runs: Path) -> Any:
    def start(job: Launch) -> PlannedRun:
        return PlannedRun(job, runs)

    return start


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory, runs_dir: Path, stored_id: str
) -> Iterator[TestClient]:
    """An app on a copy of the stored run plus a corrupt folder; accepted runs are planned."""
    import shutil

    runs = tmp_path_factory.mktemp("fuzz-runs")
    shutil.copytree(runs_dir / stored_id, runs / stored_id)
    (runs / "corrupt-20250101T000000Z-0000").mkdir()
    (runs / "corrupt-20250101T000000Z-0000" / "manifest.json").write_bytes(b"\xff{")
    app = create_app(
        make_settings(runs, max_twins=50, max_duration="2d", max_body_bytes=BODY_LIMIT)
    )
    app.state.manager.start = _plan(runs)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def check(r: Any, *, body: bool = False) -> dict[str, Any]:
    """A 2xx or a 4xx with a JSON detail (and problems naming a field or the request)."""
    SEEN["requests"] += 1
    SEEN[str(r.status_code)] += 1
    assert r.status_code < 500, (r.request.method, str(r.request.url)[:200], r.text[:500])
    if r.status_code < 400:
        return {}
    doc: dict[str, Any] = r.json()
    assert isinstance(doc["detail"], str) and doc["detail"], doc
    assert isinstance(doc["problems"], list)
    if body and r.status_code == 422:
        assert doc["problems"], doc
        for p in doc["problems"]:
            assert p["path"] or p["file"] == "<request>", doc
    return doc


def _post(c: TestClient, payload: Any, query: str = "") -> Any:
    text = DEEP.sub(_nest, json.dumps(payload, allow_nan=True))
    return c.post(
        f"/runs{query}", content=text, headers=AUTH | {"Content-Type": "application/json"}
    )


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Put `value` at `path` when the path exists up to its last step."""
    node = data
    for step in path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    fits_list = isinstance(node, list) and isinstance(last, int) and last < len(node)
    if fits_list or (isinstance(node, dict) and isinstance(last, str)):
        node[last] = value


@settings(FUZZ, max_examples=OVERRIDE_CASES)
@given(
    scenario=st.sampled_from(["demo", "failures/truck-tyres", "nope", "../demo", "small"]),
    overrides=st.dictionaries(
        st.one_of(st.sampled_from(OVERRIDES), st.text(max_size=10)), hostile, max_size=3
    ),
)
def test_post_runs_with_hostile_overrides(
    fuzzed: TestClient, scenario: str, overrides: dict[str, Any]
) -> None:
    named = small_fleet("1h") if scenario == "small" else scenario
    payload = {**real(overrides), "scenario": named}
    r = _post(fuzzed, payload)
    doc = check(r, body=True)
    unknown = {k for k in overrides if k not in OVERRIDES and k not in ("", "scenario")}
    whole = any(not p["path"] for p in doc.get("problems", []))  # e.g. nested too deeply
    if unknown and not whole:  # a field the API does not know is refused by name, not ignored
        assert r.status_code == 422 and unknown <= {p["path"] for p in doc["problems"]}, doc


@settings(FUZZ, max_examples=FIELD_CASES)
@given(
    changes=st.lists(st.tuples(st.sampled_from(FIELDS), hostile), min_size=1, max_size=3),
    extra=st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=2),
)
def test_post_runs_with_hostile_scenario_fields(
    fuzzed: TestClient, changes: list[tuple[tuple[str | int, ...], Any]], extra: dict[str, Any]
) -> None:
    data = small_fleet("1h") | extra
    for path, value in changes:
        _set(data, path, real(value))
    check(_post(fuzzed, {"scenario": data}), body=True)
    check(_post(fuzzed, data, "?duration=1h&seed=1"), body=True)  # a bare scenario


@settings(FUZZ, max_examples=BYTES_CASES)
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.integers(min_value=1, max_value=200_000).map(lambda n: b"[" * n),
        st.integers(min_value=1, max_value=50_000).map(lambda n: b'{"a":' * n),
        st.integers(min_value=BODY_LIMIT + 1, max_value=3 * BODY_LIMIT).map(lambda n: b" " * n),
        st.sampled_from([b"", b"null", b"1e999999", b"-" * 10, b"\xef\xbb\xbf{}", b"NaN"]),
    ),
    content_type=st.sampled_from(["application/json", "text/yaml", "", "image/png"]),
)
def test_post_runs_with_hostile_bytes(fuzzed: TestClient, raw: bytes, content_type: str) -> None:
    headers = AUTH | ({"Content-Type": content_type} if content_type else {})
    r = fuzzed.post("/runs", content=raw, headers=headers)
    doc = check(r, body=True)
    if len(raw) > BODY_LIMIT:
        assert r.status_code == 422 and "too large" in doc["detail"]


RUN_PATHS = ["", "/fleet", "/twins", "/twins/{x}", "/alerts", "/events", "/emissions",
             "/telemetry", "/stream"]  # fmt: skip
QUERY_KEYS = ["offset", "limit", "twin", "kind", "site", "state", "detail", "event", "start",
              "end", "group_by", "gwp", "scope2", "channels", "api_key"]  # fmt: skip
texts = st.one_of(st.text(max_size=30), st.sampled_from(TEXTS), st.integers().map(str))


@settings(FUZZ, max_examples=GET_CASES)
@given(
    run=st.one_of(st.sampled_from(["STORED", "corrupt-20250101T000000Z-0000"]), texts),
    sub=st.sampled_from(RUN_PATHS),
    twin=texts,
    query=st.lists(st.tuples(st.sampled_from(QUERY_KEYS), texts), max_size=4),
)
def test_get_endpoints_with_hostile_paths_and_queries(
    fuzzed: TestClient, stored_id: str, run: str, sub: str, twin: str, query: list[tuple[str, str]]
) -> None:
    run_id = stored_id if run == "STORED" else run
    if sub == "/stream" and run == "STORED":
        sub = ""  # a finished run's stream is a test of its own (test_stream.py)
    path = f"/runs/{quote(run_id, safe='')}{sub.replace('{x}', quote(twin, safe=''))}"
    qs = "&".join(f"{k}={quote(v, safe='')}" for k, v in query)
    check(fuzzed.get(f"{path}?{qs}" if qs else path))
    check(fuzzed.get(f"/runs?{qs}" if qs else "/runs"))


def test_the_fuzzers_made_the_requests_they_promise() -> None:
    """Runs after the fuzz tests in this module: every example made its request(s), and the
    answers span acceptance, reads and each kind of refusal (the fuzz reached past the gate)."""
    if SEEN["requests"]:
        assert SEEN["requests"] == OVERRIDE_CASES + 2 * FIELD_CASES + BYTES_CASES + 2 * GET_CASES
        assert {"200", "202", "404", "409", "422"} <= set(SEEN), SEEN
        print(dict(SEEN))
