"""`aurum study --check`, a tiny `aurum loadtest` and `aurum serve` typed in a real terminal (an
interactive bash in a pseudo-terminal, tests/cli/conftest.py): rich sees a terminal and draws
its progress bar and tables as a person sees them; the tests read the screen and `$?`."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.conftest import Terminal


def test_study_check_on_screen(terminal: Terminal, tmp_path: Path) -> None:
    terminal.type("aurum study scenarios/studies/planner-what-if.yml --check")
    code, screen = terminal.finish()
    assert code == 0, screen
    assert (
        "OK scenarios/studies/planner-what-if.yml: 5 variants × 10 replications = 50 runs "
        f"(0 already finished in {tmp_path}/runs/studies/planner-what-if)"
    ) in screen
    assert "Traceback" not in screen and "error" not in screen


def test_tiny_loadtest_on_screen(terminal: Terminal, tmp_path: Path) -> None:
    terminal.type("aurum loadtest --twins 300 --days 0.05 --local")
    code, screen = terminal.finish()
    assert code == 0, screen
    assert "Traceback" not in screen and "internal error" not in screen
    assert "Load test" in screen and "Where the time went" in screen
    assert "300 twins (180 truck, 30 mill, 90 boiler)" in screen
    assert "0.05 d at 1min ticks, 1h epochs" in screen
    assert "twin-ticks 21,600" in screen  # 300 twins × 72 one-minute ticks
    assert "status done" in screen
    assert "epoch 2/2" in screen  # the progress bar, drawn because this is a terminal
    assert not (tmp_path / "runs").exists()  # no --out: the tables went to a temporary folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def health(port: int, within_s: float) -> dict[str, object]:
    """GET /healthz over loopback, retried until the server answers (or `within_s` passes)."""
    give_up = time.monotonic() + within_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                assert r.status == 200
                answer: dict[str, object] = json.loads(r.read())
                return answer
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > give_up:
                raise
            time.sleep(0.25)


def test_serve_answers_then_stops_on_ctrl_c(terminal: Terminal) -> None:
    port = free_port()
    terminal.type(f"aurum serve --port {port}")
    terminal.wait_for(f"AurumAI Twin API on http://127.0.0.1:{port}/", timeout=90)
    terminal.wait_for("API key")
    assert health(port, within_s=60)["status"] == "ok"
    terminal.interrupt()  # Ctrl-C, as typed
    code, screen = terminal.finish(timeout=60)
    assert code in (0, 130), screen
    assert "Traceback" not in screen and "internal error" not in screen
    assert "Application shutdown complete" in screen
    with socket.socket() as s:  # nobody listens on the port any more: the server is gone
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the probe's TIME_WAIT
        s.bind(("127.0.0.1", port))
