"""GET /runs/{id}/fleet, /twins, /twins/{twin} on a finished run (answers from fleet_state.npz)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.api.conftest import TestClient

AR6_SCOPE1 = 1000.0 + 1.0 * 29.8 + 0.1 * 273.0


def test_fleet_summary(client: TestClient, stored_id: str) -> None:
    fleet = client.get(f"/runs/{stored_id}/fleet").json()
    assert fleet["twins"] == 4 and sum(fleet["by_status"].values()) == 4
    assert set(fleet["kinds"]) == {"truck", "mill", "boiler"}
    assert fleet["production_t"]["ore_hauled_t"] == fleet["kinds"]["truck"]["production_t"] > 0
    assert fleet["emissions_co2e_kg"]["1"] == pytest.approx(AR6_SCOPE1)
    assert fleet["emissions_co2e_kg"]["2-market"] == pytest.approx(200.0)
    assert fleet["top_risks"] == []


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("", ["T-1", "T-2", "MILL-3", "BOILER-7"]),
        ("?kind=truck", ["T-1", "T-2"]),
        ("?site=antofagasta&kind=mill", ["MILL-3"]),
        ("?offset=1&limit=2", ["T-2", "MILL-3"]),
        ("?kind=tractor", []),
        ("?state=down", []),
    ],
)
def test_twins_filtered_and_paged(
    client: TestClient, stored_id: str, query: str, ids: list[str]
) -> None:
    page = client.get(f"/runs/{stored_id}/twins{query}").json()
    assert [t["twin_id"] for t in page["twins"]] == ids
    assert page["twins"] == [] or page["twins"][0]["channels"] is None


def test_twins_with_detail(client: TestClient, stored_id: str) -> None:
    page = client.get(f"/runs/{stored_id}/twins?detail=true&kind=truck").json()
    assert page["twins"][0]["channels"]["speed_kmh"] is not None
    assert client.get(f"/runs/{stored_id}/twins?detail=true&limit=500").status_code == 422
    assert client.get(f"/runs/{stored_id}/twins?state=exploded").status_code == 422


def test_one_twin(client: TestClient, stored_id: str) -> None:
    t = client.get(f"/runs/{stored_id}/twins/T-1").json()
    assert t["kind"] == "truck" and t["status"] == "running" and t["units"]["speed_kmh"] == "km/h"
    assert t["production"]["ore_hauled_t"] > 0 and t["activity"]["diesel_l"] > 0
    assert t["emissions_co2e_kg"]["1"] == pytest.approx(AR6_SCOPE1)
    assert t["risk"] is None
    missing = client.get(f"/runs/{stored_id}/twins/T-9")
    assert missing.status_code == 404 and missing.json()["problems"][0]["path"] == "twin_id"


def test_a_run_without_saved_state_answers_409(
    client: TestClient, runs_dir: Path, stored_id: str
) -> None:
    copy = runs_dir / f"{stored_id[:-4]}ffff"
    shutil.copytree(runs_dir / stored_id, copy)
    try:
        (copy / "fleet_state.npz").unlink()
        manifest = json.loads((copy / "manifest.json").read_text())
        (copy / "manifest.json").write_text(json.dumps(manifest | {"status": "running"}))
        r = client.get(f"/runs/{copy.name}/fleet")
        assert r.status_code == 409 and "no fleet state" in r.json()["detail"]
        run = client.get(f"/runs/{copy.name}").json()
        assert run["status"] == "running" and not run["live"]
        assert client.get(f"/runs/{copy.name}/events").json()["total"] == 4
    finally:
        shutil.rmtree(copy)
