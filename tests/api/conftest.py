"""API fixtures: settings on a temporary runs folder, a finished run with synthetic events and
emissions tables (the shapes issues 3-5 will write), and clients with and without Ray."""

from __future__ import annotations

import shutil
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aurum import engine, esg
from aurum.api.config import Settings
from aurum.api.launch import Launch
from aurum.api.main import create_app
from aurum.api.views import PROGRESS_DEFAULTS, RunView
from aurum.engine.run.plan import build_plan
from aurum.engine.scenario.loader import load
from tests.conftest import SCENARIOS

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

KEY = "test-key-0123456789"
AUTH = {"X-API-Key": KEY}
DICT = pa.dictionary(pa.int32(), pa.string())
TS = pa.timestamp("ms", tz="UTC")


def small_fleet(duration: str = "2h") -> dict[str, Any]:
    """The demo site with 2 trucks, a mill and a boiler; telemetry every 5 min."""
    data = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    data["name"] = "api-test"
    data["fleet"] = [
        {"kind": "truck", "count": 2, "id_prefix": "T-", "site": "antofagasta"},
        {"kind": "mill", "id": "MILL-3", "site": "antofagasta"},
        {"kind": "boiler", "id": "BOILER-7", "site": "antofagasta"},
    ]
    data["duration"] = duration
    data["output"]["telemetry_resolution"] = "5min"
    return data


def make_settings(runs_dir: Path, **changes: Any) -> Settings:
    return Settings(api_key=KEY, runs_dir=runs_dir, **changes)


def _events() -> pa.Table:
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    rows = [
        (10, "T-1", "truck", "failure", "tyre_wear", None),
        (20, "T-1", "truck", "threshold_crossed", "coolant_temp_c", 104.5),
        (30, "MILL-3", "mill", "alert", "risk", 0.82),
        (40, "T-2", "truck", "repair_start", "tyre_wear", None),
    ]
    return pa.table(
        {
            "time": pa.array([t0 + timedelta(minutes=m) for m, *_ in rows], TS),
            "twin_id": pa.array([r[1] for r in rows]).cast(DICT),
            "kind": pa.array([r[2] for r in rows]).cast(DICT),
            "site": pa.array(["antofagasta"] * len(rows)).cast(DICT),
            "event": pa.array([r[3] for r in rows]).cast(DICT),
            "mode": pa.array([r[4] for r in rows], pa.string()),
            "value": pa.array([r[5] for r in rows], pa.float64()),
            "detail": pa.array(['{"crew": 1}', None, "not json", None], pa.string()),
        }
    )


EMISSIONS = [  # twin, kind, scope, gas, kg
    ("T-1", "truck", "1", "co2", 1000.0),
    ("T-1", "truck", "1", "ch4_fossil", 1.0),
    ("T-1", "truck", "1", "n2o", 0.1),
    ("MILL-3", "mill", "2-location", "co2", 500.0),
    ("MILL-3", "mill", "2-market", "co2", 200.0),
    ("MILL-3", "mill", "3.3", "co2e_embedded", 50.0),
]


SCOPES = {
    "1": "scope1",
    "2-location": "scope2_location",
    "2-market": "scope2_market",
    "3.3": "scope3_electricity",
}


def _emissions() -> pa.Table:
    """The wide emissions table (one column per scope and gas), one row per twin."""
    t0 = datetime(2026, 1, 5, tzinfo=UTC)
    twins = list(dict.fromkeys((t, k) for t, k, *_ in EMISSIONS))
    n = len(twins)
    cols: dict[str, Any] = {
        "epoch": pa.array([0] * n, pa.int32()),
        "start": pa.array([t0] * n, TS),
        "end": pa.array([t0 + timedelta(hours=1)] * n, TS),
        "twin_id": pa.array([t for t, _ in twins]).cast(DICT),
        "kind": pa.array([k for _, k in twins]).cast(DICT),
        "site": pa.array(["antofagasta"] * n).cast(DICT),
        "country": pa.array(["CL"] * n).cast(DICT),
    }
    for c in esg.COLUMNS:
        cols[c] = pa.array([0.0] * n)
    for twin, _, scope, gas, kg in EMISSIONS:
        name = esg.column_name(SCOPES[scope], gas)
        values = cols[name].to_pylist()
        values[[t for t, _ in twins].index(twin)] += kg
        cols[name] = pa.array(values, pa.float64())
    return pa.table(cols)


def _replace_table(run_dir: Path, name: str, table: pa.Table) -> None:
    shutil.rmtree(run_dir / name, ignore_errors=True)
    (run_dir / name).mkdir()
    pq.write_table(table, run_dir / name / "part-00000.parquet")


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A runs folder holding one finished run with synthetic events and emissions."""
    folder = tmp_path_factory.mktemp("api-runs")
    result = engine.simulate(small_fleet(), out=folder, backend="local")
    _replace_table(result.run_dir, "events", _events())
    _replace_table(result.run_dir, "emissions", _emissions())
    return folder


@pytest.fixture(scope="session")
def stored_id(runs_dir: Path) -> str:
    return next(p.name for p in runs_dir.iterdir() if (p / "manifest.json").is_file())


@pytest.fixture
def client(runs_dir: Path) -> Iterator[TestClient]:
    """A client of an app on the stored runs (no Ray needed: nothing is started)."""
    app = create_app(make_settings(runs_dir))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def live_client(
    ray_session: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """A client of an app that starts real runs on the session's Ray."""
    app = create_app(make_settings(tmp_path_factory.mktemp("live-runs"), poll_s=0.1))
    with TestClient(app) as c:
        yield c


def wait_for(client: TestClient, run_id: str, done: Any, timeout: float = 60.0) -> dict[str, Any]:
    """Poll GET /runs/{id} until `done(run)` holds."""
    end = time.monotonic() + timeout
    while True:
        run = client.get(f"/runs/{run_id}").json()
        if done(run) or time.monotonic() > end:
            return run
        time.sleep(0.1)


class PlannedRun(RunView):
    """What POST /runs answers for a request the app accepted, without starting it: the run is
    planned (`build_plan`, the engine's own last check before actors start) and kept."""

    live = True

    def __init__(self, job: Launch, runs_dir: Path) -> None:
        self.job, self.plan = job, build_plan(job.scenario)
        super().__init__(f"{self.plan.name}-planned", runs_dir / "planned")

    @property
    def finished(self) -> bool:
        return False

    def info(self) -> dict[str, Any]:
        t = self.plan.timing
        end = t.start + timedelta(seconds=t.total_ticks * t.tick_s)
        twins = len(self.plan.twin_ids())
        return {"scenario": self.plan.name, "twins": twins, "speed": self.job.speed,
                "sim_start": t.start, "sim_end": end}  # fmt: skip

    def progress(self) -> dict[str, Any]:
        t = self.plan.timing
        n_epochs = -(-t.total_ticks // t.epoch_ticks)
        return PROGRESS_DEFAULTS | {"status": "starting", "n_epochs": n_epochs, "sim_time": t.start}


@pytest.fixture
def planning(tmp_path: Path) -> Iterator[tuple[TestClient, list[PlannedRun]]]:
    """A client whose accepted runs are planned, not started (no Ray), and the list of them."""
    app = create_app(make_settings(tmp_path, max_twins=50, max_duration="2d"))
    planned: list[PlannedRun] = []

    def start(job: Launch) -> PlannedRun:
        planned.append(PlannedRun(job, tmp_path))
        return planned[-1]

    app.state.manager.start = start
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, planned
