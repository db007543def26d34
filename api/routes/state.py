"""Live state: the fleet summary, pages of twins, one twin — cached per epoch of the run."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Annotated, Literal, cast

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from aurum.api.deps import ReadAccess, RunDep
from aurum.api.errors import RunNotFoundError
from aurum.api.models import FleetPublic, TwinPage, TwinPublic
from aurum.api.present import emissions_by_twin, fleet_public, twin_model, twin_summary
from aurum.api.routes.runs import ERRORS
from aurum.api.views import RunView
from aurum.engine.errors import Problem, ScenarioError

router = APIRouter(tags=["state"], dependencies=ReadAccess, responses=ERRORS)
State = Literal["running", "standby", "derated", "down", "maintenance", "starved"]
JSON = "application/json"
MAX_DETAIL = 100


async def _json(run: RunView, key: Hashable, make: Callable[[], BaseModel | None]) -> bytes | None:
    """A response body memoised for the run's current state (None: nothing to show).

    A hit is answered on the event loop; only a miss goes to a worker thread.
    """
    hit, body = run.peek(("json", key))
    if hit:
        return cast(bytes | None, body)

    def encode() -> bytes | None:
        model = make()
        return None if model is None else model.model_dump_json().encode()

    return await run_in_threadpool(run.memo, ("json", key), encode)


@router.get("/runs/{run_id}/fleet", response_model=FleetPublic)
async def read_fleet(run: RunDep) -> Response:
    """Counts by state, production, emissions by scope and top risks of the whole fleet."""
    body = await _json(run, "fleet", lambda: fleet_public(run))
    return Response(body, media_type=JSON)


@router.get("/runs/{run_id}/twins")
def list_twins(
    run: RunDep,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    site: Annotated[str | None, Query(max_length=64)] = None,
    state: State | None = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    detail: Annotated[
        bool, Query(description=f"Add channels and risk (limit ≤ {MAX_DETAIL})")
    ] = False,
) -> TwinPage:
    """A page of twins, filtered by kind, site and state."""
    if detail and limit > MAX_DETAIL:
        accepted = f"at most {MAX_DETAIL} with detail=true"
        raise ScenarioError(Problem("page too large for detail", "limit", limit, accepted=accepted))
    filters = {"kind": kind, "site": site, "status": state, "offset": offset, "limit": limit}
    page = run.memo(("twins", *filters.values()), lambda: run.twins(**filters))
    twins = [twin_summary(run, row, detail) for row in page["twins"]]
    return TwinPage(run_id=run.run_id, total=page["total"], offset=offset, limit=limit, twins=twins)


@router.get("/runs/{run_id}/twins/{twin_id}", response_model=TwinPublic)
async def read_twin(run: RunDep, twin_id: Annotated[str, Path(max_length=64)]) -> Response:
    """Latest channels, health, risk, cumulative production and emissions of one twin."""
    key = ("json", ("twin", twin_id))
    hit, body = run.peek(key)
    if not hit:
        state = await run.twin_async(twin_id)
        if state is not None and not run.peek("emissions-by-twin")[0]:
            await run_in_threadpool(emissions_by_twin, run)  # may read Parquet
        encoded = None if state is None else twin_model(run, state).model_dump_json().encode()
        body = run.memo(key, lambda: encoded)
    if body is None:
        raise RunNotFoundError(Problem("no twin of that id in this run", "twin_id", twin_id))
    return Response(body, media_type=JSON)
