"""Engine answers turned into the public schemas, computed once per run state version."""

from __future__ import annotations

from typing import Any

from aurum.api import emissions, events
from aurum.api.errors import ConflictError
from aurum.api.models import (
    EventPublic,
    FleetPublic,
    KindSummaryPublic,
    ProgressPublic,
    RiskPublic,
    RunPublic,
    TwinPublic,
    TwinSummaryPublic,
)
from aurum.api.views import RunView

RISK_CHANNELS = ("risk", "risk_score", "failure_risk")
STATUSES = ("starting", "running", "done", "cancelled", "interrupted", "failed")


def run_public(run: RunView) -> RunPublic:
    return run.memo("run", lambda: _run_public(run))


def _run_public(run: RunView) -> RunPublic:
    info, p = run.info(), run.progress()
    n = int(p["n_epochs"] or 0)
    progress = ProgressPublic(
        epochs_done=p["epochs_done"],
        n_epochs=n,
        fraction=p["epochs_done"] / n if n else 0.0,
        sim_time=p["sim_time"] or info["sim_start"],
        twin_ticks=p["twin_ticks"],
        twin_ticks_per_s=p["twin_ticks_per_s"],
        elapsed_s=p["elapsed_s"],
    )
    status = p["status"] if p["status"] in STATUSES else "failed"
    live = run.live and not run.finished
    return RunPublic(run_id=run.run_id, status=status, live=live, progress=progress, **info)


def emission_rows(
    run: RunView, group_by: str, gwp: str = "AR6", scope2: str = "location"
) -> list[dict[str, Any]]:
    """CO2e rows of the run grouped as asked (empty until the emissions table exists)."""

    def make() -> list[dict[str, Any]]:
        none: list[dict[str, Any]] = []
        sums = run.tables.get(
            "emissions", group_by, lambda f: emissions.grouped_kg(f, group_by), none
        )
        return emissions.summarise(sums, gwp, scope2, per_scope=group_by == "scope")

    return run.memo(("emissions", group_by, gwp, scope2), make)


def event_rows(run: RunView) -> list[dict[str, Any]]:
    none: list[dict[str, Any]] = []
    return run.memo("events", lambda: run.tables.get(events.TABLE, "all", events.load, none))


def alert_rows(run: RunView) -> list[dict[str, Any]]:
    return run.memo("alerts", lambda: events.select(event_rows(run), events=events.ALERT_EVENTS))


def fleet_public(run: RunView) -> FleetPublic:
    return run.memo("fleet", lambda: _fleet_public(run))


def _fleet_public(run: RunView) -> FleetPublic:
    f, status = run.fleet(), run_public(run).status
    kinds = {k: KindSummaryPublic(**v) for k, v in f["kinds"].items()}
    by_status: dict[str, int] = {}
    production: dict[str, float] = {}
    for k in kinds.values():
        for s, n in k.by_status.items():
            by_status[s] = by_status.get(s, 0) + n
        production[k.product] = production.get(k.product, 0.0) + k.production_t
    scopes = {r["group"]: r["co2e_kg"] for r in emission_rows(run, "scope")}
    return FleetPublic(
        run_id=run.run_id,
        status=status,
        sim_time=f["sim_time"],
        twins=sum(k.twins for k in kinds.values()),
        by_status=by_status,
        production_t=production,
        kinds=kinds,
        emissions_co2e_kg=scopes,
        top_risks=[RiskPublic(**r) for r in f.get("top_risks", [])],
    )


def risk_of(twin: dict[str, Any]) -> float | None:
    """A twin's failure risk, where the risk-scoring issue puts it (None until then)."""
    if twin.get("risk") is not None:
        return float(twin["risk"])
    return next((twin["channels"][c] for c in RISK_CHANNELS if c in twin["channels"]), None)


def twin_public(run: RunView, twin_id: str) -> TwinPublic | None:
    return run.memo(("twin", twin_id), lambda: _twin_public(run, twin_id))


def _twin_public(run: RunView, twin_id: str) -> TwinPublic | None:
    t = run.twin(twin_id)
    return None if t is None else twin_model(run, t)


def twin_model(run: RunView, t: dict[str, Any]) -> TwinPublic:
    """A twin's public state from the engine's answer, with its emissions so far."""
    per_twin = emissions_by_twin(run)
    extra = {"risk": risk_of(t), "emissions_co2e_kg": per_twin.get(t["twin_id"], {})}
    return TwinPublic(**(t | extra))


def emissions_by_twin(run: RunView) -> dict[str, dict[str, float]]:
    return run.memo("emissions-by-twin", lambda: _by_twin(run))


def _by_twin(run: RunView) -> dict[str, dict[str, float]]:
    return {r["group"]: r["by_scope"] for r in emission_rows(run, "twin")}


def twin_summary(run: RunView, row: dict[str, Any], detail: bool) -> TwinSummaryPublic:
    if not detail:
        return TwinSummaryPublic(**row)
    full = twin_public(run, row["twin_id"])
    if full is None:
        return TwinSummaryPublic(**row)
    return TwinSummaryPublic(**(row | {"channels": full.channels, "risk": full.risk}))


def event_public(row: dict[str, Any]) -> EventPublic:
    return EventPublic(**{k: v for k, v in row.items() if k in EventPublic.model_fields})


def fleet_or_none(run: RunView) -> FleetPublic | None:
    """The fleet summary, or None for a stored run that left no state."""
    try:
        return fleet_public(run)
    except ConflictError:
        return None
