"""Sites that are systems, end to end: whole sites in one shard, identical tables whatever the
grouping, and the flows a planner reads (ore hauled → stockpile → milled, starvation)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from aurum import engine
from aurum.engine.run.plan import SITE, build_plan, with_shards
from aurum.engine.run.recorder import read_table
from aurum.engine.scenario.loader import load
from tests.conftest import SCENARIOS

TABLES = (
    "production",
    "twins",
    "telemetry/truck",
    "telemetry/loader",
    "telemetry/mill",
    "telemetry/site",
    "telemetry/boiler",
    "events",
    "kpis",
)


def two_pits(duration: str = "4h") -> dict[str, Any]:
    """Two pits that are systems (one with two loaders and a small stockpile), and a boiler
    house at a third site whose machines share nothing."""
    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    base = data["sites"][0]
    north = {**base, "id": "north", "haulage": {"dispatch": "shortest_queue", "dump_bays": 1,
             "stockpile": {"capacity_t": 60_000, "initial_t": 1_000}}}  # fmt: skip
    south = {**base, "id": "south", "haulage": {"dispatch": "neediest",
             "stockpile": {"capacity_t": 30_000, "initial_t": 10_000}}}  # fmt: skip
    plant = {**base, "id": "plant"}
    data["sites"] = [north, south, plant]
    data["fleet"] = [
        {"kind": "truck", "count": 2, "id_prefix": "N-T", "site": "north"},
        {"kind": "loader", "id": "N-SHOVEL", "site": "north"},
        {"kind": "mill", "id": "N-MILL", "site": "north"},
        {"kind": "boiler", "count": 2, "id_prefix": "B-", "site": "plant"},
        {"kind": "truck", "count": 6, "id_prefix": "S-T", "site": "south"},
        {"kind": "loader", "count": 2, "id_prefix": "S-SHOVEL-", "site": "south"},
        {"kind": "mill", "id": "S-MILL", "site": "south"},
    ]
    data["duration"] = duration
    data["output"]["telemetry_resolution"] = "15min"
    data["risk"] = {"enabled": False}
    return data


def test_interacting_sites_are_never_split() -> None:
    plan = build_plan(load(two_pits()))
    assert plan.interacting_sites() == [0, 1]
    for tpa, site_shards in ((1, 2), (100, 1), ("auto", 2)):
        shards = with_shards(plan, tpa, cpus=2).shards
        sites = [s for s in shards if s.kind == SITE]
        assert len(sites) == site_shards
        held = sorted(i for s in shards for i in plan.twin_indices(s).tolist())
        assert held == list(range(plan.n_twins))  # every twin in exactly one shard
    # the boilers share nothing: they stay in shards of their own kind
    assert {s.kind for s in with_shards(plan, 1, cpus=2).shards} == {SITE, "boiler"}


def read_all(run_dir: Path) -> dict[str, Any]:
    return {t: read_table(run_dir, t) for t in TABLES}


def same(a: Any, b: Any) -> bool:
    return bool(a.schema == b.schema and a.to_pandas().equals(b.to_pandas()))


@pytest.fixture(scope="module")
def local_pits(tmp_path_factory: pytest.TempPathFactory) -> engine.RunResult:
    out = tmp_path_factory.mktemp("pits")
    return engine.simulate(two_pits(), out=out, backend="local")


def test_ore_flows_from_trucks_through_the_stockpile(local_pits: engine.RunResult) -> None:
    prod = local_pits.table("production").to_pandas()
    per = prod.groupby(["site", "kind"])["production_t"].sum()
    for site in ("north", "south"):
        assert per[(site, "truck")] > 0 and per[(site, "loader")] > 0
        # what the loaders loaded was hauled, but for the loads still on the road
        assert abs(per[(site, "loader")] - per[(site, "truck")]) <= 6 * 227.0
    # north starts with 1,000 t for a mill that draws ~2,000 t/h and 2 trucks: it starves
    starved = prod.groupby("twin_id")["starved_h"].sum()
    assert starved["N-MILL"] > 1.0
    assert starved.drop("N-MILL").sum() == 0.0
    assert per[("north", "mill")] <= 1_000 + per[("north", "truck")] + 1e-6
    # the stockpile is telemetry: north's runs empty, trucks queue at south's loaders
    site = local_pits.table("telemetry/site").to_pandas()
    assert set(site["site"]) == {"north", "south"}
    north = site[site["site"] == "north"]
    assert north["stockpile_t"].min() < 500.0 and (site["stockpile_t"] >= 0).all()
    assert north["stockpile_t"].iloc[0] <= 1_000 + 227.0 * 2


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_tables_identical_whatever_the_grouping(
    tmp_path: Path, local_pits: engine.RunResult
) -> None:
    expected = read_all(local_pits.run_dir)
    for tpa, actors in ((1, 4), (100, 2), ("auto", 3)):
        r = engine.simulate(two_pits(), out=tmp_path / str(tpa), twins_per_actor=tpa)
        m = json.loads((r.run_dir / "manifest.json").read_text())
        assert m["execution"]["actors"] == actors, tpa
        got = read_all(r.run_dir)
        for name in TABLES:
            assert same(got[name], expected[name]), f"{name} differs with twins_per_actor={tpa}"
    hauled = pc.sum(expected["production"].column("production_t")).as_py()
    assert hauled > 0


def test_a_site_system_resumes_where_it_was_killed(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The queues, the loaders' work in hand and the stockpile are in the checkpoint: a driver
    killed mid-run resumes to the tables of an undisturbed run."""
    from aurum.engine.cli.main import main
    from aurum.engine.run.checkpoint import latest
    from tests.engine import test_resume

    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(two_pits("1d")))
    undisturbed = read_all(
        engine.simulate(two_pits("1d"), out=tmp_path / "whole", backend="local").run_dir
    )
    run_dir = test_resume.killed_driver(scenario, tmp_path / "runs")
    ck = latest(run_dir)
    assert ck is not None and 8 <= ck.epochs_done < 24
    assert main(["resume", str(run_dir), "--quiet"]) == 0
    got = read_all(run_dir)
    for name in TABLES:
        assert same(got[name], undisturbed[name]), f"{name} differs from the undisturbed run"
