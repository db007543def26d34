"""What a person mistypes in `aurum loadtest`, `study`, `compare`, `risk` and `serve`: each is one
line on stderr naming the option, the value typed and what is accepted, and exit code 2 — never
a traceback. The commands run in this process (`engine.cli.main.main`), as the shell would call
them.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from aurum.engine.cli.main import main
from tests.conftest import SCENARIOS

STUDY = str(SCENARIOS / "studies" / "planner-what-if.yml")
DAYS = "accepted: a finite number > 0 and ≤ 36500 (see aurum loadtest --help)"
MIX = "accepted: kind=share,… (kinds: boiler, loader, mill, truck; shares finite, ≥ 0)"


def aurum(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """The exit code and the one line stderr shows."""
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse's own exit
        code = int(e.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return code, lines[0]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--days", "nan"], f"error: --days: got 'nan'; {DAYS}"),
        (["--days", "inf"], f"error: --days: got 'inf'; {DAYS}"),
        (["--days", "0"], f"error: --days: got '0'; {DAYS}"),
        (["--days", "-1"], f"error: --days: got '-1'; {DAYS}"),
        (["--days", "1e12"], f"error: --days: got '1e12'; {DAYS}"),
        (["--mix", "truck=inf"], f"error: --mix: not kind=share (got 'truck=inf'); {MIX}"),
        (["--mix", "truck=-1"], f"error: --mix: not kind=share (got 'truck=-1'); {MIX}"),
        (["--mix", "lorry=1"], f"error: --mix: not kind=share (got 'lorry=1'); {MIX}"),
        (["--mix", "truck=1,,mill=1"], f"error: --mix: not kind=share (got ''); {MIX}"),
        (["--mix", ""], f"error: --mix: no kind=share given (got ''); {MIX}"),
        (
            ["--mix", "truck=0"],
            "error: --mix: shares sum to 0 (got 'truck=0'); accepted: some share > 0",
        ),
        (
            ["--twins-per-actor", "0"],
            "error: --twins-per-actor: got '0'; accepted: a whole number ≥ 1 or \"auto\" "
            "(see aurum loadtest --help)",
        ),
        (
            ["--checkpoint", "-1"],
            "error: --checkpoint: got '-1'; accepted: a whole number ≥ 0 "
            "(see aurum loadtest --help)",
        ),
    ],
)
def test_loadtest_refuses_bad_numbers(
    capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    assert aurum(capsys, "loadtest", "--twins", "300", "--local", *argv) == (2, line)


def test_loadtest_refuses_no_twins(capsys: pytest.CaptureFixture[str]) -> None:
    for twins in ("0", "-5", "many"):
        assert aurum(capsys, "loadtest", "--twins", twins) == (
            2,
            f"error: --twins: got '{twins}'; accepted: a whole number ≥ 1 "
            "(see aurum loadtest --help)",
        )


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["study", STUDY, "--check", "--replications", "0"], "--replications: got '0'"),
        (["study", STUDY, "--check", "--workers", "0"], "--workers: got '0'"),
        (["study", STUDY, "--check", "--max-parallel", "0"], "--max-parallel: got '0'"),
        (["compare", STUDY, "--replications", "0"], "--replications: got '0'"),
        (["compare", STUDY, "--workers", "-2"], "--workers: got '-2'"),
        (["risk", "policies", "--workers", "0"], "--workers: got '0'"),
        (["risk", "evaluate", "--twins", "0"], "--twins: got '0'"),
    ],
)
def test_counts_of_runs_and_workers_are_whole_and_positive(
    capsys: pytest.CaptureFixture[str], argv: list[str], line: str
) -> None:
    command = " ".join(argv[: 2 if argv[0] == "risk" else 1])
    expected = f"error: {line}; accepted: a whole number ≥ 1 (see aurum {command} --help)"
    assert aurum(capsys, *argv) == (2, expected)


def test_serve_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    for port in ("99999", "0", "http"):
        assert aurum(capsys, "serve", "--port", port) == (
            2,
            f"error: --port: got '{port}'; accepted: a port number from 1 to 65535 "
            "(see aurum serve --help)",
        )


def test_serve_refuses_a_port_in_use_before_starting_anything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert aurum(capsys, "serve", "--port", str(port)) == (
            2,
            f"error: --port: cannot listen on 127.0.0.1:{port}: already in use (got {port}); "
            "accepted: a free port, e.g. --port 8001",
        )


def test_serve_refuses_a_host_that_is_not_here(capsys: pytest.CaptureFixture[str]) -> None:
    accepted = (
        "accepted: an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (all)"
    )
    assert aurum(capsys, "serve", "--host", "192.0.2.1", "--port", "8123") == (
        2,
        f"error: --host: not an address of this machine (got '192.0.2.1'); {accepted}",
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["loadtest", "--twins", "10", "--local"],
        ["study", STUDY, "--check"],
        ["compare", STUDY],
        ["risk", "policies"],
        ["risk", "evaluate"],
    ],
)
def test_json_file_in_a_missing_folder_is_refused_before_the_work(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    target = tmp_path / "missing" / "figures.json"
    assert aurum(capsys, *argv, "--json", str(target)) == (
        2,
        f"error: --json: not a file in an existing folder (got '{target}'); accepted: a file "
        "path, e.g. figures.json (or --json alone: print it)",
    )


def test_compare_refuses_a_folder_that_is_not_a_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "not-a-run"
    folder.mkdir()
    (folder / "kpis.parquet").write_bytes(b"")  # looks like a run, has no manifest
    code, line = aurum(capsys, "compare", str(folder), STUDY)
    assert (code, line) == (
        2,
        f"error: RUN: not a run folder (no manifest.json) (got '{folder}'); accepted: a run "
        "folder written by `aurum run`, e.g. runs/demo-20260105-0000-s42",
    )


def test_risk_never_writes_to_the_shipped_models_without_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from aurum.twins.risk.model import MODELS_DIR

    code, line = aurum(capsys, "risk", "train", "--kind", "mill", "--out", str(MODELS_DIR))
    assert (code, line) == (
        2,
        f"error: --out: is the shipped models folder (got '{MODELS_DIR}'); accepted: another "
        "folder, or --install-models to replace the shipped models",
    )


def test_old_spellings_still_work(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--max-parallel and --serial (now --workers and --local) are accepted, not listed."""
    from aurum.engine.cli.main import build_parser

    args = build_parser().parse_args(["study", STUDY, "--max-parallel", "3", "--serial"])
    assert (args.workers, args.local) == (3, True)
    args = build_parser().parse_args(["serve", "--out", str(tmp_path)])
    assert args.runs_dir == str(tmp_path)
    with pytest.raises(SystemExit) as done:
        main(["study", "--help"])
    assert done.value.code == 0
    shown = capsys.readouterr().out
    assert "--workers" in shown and "--local" in shown
    assert "--max-parallel" not in shown and "--serial" not in shown
