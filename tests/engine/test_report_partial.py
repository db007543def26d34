"""`aurum report` on a run that did not finish says so: in the HTML, the XLSX and the terminal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from aurum import engine
from aurum.engine.cli.main import main
from aurum.engine.run.recorder import read_table
from aurum.engine.run.report import partial_of, write_report
from tests.engine.test_run import small_fleet


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> engine.RunResult:
    out = tmp_path_factory.mktemp("runs")
    return engine.simulate(small_fleet("6h"), out=out, backend="local", progress=False)


def _killed(run: engine.RunResult, where: Path, status: str, epochs: int) -> Path:
    """The run folder as a run stopped after `epochs` epochs leaves it: whole epochs in its
    tables, the manifest's status and progress as last written."""
    folder = where / run.run_id
    shutil.copytree(run.run_dir, folder)
    table = read_table(folder, "emissions")
    kept = table.filter(pc.less(table["epoch"], epochs))
    shutil.rmtree(folder / "emissions")
    (folder / "emissions").mkdir()
    pq.write_table(kept, folder / "emissions" / "part-00000.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = status
    manifest["progress"] |= {"status": status, "epochs_done": epochs}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_a_finished_run_has_no_notice(finished: engine.RunResult, tmp_path: Path) -> None:
    assert partial_of(finished.run_dir) == ""
    html, xlsx = write_report(finished.run_dir, out=tmp_path)
    assert "Partial run" not in html.read_text()
    assert load_workbook(xlsx).sheetnames[0] == "Summary"


def test_an_interrupted_run_says_what_it_covers_in_html_and_xlsx(
    finished: engine.RunResult, tmp_path: Path
) -> None:
    folder = _killed(finished, tmp_path, "interrupted", 3)
    notice = partial_of(folder)
    assert notice == (
        "Partial run: it was interrupted (Ctrl-C), after 3 of 6 epochs. This report covers "
        "2026-01-05 00:00 to 2026-01-05 03:00 UTC only (of 6h from 2026-01-05T00:00:00Z); "
        "totals and intensities are for that period."
    )
    html, xlsx = write_report(folder, out=tmp_path / "report")
    text = html.read_text()
    assert f'<p class="partial"><b>{notice}</b></p>' in text
    assert text.index('class="partial"') < text.index("<h2>Totals</h2>")  # above everything
    book = load_workbook(xlsx)
    assert book.sheetnames[:2] == ["Partial run", "Summary"]
    assert book.active.title == "Partial run"  # the sheet the workbook opens on
    assert book["Partial run"]["A2"].value == notice


def test_a_run_killed_before_its_first_epoch_covers_no_time(
    finished: engine.RunResult, tmp_path: Path
) -> None:
    folder = _killed(finished, tmp_path, "running", 0)
    assert partial_of(folder) == (
        "Partial run: its manifest says running (still running, or its driver was killed), "
        "after 0 of 6 epochs. No epoch finished: this report covers no time."
    )


def test_the_terminal_says_it_too(
    finished: engine.RunResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _killed(finished, tmp_path, "failed", 2)
    assert main(["report", str(folder), "--out", str(tmp_path / "r")]) == 0
    captured = capsys.readouterr()
    err = " ".join(captured.err.split())  # rich wraps long lines
    assert err.startswith("warning: Partial run: it failed, after 2 of 6 epochs.")
    assert "covers 2026-01-05 00:00 to 2026-01-05 02:00 UTC only" in err
    assert "wrote" in captured.out
