"""What a site gives its machines: altitude, climate and (for trucks) the haul road."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, model_validator

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)  # no inf, nan


class RoadSegment(BaseModel):
    """One stretch of haul road, described in the loaded direction (loader → dump)."""

    model_config = _STRICT
    length_m: float = Field(gt=0, le=20_000, description="Segment length [m]")
    grade_pct: float = Field(
        ge=-20, le=20, description="Grade in the loaded direction [%]; positive is uphill"
    )
    rolling_resistance_pct: float = Field(
        3.0,
        ge=0.5,
        le=15,
        description="Rolling resistance [%] (1 % = 10 kg/t); 3 % main haul road, 4-5 % in-pit "
        "(ffden-2.phys.uaf.edu haul-road page) [V]",
    )
    speed_limit_kmh: float = Field(
        54.0, gt=0, le=80, description="Site speed limit on this segment [km/h]"
    )


class Road(BaseModel):
    """A haul route: loaded trucks run the segments in order, empty ones return in reverse."""

    model_config = _STRICT
    segments: list[RoadSegment] = Field(min_length=1, max_length=64)

    @property
    def length_m(self) -> float:
        return float(sum(s.length_m for s in self.segments))


class Climate(BaseModel):
    """Ambient air temperature as a daily cycle around a mean [A: sinusoidal diurnal model]."""

    model_config = _STRICT
    ambient_mean_c: float = Field(15.0, ge=-50, le=50, description="Daily mean [°C]")
    ambient_amplitude_c: float = Field(8.0, ge=0, le=25, description="Half the daily swing [°C]")
    warmest_hour: float = Field(15.0, ge=0, lt=24, description="Local hour of the maximum")
    utc_offset_h: float = Field(0.0, ge=-12, le=14, description="Local time minus UTC [h]")


DISPATCH_RULES = ("fixed", "shortest_queue", "earliest_service", "neediest")


class Stockpile(BaseModel):
    """The run-of-mine stockpile between the trucks' dump and the mill's feed."""

    model_config = _STRICT
    capacity_t: float = Field(gt=0, le=10_000_000, description="Live capacity [t]")
    initial_t: float = Field(0.0, ge=0, le=10_000_000, description="Level at the start [t]")

    @model_validator(mode="after")
    def _fits(self) -> Stockpile:
        if self.initial_t > self.capacity_t:
            raise ValueError(
                f"initial_t ({self.initial_t:g} t) is above capacity_t ({self.capacity_t:g} t)"
            )
        return self


class Haulage(BaseModel):
    """How a site's trucks, loaders, dump and mill interact (trucks + loaders: a system)."""

    model_config = _STRICT
    dispatch: Literal["fixed", "shortest_queue", "earliest_service", "neediest"] = Field(
        "fixed",
        description="How trucks leaving the dump are sent to loaders: fixed (round robin in "
        "truck order), shortest_queue, earliest_service, neediest (`aurum kinds` lists them)",
    )
    dump_bays: int = Field(1, ge=1, le=8, description="Trucks the dump takes at once")
    stockpile: Stockpile | None = Field(
        None, description="Run-of-mine stockpile fed by the trucks, drawn by the site's mills"
    )


class SiteConditions(BaseModel):
    """Physical conditions of a site that the machines' physics use."""

    model_config = _STRICT
    altitude_m: float = Field(0.0, ge=-500, le=5_500, description="Elevation [m]")
    climate: Climate = Climate()
    road: Road | None = None
    haulage: Haulage | None = Field(
        None, description="Queues, dispatch and stockpile of a site whose trucks share loaders"
    )


DEFAULT_ROAD = Road(
    segments=[
        RoadSegment(length_m=400, grade_pct=0.0, rolling_resistance_pct=4.0),
        RoadSegment(length_m=2_500, grade_pct=8.0, rolling_resistance_pct=3.0),
        RoadSegment(length_m=1_500, grade_pct=0.0, rolling_resistance_pct=2.5),
    ]
)
DEFAULT_SITE = SiteConditions(altitude_m=800.0, road=DEFAULT_ROAD)


@dataclass(frozen=True)
class Environment:
    """The sites of a batch and which site each twin is at."""

    sites: tuple[SiteConditions, ...]
    site_index: NDArray[np.intp]

    @classmethod
    def single(cls, n: int, site: SiteConditions = DEFAULT_SITE) -> Environment:
        return cls((site,), np.zeros(n, dtype=np.intp))

    def per_twin(self, values: Sequence[float]) -> NDArray[np.float64]:
        """Broadcast one value per site to one value per twin."""
        return np.asarray(values, dtype=np.float64)[self.site_index]

    def take(self, index: NDArray[np.intp]) -> Environment:
        return Environment(self.sites, self.site_index[index])


class Ambient:
    """Ambient temperature of every twin of a batch through the day [°C]."""

    def __init__(self, env: Environment) -> None:
        c = [s.climate for s in env.sites]
        self.site_index = env.site_index
        self.mean = np.array([x.ambient_mean_c for x in c])  # per site
        self.amp = np.array([x.ambient_amplitude_c for x in c])
        self.phase = np.array([x.utc_offset_h - x.warmest_hour for x in c])

    def at(self, hours_utc: float) -> NDArray[np.float64]:
        """Temperature at a UTC time of day (hours since midnight, any real number), per twin
        (the curve is computed once per site)."""
        per_site = self.mean + self.amp * np.cos((2.0 * np.pi / 24.0) * (hours_utc + self.phase))
        return per_site[self.site_index]
