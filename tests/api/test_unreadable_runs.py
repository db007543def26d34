"""A corrupt or foreign manifest.json in the runs folder: GET /runs lists what is readable and
names each unreadable folder with the reason; GET /runs/{id} of one answers 409 with it; the
metrics count it; nothing answers 500."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aurum.api.main import create_app
from aurum.engine.errors import RunError
from aurum.engine.run.manifest import ManifestError, read_manifest
from tests.api.conftest import AUTH, TestClient, make_settings

STAMP = "20250101T000000Z"
SCENARIO = {"name": "x", "start": "2026-01-05T00:00:00Z", "duration": "1h", "fleet": []}
# folder name -> (manifest bytes, or None for no manifest; words the reason must contain)
BROKEN: dict[str, tuple[bytes | None, str]] = {
    "notjson": (b"{not json", "not valid JSON"),
    "binary": (b"\xff\xfe\x00garbage", "not UTF-8"),
    "alist": (b"[1, 2, 3]", "not a JSON object (a list)"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "empty": (b"{}", "scenario: Field required"),
    "noscenario": (json.dumps({"status": "done"}).encode(), "scenario: Field required"),
    "badstatus": (json.dumps({"scenario": SCENARIO, "status": 7}).encode(), "status"),
    "badstart": (
        json.dumps({"scenario": SCENARIO | {"start": "yesterday"}}).encode(),
        "scenario.start",
    ),
    "startlist": (json.dumps({"scenario": SCENARIO | {"start": [1]}}).encode(), "scenario.start"),
    "badduration": (
        json.dumps({"scenario": SCENARIO | {"duration": "forever"}}).encode(),
        "scenario.duration",
    ),
    "badfleet": (
        json.dumps({"scenario": SCENARIO | {"fleet": [{"count": "many"}]}}).encode(),
        "scenario.fleet.0.count",
    ),
    "fleetnums": (json.dumps({"scenario": SCENARIO | {"fleet": 5}}).encode(), "scenario.fleet"),
    "badprogress": (
        json.dumps({"scenario": SCENARIO, "progress": {"epochs_done": "lots"}}).encode(),
        "progress.epochs_done",
    ),
    "nanprogress": (
        b'{"scenario": {"name": "x", "start": "2026-01-05T00:00:00Z", "duration": "1h"},'
        b' "progress": {"elapsed_s": NaN}}',
        "progress.elapsed_s",
    ),
    "hugeticks": (
        json.dumps({"scenario": SCENARIO, "progress": {"twin_ticks": 10**30}}).encode(),
        "progress.twin_ticks",
    ),
    "badspeed": (
        json.dumps({"scenario": SCENARIO, "execution": {"speed": "fast"}}).encode(),
        "execution.speed",
    ),
    "year9999": (
        json.dumps(
            {"scenario": SCENARIO | {"start": "9999-12-31T00:00:00Z", "duration": "7d"}}
        ).encode(),
        "past the year 9999",
    ),
    "nomanifest": (None, "no manifest.json"),
}


def _ids() -> dict[str, str]:
    return {name: f"{name}-{STAMP}-0000" for name in BROKEN}


@pytest.fixture(scope="module")
def mixed_dir(tmp_path_factory: pytest.TempPathFactory, runs_dir: Path, stored_id: str) -> Path:
    """A runs folder with the good test run, every broken folder, and a stray file."""
    folder = tmp_path_factory.mktemp("mixed-runs")
    shutil.copytree(runs_dir / stored_id, folder / stored_id)
    for name, (content, _) in BROKEN.items():
        run = folder / _ids()[name]
        run.mkdir()
        if content is not None:
            (run / "manifest.json").write_bytes(content)
    (folder / "README.txt").write_text("not a run folder")
    return folder


@pytest.fixture
def mixed(mixed_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(mixed_dir)), raise_server_exceptions=False) as c:
        yield c


def test_the_list_has_the_readable_run_and_each_unreadable_folder_with_its_reason(
    mixed: TestClient, stored_id: str
) -> None:
    r = mixed.get("/runs")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 1 and [run["run_id"] for run in body["runs"]] == [stored_id]
    reasons = {u["run_id"]: u["reason"] for u in body["unreadable"]}
    assert set(reasons) == set(_ids().values())  # README.txt is a file: not listed
    for name, (_, words) in BROKEN.items():
        assert words in reasons[_ids()[name]], (name, reasons[_ids()[name]])


@pytest.mark.parametrize("name", list(BROKEN))
def test_reading_an_unreadable_run_is_409_with_the_reason(mixed: TestClient, name: str) -> None:
    run_id = _ids()[name]
    for path in (f"/runs/{run_id}", f"/runs/{run_id}/fleet", f"/runs/{run_id}/events"):
        r = mixed.get(path)
        assert r.status_code == 409, (path, r.text)
        body = r.json()
        assert body["detail"].startswith("the run folder cannot be read: ")
        assert BROKEN[name][1] in body["detail"]
        assert body["problems"][0]["path"] == "run_id" and body["problems"][0]["value"] == run_id
    assert mixed.delete(f"/runs/{run_id}", headers=AUTH).status_code == 409


def test_metrics_count_the_readable_runs_and_the_unreadable_folders(mixed: TestClient) -> None:
    r = mixed.get("/metrics")
    assert r.status_code == 200, r.text
    assert 'aurum_runs{status="done"} 1.0' in r.text
    assert f"aurum_runs_unreadable {float(len(BROKEN))}" in r.text


def test_a_run_repaired_on_disk_is_read_again(
    tmp_path: Path, runs_dir: Path, stored_id: str
) -> None:
    """The unreadable verdict is cached per manifest version, not for ever."""
    run = tmp_path / stored_id
    shutil.copytree(runs_dir / stored_id, run)
    good = (run / "manifest.json").read_bytes()
    (run / "manifest.json").write_bytes(b"{")
    with TestClient(create_app(make_settings(tmp_path))) as c:
        assert c.get(f"/runs/{stored_id}").status_code == 409
        (run / "manifest.json").write_bytes(good)
        stat = (run / "manifest.json").stat()
        os.utime(run / "manifest.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
        r = c.get(f"/runs/{stored_id}")
        assert r.status_code == 200 and r.json()["status"] == "done"


def test_read_manifest_names_the_file_and_why(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('"a string"', encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        read_manifest(tmp_path)
    assert isinstance(err.value, RunError) and isinstance(err.value, ValueError)
    p = err.value.problems[0]
    assert p.file == str(tmp_path / "manifest.json") and p.message == "not a JSON object (a str)"
    with pytest.raises(ManifestError, match=r"no manifest\.json"):
        read_manifest(tmp_path / "missing")
    (tmp_path / "manifest.json").write_text('{"status": "done"}', encoding="utf-8")
    assert read_manifest(tmp_path) == {"status": "done"}
