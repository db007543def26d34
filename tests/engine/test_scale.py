"""Load tests and bounded resources: `aurum loadtest`, fleet generation, and fleets too large
for the machine refused up front with an estimate and a suggestion."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aurum import engine
from aurum.engine.cli.main import main
from aurum.engine.run.capacity import check, estimate, sizing
from aurum.engine.run.runner import prepare
from aurum.engine.scale.loadtest import fleet_scenario, parse_mix, split, telemetry_minutes

GIB = 2**30


def test_fleet_generation_splits_the_mix_exactly() -> None:
    assert split(10, {"truck": 0.6, "mill": 0.1, "boiler": 0.3}) == {
        "truck": 6,
        "mill": 1,
        "boiler": 3,
    }
    assert sum(split(1_000_003, parse_mix("truck=6,mill=1,boiler=3")).values()) == 1_000_003
    assert parse_mix("truck=1") == {"truck": 1.0}
    # coarser telemetry for bigger fleets: rows per simulated day stay bounded
    assert [telemetry_minutes(n) for n in (1_000, 10_000, 100_000, 1_000_000)] == [1, 5, 15, 360]
    sc = prepare(fleet_scenario(1000, days=0.5))
    assert sum(e.count for e in sc.fleet) == 1000  # type: ignore[attr-defined]
    assert sc.duration.total_seconds() == 43200


def test_bad_mix_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["loadtest", "--twins", "10", "--mix", "truck=0.5,excavator=0.5"]) == 2
    assert "--mix" in capsys.readouterr().err


def test_loadtest_reports_throughput_memory_latency_and_time(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    argv = ["loadtest", "--twins", "300", "--days", "0.125", "--local", "--json", str(out)]
    assert main(argv) == 0
    f = json.loads(out.read_text())
    assert f["status"] == "done" and f["twins"] == 300 and f["twin_ticks"] == 300 * 180
    assert f["rate_loop"] > 0 and f["wall_s"] > 0
    assert {"p50", "p95"} <= set(f["epoch_latency_s"])
    assert {"physics", "failure_modes", "sensors"} <= set(f["shard_timers"])
    assert {"emissions_s", "record_s", "state_s", "ray_overhead_s"} <= set(f["timings"])
    assert f["memory_mib"]["driver_peak_rss"] > 0 and f["memory_mib"]["session_peak_pss"] > 0
    assert f["disk_mib"]["production"] > 0 and f["run_dir"] is None  # temporary tables gone


def test_a_fleet_too_large_for_the_machine_is_refused_with_a_suggestion() -> None:
    sc = prepare(fleet_scenario(2_000))
    plan = sizing(sc, 1, 2)  # an actor per twin
    est = estimate(plan)
    assert est.actors == 2_000 and est.total > 100 * GIB
    with pytest.raises(engine.RunError) as e:
        check(plan, memory=24 * GIB, node_memory=24 * GIB, local=False, out=Path("."))
    message = str(e.value)
    assert "2,000 twins in 2,000 shards" in message and "GiB" in message
    assert "larger shards" in message and "cluster" in message
    # the same fleet in 4 shards fits
    fits = sizing(sc, "auto", 2)
    assert check(fits, 24 * GIB, 24 * GIB, local=False, out=Path(".")).total < 3 * GIB


@pytest.mark.ray
@pytest.mark.usefixtures("ray_session")
def test_a_fleet_too_large_is_refused_before_any_actor_starts(tmp_path: Path) -> None:
    with pytest.raises(engine.RunError, match="larger shards"):
        engine.simulate(fleet_scenario(2_000, days=0.01), out=tmp_path, twins_per_actor=1)
    assert not any(tmp_path.iterdir())  # no run folder was made


def test_ten_million_twins_are_refused_on_this_machine_before_the_plan_is_built(
    tmp_path: Path,
) -> None:
    data = fleet_scenario(10_000_000, days=1)
    with pytest.raises(engine.RunError, match="cluster"):
        engine.simulate(data, out=tmp_path, backend="local")


def test_risk_scoring_is_counted_in_the_shards_memory() -> None:
    on, off = (sizing(prepare(fleet_scenario(1_000_000, risk=r)), "auto", 2) for r in (True, False))
    assert (on.risk_instants, off.risk_instants) == (6, 0)  # 10-min scoring in 1-h epochs
    extra = (estimate(on).actors_total - estimate(off).actors_total) / 1_000_000
    # measured at 1,000,000 twins (BENCHMARKS.md "Scale"): 3.9 KB a twin more with scoring
    assert 3_200 < extra < 4_600
