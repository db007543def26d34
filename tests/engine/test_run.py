"""Runs end to end: tables, manifest, live state, cancel, and determinism across sharding."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aurum import engine
from aurum.engine.run.loop import STATE_FILE as STATE
from aurum.engine.run.recorder import read_table
from aurum.engine.scenario.loader import load
from tests.conftest import SCENARIOS

TABLES = (
    "production",
    "twins",
    "telemetry/truck",
    "telemetry/mill",
    "telemetry/boiler",
    "events",
    "jobs",
    "sensor_faults",
    "kpis",
)


def small_fleet(duration: str = "6h", events: bool = True) -> dict[str, Any]:
    """The demo site plus a second site, 4 trucks, 2 mills, 3 boilers (one on diesel)."""
    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    second = {**data["sites"][0], "id": "pampa", "country": "PE", "altitude_m": 1200.0}
    data["sites"].append(second)
    data["fleet"] = [
        {"kind": "truck", "count": 3, "id_prefix": "T-", "site": "antofagasta"},
        {"kind": "mill", "id": "MILL-3", "site": "antofagasta"},
        {"kind": "boiler", "count": 2, "id_prefix": "B-", "site": "pampa"},
        {"kind": "truck", "id": "TRUCK-21", "site": "pampa", "params": {"payload_t": 218}},
        {"kind": "mill", "id": "MILL-4", "site": "pampa"},
        {"kind": "boiler", "id": "BOILER-7", "site": "antofagasta", "params": {"fuel": "diesel"}},
    ]
    data["duration"] = duration
    data["output"]["telemetry_resolution"] = "5min"
    # failures, repairs by one crew, a sensor fault and an anomaly on a fraction of the fleet
    data["injections"] = [
        {
            "at": "30min",
            "twin": "MILL-3",
            "mode": "trunnion_bearing",
            "severity": 0.6,
            "ramp": "1h",
            "accelerate": 1000,
        },
        {"at": "1h", "twin": "T-2", "mode": "cooling", "severity": 0.95, "accelerate": 50},
        {
            "at": "90min",
            "until": "3h",
            "twin": "B-1",
            "sensor": "flue_o2_pct",
            "fault": "bias",
            "magnitude": 1.5,
        },
        {"at": "2h", "kind": "boiler", "fraction": 0.6, "anomaly": "co2_excess", "severity": 0.5},
    ]
    data["maintenance"] = {"policy": "condition_based", "crews": {"default": 1}}
    if not events:
        del data["injections"]
    return data


def same(a: Any, b: Any) -> bool:
    """Equal schemas and values, NaN equal to NaN (Arrow's equals says NaN != NaN)."""
    return bool(a.schema == b.schema and a.to_pandas().equals(b.to_pandas()))


def read_all(run_dir: Path) -> dict[str, Any]:
    return {t: read_table(run_dir, t) for t in TABLES}


def test_the_small_fleet_has_failures_repairs_and_faults(local_run: engine.RunResult) -> None:
    events = local_run.table("events").to_pandas()
    happened = set(events["event"].astype(str))
    assert {"injection", "sensor_fault", "failure", "repair_start"} <= happened
    jobs = local_run.table("jobs").to_pandas()
    assert len(jobs) >= 1 and (jobs["duration_h"] > 0).all()
    assert local_run.table("sensor_faults").num_rows > 0


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> engine.RunResult:
    out = tmp_path_factory.mktemp("runs")
    return engine.simulate(small_fleet(), out=out, backend="local")


def test_tables_have_fixed_shapes_and_canonical_order(local_run: engine.RunResult) -> None:
    t = read_all(local_run.run_dir)
    assert t["twins"].column("twin_id").to_pylist() == [
        "T-1",
        "T-2",
        "T-3",
        "MILL-3",
        "B-1",
        "B-2",
        "TRUCK-21",
        "MILL-4",
        "BOILER-7",
    ]
    prod = t["production"].to_pandas()
    assert len(prod) == 6 * 9  # 6 epochs x 9 twins
    assert list(prod["epoch"].unique()) == list(range(6))
    assert prod.groupby("epoch")["twin_id"].apply(list).iloc[0][:3] == ["T-1", "T-2", "T-3"]
    hours = prod[[c for c in prod.columns if c.endswith("_h")]].sum(axis=1)
    assert np.allclose(hours, 1.0)  # every twin accounts for every hour of every epoch
    truck = t["telemetry/truck"].to_pandas()
    assert len(truck) == (6 * 60 // 5) * 4
    times = truck["time"].drop_duplicates()
    assert (times.diff().dropna() == np.timedelta64(5, "m")).all()
    assert str(times.iloc[0]) == "2026-01-05 00:05:00+00:00"
    field = t["telemetry/truck"].schema.field("coolant_temp_c")
    assert field.metadata[b"unit"].decode() == "°C"


def test_production_matches_fleet_totals(local_run: engine.RunResult) -> None:
    prod = local_run.table("production").to_pandas()
    by_kind = prod.groupby("kind", observed=True)
    for kind, k in local_run.fleet["kinds"].items():
        assert by_kind["production_t"].sum()[kind] == pytest.approx(k["production_t"], rel=1e-12)
        for a, used in k["activity"].items():
            assert by_kind[a].sum()[kind] == pytest.approx(used, rel=1e-12)
    diesel_boiler = prod[prod.twin_id == "BOILER-7"]
    assert diesel_boiler["diesel_l"].sum() > 0 and diesel_boiler["natural_gas_gj"].sum() == 0


def test_manifest_describes_the_run(local_run: engine.RunResult) -> None:
    m = json.loads((local_run.run_dir / "manifest.json").read_text())
    assert m["status"] == "done"
    assert m["seed"] == 42 and m["scenario"]["duration"] == "6h"
    assert m["scenario"]["fleet"][0]["params"]["payload_t"] == 227.0  # defaults resolved
    assert {"python", "numpy", "ray", "pyarrow"} <= set(m["versions"])
    assert m["machine"]["cpus"] >= 1
    assert m["tables"]["telemetry/truck"] == 288
    assert m["progress"]["twin_ticks"] == 9 * 360


def test_seed_changes_the_run(tmp_path: Path, local_run: engine.RunResult) -> None:
    other = engine.simulate(small_fleet(), out=tmp_path, backend="local", seed=43)
    a = local_run.table("telemetry/mill").column("motor_power_kw")
    b = other.table("telemetry/mill").column("motor_power_kw")
    assert not a.equals(b)


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_tables_identical_whatever_the_sharding(
    tmp_path: Path, local_run: engine.RunResult
) -> None:
    expected = read_all(local_run.run_dir)
    for tpa in (1, 3, 100):
        r = engine.simulate(small_fleet(), out=tmp_path / str(tpa), twins_per_actor=tpa)
        m = json.loads((r.run_dir / "manifest.json").read_text())
        assert m["execution"]["actors"] == {1: 9, 3: 4, 100: 3}[tpa]
        got = read_all(r.run_dir)
        for name in TABLES:
            assert same(got[name], expected[name]), f"{name} differs with twins_per_actor={tpa}"


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_live_state_while_running_then_cancel(tmp_path: Path) -> None:
    handle = engine.start(small_fleet("20d"), out=tmp_path, twins_per_actor=3)
    deadline = time.time() + 60
    while handle.progress()["epochs_done"] < 2 and time.time() < deadline:
        time.sleep(0.05)
    fleet = handle.fleet_state()
    assert fleet["kinds"]["truck"]["twins"] == 4
    assert fleet["kinds"]["mill"]["production_t"] > 0
    twin = handle.twin_state("MILL-4")
    assert twin is not None and twin["kind"] == "mill" and twin["site"] == "pampa"
    assert 10_000 < twin["channels"]["motor_power_kw"] < 25_000
    assert twin["units"]["motor_power_kw"] == "kW"
    assert handle.twin_state("NOPE", None) is None
    with pytest.raises(KeyError, match="no twin of that name"):  # engine.NotFoundError
        handle.twin_state("NOPE")
    handle.cancel()
    result = handle.wait()
    assert result.status == "cancelled"
    done = result.progress["epochs_done"]
    assert 2 <= done < 480
    prod = result.table("production")
    assert prod.num_rows == done * 9  # every finished epoch kept, no partial one
    m = json.loads((result.run_dir / "manifest.json").read_text())
    assert m["status"] == "cancelled" and m["tables"]["production"] == done * 9


def test_real_time_mode_paces_to_the_wall_clock(tmp_path: Path) -> None:
    began = time.perf_counter()
    r = engine.simulate(
        small_fleet("2h", events=False), out=tmp_path, backend="local", epoch="10min", speed=7200.0
    )
    # 2 simulated hours at 7,200 simulated seconds per second cannot finish in under 1 s
    assert time.perf_counter() - began >= 1.0
    assert r.status == "done" and r.progress["epochs_done"] == 12


def test_saved_fleet_state_answers_like_the_live_one(local_run: engine.RunResult) -> None:
    from aurum.engine.run.fleetstate import load as load_state
    from aurum.engine.run.plan import build_plan

    manifest = json.loads((local_run.run_dir / "manifest.json").read_text())
    plan = build_plan(load(manifest["scenario"]))
    state = load_state(plan, local_run.run_dir / "fleet_state.npz")
    assert state.summary() == local_run.fleet
    twin = state.twin("TRUCK-21")
    assert twin is not None and twin["production"]["ore_hauled_t"] > 0
    assert twin["sim_time"] == "2026-01-05T06:00:00+00:00"


def test_list_twins_filters_and_pages(local_run: engine.RunResult) -> None:
    from aurum.engine.run.fleetstate import load as load_state
    from aurum.engine.run.plan import build_plan

    manifest = json.loads((local_run.run_dir / "manifest.json").read_text())
    state = load_state(build_plan(load(manifest["scenario"])), local_run.run_dir / STATE)
    page = state.list_twins(kind="truck", limit=2)
    assert page["total"] == 4 and [t["twin_id"] for t in page["twins"]] == ["T-1", "T-2"]
    assert state.list_twins(kind="truck", offset=2)["twins"][1]["twin_id"] == "TRUCK-21"
    assert state.list_twins(site="pampa")["total"] == 4
    by_status = {
        s: state.list_twins(status=s)["total"]
        for s in ("running", "down", "maintenance", "standby", "derated", "starved")
    }
    assert sum(by_status.values()) == 9 and by_status["running"] >= 5
    assert by_status == {s: int(n) for s, n in state.summary_counts().items()}
    assert state.list_twins(kind="excavator")["total"] == 0
