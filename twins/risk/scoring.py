"""Risk scoring inside a shard: features at each scoring instant, one model call per epoch,
alerts with hysteresis, and what the epoch hands back (risk, symptom trends, feature rows).

During an epoch the shard calls `observe` at every scoring tick (features move on at once, as
on an edge device) and `reset` when maintenance renews a twin. At the epoch's end `finish`
scores every (instant, twin) row that was up and warmed up in ONE onnxruntime call, then walks
the instants in order: a twin whose risk reaches the alert level raises ALERT (value = risk)
and stays alerted until its risk has stayed at or below the clear level for `clear_after_h`
(ALERT_CLEARED) or maintenance renews it — one degradation, one alert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.twins.events import Event, EventLog
from aurum.twins.kind import Kind
from aurum.twins.risk.features import Features, FeatureSpec
from aurum.twins.risk.model import Scorer
from aurum.twins.risk.settings import RiskSettings

F32 = NDArray[np.float32]


@dataclass
class RiskEpoch:
    """What scoring adds to an epoch's result."""

    ticks: NDArray[np.int64]  # the scoring instants of the epoch
    risk: F32  # (instants, n), NaN where a twin was not scored
    latest: F32  # (n,) risk at the last instant
    progress: dict[str, NDArray[np.float64]]  # mode → (n,) symptom trend towards its alarm
    sampled: F32  # (samples, n) risk at the telemetry samples
    rows: dict[str, NDArray[Any]] = field(default_factory=dict)  # feature rows to record


class RiskScoring:
    """Features, model and alert state of one shard's twins."""

    def __init__(self, kind: type[Kind], settings: RiskSettings, n: int, tick_s: float) -> None:
        self.spec = FeatureSpec.of(kind)
        self.n = n
        self.every = settings.every(tick_s)
        self.record_every = settings.record_every(tick_s)
        dt_h = self.every * tick_s / 3600.0
        self.features = Features(self.spec, n, dt_h, settings.warmup_h)
        model = settings.models.get(kind.name) if settings.score else None
        self.scorer = Scorer(model) if model is not None else None
        self.on, self.off = settings.levels(kind.name)
        self.dwell = settings.clear_after(tick_s)  # instants at/below `off` that clear an alert
        self.modes = [  # (mode, symptom index, alarm level, +1 if the symptom rises)
            (m.name, self.spec.symptoms.index(m.symptom), m.alarm, -1.0 if m.symptom_falls else 1.0)
            for m in kind.failure_modes
            if m.symptom in self.spec.symptoms and not math.isnan(m.alarm)
        ]
        self.mode_labels = {m.name: i for i, m in enumerate(kind.failure_modes)}
        self.alerted = np.zeros(n, dtype=bool)
        self.low = np.zeros(n, dtype=np.int32)  # alerted twins: instants in a row at/below `off`
        self.last = np.full(n, np.nan, dtype=np.float32)
        self._clear()

    def _clear(self) -> None:
        self._ticks: list[int] = []
        self._scored: list[NDArray[np.bool_]] = []
        self._rows: list[F32] = []
        self._record: list[tuple[int, NDArray[np.int8], dict[str, F32]]] = []
        self._resets: list[tuple[int, NDArray[np.intp]]] = []

    def due(self, tick: int) -> bool:
        return (tick + 1) % self.every == 0

    def observe(self, tick: int, readings: dict[str, Any], status: NDArray[np.int8]) -> None:
        """One scoring instant: reported readings (noise and faults included) and machine states."""
        scored = self.features.update(readings, status)
        self._ticks.append(tick)
        self._scored.append(scored)
        if self.scorer is not None or self.record_every:
            self._rows.append(self.features.matrix())
        if self.record_every and (tick + 1) % self.record_every == 0:
            raw = {c: np.asarray(readings[c], dtype=np.float32) for c in self.spec.symptoms}
            self._record.append((len(self._ticks) - 1, status.copy(), raw))

    def reset(self, tick: int, idx: NDArray[np.intp]) -> None:
        """Maintenance renewed twins `idx` at `tick`: their windows and alerts start anew."""
        self.features.reset(idx)
        self._resets.append((tick, idx))

    def finish(
        self, log: EventLog, twin_index: NDArray[np.int64], samples: NDArray[np.int64]
    ) -> RiskEpoch:
        """Score the epoch's rows, raise and clear alerts, and hand back what it found (with
        the risk at the telemetry `samples` ticks)."""
        before = self.last.copy()
        k = len(self._ticks)
        risk = np.full((k, self.n), np.nan, dtype=np.float32)
        if self.scorer is not None and k:
            rows = np.stack(self._rows)  # (k, n, F)
            scored = np.stack(self._scored)
            risk[scored] = self.scorer.score(rows[scored])
        progress = self.progress()
        self._alerts(risk, log, twin_index, progress)
        ticks = np.array(self._ticks, dtype=np.int64)
        out = RiskEpoch(
            ticks, risk, self.last.copy(), progress, risk_at(samples, ticks, risk, before),
            self._rows_to_record(risk, twin_index),
        )  # fmt: skip
        self._clear()
        return out

    def _alerts(
        self,
        risk: F32,
        log: EventLog,
        twin_index: NDArray[np.int64],
        progress: dict[str, NDArray[np.float64]],
    ) -> None:
        resets = sorted(self._resets, key=lambda r: r[0])
        label = self._suspect(progress)
        r = 0
        for j, tick in enumerate(self._ticks):
            while r < len(resets) and resets[r][0] <= tick:
                self._renewed(*resets[r], log, twin_index)
                r += 1
            now = risk[j]
            self.last = now.copy()
            raise_ = np.flatnonzero(~self.alerted & (now >= self.on))
            self.low[self.alerted & (now > self.off)] = 0  # NaN (unscored): no count, no reset
            self.low[self.alerted & (now <= self.off)] += 1
            clear = np.flatnonzero(self.alerted & (self.low >= self.dwell))
            self.alerted[raise_] = True
            self.alerted[clear] = False
            self.low[clear] = 0
            for idx, event in ((raise_, Event.ALERT), (clear, Event.ALERT_CLEARED)):
                for lab in np.unique(label[idx]):
                    sel = idx[label[idx] == lab]
                    log.add(tick, twin_index[sel], event, int(lab), now[sel].astype(np.float64))
        for tick, idx in resets[r:]:
            self._renewed(tick, idx, log, twin_index)

    def _renewed(
        self, tick: int, idx: NDArray[np.intp], log: EventLog, twin_index: NDArray[np.int64]
    ) -> None:
        was = idx[self.alerted[idx]]
        if len(was):
            log.add(tick, twin_index[was], Event.ALERT_CLEARED, -1, self.last[was].astype(float))
        self.alerted[idx] = False
        self.low[idx] = 0
        self.last[idx] = np.nan

    def progress(self) -> dict[str, NDArray[np.float64]]:
        """Per mode, how far its symptom's slow mean has moved from the twin's baseline towards
        the alarm level (0 = baseline, 1 = at the alarm); NaN before the baseline is learned."""
        level, base = self.features.level(), self.features.base
        out = {}
        for name, j, alarm, sign in self.modes:
            span = sign * (alarm - base[j])
            moved = sign * (level[j] - base[j])
            frac = moved / np.where(span > 0.0, span, np.nan)
            beyond = sign * (level[j] - alarm) >= 0.0
            out[name] = np.where(beyond, np.fmax(frac, 1.0), frac)
        return out

    def _suspect(self, progress: dict[str, NDArray[np.float64]]) -> NDArray[np.int16]:
        """Per twin, the label of the mode whose symptom moved most (-1 when none is known)."""
        if not progress:
            return np.full(self.n, -1, dtype=np.int16)
        names = list(progress)
        stack = np.stack([np.nan_to_num(progress[m], nan=-np.inf) for m in names])
        best = np.argmax(stack, axis=0)
        labels = np.array([self.mode_labels[m] for m in names], dtype=np.int16)[best]
        return np.where(np.isfinite(stack.max(axis=0)), labels, -1).astype(np.int16)

    def _rows_to_record(self, risk: F32, twin_index: NDArray[np.int64]) -> dict[str, Any]:
        if not self._record:
            return {}
        names = self.spec.names
        parts: dict[str, list[Any]] = {"tick": [], "twin": [], "status": [], "risk": []}
        parts |= {f: [] for f in names} | {f"raw:{c}": [] for c in self.spec.symptoms}
        for j, status, raw in self._record:
            keep = np.flatnonzero(self._scored[j])
            parts["tick"].append(np.full(len(keep), self._ticks[j], dtype=np.int64))
            parts["twin"].append(twin_index[keep])
            parts["status"].append(status[keep])
            parts["risk"].append(risk[j, keep])
            x = self._rows[j][keep]
            for i, f in enumerate(names):
                parts[f].append(x[:, i])
            for c, v in raw.items():
                parts[f"raw:{c}"].append(v[keep])
        return {k: np.concatenate(v) for k, v in parts.items()}

    def state_dict(self) -> dict[str, Any]:
        return {
            "features": self.features.state_dict(),
            "alerted": self.alerted.copy(),
            "low": self.low.copy(),
            "last": self.last.copy(),
        }

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.features.load_state_dict(saved["features"])
        self.alerted = np.array(saved["alerted"], copy=True)
        self.low = np.array(saved.get("low", np.zeros(self.n, dtype=np.int32)), copy=True)
        self.last = np.array(saved["last"], copy=True)
        self._clear()


def risk_at(samples: NDArray[np.int64], ticks: NDArray[np.int64], risk: F32, before: F32) -> F32:
    """(samples, n) risk at telemetry sample ticks: that of the latest scoring instant at or
    before each (`before`: the last one of the previous epoch)."""
    out = np.empty((len(samples), len(before)), dtype=np.float32)
    j = np.searchsorted(ticks, samples, side="right") - 1
    out[j >= 0] = risk[j[j >= 0]]
    out[j < 0] = before
    return out
