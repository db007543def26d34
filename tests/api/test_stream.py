"""GET /runs/{id}/stream: server-sent snapshots while a run advances, then its end."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import AUTH, TestClient, small_fleet


def read_events(client: TestClient, url: str) -> list[tuple[str, Any]]:
    """Every (event, data) of a stream until the server closes it."""
    out: list[tuple[str, Any]] = []
    with client.stream("GET", url) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[6:])))
    return out


def test_a_finished_run_streams_one_snapshot_then_ends(client: TestClient, stored_id: str) -> None:
    events = read_events(client, f"/runs/{stored_id}/stream")
    assert [e for e, _ in events] == ["snapshot", "end"]
    snap = events[0][1]
    assert snap["run"]["status"] == "done" and snap["fleet"]["twins"] == 4
    assert events[1][1]["run_id"] == stored_id


def test_a_live_run_streams_snapshots_as_it_advances(live_client: TestClient) -> None:
    body = {"scenario": small_fleet(), "duration": "3h", "speed": 3600, "epoch": "15min"}
    run_id = live_client.post("/runs", json=body, headers=AUTH).json()["run_id"]
    events = read_events(live_client, f"/runs/{run_id}/stream")
    kinds = [e for e, _ in events]
    assert kinds[-1] == "end" and kinds.count("snapshot") >= 3
    times = [d["fleet"]["sim_time"] for e, d in events if e == "snapshot"]
    assert times == sorted(times) and len(set(times)) >= 3
    assert events[-1][1]["status"] == "done"
    last = [d for e, d in events if e == "snapshot"][-1]
    assert last["run"]["progress"]["fraction"] == 1.0
    alerts = [d for e, d in events if e == "alert"]
    assert all(a["event"] in ("alert", "threshold_crossed") for a in alerts)
