"""Property-based requests over the whole OpenAPI spec (schemathesis): never a 5xx, and every
answer matches its documented schema, status code and content type.

Deterministic: hypothesis derandomized (the same cases every run), bounded examples, no
deadline; runs the API accepts are planned by the engine but not started (no Ray, no timing:
a run's progress cannot change the answers from one run of the suite to the next).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aurum.api.launch import Launch
from aurum.api.main import create_app
from tests.api.conftest import AUTH, PlannedRun, make_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Limits that keep any run the generator manages to plan tiny.
LIMITS = {"max_twins": 4, "max_duration": "1h", "max_live_runs": 1, "max_actors": 4}
RUNS = Path(tempfile.mkdtemp(prefix="aurum-schemathesis-"))
app = create_app(make_settings(RUNS, **LIMITS))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


def _plan(job: Launch) -> PlannedRun:
    return PlannedRun(job, RUNS)


@pytest.fixture(scope="module", autouse=True)
def stored_run(runs_dir: Path, stored_id: str) -> Iterator[None]:
    """The app's runs folder holds the finished test run (so some ids exist) and a corrupt
    folder; accepted runs are planned, not started."""
    shutil.copytree(runs_dir / stored_id, RUNS / stored_id)
    (RUNS / "corrupt-20250101T000000Z-0000").mkdir()
    (RUNS / "corrupt-20250101T000000Z-0000" / "manifest.json").write_text("[")
    app.state.manager.start = _plan
    yield
    shutil.rmtree(RUNS, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_answers_match_the_spec(case: Any) -> None:
    case.call_and_validate(headers=AUTH, checks=CHECKS)
