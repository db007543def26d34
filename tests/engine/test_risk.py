"""Risk scoring end to end: a tiny model trained from scratch, bad model files refused at run
start, scores identical however the fleet is sharded, the policy, the fleet state."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aurum import engine
from aurum.engine.errors import RunError
from aurum.engine.maintenance.config import MaintenanceConfig
from aurum.engine.maintenance.policies import FleetView, KindView, RiskBased
from aurum.engine.risk.data import FleetSpec
from aurum.engine.risk.runs import simulate_local
from aurum.engine.run.fleetstate import FleetState
from aurum.engine.run.plan import build_plan
from aurum.engine.run.recorder import read_table
from aurum.engine.scenario.loader import load
from aurum.twins import registry
from aurum.twins.kind import Status
from aurum.twins.risk import FeatureSpec, load_model
from tests.conftest import SCENARIOS

WORN = {"at": "2d", "kind": "mill", "fraction": 0.5, "mode": "trunnion_bearing", "severity": 0.95}
TINY = FleetSpec(
    "mill", twins=12, days=14, tick="1h", record="2h", interval="1h",
    injections=(WORN | {"ramp": "8d", "accelerate": 100},),  # failures in the run: plumbing test
)  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mill model trained end to end on two tiny fleets; its folder."""
    from aurum.engine.risk.train import ModelParams, train_kind

    root = tmp_path_factory.mktemp("risk")
    params = ModelParams(max_iter=15, max_leaf_nodes=7)
    train_kind("mill", root / "data", root / "models", (1, 2), TINY, params, workers=1)
    return root / "models"


def mills(model: Path | None, **risk: Any) -> dict[str, Any]:
    """The demo site with 5 mills for 3 days at 10-min ticks, scoring with `model`."""
    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    data["fleet"] = [{"kind": "mill", "count": 5, "id_prefix": "M-", "site": "antofagasta"}]
    data.update(duration="3d", tick="10min", epoch="6h")
    data["output"]["telemetry_resolution"] = "1h"
    data["risk"] = {"enabled": model is not None, "warmup": "6h", "record_features": "1h"} | risk
    if model is not None:
        data["risk"]["models"] = {"mill": str(model)}
    return data


def test_a_tiny_model_trains_end_to_end(tiny: Path) -> None:
    card = json.loads((tiny / "mill.json").read_text())
    spec = FeatureSpec.of(registry.get("mill"))
    assert card["features"] == spec.names and card["horizon_h"] == 72.0
    assert card["data"]["train_seeds"] == [1, 2] and card["data"]["positives"]["train"] > 0
    assert 0.0 < card["alert_level"] < 1.0
    assert card["metrics"]["validation"]["onnx_max_abs_diff"] < 1e-5
    model = load_model(spec, tiny / "mill.onnx")
    assert model.features == spec.names and (tiny / "mill.onnx").stat().st_size < 200_000


def test_evaluation_puts_model_next_to_rule(tiny: Path, tmp_path: Path) -> None:
    from aurum.engine.risk.evaluate import evaluate_kind

    r = evaluate_kind("mill", tmp_path, tiny, (3,), TINY, workers=1)
    assert r["positives"] > 0 and r["failures"] > 0
    for who in ("model", "rule"):
        assert set(r[who]) >= {"auroc", "precision", "recall", "f1", "median_lead_h"}
        assert 0.0 <= r[who]["f1"] <= 1.0 and r[who]["false_alarms_per_twin_month"] >= 0.0


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of twins/models/ standing in for the shipped folder (MODELS_DIR points at it), and
    runs under tmp_path/runs ($AURUM_RUNS_DIR): the real shipped files are never written."""
    import aurum.engine.cli.risk
    import aurum.twins.risk.model

    copy = tmp_path / "shipped"
    shutil.copytree(aurum.twins.risk.model.MODELS_DIR, copy)
    monkeypatch.setattr(aurum.twins.risk.model, "MODELS_DIR", copy)
    monkeypatch.setattr(aurum.engine.cli.risk, "_fleet", lambda args, kind: TINY)
    monkeypatch.setenv("AURUM_RUNS_DIR", str(tmp_path / "runs"))
    return copy


def digests(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())}


REAL_MODELS = digests(Path(__file__).resolve().parents[2] / "twins" / "models")


def test_train_writes_its_folder_and_replaces_models_only_when_asked(
    tiny: Path, shipped: Path, tmp_path: Path
) -> None:
    from aurum.engine.cli.main import main

    before = digests(shipped)
    data = str(tiny.parent / "data")  # the tiny model's fleets, reused: only the fit runs
    argv = ["risk", "train", "--kind", "mill", "--seeds", "1", "2", "--trees", "15"]
    argv += ["--workers", "1", "--data", data, "--quiet"]
    assert main(argv) == 0
    written = tmp_path / "runs" / "risk" / "models"
    assert sorted(f.name for f in written.iterdir()) == ["mill.json", "mill.onnx"]
    assert json.loads((written / "mill.json").read_text())["data"]["train_seeds"] == [1, 2]
    assert digests(shipped) == before
    assert main([*argv, "--install-models"]) == 0
    after = digests(shipped)
    assert after["mill.onnx"] != before["mill.onnx"] and after["mill.json"] != before["mill.json"]
    assert {k: v for k, v in after.items() if "mill" not in k} == {
        k: v for k, v in before.items() if "mill" not in k
    }
    assert digests(Path(__file__).resolve().parents[2] / "twins" / "models") == REAL_MODELS


def test_evaluate_writes_its_folder_and_cards_only_when_asked(
    shipped: Path, tmp_path: Path
) -> None:
    from aurum.engine.cli.main import main

    before = digests(shipped)
    argv = ["risk", "evaluate", "--kind", "mill", "--seeds", "3", "--workers", "1", "--quiet"]
    assert main(argv) == 0
    written = tmp_path / "runs" / "risk" / "evaluation"
    assert sorted(f.name for f in written.iterdir()) == ["evaluation.json", "mill.json"]
    card = json.loads((written / "mill.json").read_text())
    assert card["metrics"]["test"]["test_seeds"] == [3]
    assert json.loads((written / "evaluation.json").read_text())[0]["kind"] == "mill"
    assert digests(shipped) == before
    assert main([*argv, "--install-models"]) == 0  # the same fleet again (reused)
    after = digests(shipped)
    assert [k for k in after if after[k] != before[k]] == ["mill.json"]
    installed = json.loads((shipped / "mill.json").read_text())
    assert installed["metrics"]["test"] == card["metrics"]["test"]
    assert digests(Path(__file__).resolve().parents[2] / "twins" / "models") == REAL_MODELS


def test_runs_score_and_alert(tiny: Path, tmp_path: Path) -> None:
    r = simulate_local(mills(tiny / "mill.onnx", alert_level=0.01), out=tmp_path)
    tel = r.table("telemetry/mill").to_pandas()
    assert tel["risk"].dtype == np.float32 and tel["risk"].notna().any()
    assert tel.loc[tel.time < tel.time.min() + np.timedelta64(5, "h"), "risk"].isna().all()
    feats = r.table("features/mill")
    assert feats.num_rows and not np.isnan(feats.column("risk").to_numpy()).any()
    events = r.table("events").to_pandas()
    assert (events.event == "alert").any()  # at a 1 % alert level every mill alerts once
    assert (events.event == "alert").sum() == 5
    top = r.fleet["top_risks"]
    assert len(top) == 5 and top[0]["risk"] >= top[-1]["risk"] and top[0]["kind"] == "mill"


def test_scores_do_not_depend_on_sharding(tiny: Path, tmp_path: Path) -> None:
    tables = ("telemetry/mill", "events", "features/mill")
    data = mills(tiny / "mill.onnx", alert_level=0.02)
    runs = [simulate_local(data, out=tmp_path / str(k), twins_per_actor=k) for k in (1, 2, 5)]
    for name in tables:
        first = read_table(runs[0].run_dir, name).to_pandas()
        for other in runs[1:]:
            assert first.equals(read_table(other.run_dir, name).to_pandas()), name


def test_scoring_off_gives_nan_risk(tmp_path: Path) -> None:
    data = mills(None)
    data["risk"] = {"enabled": False}
    r = simulate_local(data, out=tmp_path)
    assert np.isnan(r.table("telemetry/mill").column("risk").to_numpy()).all()
    assert not (r.run_dir / "features").exists() and r.fleet["top_risks"] == []


def _bad_model(tmp_path: Path, tiny: Path, how: str) -> Path:
    path = tmp_path / "mill.onnx"
    shutil.copy(tiny / "mill.onnx", path)
    card = json.loads((tiny / "mill.json").read_text())
    if how == "corrupt":
        path.write_bytes(b"\x08\x01not an onnx graph")
    elif how == "reordered":
        card["features"] = card["features"][::-1]
    elif how == "missing-feature":
        card["features"] = card["features"][:-1]
    elif how == "other-kind":
        card["kind"] = "boiler"
    elif how == "narrow-graph":  # a graph for a kind with fewer features, its card made to fit
        from sklearn.ensemble import HistGradientBoostingClassifier

        from aurum.engine.risk.onnx_graph import hgb_to_onnx

        x = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
        m = HistGradientBoostingClassifier(max_iter=3).fit(x, x[:, 0] > 0)
        path.write_bytes(hgb_to_onnx(m, 5))
    (tmp_path / "mill.json").write_text(json.dumps(card))
    return path


@pytest.mark.parametrize(
    ("how", "says", "names"),
    [
        ("missing", "no risk model file", ".onnx"),
        ("corrupt", "not a readable ONNX model", ".onnx"),
        ("reordered", "(order)", ".json"),
        ("missing-feature", "missing 'derated_frac'", ".json"),
        ("other-kind", "the card is for kind 'boiler', not 'mill'", ".json"),
        ("narrow-graph", "the graph's input has shape", ".onnx"),
    ],
)
def test_bad_models_are_refused_at_run_start(
    tiny: Path, tmp_path: Path, how: str, says: str, names: str
) -> None:
    path = tmp_path / "nope.onnx" if how == "missing" else _bad_model(tmp_path, tiny, how)
    out = tmp_path / "runs"
    with pytest.raises(RunError) as e:
        engine.simulate(mills(path), out=out, backend="local")
    text = str(e.value)
    assert says in text and str(path.with_suffix(names)) in text
    assert e.value.problems[0].path.startswith("risk")
    assert not out.exists()  # refused before any run folder or actor


def test_committed_models_fit_the_kinds() -> None:
    for kind in registry.names():
        spec = FeatureSpec.of(registry.get(kind))
        model = load_model(spec)  # twins/models/<kind>.onnx
        assert model.card["metrics"]["test"]["model"]["auroc"] > 0.5
        assert model.card["data"]["train_seeds"] and model.card["metrics"]["test"]["test_seeds"]
        assert not set(model.card["data"]["train_seeds"]) & set(
            model.card["metrics"]["test"]["test_seeds"]
        )


def test_scenario_risk_block_is_validated() -> None:
    data = mills(None)
    for bad in ({"alert_level": 1.5}, {"alert_level": 0.3, "clear_level": 0.4},
                {"models": {"tractor": "x.onnx"}}, {"interval": "0min"}):  # fmt: skip
        data["risk"] = bad
        with pytest.raises(engine.AurumError):
            load(data)
    data["risk"] = {"enabled": False, "interval": "30min", "alert_level": {"mill": 0.7}}
    assert build_plan(load(data)).risk is None


def view(risk: list[float], progress: dict[str, list[float]], status: list[int]) -> FleetView:
    n = len(risk)
    latest = {"status": np.array(status, dtype=np.int8)}
    ages = {m: np.zeros(n) for m in registry.get("mill").mode_names()}
    prog = {m: np.array(v, dtype=float) for m, v in progress.items()}
    kv = KindView(np.arange(10, 10 + n), latest, ages, np.array(risk), prog)
    return FleetView(0, {"mill": kv})


def test_risk_based_policy_services_the_degraded_components() -> None:
    policy = RiskBased(MaintenanceConfig(policy="risk_based", risk_threshold=0.5))
    run, down = int(Status.RUNNING), int(Status.DOWN)
    v = view(
        [0.9, 0.7, 0.2, np.nan, 0.95],
        {
            "trunnion_bearing": [0.8, 0.1, 0.9, 0.9, 0.9],
            "liner": [0.6, 0.3, 0.9, 0.9, 0.9],
            "gearbox": [0.1, 0.2, np.nan, 0.9, 0.9],
        },
        [run, run, run, run, down],
    )
    assert policy.orders(v) == [
        (10, ("trunnion_bearing", "liner")),  # both past half way to their alarms
        (11, ("liner",)),  # none past half way: the one that moved most
    ]  # low risk, unscored and down twins get nothing


def test_fleet_state_keeps_latest_risk_and_top_risks(tmp_path: Path) -> None:
    from aurum.engine.run.fleetstate import load as load_state
    from aurum.engine.run.fleetstate import save

    plan = build_plan(load(mills(None)))
    state = FleetState(plan)
    state.risk[:] = [0.2, np.nan, 0.9, 0.5, 0.9]
    top = state.summary()["top_risks"]
    assert [t["twin_id"] for t in top] == ["M-3", "M-5", "M-4", "M-1"]
    assert state.twin("M-2")["risk"] is None and state.twin("M-3")["risk"] == 0.9
    save(state, tmp_path / "s.npz")
    again = load_state(plan, tmp_path / "s.npz")
    np.testing.assert_array_equal(again.risk, state.risk)
    state.alerts[:] = [0, 0, 2, 1, 0]
    kind = state.summary()["kinds"]["mill"]["risk"]
    assert kind == {
        "scored": 4, "alerts": 3, "alerted_twins": 2, "max_risk": 0.9, "max_twin": "M-3"
    }  # fmt: skip
    save(state, tmp_path / "s.npz")
    np.testing.assert_array_equal(load_state(plan, tmp_path / "s.npz").alerts, state.alerts)


def test_alert_episodes_clear_after_the_dwell() -> None:
    from aurum.engine.risk.metrics import Lives, score_alerts

    # one twin life of 10 hourly rows ending in a failure after the last row
    hours = np.arange(10.0)
    ttf = 10.0 - hours
    y = ttf <= 3.0
    score = np.array([0.1, 0.7, 0.2, 0.5, 0.2, 0.2, 0.1, 0.8, 0.9, 0.9])
    lives = Lives.of(np.zeros(10), np.zeros(10), hours, ttf, y)
    one = score_alerts(lives, score, 0.6, 0.3, 1.0, 3.0, dwell=1)
    two = score_alerts(lives, score, 0.6, 0.3, 1.0, 3.0, dwell=2)
    # dwell 1: alert at 1, cleared at 2; alert at 7 (warned, lead 3 h) -> 2 alerts, 1 false
    assert (one.alerts, one.false_alarms, one.warned, one.median_lead_h) == (2, 1, 1, 3.0)
    # dwell 2: the dip at 2 does not clear (3 is back above 0.3); 4-5 clear it; alert at 7
    active, _ = lives.episodes(score >= 0.6, score <= 0.3, 2)
    assert active.tolist() == [False, True, True, True, True, False, False, True, True, True]
    assert (two.alerts, two.false_alarms, two.warned) == (2, 1, 1)
    assert (one.auroc, one.f1) == (two.auroc, two.f1)  # row metrics do not depend on the dwell


def test_lives_of_no_rows_is_empty_not_an_index_error() -> None:
    """A held-out fleet too small to have a scored row of a kind (aurum risk evaluate --twins 2)."""
    from aurum.engine.risk.metrics import Lives

    empty = np.zeros(0)
    lives = Lives.of(empty, empty, empty, empty, np.zeros(0, dtype=bool))
    assert len(lives.order) == 0 and not lives.last.any()
    one = Lives.of(np.zeros(1), np.zeros(1), np.ones(1), np.full(1, 5.0), np.ones(1, dtype=bool))
    assert one.last.tolist() == [True] and one.start.tolist() == [0]
