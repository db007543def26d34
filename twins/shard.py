"""A shard: a batch of twins of one kind, advanced one epoch (many ticks) per call.

The shard is pure numpy and knows nothing of Ray; the engine wraps it in an actor. It owns what
every kind shares: the clock inside an epoch, ambient temperature, failure modes and machine
states, injections and maintenance jobs at their exact ticks, sensor measurement noise and
faults, telemetry sampling, events, and the per-epoch totals of production and activity.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.twins.clock import Timing, default_timing
from aurum.twins.events import Event, EventLog
from aurum.twins.failures import FailureModel
from aurum.twins.faults import SensorFault, apply_faults
from aurum.twins.kind import Channel, Kind, State, Status, TickContext, TickOutput
from aurum.twins.params import KindParams, ParamArrays, stack
from aurum.twins.risk.scoring import RiskEpoch, RiskScoring
from aurum.twins.risk.settings import RiskSettings
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.schedule import Action, FaultInjection, Job, ModeInjection, Schedule
from aurum.twins.site import Ambient, Environment

__all__ = ["N_STATUS", "EpochResult", "Shard", "Timing", "default_timing"]

N_STATUS = len(Status)
AVAILABLE = 0  # machine-state codes the shard keeps (the kind reports RUNNING/DERATED/STANDBY)
# the other codes as plain ints (an enum member's lookup costs a few µs every tick)
_DOWN, _MAINTENANCE, _STARVED = int(Status.DOWN), int(Status.MAINTENANCE), int(Status.STARVED)


@dataclass
class EpochResult:
    """What a shard hands back for one epoch; every array's last axis is the twin axis."""

    kind: str
    epoch: int
    twin_index: NDArray[np.int64]  # global position of each twin in the fleet
    sample_ticks: NDArray[np.int64]  # ticks at whose end telemetry was sampled
    telemetry: dict[str, NDArray[Any]]  # (samples, n): reported sensors, status, coded channels
    production: NDArray[np.float64]  # (n,) product delivered in the epoch
    activity: dict[str, NDArray[np.float64]]  # (n,) resources used in the epoch
    status_hours: NDArray[np.float64]  # (N_STATUS, n) hours spent in each Status
    latest: dict[str, NDArray[Any]]  # (n,) reported sensors and status at the epoch's last tick
    events: dict[str, NDArray[Any]]  # tick, twin (global), event, label, value
    mode_age_h: dict[str, NDArray[np.float64]]  # (n,) equivalent age of each failure mode
    faulted: dict[str, NDArray[Any]]  # sampled readings a sensor fault changed: truth kept
    compute_s: float
    # "<activity>/<mode>" → (n,) resources used in the epoch because of that mode's wear
    excess: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    risk: NDArray[np.float32] | None = None  # (n,) latest failure risk (NaN: not scored)
    # mode → (n,) how far its symptom moved from the twin's baseline towards the alarm (0 → 1)
    progress: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    features: dict[str, NDArray[Any]] = field(default_factory=dict)  # feature rows to record
    # "<quantity>" → (n,) sums over the epoch a kind reports as `sum/<quantity>` (queue_h ...)
    sums: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    # a site system's own telemetry (on one result of its epoch): "site" → (S,) global site
    # indices, and (samples, S) arrays at `sample_ticks`: stockpile_t, loader_queue, dump_queue
    site: dict[str, NDArray[Any]] | None = None


class Shard:
    """Twins of one kind advanced together, epoch by epoch."""

    def __init__(
        self,
        kind: Kind,
        twin_ids: Sequence[str],
        twin_index: NDArray[np.int64],
        params: Sequence[KindParams] | ParamArrays,
        env: Environment,
        timing: Timing,
        seed: int,
        actions: Iterable[Action] = (),
        risk: RiskSettings | None = None,
    ) -> None:
        self.kind = kind
        self.twin_ids = list(twin_ids)
        self.twin_index = np.asarray(twin_index, dtype=np.int64)
        self.params = params if isinstance(params, dict) else stack(params)
        self.env = env
        self.timing = timing
        self.rng = Streams(seed, twin_keys(self.twin_ids))
        self.ambient = Ambient(env)
        self.failures = FailureModel(kind.failure_modes)
        self.state: State = kind.initial(self.params, env, self.rng)
        self.failures.initial(self.state, self.rng)
        kind.warm_up(self.params, env, self.state)
        self.failures.warm_up()
        self.machine = np.full(self.n, AVAILABLE, dtype=np.int8)  # or DOWN / MAINTENANCE
        self.down_mode = np.full(self.n, -1, dtype=np.int16)
        self.schedule = Schedule({int(g): i for i, g in enumerate(self.twin_index)})
        self.add_actions(actions)
        self.faults: list[SensorFault] = []
        self.epoch = 0
        self._noisy = [c for c in kind.sensors if not c.categories]
        self._coded = [c for c in kind.sensors if c.categories]
        self._labels = {name: i for i, name in enumerate(self.labels(kind))}
        self.scoring: RiskScoring | None = None
        if risk is not None:
            self.use_risk(risk)
        # set by a site system (`twins.system`) that couples this batch to other machines:
        self.site: Any = None  # what the kind's step sees as `ctx.site`
        self.hold: NDArray[np.bool_] | None = None  # twins idled this tick for want of feed
        self._epoch: tuple[_Accumulator, EventLog, float] | None = None
        # keys of a tick's `extra` → its stress keys (the mode's name, the key)
        self._stressed: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        # keys of a tick's `extra` → its excess and sum keys, as (kind, short name, key)
        self._summed: dict[tuple[str, ...], list[tuple[bool, str, str]]] = {}

    def use_risk(self, settings: RiskSettings) -> None:
        self.scoring = RiskScoring(type(self.kind), settings, self.n, self.timing.tick_s)

    @staticmethod
    def labels(kind: Kind | type[Kind]) -> list[str]:
        """Event labels of a kind: its failure modes, then its sensor channels."""
        return [*kind.mode_names(), *kind.sensor_names()]

    @property
    def n(self) -> int:
        return len(self.twin_ids)

    @property
    def done(self) -> bool:
        return self.epoch >= self.timing.n_epochs

    def add_actions(self, actions: Iterable[Action]) -> None:
        for a in actions:
            self.schedule.add(a)

    def step(self, tick: int, available: NDArray[np.bool_]) -> TickOutput:
        """One tick of the kind's model at a given global tick."""
        t = self.timing
        hours = t.hours_utc(tick)
        ctx = TickContext(tick, t.tick_s, hours, self.ambient.at(hours), available, self.site)
        return self.kind.step(self.state, self.params, self.env, ctx, self.rng)

    def run_epoch(self, jobs: Iterable[Job] = ()) -> EpochResult:
        """Advance all twins through the next epoch (after scheduling `jobs`) and report it."""
        t0, t1 = self.begin_epoch(jobs)
        for tick in range(t0, t1):
            self.count(tick, self.tick(tick))
        return self.end_epoch()

    def begin_epoch(self, jobs: Iterable[Job] = ()) -> tuple[int, int]:
        """Schedule `jobs` and open the next epoch; its span of ticks [t0, t1)."""
        began = time.perf_counter()
        self.add_actions(jobs)
        t0, t1 = self.timing.epoch_span(self.epoch)
        self._epoch = (_Accumulator(self, t0, t1), EventLog(), began)
        self._last: TickOutput | None = None
        return t0, t1

    def tick(self, tick: int) -> TickOutput:
        """One tick of the open epoch (`count` adds it to the epoch's sums)."""
        assert self._epoch is not None
        return self._tick(tick, self._epoch[1])

    def count(self, tick: int, out: TickOutput) -> None:
        assert self._epoch is not None
        self._epoch[0].add(tick, out)
        self._last = out

    def end_epoch(self, compute_s: float | None = None) -> EpochResult:
        """Close the open epoch and report it (`compute_s`: the time to report, if not this
        shard's own, e.g. a site system's, whose parts are computed together)."""
        assert self._epoch is not None and self._last is not None
        acc, log, began = self._epoch
        t1 = self.timing.epoch_span(self.epoch)[1]
        s = self.scoring
        scored = s.finish(log, self.twin_index, acc.sample_ticks) if s is not None else None
        took = time.perf_counter() - began if compute_s is None else compute_s
        result = acc.result(self, self._last, log, t1, took, scored)
        self.epoch += 1
        self._epoch = None
        return result

    def _tick(self, tick: int, log: EventLog) -> TickOutput:
        started = self._apply(tick, log)
        available = self.machine == AVAILABLE
        hold = self.hold
        if hold is not None:
            available = available & ~hold
        out = self.step(tick, available)
        for f in started:
            if f.fault == "stuck":
                f.stuck_value = float(out.sensors[f.channel][f.twin])
        if self.failures.modes:
            self._degrade(tick, out, available, log)
        status = out.status
        machine = self.machine
        if np.count_nonzero(machine):  # some twin down or in maintenance (after `_degrade`)
            if hold is not None:
                status[hold & (machine == AVAILABLE)] = _STARVED
            status[machine == _DOWN] = _DOWN
            status[machine == _MAINTENANCE] = _MAINTENANCE
        elif hold is not None:
            status[hold] = _STARVED
        if self.scoring is not None and self.scoring.due(tick):
            channels = self.scoring.spec.channels
            truth = {c: out.sensors[c][None, :] for c in channels}
            reported, _ = self.report(truth, np.array([tick]), channels)
            self.scoring.observe(tick, {c: v[0] for c, v in reported.items()}, status)
        return out

    def _degrade(
        self, tick: int, out: TickOutput, available: NDArray[np.bool_], log: EventLog
    ) -> None:
        fm = self.failures
        extra = out.extra
        keys = tuple(extra)
        stressed = self._stressed.get(keys)
        if stressed is None:  # a set of keys not seen before (a mode's key comes and goes)
            if len(self._stressed) > 256:
                self._stressed.clear()
            stressed = [(k[7:], k) for k in keys if k.startswith("stress/")]
            self._stressed[keys] = stressed
        stress = {name: extra[k] for name, k in stressed}
        failed, alarms = fm.tick(
            self.state, out.sensors, available, self.timing.tick_s / 3600.0, stress
        )
        if failed.any():
            for i, m in enumerate(fm.modes):
                hit = np.flatnonzero(failed == i + 1)
                if len(hit):
                    self.machine[hit] = Status.DOWN
                    self.down_mode[hit] = i
                    age = self.state[m.var("age_h")][hit]
                    log.add(tick, self.twin_index[hit], Event.FAILURE, i, age)
        for i, idx in alarms:
            value = out.sensors[fm.modes[i].symptom][idx]
            log.add(tick, self.twin_index[idx], Event.THRESHOLD_CROSSED, i, value)

    def _apply(self, tick: int, log: EventLog) -> list[SensorFault]:
        """Apply what the schedule holds for this tick; the sensor faults that start now."""
        ends, starts = self.schedule.at(tick)
        for job in ends:
            self._finish(job, tick, log)
        started: list[SensorFault] = []
        for a in starts:
            if isinstance(a, Job):
                self._begin(a, tick, log)
            elif isinstance(a, ModeInjection):
                self._inject(a, tick, log)
            elif isinstance(a, FaultInjection):
                started += self._fault(a, tick, log)
        return started

    def _local(self, twins: Iterable[int]) -> NDArray[np.intp]:
        return np.array([self.schedule.position[t] for t in twins], dtype=np.intp)

    def _begin(self, job: Job, tick: int, log: EventLog) -> None:
        i = self._local([job.twin])
        self.machine[i] = Status.MAINTENANCE
        event = Event.PREVENTIVE_START if job.preventive else Event.REPAIR_START
        log.add(
            tick,
            self.twin_index[i],
            event,
            self._labels[job.modes[0]],
            np.array([job.end - job.start], dtype=np.float64),
        )

    def _finish(self, job: Job, tick: int, log: EventLog) -> None:
        i = self._local([job.twin])
        for name in job.modes:
            mode = self.kind.mode_names().index(name)
            self.failures.renew(self.state, mode, i, self.rng, job.restoration)
        self.machine[i] = AVAILABLE
        self.down_mode[i] = -1
        if self.scoring is not None:
            self.scoring.reset(tick, i)
        event = Event.PREVENTIVE_END if job.preventive else Event.REPAIR_END
        log.add(
            tick, self.twin_index[i], event, self._labels[job.modes[0]], np.array([job.restoration])
        )

    def _inject(self, a: ModeInjection, tick: int, log: EventLog) -> None:
        idx = self._local(a.twins)
        mode = self.kind.mode_names().index(a.mode)
        self.failures.inject(self.state, mode, idx, a.severity, a.ramp_h, a.accelerate)
        log.add(tick, self.twin_index[idx], Event.INJECTION, mode, np.full(len(idx), a.severity))

    def _fault(self, a: FaultInjection, tick: int, log: EventLog) -> list[SensorFault]:
        idx = self._local(a.twins)
        new = [SensorFault(int(i), a.channel, a.fault, a.tick, a.end, a.magnitude) for i in idx]
        self.faults += new
        label = self._labels[a.channel]
        log.add(
            tick, self.twin_index[idx], Event.SENSOR_FAULT, label, np.full(len(idx), a.magnitude)
        )
        return new

    def report(
        self,
        truth: dict[str, NDArray[np.float64]],
        ticks: NDArray[np.int64],
        only: Sequence[str] | None = None,
    ) -> tuple[dict[str, NDArray[Any]], list[tuple[str, NDArray[Any], NDArray[Any]]]]:
        """What the sensors (or `only` these noisy ones) report at some ticks (truth + noise +
        faults, clipped to range), and for each faulted channel the (rows, twins) it changed."""
        out: dict[str, NDArray[Any]] = {}
        changed = []
        tick_h = self.timing.tick_s / 3600.0
        if only is not None:
            wanted = [c for c in self._noisy if c.name in only]
            return {c.name: self._reported(c, truth[c.name], ticks, tick_h)[0] for c in wanted}, []
        for c in self._noisy:
            out[c.name], hit = self._reported(c, truth[c.name], ticks, tick_h)
            changed += [(c.name, rows, np.full(len(rows), twin)) for rows, twin in hit]
        for c in self._coded:
            out[c.name] = truth[c.name].astype(np.int8)
        return out, changed

    def _reported(
        self, c: Channel, truth: NDArray[np.float64], ticks: NDArray[np.int64], tick_h: float
    ) -> tuple[NDArray[np.float32], list[tuple[NDArray[np.intp], int]]]:
        value = self._measure(c, truth, ticks)
        faults = [f for f in self.faults if f.channel == c.name]
        hit = apply_faults(value, ticks, faults, self.rng, tick_h)
        return value.astype(np.float32), hit

    def _measure(
        self, c: Channel, truth: NDArray[np.float64], ticks: NDArray[np.int64]
    ) -> NDArray[np.float64]:
        value = truth
        if c.noise_sd > 0.0 and len(ticks):
            value = truth + c.noise_sd * self.rng.normal_q16(f"noise/{c.name}", ticks)
        return np.clip(value, c.lo, c.hi)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume this shard exactly (for checkpoints)."""
        return {
            "epoch": self.epoch,
            "state": {k: v.copy() for k, v in self.state.items()},
            "machine": self.machine.copy(),
            "down_mode": self.down_mode.copy(),
            "faults": [dict(f.__dict__) for f in self.faults],
            "pending": self.schedule.pending(),
            "risk": self.scoring.state_dict() if self.scoring is not None else None,
        }

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        self.epoch = int(saved["epoch"])
        self.state = {k: np.array(v, copy=True) for k, v in saved["state"].items()}
        self.machine = np.array(saved["machine"], copy=True)
        self.down_mode = np.array(saved["down_mode"], copy=True)
        self.faults = [SensorFault(**f) for f in saved["faults"]]
        self.schedule = Schedule(self.schedule.position)
        self.add_actions(saved["pending"])
        if self.scoring is not None and saved.get("risk") is not None:
            self.scoring.load_state_dict(saved["risk"])


class _Accumulator:
    """Per-epoch sums and telemetry samples of a shard."""

    def __init__(self, shard: Shard, t0: int, t1: int) -> None:
        n = shard.n
        every = shard.timing.telemetry_every
        self.sample_ticks = np.array([t for t in range(t0, t1) if (t + 1) % every == 0], np.int64)
        self.rows = {int(t): i for i, t in enumerate(self.sample_ticks)}
        k = len(self.sample_ticks)
        self.buf = {c.name: np.empty((k, n)) for c in shard.kind.sensors}
        self.status = np.empty((k, n), dtype=np.int8)
        self.production = np.zeros(n)
        self.activity = {c.name: np.zeros(n) for c in shard.kind.activity}
        self.excess: dict[str, NDArray[np.float64]] = {}
        self.sums: dict[str, NDArray[np.float64]] = {}
        self.status_ticks = np.zeros(n * N_STATUS, dtype=np.int64)  # (twin, status), flat
        self.base = np.arange(n, dtype=np.int64) * N_STATUS  # a twin's first code
        self.n = n
        self.summed = shard._summed  # kept across epochs

    def add(self, tick: int, out: TickOutput) -> None:
        self.production += out.production
        for name, used in out.activity.items():
            self.activity[name] += used
        extra = out.extra
        keys = tuple(extra)
        summed = self.summed.get(keys)
        if summed is None:  # a set of keys not seen before (a mode's key comes and goes)
            if len(self.summed) > 256:
                self.summed.clear()
            summed = [
                (k.startswith("excess/"), k[7:] if k.startswith("excess/") else k[4:], k)
                for k in keys
                if k.startswith(("excess/", "sum/"))
            ]
            self.summed[keys] = summed
        for is_excess, name, key in summed:
            totals = self.excess if is_excess else self.sums
            total = totals.get(name)
            if total is None:
                totals[name] = np.array(extra[key], dtype=np.float64)
            else:
                total += extra[key]
        # one code per twin: no repeats, so no `np.add.at`
        self.status_ticks[self.base + out.status] += 1
        row = self.rows.get(tick)
        if row is not None:
            for name, value in out.sensors.items():
                self.buf[name][row] = value
            self.status[row] = out.status

    def result(
        self,
        shard: Shard,
        out: TickOutput,
        log: EventLog,
        t1: int,
        compute_s: float,
        scored: RiskEpoch | None = None,
    ) -> EpochResult:
        telemetry, changed = shard.report(self.buf, self.sample_ticks)
        telemetry["status"] = self.status
        nan = np.full(self.status.shape, np.nan, dtype=np.float32)
        telemetry["risk"] = scored.sampled if scored is not None else nan
        last, _ = shard.report({k: v[None, :] for k, v in out.sensors.items()}, np.array([t1 - 1]))
        latest: dict[str, NDArray[Any]] = {k: v[0] for k, v in last.items()}
        latest["status"] = out.status.copy()
        ticks = self.status_ticks.reshape(self.n, N_STATUS).T
        hours = np.ascontiguousarray(ticks, dtype=np.float64)
        hours *= shard.timing.tick_s / 3600.0
        fm = shard.failures
        return EpochResult(
            kind=shard.kind.name,
            epoch=shard.epoch,
            twin_index=shard.twin_index,
            sample_ticks=self.sample_ticks,
            telemetry=telemetry,
            production=self.production,
            activity=self.activity,
            status_hours=hours,
            latest=latest,
            events=log.arrays(),
            mode_age_h={m.name: shard.state[m.var("age_h")].copy() for m in fm.modes},
            faulted=self._faulted(shard, telemetry, changed),
            compute_s=compute_s,
            excess=self.excess,
            risk=scored.latest if scored is not None else np.full(self.n, np.nan, np.float32),
            progress=scored.progress if scored is not None else {},
            features=scored.rows if scored is not None else {},
            sums=self.sums,
        )

    def _faulted(
        self,
        shard: Shard,
        telemetry: dict[str, NDArray[Any]],
        changed: list[tuple[str, NDArray[Any], NDArray[Any]]],
    ) -> dict[str, NDArray[Any]]:
        cols: dict[str, list[Any]] = {
            "tick": [],
            "twin": [],
            "channel": [],
            "reported": [],
            "true": [],
        }
        for name, rows, twins in changed:
            cols["tick"] += self.sample_ticks[rows].tolist()
            cols["twin"] += shard.twin_index[twins].tolist()
            cols["channel"] += [shard._labels[name]] * len(rows)
            cols["reported"] += telemetry[name][rows, twins].astype(np.float64).tolist()
            cols["true"] += self.buf[name][rows, twins].tolist()
        return {k: np.array(v) for k, v in cols.items()}
