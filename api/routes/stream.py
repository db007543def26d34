"""Server-sent events: a fleet snapshot each time the run advances, its new alerts, its end."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from aurum.api.deps import ReadAccess, RunDep, SettingsDep
from aurum.api.present import alert_rows, event_public, fleet_or_none, run_public
from aurum.api.routes.runs import ERRORS
from aurum.api.views import RunView

router = APIRouter(tags=["stream"], dependencies=ReadAccess)
STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`snapshot` (run + fleet), `alert` (an event) and a final `end` (run)",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **ERRORS,
}


def sse(event: str, data: str, event_id: int | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n".encode()


def _snapshot(run: RunView) -> tuple[bytes, list[dict[str, Any]]]:
    """The snapshot message and every alert so far, for the run's current version."""
    fleet = fleet_or_none(run)
    doc = {
        "run": run_public(run).model_dump(mode="json"),
        "fleet": None if fleet is None else fleet.model_dump(mode="json"),
    }
    return sse("snapshot", json.dumps(doc), run.version), alert_rows(run)


async def follow(run: RunView, poll_s: float, heartbeat_s: float) -> AsyncIterator[bytes]:
    """Messages until the run ends (at once for a finished run)."""
    sent_version, sent_alerts, beat = -1, None, time.monotonic()
    while True:
        ended = run.finished
        if run.version != sent_version:
            sent_version = run.version
            message, alerts = await run_in_threadpool(_snapshot, run)
            yield message
            fresh: list[dict[str, Any]] = alerts[sent_alerts:] if sent_alerts is not None else []
            for a in fresh:
                yield sse("alert", event_public(a).model_dump_json())
            sent_alerts, beat = len(alerts), time.monotonic()
        if ended:
            yield sse("end", run_public(run).model_dump_json())
            return
        if time.monotonic() - beat > heartbeat_s:
            yield b": keep-alive\n\n"
            beat = time.monotonic()
        await asyncio.sleep(poll_s)


@router.get("/runs/{run_id}/stream", response_class=StreamingResponse, responses=STREAM_DOC)
async def stream(run: RunDep, settings: SettingsDep) -> StreamingResponse:
    """Follow a run as it advances (text/event-stream)."""
    messages = follow(run, min(settings.poll_s, 0.25), settings.stream_heartbeat_s)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(messages, media_type="text/event-stream", headers=headers)
