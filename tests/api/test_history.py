"""GET /runs/{id}/alerts, /events, /emissions, /telemetry from Parquet (JSON and Arrow IPC)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from aurum import esg
from tests.api.conftest import TestClient


def test_events_in_time_order_with_filters(client: TestClient, stored_id: str) -> None:
    base = f"/runs/{stored_id}/events"
    page = client.get(base).json()
    assert [e["event"] for e in page["events"]] == [
        "failure",
        "threshold_crossed",
        "alert",
        "repair_start",
    ]
    assert page["events"][0]["detail"] == {"crew": 1}
    assert page["events"][2]["detail"] == {"text": "not json"}
    assert client.get(f"{base}?event=failure&event=repair_start").json()["total"] == 2
    assert client.get(f"{base}?twin=T-1").json()["total"] == 2
    assert client.get(f"{base}?kind=mill").json()["total"] == 1
    later = client.get(f"{base}?start=2026-01-05T00:25:00Z&end=2026-01-05T00:35:00").json()
    assert [e["twin_id"] for e in later["events"]] == ["MILL-3"]
    assert client.get(f"{base}?offset=3&limit=5").json()["events"][0]["event"] == "repair_start"


def test_alerts_are_alert_and_threshold_events(client: TestClient, stored_id: str) -> None:
    alerts = client.get(f"/runs/{stored_id}/alerts").json()
    assert [(a["event"], a["value"]) for a in alerts["events"]] == [
        ("threshold_crossed", 104.5),
        ("alert", 0.82),
    ]


@pytest.mark.parametrize("gwp", ["AR6", "AR5", "AR4"])
def test_emissions_by_scope_with_each_gwp_set(client: TestClient, stored_id: str, gwp: str) -> None:
    g = esg.gwp_weights(gwp)
    doc = client.get(f"/runs/{stored_id}/emissions?group_by=scope&gwp={gwp}").json()
    scopes = {r["group"]: r["co2e_kg"] for r in doc["rows"]}
    assert scopes["1"] == pytest.approx(1000 + g["ch4_fossil"] + 0.1 * g["n2o"])
    assert (
        scopes["2-location"] == 500
        and scopes["2-market"] == 200
        and scopes["3.3-electricity"] == 50
    )
    assert doc["total_co2e_kg"] == pytest.approx(scopes["1"] + 500 + 50)


def test_emissions_by_twin_kind_site_and_market_basis(client: TestClient, stored_id: str) -> None:
    base = f"/runs/{stored_id}/emissions"
    twins = {r["group"]: r for r in client.get(f"{base}?group_by=twin").json()["rows"]}
    assert twins["MILL-3"]["co2e_kg"] == 550 and twins["MILL-3"]["by_gas"] == {
        "co2": 500,
        "co2e_embedded": 50,
    }
    market = client.get(f"{base}?group_by=kind&scope2=market").json()
    assert {r["group"]: r["co2e_kg"] for r in market["rows"]}["mill"] == 250
    site = client.get(f"{base}?group_by=site").json()
    assert site["rows"][0]["co2e_kg"] == pytest.approx(site["total_co2e_kg"])
    assert client.get(f"{base}?group_by=planet").status_code == 422


def test_telemetry_as_json_columns(client: TestClient, stored_id: str) -> None:
    base = f"/runs/{stored_id}/telemetry?twin=T-1"
    doc = client.get(f"{base}&channels=speed_kmh,coolant_temp_c").json()
    assert doc["kind"] == "truck" and doc["rows"] == 24 and not doc["truncated"]
    assert doc["units"] == {"speed_kmh": "km/h", "coolant_temp_c": "°C"}
    assert set(doc["channels"]) == {"speed_kmh", "coolant_temp_c"}
    assert doc["time"][0] == "2026-01-05T00:05:00Z" and doc["status"][0] == "running"
    window = client.get(f"{base}&start=2026-01-05T01:00:00Z&end=2026-01-05T01:30:00Z").json()
    assert window["rows"] == 6 and set(window["channels"]) == set(window["units"])
    assert {"speed_kmh", "payload_t", "coolant_temp_c"} <= set(window["channels"])
    assert all(len(v) == 6 for v in window["channels"].values())
    cut = client.get(f"{base}&limit=5").json()
    assert cut["rows"] == 5 and cut["truncated"]


def test_telemetry_as_arrow_stream(client: TestClient, stored_id: str) -> None:
    r = client.get(
        f"/runs/{stored_id}/telemetry?twin=BOILER-7&channels=steam_flow_tph",
        headers={"Accept": "application/vnd.apache.arrow.stream"},
    )
    assert r.headers["content-type"] == "application/vnd.apache.arrow.stream"
    table = pa.ipc.open_stream(r.content).read_all()
    assert table.column_names == ["time", "status", "steam_flow_tph"] and table.num_rows == 24
    assert table.schema.field("steam_flow_tph").metadata[b"unit"] == b"t/h"


def test_telemetry_mistakes(client: TestClient, stored_id: str) -> None:
    base = f"/runs/{stored_id}/telemetry"
    bad = client.get(f"{base}?twin=T-1&channels=warp_factor")
    assert bad.status_code == 422 and "speed_kmh" in bad.json()["problems"][0]["accepted"]
    assert client.get(f"{base}?twin=T-99").status_code == 404
    assert client.get(base).status_code == 422


def test_runs_without_those_tables_answer_empty(
    client: TestClient, runs_dir: Path, stored_id: str
) -> None:
    copy = runs_dir / f"{stored_id[:-4]}eeee"
    shutil.copytree(runs_dir / stored_id, copy)
    try:
        shutil.rmtree(copy / "events")
        shutil.rmtree(copy / "emissions")
        base = f"/runs/{copy.name}"
        assert client.get(f"{base}/alerts").json()["events"] == []
        assert client.get(f"{base}/events").json()["total"] == 0
        assert client.get(f"{base}/emissions").json() | {"run_id": ""} == {
            "run_id": "",
            "group_by": "scope",
            "gwp": "AR6",
            "scope2": "location",
            "total_co2e_kg": 0.0,
            "rows": [],
        }
        assert client.get(f"{base}/fleet").json()["emissions_co2e_kg"] == {}
    finally:
        shutil.rmtree(copy)
