"""The scenario: what to simulate. Pydantic models, strict (`extra="forbid"`), frozen.

Fleet entries are a union discriminated by `kind`, built from the kind registry, so each entry's
`params:` is checked against that kind's parameter model and editors can autocomplete it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from aurum.engine.maintenance.config import MaintenanceConfig
from aurum.engine.scenario.durations import Duration
from aurum.engine.scenario.injections import Injection
from aurum.engine.scenario.risk import RiskOptions
from aurum.esg import EsgOptions, SiteEsg
from aurum.twins import registry
from aurum.twins.kind import Kind
from aurum.twins.params import KindParams
from aurum.twins.site import SiteConditions

# Strict, immutable, and no `inf`/`nan` where a number is expected (they ran as NaN tables).
_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
COUNTRY_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,4}){0,2}$"
PREFIX_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,40}$"
MAX_TWINS = 10_000_000  # in one entry and in the whole fleet (1M-twin load tests fit 10x)


def as_utc(v: datetime) -> datetime:
    """A time in UTC (a time without a zone is read as UTC); ValueError past the calendar."""
    try:
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
    except OverflowError:
        raise ValueError("beyond the calendar in UTC; accepted: a time from 1900 to 9000") from None


class Site(SiteConditions):
    """A site: where machines are, which country's grid and factors apply, its conditions."""

    esg: SiteEsg = Field(
        default_factory=SiteEsg,
        description="Emissions options of the site: factor set, factor overrides, contracts",
    )
    id: str = Field(pattern=ID_PATTERN, description="Site identifier, unique in the scenario")
    country: str = Field(
        pattern=COUNTRY_PATTERN,
        description="ISO 3166 country code, optionally with a subdivision: CL, ES, AU-WA",
    )
    name: str = ""


class FleetEntryBase(BaseModel):
    """Machines of one kind at one site: one named twin (`id`) or `count` of them."""

    model_config = _STRICT
    id: str | None = Field(None, pattern=ID_PATTERN, description="One twin with this id")
    count: int | None = Field(None, ge=1, le=MAX_TWINS, description="Number of twins")
    id_prefix: str | None = Field(
        None, pattern=PREFIX_PATTERN, description="Prefix of generated ids"
    )
    site: str = Field(description="Id of a site in `sites`")

    @model_validator(mode="after")
    def _one_of_id_or_count(self) -> FleetEntryBase:
        if (self.id is None) == (self.count is None):
            raise ValueError("give either `id` (one twin) or `count` (+ optional `id_prefix`)")
        if self.id is not None and self.id_prefix is not None:
            raise ValueError("`id_prefix` goes with `count`, not with `id`")
        return self

    def twin_ids(self, label: str) -> list[str]:
        if self.id is not None:
            return [self.id]
        assert self.count is not None
        prefix = self.id_prefix if self.id_prefix is not None else f"{label}-"
        return generated_ids(prefix, self.count)


def generated_ids(prefix: str, count: int) -> list[str]:
    """Ids of `count` twins: prefix + a number zero-padded so that ids sort in order."""
    width = len(str(count))
    return [f"{prefix}{i:0{width}d}" for i in range(1, count + 1)]


@cache
def entry_model(kind: type[Kind]) -> type[FleetEntryBase]:
    """The fleet-entry model of one kind: its `kind` tag and its parameter model."""
    params_type: Any = kind.Params
    model = create_model(
        f"{kind.Params.__name__.removesuffix('Params')}Entry",
        __base__=FleetEntryBase,
        kind=(Literal[kind.name], Field(description=kind.description)),  # type: ignore[arg-type]
        params=(params_type, Field(default_factory=params_type)),
    )
    return model


def fleet_entry_type() -> Any:
    models = tuple(entry_model(k) for k in registry.all_kinds())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


class Output(BaseModel):
    """What the run leaves behind and where."""

    model_config = _STRICT
    telemetry_resolution: Duration = Field(
        default=timedelta(minutes=1), description="Telemetry sampling interval"
    )
    directory: str = Field("runs", min_length=1, description="Folder that receives runs/<id>/")


class Execution(BaseModel):
    """How the fleet is spread over Ray actors (does not change results)."""

    model_config = _STRICT
    twins_per_actor: int | Literal["auto"] = Field(
        "auto", description='Twins per shard actor: 1 = one actor per machine; "auto" fits cores'
    )

    @field_validator("twins_per_actor")
    @classmethod
    def _positive(cls, v: int | str) -> int | str:
        if isinstance(v, int) and v < 1:
            raise ValueError('must be a whole number ≥ 1 or "auto"')
        return v


class ScenarioBase(BaseModel):
    model_config = _STRICT
    name: str = Field(pattern=ID_PATTERN, description="Scenario name (used in run ids)")
    description: str = ""
    seed: int = Field(0, ge=0, lt=2**63, description="Root of every random stream")
    start: datetime = Field(description="Simulated start time (ISO 8601; UTC if no zone)")
    duration: Duration = Field(description='Simulated span, e.g. "7d"')
    tick: Duration = Field(default=timedelta(minutes=1), description="Time step")
    epoch: Duration = Field(
        default=timedelta(hours=1), description="Ticks are advanced in epochs of this length"
    )
    sites: list[Site] = Field(min_length=1)
    injections: list[Injection] = Field(
        default_factory=list, description="Failure modes, anomalies and sensor faults to inject"
    )
    maintenance: MaintenanceConfig = MaintenanceConfig()
    risk: RiskOptions = Field(
        default_factory=RiskOptions,
        description="Failure-risk scoring: on/off, interval, alert levels, model files",
    )
    esg: EsgOptions = Field(
        default_factory=EsgOptions,
        description="Emissions: GWP set (AR6), factor set (ipcc, epa, desnz), monthly grid",
    )
    output: Output = Output()
    execution: Execution = Execution()

    @field_validator("start", mode="before")
    @classmethod
    def _not_a_number(cls, v: Any) -> Any:
        # pydantic reads a number as seconds since 1970: `start: 2026` was 1970-01-01T00:33:46
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise ValueError("a number is not a time; accepted: an ISO time: 2026-01-05T00:00:00Z")
        return v

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return as_utc(v)

    def site(self, site_id: str) -> Site:
        return next(s for s in self.sites if s.id == site_id)

    @property
    def total_ticks(self) -> int:
        return round(self.duration / self.tick)

    @property
    def epoch_ticks(self) -> int:
        return round(self.epoch / self.tick)

    @property
    def telemetry_every(self) -> int:
        return round(self.output.telemetry_resolution / self.tick)


@cache
def scenario_model() -> type[ScenarioBase]:
    """The Scenario model with the fleet union of every registered kind."""
    return create_model(
        "Scenario",
        __base__=ScenarioBase,
        fleet=(list[fleet_entry_type()], Field(min_length=1)),  # type: ignore[arg-type,misc]
    )


def json_schema() -> dict[str, Any]:
    schema = scenario_model().model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "AurumAI Twin scenario"
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "A base scenario (path relative to this file) that this one overrides",
    }
    return schema


def fleet_of(scenario: ScenarioBase) -> list[Any]:
    return list(getattr(scenario, "fleet"))  # noqa: B009 - added by scenario_model()


def kind_params(entry: Any) -> KindParams:
    return entry.params
