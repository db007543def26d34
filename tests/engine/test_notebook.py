"""The Python API as a notebook user meets it: reprs, Arrow tables, clear errors for wrong names,
`engine.study` and `engine.__version__` after a bare `import engine`, progress in Jupyter."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from aurum import engine
from aurum.engine.run.result import NotFoundError, progress_for
from aurum.engine.run.runner import RunHandle
from tests.engine.test_run import small_fleet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[engine.RunResult, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    out = tmp_path_factory.mktemp("runs")
    r = engine.simulate(small_fleet("6h"), out=out, backend="local", on_progress=seen.append)
    return r, seen


def test_repr_names_the_run_its_status_and_fleet(run: tuple[engine.RunResult, Any]) -> None:
    r, _ = run
    text = repr(r)
    assert text.startswith(f"<RunResult {r.run_id} done: 6 h simulated in ")
    assert "twins 9 (truck 4, mill 2, boiler 3)" in text
    assert str(r.run_dir) in text
    assert str(r).splitlines()[0] == text  # str adds the summary's table under it
    assert "ore hauled" in str(r)


def test_html_repr_is_a_table_of_summary_kpis_and_tables(run: tuple[engine.RunResult, Any]) -> None:
    r, _ = run
    html = r._repr_html_()
    assert html.startswith("<div>") and html.endswith("</div>")
    assert html.count("<table>") >= 3  # facts, production by kind, maintenance KPIs
    assert f"<td>{r.run_id}</td>" in html
    assert "<td>truck</td>" in html and "<td>ore milled</td>" in html
    assert "<code>telemetry/truck</code>" in html


def test_kpis_is_an_arrow_table_with_the_summary_values(run: tuple[engine.RunResult, Any]) -> None:
    r, _ = run
    assert isinstance(r.kpis, pa.Table)
    assert r.kpis["key"].to_pylist() == ["truck", "mill", "boiler", "fleet"]
    fleet = r.kpis.to_pylist()[3]
    assert fleet["calendar_h"] == pytest.approx(9 * 6.0)  # 9 twins x 6 h
    assert fleet["physical_availability"] == pytest.approx(
        r.summary.kpis["fleet"]["physical_availability"]
    )
    df = r.kpis.to_pandas()
    assert list(df["key"]) == ["truck", "mill", "boiler", "fleet"]


def test_every_table_name_listed_reads_and_a_wrong_one_lists_them(
    run: tuple[engine.RunResult, Any],
) -> None:
    r, _ = run
    assert {"production", "twins", "kpis", "telemetry/truck", "emissions"} <= set(r.tables)
    assert "checkpoint" not in " ".join(r.tables)
    assert r.table("production").num_rows == 6 * 9  # 6 hourly epochs x 9 twins
    with pytest.raises(KeyError) as caught:  # NotFoundError is a KeyError and an AurumError
        r.table("telemetry")
    err = caught.value
    assert isinstance(err, NotFoundError) and isinstance(err, engine.AurumError)
    text = str(err)
    assert text.startswith("table: no table of that name; did you mean 'telemetry/")
    assert "(got 'telemetry')" in text
    assert "accepted: " in text and "production" in text and "twins" in text
    with pytest.raises(NotFoundError, match="no table of that name"):
        r.table("../manifest")  # only the run's own tables, never a path out of it


def test_a_local_run_reports_progress_to_the_end(run: tuple[engine.RunResult, Any]) -> None:
    _, seen = run
    assert seen, "no progress reported"
    assert seen[-1]["status"] == "done" and seen[-1]["epochs_done"] == seen[-1]["n_epochs"] == 6
    done = [p["epochs_done"] for p in seen]
    assert done == sorted(done)


class _Remote:
    def __init__(self, fn: Any) -> None:
        self.remote = fn


class _Coordinator:
    """Stands in for the Ray actor: `.method.remote(...)` returns the answer itself."""

    def __init__(self, states: dict[str, dict[str, Any]], progress: dict[str, Any] | None) -> None:
        self.twin_state = _Remote(states.get)
        self.progress = _Remote(lambda: progress if progress is not None else 1 / 0)


class _Handle(RunHandle):
    def _get(self, ref: Any, timeout: float | None = None) -> Any:
        return ref


def _handle(progress: dict[str, Any] | None) -> RunHandle:
    from aurum.engine.run.plan import build_plan

    plan = build_plan(engine.load(small_fleet("6h")))
    coordinator = _Coordinator({"MILL-4": {"kind": "mill"}}, progress)
    return _Handle(plan, "demo-x", Path("runs/demo-x"), coordinator, 0.0)


def test_twin_state_of_an_unknown_twin_names_the_closest_ids() -> None:
    h = _handle(None)
    assert h.twin_state("MILL-4") == {"kind": "mill"}
    with pytest.raises(KeyError) as caught:
        h.twin_state("MILL-5")
    text = str(caught.value)
    assert text.startswith("twin_id: no twin of that name; did you mean 'MILL-")
    assert "(got 'MILL-5')" in text and "TRUCK-21" in text
    assert h.twin_state("NOPE", None) is None
    assert h.twin_state("NOPE", default={}) == {}


def test_handle_repr_shows_progress_and_survives_an_ended_coordinator() -> None:
    live = {"status": "running", "epochs_done": 2, "n_epochs": 6, "sim_time": "2026-01-05T02:00"}
    h = _handle(live | {"twin_ticks_per_s": 12_345.0})
    assert repr(h) == (
        "<RunHandle demo-x: status running, progress epoch 2/6, sim 2026-01-05 02:00, "
        "rate 12,345 twin-ticks/s; folder runs/demo-x>"
    )
    assert "<td>epoch 2/6</td>" in h._repr_html_()
    ended = _handle(None)  # its progress call raises: the repr says so instead
    assert "status unknown (ZeroDivisionError)" in repr(ended)


def test_progress_shows_in_jupyter_by_default_and_only_when_asked_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def mine(p: dict[str, Any]) -> None:
        pass

    monkeypatch.setattr(engine.run.result, "in_jupyter", lambda: False)
    with progress_for(None, None) as shown:
        assert shown is None
    with progress_for(True, None) as shown:
        assert callable(shown)
        shown({"epochs_done": 1, "n_epochs": 2})
    with progress_for(True, mine) as shown:
        assert shown is mine  # the caller's own callback wins
    monkeypatch.setattr(engine.run.result, "in_jupyter", lambda: True)
    with progress_for(None, None) as shown:
        assert callable(shown)
    with progress_for(False, None) as shown:
        assert shown is None


def _fresh(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return done.stdout.strip()


def test_study_and_version_after_a_bare_import() -> None:
    out = _fresh(
        "import sys, engine; assert 'engine.studies.study' not in sys.modules; "
        "print(callable(engine.study), engine.study.run_study.__name__, engine.__version__)"
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert out == f"True run_study {project['version']}"
    assert engine.__version__ == metadata.version("aurum-twin")
    with pytest.raises(AttributeError, match="no attribute 'stuyd'"):
        _ = engine.stuyd


def test_study_result_repr_counts_variants_and_runs(tmp_path: Path) -> None:
    from aurum.engine.studies.study import StudyResult

    runs = pa.table({"status": ["done", "done", "failed"], "variant": ["a", "b", "b"]})
    empty = pa.table({"x": pa.array([], pa.float64())})
    r = StudyResult("what-if", tmp_path, "a", ["a", "b"], {}, runs, empty, empty)
    assert (
        repr(r)
        == f"<StudyResult what-if: 2 variants, 2 of 3 runs done, baseline a; folder {tmp_path}>"
    )
    assert engine.study.StudyResult is StudyResult


def test_in_jupyter_without_ipywidgets_progress_prints_lines_to_the_cell(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(engine.run.result, "in_jupyter", lambda: True)
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ipywidgets" else real(name)
    )
    with progress_for(None, None) as shown:
        assert shown is not None
        shown({"epochs_done": 0, "n_epochs": 4, "sim_time": "2026-01-05T00:00:00Z"})
        shown({"epochs_done": 4, "n_epochs": 4, "sim_time": "2026-01-05T04:00:00Z"})
    assert capsys.readouterr().out.splitlines() == [
        "epoch 0/4  sim 2026-01-05 00:00",
        "epoch 4/4  sim 2026-01-05 04:00",
    ]
