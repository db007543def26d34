"""Maintenance policies behind one small interface and an explicit registry.

A policy looks at what the fleet reported at an epoch boundary (`FleetView`: the sensors'
latest readings — with their noise and faults —, each failure mode's equivalent age, machine
states, and risk scores when a risk model runs) and returns preventive work orders. Corrective
work after a failure is not a policy's choice: it always happens.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aurum.engine.maintenance.config import LOST_PRODUCTION_USD_H, MaintenanceConfig
from aurum.physics.degradation import optimal_replacement_age
from aurum.twins import registry
from aurum.twins.failures import FailureMode
from aurum.twins.kind import Status
from aurum.twins.shard import EpochResult


@dataclass
class KindView:
    twin_index: NDArray[np.int64]
    latest: dict[str, NDArray[Any]]  # reported sensors and status
    mode_age_h: dict[str, NDArray[np.float64]]
    risk: NDArray[np.float64] | None = None  # latest failure risk (NaN: not scored)
    # mode → how far its symptom moved from the twin's baseline towards the alarm (0 → 1)
    progress: dict[str, NDArray[np.float64]] | None = None


@dataclass
class FleetView:
    """What the fleet reported at the end of an epoch, per kind, in global twin order."""

    tick: int
    kinds: dict[str, KindView]

    @classmethod
    def of(cls, tick: int, results: Sequence[EpochResult]) -> FleetView:
        parts: dict[str, list[EpochResult]] = {}
        for r in results:
            parts.setdefault(r.kind, []).append(r)
        kinds = {}
        for kind, unsorted in parts.items():
            rs = sorted(unsorted, key=lambda r: int(r.twin_index[0]))
            cat = np.concatenate
            scored = all(r.risk is not None for r in rs)
            kinds[kind] = KindView(
                cat([r.twin_index for r in rs]),
                {k: cat([r.latest[k] for r in rs]) for k in rs[0].latest},
                {k: cat([r.mode_age_h[k] for r in rs]) for k in rs[0].mode_age_h},
                cat([np.asarray(r.risk, np.float64) for r in rs]) if scored else None,
                {k: cat([r.progress[k] for r in rs]) for k in rs[0].progress} or None,
            )
        return cls(tick, kinds)


Orders = list[tuple[int, tuple[str, ...]]]  # (global twin, modes to service)


class Policy(ABC):
    name: ClassVar[str]
    description: ClassVar[str]

    def __init__(self, config: MaintenanceConfig) -> None:
        self.config = config

    @abstractmethod
    def orders(self, view: FleetView) -> Orders:
        """Preventive work to request now."""


class RunToFailure(Policy):
    name = "run_to_failure"
    description = "Repair only on failure (the baseline, 'policy 0')"

    def orders(self, view: FleetView) -> Orders:
        return []


def corrective_cost(m: FailureMode, kind: str, config: MaintenanceConfig) -> float:
    lost = config.costs.lost_production_usd_per_h.get(kind, LOST_PRODUCTION_USD_H.get(kind, 0.0))
    return m.parts_usd + m.mttr_h * (config.costs.labour_usd_per_crew_h + lost)


def preventive_cost(m: FailureMode, kind: str, config: MaintenanceConfig) -> float:
    lost = config.costs.lost_production_usd_per_h.get(kind, LOST_PRODUCTION_USD_H.get(kind, 0.0))
    return m.pm_parts_usd + m.pm_h * (config.costs.labour_usd_per_crew_h + lost)


class TimeBased(Policy):
    name = "time_based"
    description = "Replace a component at a fixed age (operating hours) or at failure"

    def interval(self, kind: str, m: FailureMode) -> float:
        key = f"{kind}.{m.name}"
        if key in self.config.intervals_h:
            return self.config.intervals_h[key]
        if not m.weibull:
            return math.inf
        cp = preventive_cost(m, kind, self.config)
        cf = corrective_cost(m, kind, self.config)
        return optimal_replacement_age(m.beta, m.eta_h, cp, cf)

    def orders(self, view: FleetView) -> Orders:
        out: Orders = []
        for kind, v in view.kinds.items():
            for m in registry.get(kind).failure_modes:
                due = v.mode_age_h[m.name] >= self.interval(kind, m)
                due &= v.latest["status"] != Status.DOWN
                out += [(int(t), (m.name,)) for t in v.twin_index[due]]
        return out


class ConditionBased(Policy):
    """Service the components behind a symptom once it passes its alarm level: the latest
    reading (`condition_signal: reading`, with its noise and a load's daily swing), or its
    24-h trend (`trend`: the slow mean of the risk features has reached the mode's alarm,
    `KindView.progress` ≥ 1), which a single high reading does not move."""

    name = "condition_based"
    description = "Service the components behind a sensor once its reading passes an alarm level"

    def orders(self, view: FleetView) -> Orders:
        out: Orders = []
        for kind, v in view.kinds.items():
            if self.config.condition_signal == "trend":
                out += self._trended(v)
            else:
                out += self._read(kind, v)
        return out

    def _read(self, kind: str, v: KindView) -> Orders:
        out: Orders = []
        by_symptom: dict[str, list[FailureMode]] = {}
        for m in registry.get(kind).failure_modes:
            if m.symptom:
                by_symptom.setdefault(m.symptom, []).append(m)
        for channel, modes in by_symptom.items():
            level = self.config.thresholds.get(f"{kind}.{channel}", modes[0].alarm)
            reading = v.latest[channel].astype(np.float64)
            seen = ~np.isnan(reading)  # a dropped-out sensor triggers nothing
            past = modes[0].beyond(np.where(seen, reading, np.nan), level) & seen
            past &= v.latest["status"] != Status.DOWN
            names = tuple(m.name for m in modes)
            out += [(int(t), names) for t in v.twin_index[past]]
        return out

    @staticmethod
    def _trended(v: KindView) -> Orders:
        if not v.progress:
            return []
        up = v.latest["status"] != Status.DOWN
        due = {m: (p >= 1.0) & up for m, p in v.progress.items()}  # NaN: no baseline yet
        out: Orders = []
        for i in np.flatnonzero(np.logical_or.reduce(list(due.values()))).tolist():
            modes = tuple(m for m, d in due.items() if d[i])
            out.append((int(v.twin_index[i]), modes))
        return out


class RiskBased(Policy):
    """Send a crew when a twin's scored risk passes `maintenance.risk_threshold`; the crew
    services the components whose symptoms have degraded.

    Diagnosis, as a technician does it: trend each component's symptom (its slow mean since
    the twin's last maintenance, `KindView.progress`) against its alarm level, and service
    every component whose symptom has covered at least `DIAGNOSED` of the way from the twin's
    healthy baseline to the alarm; when none has, the one that moved most. Components whose
    symptom cannot be trended (no alarm level, or no baseline yet) are not diagnosed.
    """

    name = "risk_based"
    description = "Service a machine when its scored failure risk passes a threshold"
    DIAGNOSED = 0.5

    def orders(self, view: FleetView) -> Orders:
        out: Orders = []
        for kind, v in view.kinds.items():
            if v.risk is None:
                continue
            hit = (v.risk >= self.config.risk_threshold) & (v.latest["status"] != Status.DOWN)
            for i in np.flatnonzero(hit).tolist():
                modes = self.diagnose(kind, v.progress or {}, i)
                out.append((int(v.twin_index[i]), modes))
        return out

    def diagnose(
        self, kind: str, progress: dict[str, NDArray[np.float64]], i: int
    ) -> tuple[str, ...]:
        """The modes to service on twin i (position in its kind's view)."""
        moved = {m: float(p[i]) for m, p in progress.items() if not np.isnan(p[i])}
        chosen = tuple(m for m, f in moved.items() if f >= self.DIAGNOSED)
        if chosen:
            return chosen
        if moved:
            return (max(moved, key=lambda m: moved[m]),)
        return registry.get(kind).mode_names()


POLICIES: dict[str, type[Policy]] = {
    p.name: p for p in (RunToFailure, TimeBased, ConditionBased, RiskBased)
}


def make_policy(config: MaintenanceConfig) -> Policy:
    return POLICIES[config.policy](config)
