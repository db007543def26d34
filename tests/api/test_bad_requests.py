"""Bad requests are the user's (4xx naming the field), the service's failures are 503 with
Retry-After, an unexpected error is a JSON 500 that keeps the connection, and a request names
risk models only by the names the server offers."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from aurum.api.errors import (
    BusyError,
    ConflictError,
    RunNotFoundError,
    UnreadableRunError,
    status_of,
)
from aurum.api.launch import model_names
from aurum.api.main import create_app
from aurum.engine.errors import AurumError, Problem, RunError, ScenarioError
from aurum.engine.run.manifest import ManifestError
from aurum.twins.risk.model import MODELS_DIR
from tests.api.conftest import AUTH, PlannedRun, TestClient, make_settings, small_fleet

Planning = tuple[TestClient, list[PlannedRun]]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (RunError(Problem("cannot join Ray: ConnectionError", "address", "10.0.0.9:6379")), 503),
        (RunError(Problem("actors cannot start: RayActorError")), 503),
        (RunError(Problem("cannot create the run folder", "output.directory", "runs")), 503),
        (RunError(Problem("the card is for kind 'truck', not 'mill'", "risk.models.mill")), 422),
        (
            RunError(Problem("clear level 0.7 is not below alert level 0.6", "risk.clear_level")),
            422,
        ),
        (RunError(Problem("does not fit in this machine's memory", "fleet", "1,000 twins")), 422),
        (RunError([Problem("no actor", "address"), Problem("too big", "fleet")]), 422),
        (ManifestError(Problem("not valid JSON", file="runs/x/manifest.json")), 422),
        (RunNotFoundError(Problem("no run of that id", "run_id", "x")), 404),
        (UnreadableRunError("x", "manifest.json: not valid JSON"), 409),
        (ConflictError(Problem("not live", "run_id", "x")), 409),
        (BusyError(Problem("too many runs in progress")), 429),
        (ScenarioError(Problem("too long", "duration", "99999999999d")), 422),
    ],
)
def test_the_users_mistakes_are_4xx_and_only_the_services_failures_503(
    error: AurumError, status: int
) -> None:
    assert status_of(error) == status


def test_an_unreachable_cluster_is_503_with_retry_after(tmp_path: Path) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> None:
        msg = "cannot join Ray: ConnectionError: no cluster at 10.0.0.9:6379"
        raise RunError(Problem(msg, "address", "10.0.0.9:6379"))

    app = create_app(make_settings(tmp_path), starter=unreachable)
    with TestClient(app) as c:
        r = c.post("/runs", json={"scenario": small_fleet("1h")}, headers=AUTH)
    assert r.status_code == 503 and r.headers["retry-after"] == "10"
    assert (
        r.json()["detail"].startswith("cannot join Ray")
        and r.json()["problems"][0]["path"] == "address"
    )


def test_a_run_too_big_for_this_machine_is_the_users_to_change(tmp_path: Path) -> None:
    def too_big(*args: Any, **kwargs: Any) -> None:
        msg = "4 twins in 4 shards need ~90 GiB; this machine has 8 GiB"
        raise RunError(Problem(msg, "fleet", "4 twins", accepted="larger shards"))

    app = create_app(make_settings(tmp_path), starter=too_big)
    with TestClient(app) as c:
        r = c.post("/runs", json={"scenario": small_fleet("1h")}, headers=AUTH)
    assert r.status_code == 422 and "retry-after" not in r.headers
    assert r.json()["problems"][0] | {"value": None} == {
        "message": "4 twins in 4 shards need ~90 GiB; this machine has 8 GiB",
        "path": "fleet", "value": None, "file": "", "line": None, "accepted": "larger shards",
    }  # fmt: skip


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, int, Any]]:
    """The app behind a real uvicorn on a free port (keep-alive is a property of the server)."""
    app = create_app(make_settings(tmp_path))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not server.started and time.monotonic() < end:
        time.sleep(0.02)
    yield "127.0.0.1", port, app
    server.should_exit = True
    thread.join(10)


def test_an_unexpected_error_is_a_json_500_that_keeps_the_connection(
    served: tuple[str, int, Any], caplog: pytest.LogCaptureFixture
) -> None:
    host, port, app = served

    def boom(run_id: str) -> None:
        raise RuntimeError("internals")

    app.state.manager.get = boom
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/runs/any-run")
    r = conn.getresponse()
    body = json.loads(r.read())
    assert r.status == 500 and r.getheader("content-type") == "application/json"
    assert r.getheader("connection") != "close"
    assert body["detail"].startswith("internal error (reference ") and body["problems"] == []
    ref = body["detail"].split("reference ")[1].split(")")[0]
    assert f"internal error {ref} on GET /runs/any-run" in caplog.text
    sock = conn.sock
    conn.request("GET", "/healthz")  # the same connection answers the next request
    r = conn.getresponse()
    assert r.status == 200 and json.loads(r.read())["status"] == "ok"
    assert conn.sock is sock and sock is not None
    conn.close()


def test_a_bad_value_json_cannot_hold_is_answered_as_text(planning: Planning) -> None:
    c, planned = planning
    body = '{"scenario": {"name": "x", "seed": NaN, "start": "2026-01-05T00:00:00Z"}}'
    r = c.post("/runs", content=body, headers=AUTH | {"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    seed = next(p for p in r.json()["problems"] if p["path"] == "seed")
    assert seed["value"] == "nan" and not planned


def test_requests_name_risk_models_by_name_and_learn_nothing_of_paths(
    planning: Planning, tmp_path: Path
) -> None:
    c, planned = planning
    (tmp_path / "exists.onnx").write_bytes(b"x")
    answers = []
    for path in (str(MODELS_DIR / "truck.onnx"), "/etc/passwd", str(tmp_path / "exists.onnx"),
                 "/no/such/file.onnx", "../../twins/models/truck.onnx"):  # fmt: skip
        sc = small_fleet("1h") | {"risk": {"models": {"truck": path}}}
        r = c.post("/runs", json={"scenario": sc}, headers=AUTH)
        assert r.status_code == 422, (path, r.text)
        (p,) = r.json()["problems"]
        assert p["path"] == "risk.models.truck" and p["value"] == path
        assert p["accepted"] == "one of boiler, loader, mill, truck (the server's models, by name)"
        answers.append((r.json()["detail"], p["message"], p["accepted"], p["file"]))
    assert len(set(answers)) == 1, "the answer must not depend on whether the file exists"
    assert not planned


def test_a_shipped_models_name_is_accepted_and_resolved(planning: Planning) -> None:
    c, planned = planning
    sc = small_fleet("1h") | {"risk": {"models": {"truck": "truck"}}}
    r = c.post("/runs", json={"scenario": sc}, headers=AUTH)
    assert r.status_code == 202, r.text
    (run,) = planned
    assert run.job.scenario.risk.models == {"truck": str(MODELS_DIR / "truck.onnx")}
    assert run.plan.risk is not None and run.plan.risk.models["truck"].kind == "truck"


def test_a_model_of_another_kind_is_refused_as_the_users_mistake(planning: Planning) -> None:
    c, planned = planning
    sc = small_fleet("1h") | {"risk": {"models": {"mill": "truck"}}}
    r = c.post("/runs", json={"scenario": sc}, headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["path"] == "risk.models.mill"
    assert "not 'mill'" in r.json()["detail"] and not planned


def test_configured_models_are_named_too(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, risk_models={"truck-v2": MODELS_DIR / "truck.onnx"})
    assert model_names(settings)["truck-v2"] == MODELS_DIR / "truck.onnx"
    assert list(model_names(settings)) == ["boiler", "loader", "mill", "truck", "truck-v2"]


@pytest.mark.parametrize(
    ("body", "query", "path"),
    [
        ({"scenario": "demo", "duration": "99999999999d"}, "", "duration"),
        ({"scenario": "demo", "epoch": "99999999999w"}, "", "epoch"),
        ({"scenario": "demo"}, "?duration=99999999999d", "duration"),
        ({"scenario": small_fleet("99999999999d")}, "", "duration"),
        ({"scenario": small_fleet("0.0000001s")}, "", "duration"),
    ],
)
def test_durations_out_of_range_are_422_naming_the_field(
    planning: Planning, body: dict[str, Any], query: str, path: str
) -> None:
    c, planned = planning
    r = c.post(f"/runs{query}", json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    assert path in [p["path"] for p in r.json()["problems"]], r.text
    assert not planned


@pytest.mark.parametrize("start", ["9999-12-31T00:00:00Z", "9998-12-31T12:00:00Z"])
def test_a_start_at_the_end_of_the_calendar_is_422_and_leaves_no_folder(
    planning: Planning, tmp_path: Path, start: str
) -> None:
    c, planned = planning
    r = c.post("/runs", json={"scenario": small_fleet("1d") | {"start": start}}, headers=AUTH)
    assert r.status_code == 422, r.text
    assert "start" in [p["path"] for p in r.json()["problems"]]
    assert not planned and not (tmp_path / "planned").exists()
    assert c.get("/runs").json() == {"total": 0, "runs": [], "unreadable": []}


def test_a_run_that_ends_within_the_calendar_is_planned(planning: Planning) -> None:
    c, planned = planning
    sc = small_fleet("1h") | {"start": "8999-06-01T00:00:00Z"}
    r = c.post("/runs", json={"scenario": sc}, headers=AUTH)
    assert r.status_code == 202, r.text
    assert r.json()["sim_end"].startswith("8999-06-01T01:00") and len(planned) == 1
