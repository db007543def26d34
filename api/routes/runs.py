"""Runs: start one, list them, read one, cancel one; the shipped scenarios to start from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from aurum.api import launch
from aurum.api.config import Settings
from aurum.api.deps import ManagerDep, ReadAccess, RunDep, RunId, SettingsDep, WriteAccess
from aurum.api.describe import describe
from aurum.api.models import (
    DURATION_PATTERN,
    ErrorPublic,
    Overrides,
    RunList,
    RunPublic,
    ScenarioPublic,
    UnreadableRunPublic,
)
from aurum.api.present import run_public
from aurum.engine.errors import AurumError, Problem, ScenarioError
from aurum.engine.scenario.durations import format_duration

router = APIRouter(tags=["runs"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorPublic} for code in (401, 403, 404, 409, 422, 429, 503)
}
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": (
            "A RunCreate (JSON or YAML), or a bare scenario (JSON or YAML) with overrides "
            "as query parameters"
        ),
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/RunCreate"}},
            **{t: {"schema": {"type": "string"}} for t in YAML_TYPES[:1]},
        },
    }
}


async def read_body(request: Request, settings: Settings) -> bytes:
    """The body, refused (422) as soon as it passes the size limit."""
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_big(int(declared), limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_big(len(body), limit)
    return bytes(body)


def _too_big(size: int, limit: int) -> ScenarioError:
    accepted = f"at most {limit:,} bytes (AURUM_MAX_BODY_BYTES)"
    return ScenarioError(Problem("request body too large", "body", size, accepted=accepted))


@router.post(
    "/runs",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=WriteAccess,
    responses=ERRORS,
    openapi_extra=BODY_DOC,
)
async def create_run(
    request: Request,
    response: Response,
    settings: SettingsDep,
    manager: ManagerDep,
    seed: Annotated[int | None, Query(ge=0, lt=2**63)] = None,
    duration: Annotated[str | None, Query(pattern=DURATION_PATTERN)] = None,
    epoch: Annotated[str | None, Query(pattern=DURATION_PATTERN)] = None,
    speed: Annotated[float | None, Query(gt=0, le=1e7)] = None,
    twins_per_actor: Annotated[str | None, Query(pattern=r"^([1-9]\d{0,8}|auto)$")] = None,
) -> RunPublic:
    """Start a run; 202 with its id at once (it goes on in the background)."""
    tpa = int(twins_per_actor) if twins_per_actor and twins_per_actor.isdigit() else twins_per_actor
    query = Overrides(seed=seed, duration=duration, epoch=epoch, speed=speed, twins_per_actor=tpa)
    body = await read_body(request, settings)
    data = launch.parse(body, request.headers.get("content-type", ""))
    job = await run_in_threadpool(launch.from_request, data, query, settings)
    run = await run_in_threadpool(manager.start, job)
    response.headers["Location"] = f"/runs/{run.run_id}"
    return run_public(run)


@router.get("/runs", dependencies=ReadAccess, responses=ERRORS)
def list_runs(
    manager: ManagerDep,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RunList:
    """This server's runs and those found in the runs folder, newest first; folders that are
    not readable runs are listed apart, each with the reason."""
    runs, bad = manager.scan()
    return RunList(
        total=len(runs),
        runs=[run_public(r) for r in runs[offset : offset + limit]],
        unreadable=[UnreadableRunPublic(run_id=e.run_id, reason=e.reason) for e in bad],
    )


@router.get("/runs/{run_id}", dependencies=ReadAccess, responses=ERRORS)
def read_run(run: RunDep) -> RunPublic:
    """Status, progress, simulated time and twin-ticks/s of one run."""
    return run_public(run)


@router.delete(
    "/runs/{run_id}",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=WriteAccess,
    responses=ERRORS,
)
def cancel_run(run_id: RunId, manager: ManagerDep) -> RunPublic:
    """Cancel a live run; what it has written so far is kept."""
    return run_public(manager.cancel(run_id))


@router.get("/scenarios", dependencies=ReadAccess, responses=ERRORS)
def list_scenarios(settings: SettingsDep) -> list[ScenarioPublic]:
    """Shipped scenarios, by the name POST /runs accepts."""
    out = []
    for name in launch.shipped(settings.scenarios_dir):
        try:
            sc = launch.from_name(name, settings)
        except AurumError:  # a broken file is reported when someone starts it
            continue
        twins = sum(launch.twin_counts(sc).values())
        duration = format_duration(sc.duration)
        out.append(
            ScenarioPublic(name=name, description=describe(sc), twins=twins, duration=duration)
        )
    return out
