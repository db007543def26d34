"""History from Parquet: alerts, events, emissions and telemetry (readable while a run goes on)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from aurum.api import events, telemetry
from aurum.api.deps import ReadAccess, RunDep
from aurum.api.emissions import total
from aurum.api.models import (
    EmissionRowPublic,
    EmissionsPublic,
    EventPage,
    GroupBy,
    GwpSet,
    TelemetryPublic,
)
from aurum.api.present import alert_rows, emission_rows, event_public, event_rows
from aurum.api.routes.runs import ERRORS

router = APIRouter(tags=["history"], dependencies=ReadAccess, responses=ERRORS)
ARROW = "application/vnd.apache.arrow.stream"
Name = Annotated[str | None, Query(max_length=64)]
Offset = Annotated[int, Query(ge=0, le=10**9)]
Limit = Annotated[int, Query(ge=1, le=1000)]


def _page(run_id: str, rows: list[dict[str, Any]], offset: int, limit: int) -> EventPage:
    chosen = [event_public(r) for r in rows[offset : offset + limit]]
    return EventPage(run_id=run_id, total=len(rows), offset=offset, limit=limit, events=chosen)


@router.get("/runs/{run_id}/alerts")
def list_alerts(
    run: RunDep,
    twin: Name = None,
    kind: Name = None,
    start: datetime | None = None,
    end: datetime | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> EventPage:
    """Alerts and threshold crossings, oldest first (empty until those issues land)."""
    rows = events.select(alert_rows(run), twin=twin, kind=kind, start=start, end=end)
    return _page(run.run_id, rows, offset, limit)


@router.get("/runs/{run_id}/events")
def list_events(
    run: RunDep,
    event: Annotated[list[str] | None, Query(max_length=20)] = None,
    twin: Name = None,
    kind: Name = None,
    start: datetime | None = None,
    end: datetime | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> EventPage:
    """Failures, repairs, maintenance, injections, alerts — filtered, oldest first."""
    rows = events.select(event_rows(run), events=event, twin=twin, kind=kind, start=start, end=end)
    return _page(run.run_id, rows, offset, limit)


@router.get("/runs/{run_id}/emissions")
def read_emissions(
    run: RunDep,
    group_by: GroupBy = "scope",
    gwp: GwpSet = "AR6",
    scope2: Literal["location", "market"] = "location",
) -> EmissionsPublic:
    """Emissions so far, grouped by twin, kind, site or scope, in kg CO2e."""
    rows = emission_rows(run, group_by, gwp, scope2)
    return EmissionsPublic(
        run_id=run.run_id,
        group_by=group_by,
        gwp=gwp,
        scope2=scope2,
        total_co2e_kg=total(rows, scope2),
        rows=[EmissionRowPublic(**r) for r in rows],
    )


@router.get(
    "/runs/{run_id}/telemetry",
    response_model=TelemetryPublic,
    responses={200: {"content": {ARROW: {}}}},
)
def read_telemetry(
    request: Request,
    run: RunDep,
    twin: Annotated[str, Query(max_length=64)],
    channels: Annotated[str | None, Query(max_length=2000, description="Comma-separated")] = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 10_000,
) -> Response:
    """Readings of one twin as JSON columns, or an Arrow IPC stream (Accept header)."""
    chosen = [c.strip() for c in channels.split(",") if c.strip()] if channels else None
    r = telemetry.readings(run, twin, chosen, start, end, limit)
    if ARROW in request.headers.get("accept", ""):
        return Response(telemetry.arrow_stream(r), media_type=ARROW)
    cols = telemetry.columns(r)
    body = TelemetryPublic(
        run_id=run.run_id,
        twin_id=twin,
        kind=r.kind,
        rows=r.table.num_rows,
        truncated=r.truncated,
        units=r.units,
        time=cols.pop("time"),
        status=cols.pop("status", []),
        channels=cols,
    )
    return Response(body.model_dump_json(), media_type="application/json")
