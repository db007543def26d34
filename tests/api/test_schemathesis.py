"""Property-based requests over the whole OpenAPI spec (schemathesis): never a 5xx, and every
answer matches its documented schema, status code and content type."""

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

from api.main import create_app
from tests.api.conftest import AUTH, make_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Limits that keep any run the generator manages to start tiny.
LIMITS = {"max_twins": 4, "max_duration": "1h", "max_live_runs": 1, "max_actors": 4}
RUNS = Path(tempfile.mkdtemp(prefix="aurum-schemathesis-"))
app = create_app(make_settings(RUNS, **LIMITS))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def stored_run(ray_session: None, runs_dir: Path, stored_id: str) -> Iterator[None]:
    """The app's runs folder holds the finished test run (so some ids exist)."""
    shutil.copytree(runs_dir / stored_id, RUNS / stored_id)
    yield
    app.state.manager.close()
    shutil.rmtree(RUNS, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_answers_match_the_spec(case: Any) -> None:
    case.call_and_validate(headers=AUTH, checks=CHECKS)
