"""The contract every machine kind fulfils: a vectorised model over a batch of n twins.

A kind declares its vocabulary (parameters, state variables, sensor channels, activity channels
for emissions, the product it makes) and implements `initial` and `step` over struct-of-arrays:
one numpy array of shape (n,) per variable, a twin being an index. `step` updates the state in
place and reports what happened during one tick. The same conformance check
(`twins.conformance.check_kind`) runs over every registered kind.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aurum.twins.failures import FailureMode
from aurum.twins.params import KindParams, ParamArrays
from aurum.twins.rng import Streams
from aurum.twins.site import Environment

F64 = NDArray[np.float64]
State = dict[str, F64]


class Status(IntEnum):
    """Machine state of a twin during a tick (shared by every kind)."""

    RUNNING = 0
    STANDBY = 1  # available, not producing (no demand, waiting)
    DERATED = 2  # producing at reduced capacity
    DOWN = 3  # functional failure, waiting for or under repair
    MAINTENANCE = 4  # planned work
    STARVED = 5  # available, idle for want of feed (a mill whose stockpile is empty)


PRODUCING = (Status.RUNNING, Status.DERATED)


@dataclass(frozen=True)
class Channel:
    """A named quantity with a unit. Sensor names end in their unit: `coolant_temp_c`."""

    name: str
    unit: str
    description: str
    noise_sd: float = 0.0  # 1-sigma measurement noise of the sensor, in `unit`
    lo: float = -np.inf  # a sensor cannot report below this (e.g. a speed below 0)
    hi: float = np.inf
    source: str = ""
    categories: tuple[str, ...] = ()  # a coded channel (e.g. the haul-cycle phase)
    # Activity channels: the IPCC 2006 source category of the use, which decides the emission
    # factors (off-road diesel "1.A.2.g.vii" and a boiler's diesel "1.A.2.i" differ in CH4/N2O).
    category: str = ""


OFFROAD = "1.A.2.g.vii"  # IPCC 2006: off-road vehicles and machinery in industry (haul trucks)
STATIONARY = "1.A.2.i"  # IPCC 2006: stationary combustion, mining and quarrying (site boilers)
ELECTRICITY = "electricity"  # purchased electricity (scope 2)


@dataclass(frozen=True)
class StateVar:
    name: str
    unit: str
    description: str


@dataclass(frozen=True)
class TickContext:
    """What the engine hands a kind for one tick."""

    tick: int  # ticks since the scenario start
    dt_s: float  # tick length [s]
    hours_utc: float  # time of day at the start of the tick [h since midnight UTC]
    ambient_c: F64  # ambient air temperature of each twin [°C]
    # Twins allowed to operate this tick (not failed, not in maintenance). A kind makes the
    # others produce and use nothing, hold their operating state and cool towards ambient.
    available: NDArray[np.bool_]
    # What the twins share with the other machines of their site this tick (`twins.system`):
    # a kind that interacts (trucks queueing at loaders) reads it; None when no one shares.
    site: Any = None


@dataclass
class TickOutput:
    """What each twin did during one tick: true sensor values, resources used, output made."""

    sensors: dict[str, F64]
    activity: dict[str, F64]  # amount used during the tick, in each activity channel's unit
    production: F64  # product delivered during the tick, in the kind's production unit
    status: NDArray[np.int8]  # RUNNING, DERATED or STANDBY of available twins
    # Optional: "stress/<mode>" multiplies the ageing of a failure mode this tick (load-
    # sensitive ageing, as ISO 281's load-life law); anything else is informational.
    extra: dict[str, F64] = field(default_factory=dict)


class Kind(ABC):
    """A machine kind. Subclasses set the class attributes and implement initial/step.

    An instance serves one batch for its whole life: `initial` is called once, and every `step`
    receives the same `params` and `env` objects, which are never changed in place. So a kind
    may precompute per-twin constants (road tables, design-point power, enthalpies) once and
    keep them on `self`.
    """

    name: ClassVar[str]  # "truck"
    label: ClassVar[str]  # "TRUCK"
    description: ClassVar[str]
    Params: ClassVar[type[KindParams]]
    state_vars: ClassVar[tuple[StateVar, ...]]
    sensors: ClassVar[tuple[Channel, ...]]
    activity: ClassVar[tuple[Channel, ...]]
    production: ClassVar[Channel]
    site_needs: ClassVar[tuple[str, ...]] = ()  # SiteConditions fields that must be set
    failure_modes: ClassVar[tuple[FailureMode, ...]] = ()
    # Scenario shorthands for classic anomalies: name → ("mode", mode) or ("sensor", channel)
    anomalies: ClassVar[dict[str, tuple[str, str]]] = {}

    @abstractmethod
    def initial(self, params: ParamArrays, env: Environment, rng: Streams) -> State:
        """State of n new twins at tick 0."""

    @abstractmethod
    def step(
        self, state: State, params: ParamArrays, env: Environment, ctx: TickContext, rng: Streams
    ) -> TickOutput:
        """Advance every twin one tick: update `state` in place, report the tick."""

    def warm_up(self, params: ParamArrays, env: Environment, state: State) -> None:  # noqa: B027
        """Compile what the kind's ticks run compiled (or load it from numba's disk cache) now,
        when a shard is built, rather than in its first tick; nothing for a numpy-only kind."""

    @classmethod
    def mode_names(cls) -> tuple[str, ...]:
        return tuple(m.name for m in cls.failure_modes)

    @classmethod
    def sensor_names(cls) -> tuple[str, ...]:
        return tuple(c.name for c in cls.sensors)

    @classmethod
    def activity_names(cls) -> tuple[str, ...]:
        return tuple(c.name for c in cls.activity)

    @classmethod
    def vocabulary(cls) -> dict[str, object]:
        """Everything the kind declares, as plain data (for docs, manifests and the API)."""
        return {
            "name": cls.name,
            "description": cls.description,
            "params": cls.Params.provenance(),
            "state": {v.name: v.unit for v in cls.state_vars},
            "sensors": {c.name: c.unit for c in cls.sensors},
            "activity": {c.name: c.unit for c in cls.activity},
            "production": {cls.production.name: cls.production.unit},
        }
