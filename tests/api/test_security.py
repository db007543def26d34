"""API key on mutating endpoints (401 missing, 403 wrong), optional keyed reads, a generated key
when none is configured, and no stack traces in any answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurum.api.config import Settings
from aurum.api.main import create_app
from tests.api.conftest import AUTH, KEY, TestClient, make_settings


@pytest.mark.parametrize(("method", "path"), [("POST", "/runs"), ("DELETE", "/runs/x")])
def test_mutations_need_the_key(client: TestClient, method: str, path: str) -> None:
    missing = client.request(method, path, json={"scenario": "demo"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "APIKey"
    wrong = client.request(method, path, json={"scenario": "demo"}, headers={"X-API-Key": "no"})
    assert wrong.status_code == 403
    assert client.request(method, path, headers={"X-API-Key": ""}).status_code == 401


def test_the_key_in_the_query_does_not_authorise_mutations(client: TestClient) -> None:
    assert client.post(f"/runs?api_key={KEY}", json={"scenario": "demo"}).status_code == 401


def test_reads_are_open_by_default(client: TestClient, stored_id: str) -> None:
    assert client.get("/runs").status_code == 200
    assert client.get(f"/runs/{stored_id}/fleet").status_code == 200


def test_reads_can_need_the_key(runs_dir: Path, stored_id: str) -> None:
    app = create_app(make_settings(runs_dir, reads_need_key=True))
    with TestClient(app) as c:
        assert c.get("/runs").status_code == 401
        assert c.get("/runs", headers={"X-API-Key": "no"}).status_code == 403
        assert c.get("/runs", headers=AUTH).status_code == 200
        assert c.get(f"/runs/{stored_id}/stream?api_key={KEY}").status_code == 200
        assert c.get("/metrics").status_code == 401
        assert c.get("/healthz").status_code == 200
        assert c.get("/").status_code == 200  # the page itself asks for the key


def test_a_key_is_generated_when_none_is_configured(runs_dir: Path) -> None:
    app = create_app(Settings(runs_dir=runs_dir, api_key=None))
    key = app.state.settings.api_key.get_secret_value()
    assert len(key) >= 24
    with TestClient(app) as c:
        assert c.post("/runs", json={"scenario": "x"}).status_code == 401
        r = c.post("/runs", json={"scenario": "x"}, headers={"X-API-Key": key})
        assert r.status_code == 404


def test_unexpected_errors_answer_500_without_details(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(run_id: str) -> None:
        raise RuntimeError("secret internals /etc/shadow")

    monkeypatch.setattr(client.app.state.manager, "get", boom)  # type: ignore[attr-defined]
    r = client.get("/runs/some-run")
    assert r.status_code == 500
    text = r.text
    assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert "reference" in r.json()["detail"]
    assert "secret internals" in caplog.text  # the operator's log has it


def test_bad_requests_never_leak_tracebacks(client: TestClient) -> None:
    for body in (b"\xff\xfe", b"[" * 5000, b'{"scenario": {"fleet": 1}}', b"- 1\n- 2\n"):
        r = client.post("/runs", content=body, headers=AUTH | {"Content-Type": "application/json"})
        assert r.status_code == 422, (body[:20], r.text)
        assert "Traceback" not in r.text
