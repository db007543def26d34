"""What `aurum` answers to what a person may type wrong: one line, `error: …` naming the option,
file or folder and the bad value, a non-zero exit, never a traceback; a crash file of its own per
crash; a disk that refuses a write mid-run; and the machine-readable `--json` outputs."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from aurum.engine.cli import main as cli
from aurum.engine.cli.main import main
from aurum.engine.run.summary import Summary
from tests.conftest import SCENARIOS

DEMO = str(SCENARIOS / "demo.yaml")


def answer(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `aurum ARGV` (argparse's exits included)."""
    try:
        code = main(argv)
    except SystemExit as e:
        code = int(e.code or 0)
    got = capsys.readouterr()
    return code, got.out, got.err


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(
    ("flag", "value", "accepted"),
    [
        ("--speed", "0", "a finite number > 0"),
        ("--speed", "-1", "a finite number > 0"),
        ("--speed", "nan", "a finite number > 0"),
        ("--speed", "inf", "a finite number > 0"),
        ("--twins-per-actor", "0", 'a whole number ≥ 1 or "auto"'),
        ("--twins-per-actor", "many", 'a whole number ≥ 1 or "auto"'),
        ("--seed", "-1", "a whole number ≥ 0"),
        ("--seed", "1.5", "a whole number ≥ 0"),
        ("--checkpoint", "-2", "a whole number ≥ 0"),
    ],
)
def test_a_bad_number_is_one_line(
    capsys: pytest.CaptureFixture[str], flag: str, value: str, accepted: str
) -> None:
    code, out, err = answer(capsys, ["run", DEMO, flag, value])
    assert (code, out) == (2, "")
    line = one_line(err)
    assert line.startswith(f"error: {flag}: got {value!r}; accepted: {accepted}")


@pytest.mark.parametrize(
    ("duration", "says"),
    [("99999999999d", "too long"), ("0.0000001s", "shorter than one second")],
)
def test_a_duration_out_of_range_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, duration: str, says: str
) -> None:
    argv = ["run", DEMO, "--local", "--duration", duration, "--out", str(tmp_path)]
    code, _, err = answer(capsys, argv)
    assert code == 2
    line = one_line(err)
    assert line.startswith("error: ") and "duration: " in line and says in line
    assert f"(got {duration!r})" in line
    assert not list(tmp_path.iterdir())  # refused before any folder was made


def bad_scenarios(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Files a person may hand to `run` or `validate` by mistake, and what the answer says."""
    (tmp / "empty.yaml").write_text("", encoding="utf-8")
    (tmp / "binary.yaml").write_bytes(bytes(range(128, 256)))
    (tmp / "notes.txt").write_text("name: demo\n", encoding="utf-8")
    (tmp / "folder.yaml").mkdir()
    study = SCENARIOS / "studies" / "maintenance-policy-2y.yml"
    return {
        "missing": (tmp / "missing.yaml", "no such scenario file"),
        "empty": (tmp / "empty.yaml", "the file is empty"),
        "binary": (tmp / "binary.yaml", "not UTF-8 text"),
        "txt": (tmp / "notes.txt", "not a scenario file name"),
        "folder": (tmp / "folder.yaml", "a folder, not a scenario file"),
        "study": (study, "this is a study file"),
    }


@pytest.mark.parametrize("case", ["missing", "empty", "binary", "txt", "folder", "study"])
def test_run_and_validate_refuse_what_is_not_a_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    path, says = bad_scenarios(tmp_path)[case]
    code, _, err = answer(capsys, ["run", str(path), "--local", "--out", str(tmp_path / "r")])
    assert code == 2
    line = one_line(err)
    assert line.startswith(f"error: {path}") and says in line, line
    code, _, err = answer(capsys, ["validate", str(path)])
    assert code == 2
    assert f"{path}" in err and says in err and "Traceback" not in err
    code, out, _ = answer(capsys, ["validate", str(path), "--json"])
    (result,) = json.loads(out)
    assert code == 2 and result["ok"] is False and says in result["problems"][0]["message"]


@pytest.mark.parametrize("command", ["report", "resume"])
def test_report_and_resume_want_a_run_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    cases = {
        tmp_path / "nowhere": "no such folder",
        tmp_path / "a-file": "not a folder",
        tmp_path: "not a run folder (no manifest.json)",
    }
    for path, says in cases.items():
        code, _, err = answer(capsys, [command, str(path)])
        assert code == 2
        assert one_line(err) == (
            f"error: RUN: {says} (got {str(path)!r}); accepted: a run folder written by "
            "`aurum run`, e.g. runs/demo-20260105-0000-s42"
        )


def test_out_that_cannot_be_made_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    argv = ["run", DEMO, "--local", "--quiet", "--duration", "2h", "--out", str(blocker / "runs")]
    code, _, err = answer(capsys, argv)
    assert code == 2
    assert "error: " in one_line(err) and str(blocker / "runs") in err


def test_a_write_refused_mid_run_is_one_line_and_keeps_what_was_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk after the run started: Parquet's 13th write fails (the first twelve are
    twins.parquet and the tables flushed by the first checkpoints)."""
    real = pq.write_table
    calls: list[str] = []

    def filling(table: Any, where: Any, **kwargs: Any) -> None:
        calls.append(str(where))
        if len(calls) > 12:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", filling)
    argv = ["run", DEMO, "--local", "--quiet", "--duration", "6h", "--checkpoint", "1"]
    code, _, err = answer(capsys, [*argv, "--out", str(tmp_path)])
    assert code == 1
    assert one_line(err) == (
        f"error: cannot write under {tmp_path}: No space left on device; the run stopped and "
        "what it wrote before is kept"
    )
    (run,) = tmp_path.iterdir()
    # every file whose write went through is there (a part is written as .tmp, then renamed)
    kept = [Path(c).with_suffix(".parquet") for c in calls[:12]]
    assert (run / "twins.parquet") in kept
    assert all(p.is_file() for p in kept)
    assert list((run / "production").glob("part-*.parquet"))
    assert json.loads((run / "manifest.json").read_text())["status"] == "failed"


def test_every_crash_has_its_own_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(args: Any) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "cmd_schema", bug)
    files = []
    for _ in range(2):
        code, _, err = answer(capsys, ["schema"])
        line = one_line(err)
        assert code == 1 and line.startswith("internal error: ZeroDivisionError: a bug")
        files.append(Path(line.rsplit("details in ", 1)[1].rstrip(")")))
    assert files[0] != files[1]
    for f in files:
        assert "ZeroDivisionError: a bug" in f.read_text(encoding="utf-8")
        f.unlink()


def test_version_and_completion(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, _ = answer(capsys, ["--version"])
    assert (code, out.strip()) == (0, f"aurum {version('aurum-twin')}")
    for shell in ("bash", "zsh"):
        code, out, _ = answer(capsys, ["completion", shell])
        assert code == 0
        for word in ("resume", "validate", "--twins-per-actor", "--checkpoint"):
            assert word in out, (shell, word)
    code, _, err = answer(capsys, ["completion", "fish"])
    assert code == 2 and "invalid choice: 'fish'" in one_line(err)


def test_json_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = answer(capsys, ["validate", DEMO, "--json"])
    assert (code, err) == (0, "")
    (v,) = json.loads(out)
    assert (v["ok"], v["twins"], v["kinds"], v["epochs"]) == (
        True,
        3,
        {"truck": 1, "mill": 1, "boiler": 1},
        168,
    )
    code, out, _ = answer(capsys, ["kinds", "--json"])
    kinds = {k["name"]: k for k in json.loads(out)}
    assert list(kinds) == ["truck", "mill", "boiler", "loader"]
    code, out, _ = answer(capsys, ["kinds", "-q"])
    assert out.split() == ["truck", "mill", "boiler", "loader"]
    argv = ["run", DEMO, "--local", "--quiet", "--duration", "2h", "--json", "--out", str(tmp_path)]
    code, out, _ = answer(capsys, argv)
    r = json.loads(out)  # stdout is the JSON alone: no tables
    assert (code, r["status"], r["sim_hours"]) == (0, "done", 2.0)
    assert [k["kind"] for k in r["kinds"]] == ["truck", "mill", "boiler"]
    assert r["tables"]["production"] == 2 * 3 and r["timings"]["loop_s"] > 0
    code, out, _ = answer(capsys, ["report", r["run_dir"], "--json"])
    rep = json.loads(out)
    assert code == 0 and [Path(f).name for f in rep["files"]] == ["report.html", "report.xlsx"]


def test_kinds_shows_what_its_help_promises(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = answer(capsys, ["kinds", "boiler", "--json"])
    (boiler,) = json.loads(out)
    channels = {c["name"]: c for c in boiler["channels"]}
    assert channels["natural_gas_gj"]["unit"] == "GJ"
    assert channels["natural_gas_gj"]["heating_value_basis"] == "NCV (LHV)"
    assert channels["fuel_input_mw"]["heating_value_basis"] == "GCV (HHV)"
    assert channels["diesel_l"]["heating_value_basis"] is None  # litres: no heating value
    params = {p["name"]: p for p in boiler["params"]}
    assert params["mcr_steam_tph"] | {"source": "-"} == {
        "name": "mcr_steam_tph",
        "default": 50.0,
        "unit": "t/h",
        "tag": "A",
        "source": "-",
    }
    assert params["mcr_steam_tph"]["source"]
    modes = {m["name"]: m for m in boiler["failure_modes"]}
    assert modes["fouling"]["symptom"] == "stack_temp_c" and modes["fouling"]["alarm"] == 190.0
    assert {a["name"]: a["target"] for a in boiler["anomalies"]}["co2_excess"] == "combustion_drift"
    code, out, _ = answer(capsys, ["kinds", "boiler"])
    for shown in (
        "natural_gas_gj",
        "NCV (LHV)",
        "mcr_steam_tph",
        "t/h",
        "fouling",
        "stack_temp_c",
        "anomalies: co2_excess (mode combustion_drift)",
    ):
        assert shown in out, shown
    code, _, err = answer(capsys, ["kinds", "nope"])
    assert code == 2 and one_line(err).startswith("error: KIND: unknown kind (got 'nope')")


def test_the_rate_line_says_what_it_measures() -> None:
    timings = {"loop_s": 8.5, "ray_connect_s": 3.2, "actors_start_s": 9.8}
    s = Summary([], 168.0, 25.1, 1_234_567.0, {}, timings)
    assert s.footer() == (
        "168 simulated hours in 25.1 s wall (start 16.6 s: Ray 3.2 s, actors 9.8 s; "
        "loop 8.5 s at 1.2 M twin-ticks/s)"
    )
    local = Summary([], 6.0, 3.0, 761.0, {}, {"loop_s": 1.4})
    assert (
        local.footer()
        == "6 simulated hours in 3.0 s wall (start 1.6 s; loop 1.4 s at 761 twin-ticks/s)"
    )


def test_the_progress_display_takes_a_total_not_known_yet() -> None:
    """The crash of `make demo` in a terminal: a column formatted a total still None."""
    import io

    from rich.console import Console

    from aurum.engine.run.progress import cells, progress_display

    screen = Console(file=io.StringIO(), force_terminal=True, width=120, color_system=None)
    with progress_display(False, screen) as show:
        assert show is not None
        for p in (
            {},
            {"status": "starting", "n_epochs": None, "epochs_done": None},
            {"n_epochs": 0, "epochs_done": 0, "sim_time": None, "twin_ticks_per_s": float("nan")},
            {
                "n_epochs": 4,
                "epochs_done": 4,
                "sim_time": "2026-01-05T04:00:00+00:00",
                "twin_ticks_per_s": 1234.4,
            },
        ):
            show(p)
    text = screen.file.getvalue()
    assert "sim starting" in text and "epoch -/-" in text
    assert "sim 2026-01-05 04:00" in text and "epoch 4/4 1,234 twin-ticks/s" in text
    assert cells({"epochs_done": 1, "n_epochs": 40}, unit="run")["count"] == "run 1/40"
    with progress_display(True, screen) as show:
        assert show is None  # quiet: nothing to poll


def test_progress_in_a_log_is_a_line_per_tenth() -> None:
    import io

    from rich.console import Console

    from aurum.engine.run.progress import progress_display

    log = Console(file=io.StringIO(), force_terminal=False, width=120)
    with progress_display(False, log) as show:
        assert show is not None
        show({"n_epochs": None})  # nothing to say yet
        for done in range(21):
            show({"epochs_done": done, "n_epochs": 20, "sim_time": "2026-01-05T00:00"})
    lines = log.file.getvalue().splitlines()
    assert lines[0] == "epoch 0/20  sim 2026-01-05 00:00" and len(lines) == 11
    assert lines[-1].startswith("epoch 20/20")


def test_json_before_a_positional_is_refused_not_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = answer(capsys, ["kinds", "--json", "boiler"])
    assert (code, out) == (2, "")
    assert one_line(err) == (
        "error: --json: got 'boiler'; accepted: a file name ending in .json, or --json alone "
        "after the rest (see aurum kinds --help)"
    )
    assert list(tmp_path.iterdir()) == []  # no file named 'boiler'
