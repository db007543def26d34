"""Request and response schemas: `RunCreate` in, `*Public` out (typed, in the OpenAPI spec)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

RunStatus = Literal["starting", "running", "done", "cancelled", "interrupted", "failed"]
GroupBy = Literal["twin", "kind", "site", "scope"]
GwpSet = Literal["AR6", "AR5", "AR4"]
DURATION_PATTERN = r"^\s*\d+(\.\d+)?\s*(s|min|h|d|w)\s*$"
RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,119}$"
SCENARIO_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}(/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}){0,3}$"

Duration = Annotated[str, Field(pattern=DURATION_PATTERN, examples=["2h", "1d"])]
TwinsPerActor = Annotated[int, Field(ge=1)] | Literal["auto"]


class ProblemPublic(BaseModel):
    """One thing wrong with a request: where, what, and what would be accepted."""

    message: str
    path: str = ""
    value: Any = None
    file: str = ""
    line: int | None = None
    accepted: str = ""


class ErrorPublic(BaseModel):
    """Every 4xx/5xx answer: a one-line reason and, for bad input, each problem."""

    detail: str
    problems: list[ProblemPublic] = []


class Overrides(BaseModel):
    """Changes to the scenario's own values for this run."""

    model_config = ConfigDict(extra="forbid")
    seed: int | None = Field(None, ge=0, lt=2**63)
    duration: Duration | None = Field(None, description='Simulate only this long, e.g. "2h"')
    epoch: Duration | None = Field(None, description='Epoch length; "1min" by default with speed')
    speed: float | None = Field(
        None, gt=0, le=1e7, description="Real-time mode: simulated seconds per wall second"
    )
    twins_per_actor: TwinsPerActor | None = None


class RunCreate(Overrides):
    """A run to start: a shipped scenario's name or a scenario object, with overrides."""

    scenario: Annotated[str, Field(pattern=SCENARIO_NAME_PATTERN)] | dict[str, Any] = Field(
        description='Name of a shipped scenario ("demo") or the scenario itself',
        examples=["demo"],
    )


class ProgressPublic(BaseModel):
    epochs_done: int
    n_epochs: int
    fraction: float = Field(description="Share of the epochs done, 0..1")
    sim_time: datetime
    twin_ticks: int
    twin_ticks_per_s: float
    elapsed_s: float


class RunPublic(BaseModel):
    """A run: what it simulates, where it is, and whether this server is driving it."""

    run_id: str
    scenario: str
    status: RunStatus
    live: bool = Field(description="Driven by this server now (else read from its folder)")
    twins: int
    speed: float | None
    sim_start: datetime
    sim_end: datetime
    progress: ProgressPublic
    error: str = ""


class UnreadableRunPublic(BaseModel):
    """A folder in the runs folder that is not a readable run, and why."""

    run_id: str = Field(description="The folder's name")
    reason: str


class RunList(BaseModel):
    total: int
    runs: list[RunPublic]
    unreadable: list[UnreadableRunPublic] = Field(
        [], description="Folders whose manifest.json this server cannot read (not counted)"
    )


class ScenarioPublic(BaseModel):
    name: str
    description: str
    twins: int
    duration: str


class KindSummaryPublic(BaseModel):
    """Per kind; further KPIs (failures, maintenance) pass through as the engine adds them."""

    model_config = ConfigDict(extra="allow")
    twins: int
    by_status: dict[str, int]
    product: str
    production_t: float
    activity: dict[str, float]
    producing_h: float
    physical_availability: float | None


class RiskPublic(BaseModel):
    twin_id: str
    kind: str
    risk: float


class FleetPublic(BaseModel):
    """Fleet summary: counts by state, production, emissions by scope, top risks."""

    run_id: str
    status: RunStatus
    sim_time: datetime
    twins: int
    by_status: dict[str, int]
    production_t: dict[str, float] = Field(description="Tonnes by product")
    kinds: dict[str, KindSummaryPublic]
    emissions_co2e_kg: dict[str, float] = Field(description="CO2e by scope (AR6), so far")
    top_risks: list[RiskPublic]


class TwinSummaryPublic(BaseModel):
    twin_id: str
    kind: str
    site: str
    status: str
    production_t: float
    channels: dict[str, float | None] | None = Field(None, description="With detail=true")
    risk: float | None = None


class TwinPage(BaseModel):
    run_id: str
    total: int
    offset: int
    limit: int
    twins: list[TwinSummaryPublic]


class TwinPublic(BaseModel):
    """One twin's latest state: channels, health, risk, cumulative production and emissions.

    Further per-twin figures (failures, maintenance, costs) pass through as the engine adds them.
    """

    model_config = ConfigDict(extra="allow")

    twin_id: str
    kind: str
    site: str
    status: str
    sim_time: datetime
    channels: dict[str, float | None]
    units: dict[str, str]
    production: dict[str, float]
    activity: dict[str, float]
    hours: dict[str, float]
    risk: float | None
    emissions_co2e_kg: dict[str, float]


class EventPublic(BaseModel):
    time: datetime
    twin_id: str
    kind: str
    site: str
    event: str
    mode: str | None = None
    value: float | None = None
    detail: dict[str, Any] | None = None


class EventPage(BaseModel):
    run_id: str
    total: int
    offset: int
    limit: int
    events: list[EventPublic]


class EmissionRowPublic(BaseModel):
    group: str
    co2e_kg: float = Field(description="Scopes 1 + 2 (chosen basis) + 3.3")
    by_scope: dict[str, float] = Field(description="kg CO2e by scope")
    by_gas: dict[str, float] = Field(description="kg of each gas")


class EmissionsPublic(BaseModel):
    run_id: str
    group_by: GroupBy
    gwp: GwpSet
    scope2: Literal["location", "market"]
    total_co2e_kg: float
    rows: list[EmissionRowPublic]


class TelemetryPublic(BaseModel):
    """Readings of one twin, column by column (NaN as null)."""

    run_id: str
    twin_id: str
    kind: str
    rows: int
    truncated: bool
    units: dict[str, str]
    time: list[datetime]
    status: list[str]
    channels: dict[str, list[float | None]]


class HealthPublic(BaseModel):
    status: Literal["ok"]
    live_runs: int
    version: str
