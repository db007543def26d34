"""Health and Prometheus metrics."""

from __future__ import annotations

from importlib import metadata

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from aurum.api.deps import ManagerDep, ReadAccess
from aurum.api.models import HealthPublic

router = APIRouter(tags=["system"])


def _version() -> str:
    try:
        return metadata.version("aurum-twin")
    except metadata.PackageNotFoundError:
        return "unknown"


@router.get("/healthz")
async def healthz(manager: ManagerDep) -> HealthPublic:
    """The server answers (no key needed)."""
    return HealthPublic(status="ok", live_runs=len(manager.in_progress()), version=_version())


@router.get(
    "/metrics",
    dependencies=ReadAccess,
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    """Prometheus text: runs by status, twin-ticks/s, request latency by route."""
    body = await run_in_threadpool(request.app.state.metrics.render)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
