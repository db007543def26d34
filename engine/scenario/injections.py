"""Injections from scenario files: failure modes, anomalies and sensor faults at exact ticks.

An injection names a time (absolute, or a duration from the start), a target (one twin, a kind,
or a fraction of the fleet or of a kind) and what to inject. Fractions pick twins by a hash of
their id and the seed, so the same twins are picked however the fleet is sharded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aurum.engine.scenario.durations import Duration
from aurum.twins.faults import FaultType
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.schedule import Action, FaultInjection, ModeInjection

When = datetime | Duration


class Injection(BaseModel):
    """One injection: `mode:`, `anomaly:` or `sensor:` (+ `fault:`), on a target, at a time."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    at: When = Field(
        description='When: an ISO time (UTC if no zone), or a duration from the start ("36h")'
    )
    until: When | None = Field(
        None, description="End of a sensor fault, after `at` (default: the run's end)"
    )
    twin: str | None = Field(None, description="One twin by id")
    kind: str | None = Field(None, description="Every twin of a kind (or `fraction` of them)")
    fraction: float | None = Field(None, gt=0, le=1, description="Share of the targets picked")
    mode: str | None = Field(None, description="A failure mode of the target's kind")
    anomaly: str | None = Field(None, description="vibration_spike, temperature_drift, co2_excess")
    sensor: str | None = Field(None, description="A sensor channel of the target's kind")
    fault: FaultType | None = Field(None, description="Sensor fault type")
    magnitude: float = Field(0.0, description="Fault size in the channel's unit (drift: per h)")
    severity: float = Field(
        0.0, ge=0, lt=1, description="Fraction of the way to failure reached after the ramp"
    )
    ramp: Duration | None = Field(None, description="Time to reach the severity")
    accelerate: float = Field(1.0, gt=0, le=1000, description="Multiplies the mode's ageing")

    @field_validator("at", "until", mode="before")
    @classmethod
    def _not_a_number(cls, v: Any) -> Any:
        # pydantic reads a number as seconds since 1970: `at: 5` was an injection in 1970
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise ValueError(
                "a number is not a time; accepted: an ISO time such as 2026-01-05T06:00:00Z, "
                'or a duration from the start such as "36h"'
            )
        return v

    @field_validator("at", "until")
    @classmethod
    def _utc(cls, v: datetime | timedelta | None) -> datetime | timedelta | None:
        # a time without a zone is UTC, as the scenario's start (it crashed the run otherwise)
        if not isinstance(v, datetime):
            return v
        try:
            return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
        except OverflowError:
            raise ValueError(
                "beyond the calendar in UTC; accepted: a time from 1900 to 9000"
            ) from None

    @model_validator(mode="after")
    def _shape(self) -> Injection:
        what = [k for k in ("mode", "anomaly", "sensor") if getattr(self, k) is not None]
        if len(what) != 1:
            raise ValueError("give exactly one of `mode`, `anomaly` or `sensor`")
        if (self.sensor is None) != (self.fault is None):
            raise ValueError("`sensor` and `fault` go together")
        if self.twin is not None and (self.kind is not None or self.fraction is not None):
            raise ValueError("target either one `twin`, or a `kind` / `fraction` of the fleet")
        if self.twin is None and self.kind is None and self.fraction is None:
            raise ValueError("give a target: `twin`, `kind` or `fraction`")
        return self


def tick_of(when: When, start: datetime, tick_s: float) -> int:
    """The tick containing a time (absolute, or a duration from the start)."""
    offset = when - start if isinstance(when, datetime) else when
    return int(offset / timedelta(seconds=tick_s))


def targets(
    inj: Injection, index: int, seed: int, ids: list[str], kinds: list[str]
) -> tuple[int, ...]:
    """Global indices of the twins an injection hits (fraction picks by hashed twin id)."""
    if inj.twin is not None:
        return (ids.index(inj.twin),)
    pool = np.array([i for i, k in enumerate(kinds) if inj.kind in (None, k)], dtype=np.int64)
    if inj.fraction is not None and len(pool):
        draws = Streams(seed, twin_keys([ids[i] for i in pool])).uniform(f"inject/{index}", 0)
        pool = pool[draws < inj.fraction]
    return tuple(int(i) for i in pool)


def to_actions(
    injections: list[Injection],
    seed: int,
    start: datetime,
    tick_s: float,
    total_ticks: int,
    ids: list[str],
    kinds: list[str],
    anomalies: dict[str, dict[str, tuple[str, str]]],
) -> list[Action]:
    """Every injection as shard actions at exact ticks (anomalies expanded per kind)."""
    actions: list[Action] = []
    for i, inj in enumerate(injections):
        hit = targets(inj, i, seed, ids, kinds)
        at = tick_of(inj.at, start, tick_s)
        by_kind: dict[str, list[int]] = {}
        for t in hit:
            by_kind.setdefault(kinds[t], []).append(t)
        for kind, twins in by_kind.items():
            actions += _actions(
                inj, at, tuple(twins), kind, anomalies[kind], start, tick_s, total_ticks
            )
    return actions


def _actions(
    inj: Injection,
    at: int,
    twins: tuple[int, ...],
    kind: str,
    anomalies: dict[str, tuple[str, str]],
    start: datetime,
    tick_s: float,
    total_ticks: int,
) -> list[Action]:
    mode, sensor, fault, label = inj.mode, inj.sensor, inj.fault, inj.mode or inj.sensor or ""
    if inj.anomaly is not None:
        label = inj.anomaly
        target, name = anomalies[inj.anomaly]
        mode, sensor = (name, None) if target == "mode" else (None, name)
        fault = fault or ("spike" if target == "sensor" else None)
    if sensor is not None:
        # An anomaly on a sensor (a vibration spike) lasts an hour unless `until` says otherwise.
        default_end = total_ticks if inj.anomaly is None else at + round(3600.0 / tick_s)
        end = default_end if inj.until is None else tick_of(inj.until, start, tick_s)
        magnitude = inj.magnitude
        kind_fault: Any = fault
        return [FaultInjection(at, end, twins, sensor, kind_fault, magnitude)]
    assert mode is not None
    ramp_h = inj.ramp.total_seconds() / 3600.0 if inj.ramp else 0.0
    return [ModeInjection(at, twins, mode, inj.severity, ramp_h, inj.accelerate, label)]
