"""POST /runs, GET /runs, GET /runs/{id}, DELETE /runs/{id}: real runs on the session's Ray,
and every way a request to start one can be refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from aurum.api.main import create_app
from tests.api.conftest import AUTH, TestClient, make_settings, small_fleet, wait_for


def _yaml(data: dict[str, Any]) -> str:
    import io

    out = io.StringIO()
    YAML(typ="safe").dump(data, out)
    return out.getvalue()


def test_create_poll_then_cancel_keeps_what_was_written(live_client: TestClient) -> None:
    body = {"scenario": small_fleet(), "duration": "2d", "speed": 7200}
    r = live_client.post("/runs", json=body, headers=AUTH)
    assert r.status_code == 202, r.text
    run = r.json()
    assert r.headers["location"] == f"/runs/{run['run_id']}"
    assert run["live"] and run["status"] in ("starting", "running")
    assert run["progress"]["n_epochs"] == 2 * 24 * 60, "speed without epoch gives 1-min epochs"
    run = wait_for(live_client, run["run_id"], lambda x: x["progress"]["epochs_done"] >= 2)
    assert run["status"] == "running" and run["progress"]["twin_ticks_per_s"] > 0
    listed = live_client.get("/runs").json()
    assert run["run_id"] in [x["run_id"] for x in listed["runs"]]
    r = live_client.delete(f"/runs/{run['run_id']}", headers=AUTH)
    assert r.status_code == 202
    run = wait_for(live_client, run["run_id"], lambda x: not x["live"])
    assert run["status"] == "cancelled"
    assert 0 < run["progress"]["epochs_done"] < run["progress"]["n_epochs"]
    run_dir = Path(live_client.app.state.settings.runs_dir) / run["run_id"]  # type: ignore[attr-defined]
    assert list((run_dir / "production").glob("part-*.parquet"))
    assert live_client.delete(f"/runs/{run['run_id']}", headers=AUTH).status_code == 409


def test_yaml_run_to_the_end_is_readable_by_a_later_server(live_client: TestClient) -> None:
    headers = AUTH | {"Content-Type": "application/yaml"}
    r = live_client.post("/runs?duration=1h&seed=3", content=_yaml(small_fleet()), headers=headers)
    assert r.status_code == 202, r.text
    run_id = r.json()["run_id"]
    run = wait_for(live_client, run_id, lambda x: x["status"] == "done" and not x["live"])
    assert not run["live"] and run["progress"]["fraction"] == 1.0
    fleet = live_client.get(f"/runs/{run_id}/fleet").json()
    twin = live_client.get(f"/runs/{run_id}/twins/MILL-3").json()
    assert fleet["twins"] == 4 and twin["production"]["ore_milled_t"] > 0
    later = create_app(make_settings(live_client.app.state.settings.runs_dir))  # type: ignore[attr-defined]
    with TestClient(later) as again:
        assert again.get(f"/runs/{run_id}").json()["status"] == "done"
        assert again.get(f"/runs/{run_id}/fleet").json() == fleet
        assert again.get(f"/runs/{run_id}/twins/MILL-3").json() == twin


def test_shipped_scenario_by_name_with_overrides(live_client: TestClient) -> None:
    body = {"scenario": "demo", "duration": "30min", "epoch": "10min", "twins_per_actor": 1}
    r = live_client.post("/runs", json=body, headers=AUTH)
    assert r.status_code == 202, r.text
    assert r.json()["scenario"] == "demo" and r.json()["progress"]["n_epochs"] == 3
    run = wait_for(live_client, r.json()["run_id"], lambda x: not x["live"])
    assert run["progress"]["twin_ticks"] == 3 * 30


def _post(client: TestClient, body: Any, **kw: Any) -> Any:
    if isinstance(body, str):
        r = client.post("/runs", content=body, headers=AUTH | {"Content-Type": "text/yaml"}, **kw)
    else:
        r = client.post("/runs", json=body, headers=AUTH, **kw)
    return r.status_code, r.json()


@pytest.mark.parametrize("name", ["nope", "etc/passwd", "failures/../../etc/passwd"])
def test_unknown_or_escaping_scenario_names_are_refused(client: TestClient, name: str) -> None:
    status, body = _post(client, {"scenario": name})
    assert status in (404, 422)
    assert "demo" in body["problems"][0]["accepted"] or status == 422
    assert "root:" not in json.dumps(body)


def test_dot_dot_names_fail_the_pattern(client: TestClient) -> None:
    status, body = _post(client, {"scenario": "../etc/passwd"})
    assert status == 422 and body["problems"][0]["path"].startswith("scenario")


def test_yaml_syntax_error_names_the_line(client: TestClient) -> None:
    status, body = _post(client, "name: x\nfleet: [\n  - {kind: truck\n")
    assert status == 422
    assert body["problems"][0]["line"] is not None and "YAML" in body["detail"]


def test_scenario_problems_come_back_with_path_and_accepted(client: TestClient) -> None:
    data = small_fleet()
    data["fleet"][0]["kind"] = "tractor"
    data["seed"] = -1
    status, body = _post(client, {"scenario": data})
    assert status == 422
    paths = {p["path"] for p in body["problems"]}
    assert "seed" in paths and any(p.startswith("fleet[0]") for p in paths)


def test_a_path_like_body_is_not_read_as_a_file(client: TestClient) -> None:
    status, body = _post(client, "/etc/passwd.yaml")
    assert status == 422 and "root:" not in json.dumps(body)


@pytest.mark.parametrize(
    ("change", "query", "reason"),
    [
        ({"fleet": [{"kind": "truck", "count": 500, "site": "antofagasta"}]}, "", "too many twins"),
        ({"duration": "60d"}, "", "too long"),
        ({}, "?twins_per_actor=1", "shard actors"),
        ({}, "?duration=bad", "invalid"),
    ],
)
def test_limits_refuse_with_the_reason(
    runs_dir: Path, change: dict[str, Any], query: str, reason: str
) -> None:
    app = create_app(make_settings(runs_dir, max_twins=100, max_actors=3, max_duration="31d"))
    with TestClient(app) as c:
        r = c.post(f"/runs{query}", json={"scenario": small_fleet() | change}, headers=AUTH)
    assert r.status_code == 422, r.text
    assert reason in r.json()["detail"] or reason in json.dumps(r.json()["problems"])


def test_body_size_limit(runs_dir: Path) -> None:
    app = create_app(make_settings(runs_dir, max_body_bytes=1000))
    with TestClient(app) as c:
        r = c.post("/runs", content="#" * 5000, headers=AUTH | {"Content-Type": "text/yaml"})
    assert r.status_code == 422 and "too large" in r.json()["detail"]


def test_yaml_alias_bomb_is_refused(client: TestClient) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    status, body = _post(client, "\n".join(lines) + "\n")
    assert status == 422 and "too many values" in body["detail"], body


def test_too_many_live_runs(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    manager = client.app.state.manager  # type: ignore[attr-defined]
    monkeypatch.setattr(manager, "in_progress", lambda: [object()] * 4)
    status, body = _post(client, {"scenario": small_fleet(), "duration": "1h"})
    assert status == 429 and "too many runs" in body["detail"]


def test_list_runs_and_read_one(client: TestClient, stored_id: str) -> None:
    runs = client.get("/runs").json()
    assert runs["total"] >= 1 and runs["runs"][0]["run_id"] == stored_id
    run = client.get(f"/runs/{stored_id}").json()
    assert run["status"] == "done" and not run["live"] and run["twins"] == 4
    assert run["progress"]["sim_time"].startswith("2026-01-05T02:00")


def test_unknown_runs(client: TestClient, stored_id: str) -> None:
    assert client.get("/runs/nope-20260101T000000Z-0000").status_code == 404
    for path in ("/runs/%2E%2E", "/runs/..%2F..%2Fetc%2Fpasswd", "/runs/.hidden"):
        assert client.get(path).status_code in (404, 422), path
    assert client.delete("/runs/nope", headers=AUTH).status_code == 404
    assert client.delete(f"/runs/{stored_id}", headers=AUTH).status_code == 409


def test_shipped_scenarios_are_listed(client: TestClient) -> None:
    names = {s["name"]: s for s in client.get("/scenarios").json()}
    assert names["demo"]["twins"] == 3 and names["demo"]["duration"] == "7d"


def test_the_catalogue_describes_what_each_scenario_runs(client: TestClient) -> None:
    """Failure scenarios extend the week-long demo but run 3 days: the text says 3 days."""
    names = {s["name"]: s for s in client.get("/scenarios").json()}
    assert names["demo"]["description"] == (
        "1 week of 1 truck, 1 mill, 1 boiler at antofagasta (CL)."
    )
    tyres = names["failures/truck-tyres"]
    assert tyres["duration"] == "3d" and tyres["description"] == (
        "3 days of 1 truck, 1 mill, 1 boiler at antofagasta (CL); injected: tyres on TRUCK-21."
    )
    assert "week" not in " ".join(s["description"] for n, s in names.items() if n != "demo")
    assert names["policies/time-based"]["description"].endswith("; maintenance: time-based.")
