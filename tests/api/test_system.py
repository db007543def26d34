"""GET /healthz, /metrics, the OpenAPI spec, the dashboard page, and `aurum serve`'s options."""

from __future__ import annotations

import re

from aurum.engine.cli.main import build_parser
from tests.api.conftest import TestClient

ENDPOINTS = {
    ("post", "/runs"),
    ("get", "/runs"),
    ("get", "/runs/{run_id}"),
    ("delete", "/runs/{run_id}"),
    ("get", "/runs/{run_id}/fleet"),
    ("get", "/runs/{run_id}/twins"),
    ("get", "/runs/{run_id}/twins/{twin_id}"),
    ("get", "/runs/{run_id}/alerts"),
    ("get", "/runs/{run_id}/events"),
    ("get", "/runs/{run_id}/emissions"),
    ("get", "/runs/{run_id}/telemetry"),
    ("get", "/runs/{run_id}/stream"),
    ("get", "/healthz"),
    ("get", "/metrics"),
}


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() | {"version": ""} == {
        "status": "ok",
        "live_runs": 0,
        "version": "",
    }


def test_metrics_in_prometheus_text(client: TestClient, stored_id: str) -> None:
    client.get(f"/runs/{stored_id}/fleet")
    text = client.get("/metrics").text
    assert re.search(r'^aurum_runs\{status="done"\} [1-9]', text, re.M)
    assert "aurum_twin_ticks_per_second_total 0.0" in text
    pattern = (
        r"aurum_http_request_duration_seconds_count"
        r'\{method="GET",route="/runs/\{run_id\}/fleet",status="200"\} 1.0'
    )
    assert re.search(pattern, text)


def test_every_endpoint_is_in_the_spec_with_typed_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ops = {(m, p) for p, item in spec["paths"].items() for m in item}
    assert ops >= ENDPOINTS
    schemas = spec["components"]["schemas"]
    assert {"RunCreate", "RunPublic", "FleetPublic", "TwinPublic", "ErrorPublic"} <= set(schemas)
    assert "HTTPValidationError" not in schemas
    created = spec["paths"]["/runs"]["post"]["responses"]["202"]["content"]["application/json"]
    assert created["schema"]["$ref"].endswith("/RunPublic")


def test_the_dashboard_is_one_self_contained_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.headers["content-type"].startswith("text/html")
    assert "EventSource" in r.text and "<svg" in r.text
    assert not re.search(r'(src|href)="(https?:)?//', r.text), "no CDN or external asset"


def test_serve_is_an_aurum_subcommand() -> None:
    args = build_parser().parse_args(["serve", "--port", "9001", "--runs-dir", "/tmp/x"])
    assert args.port == 9001 and args.host == "127.0.0.1" and args.runs_dir == "/tmp/x"
    from aurum.api.cli import settings_from

    assert str(settings_from(args).runs_dir) == "/tmp/x"
