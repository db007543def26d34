"""The dashboard in headless Chromium, driving the real page against a real server (uvicorn in a
thread) while a real run advances. Skips, saying why, where no Chromium is installed."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from aurum.api.main import create_app
from tests.api.conftest import AUTH, make_settings, small_fleet

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str | None:
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def skip(reason: str) -> None:
    print(f"SKIPPED dashboard browser test: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(ray_session: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread of this process."""
    app = create_app(make_settings(tmp_path_factory.mktemp("dash-runs"), poll_s=0.1))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(30)


def watch(page: Any) -> None:
    """The page fills, follows the run as it advances, charts a twin, and sees the end."""
    page.wait_for_function("document.querySelectorAll('#fleet-table tbody tr').length === 4")
    first = page.inner_text("#sim-time")
    page.wait_for_function(f"document.getElementById('sim-time').textContent > '{first}'")
    assert page.inner_text("#run-status") in ("running", "done")
    page.wait_for_selector("#twin-charts svg path.chart-line", timeout=20_000)
    assert page.locator("#twin-charts svg").count() == 4
    assert "T-1" in page.inner_text("#twin-name")
    page.click("#fleet-table tbody tr[data-twin='MILL-3']")
    page.wait_for_selector("#twin-charts svg[data-channel='motor_power_kw'] path.chart-line")
    done = "document.getElementById('run-status').textContent === 'done'"
    page.wait_for_function(done, timeout=30_000)
    assert page.locator("#emissions > *").count() > 0  # bars, or "no data yet"
    assert page.locator("#alerts li").count() > 0  # alerts, or "No alerts."
    assert "running 4" in page.inner_text("#counts") or "standby" in page.inner_text("#counts")


@pytest.fixture(scope="module")
def browser_path() -> str:
    """Chromium's path; skips (before any server starts) where there is none."""
    path = chromium()
    if path is None:
        skip("no Chromium found (/usr/bin/chromium); `.ci/run` installs Debian's chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip("python playwright is not installed")
    assert path is not None
    return path


def test_dashboard_follows_a_live_run(browser_path: str, server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    body = {"scenario": small_fleet(), "duration": "6h", "speed": 1800, "epoch": "5min"}
    run_id = httpx.post(f"{server}/runs", json=body, headers=AUTH, timeout=60).json()["run_id"]
    shot = tmp_path / "dashboard.png"
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=browser_path,
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/?run={run_id}")
        watch(page)
        page.wait_for_load_state("networkidle")  # the last refresh after the end has landed
        page.screenshot(path=str(shot), full_page=True)
        context.close()
    assert not errors, errors
    print(f"dashboard screenshot: {shot}")
