"""The conformance check every registered kind must pass (run by the tests over the registry).

It checks the contract, not the physics: declarations complete and carrying units, shapes,
finite outputs, determinism, and that a twin behaves the same alone as inside a larger batch.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass

import numpy as np

from aurum.twins.kind import Kind, State, Status, TickContext, TickOutput
from aurum.twins.params import stack, take
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.shard import Timing, default_timing
from aurum.twins.site import DEFAULT_SITE, Ambient, Environment, SiteConditions

# A channel name ends in its unit: coolant_temp_c, vibration_mm_s, diesel_l, power_kw ...
UNIT_SUFFIX = re.compile(
    r"_(c|k|pct|kmh|mps|rpm|kw|mw|kwh|l|lph|t|tph|t_h|mm_s|mm|kpa|mpa|bar|gj|gj_h|m3|kg|"
    r"kg_h|kwh_t|code|h|m|frac|ppm|deg)$"
)


class ConformanceError(AssertionError):
    pass


@dataclass(frozen=True)
class Downtime:
    """Twins (by id) that are down or in maintenance over ticks [start, end)."""

    twins: frozenset[str]
    start: int
    end: int


@dataclass(frozen=True)
class Trace:
    outputs: list[TickOutput]
    state: State


def _fail(kind: type[Kind], msg: str) -> None:
    raise ConformanceError(f"kind {kind.name!r}: {msg}")


def run_batch(
    kind: type[Kind],
    n: int,
    ticks: int,
    site: SiteConditions = DEFAULT_SITE,
    seed: int = 7,
    timing: Timing | None = None,
    down: Downtime | None = None,
) -> Trace:
    """Run n default twins of a kind for some ticks, keeping every tick's output."""
    ids = [f"{kind.label}-{i}" for i in range(n)]
    params = stack([kind.Params() for _ in ids])
    env = Environment.single(n, site)
    return run_twins(kind, ids, params, env, seed, ticks, timing, down)


def run_twins(
    kind: type[Kind],
    ids: list[str],
    params: dict[str, np.ndarray],
    env: Environment,
    seed: int,
    ticks: int,
    timing: Timing | None = None,
    down: Downtime | None = None,
) -> Trace:
    """Run some twins; those named in `down` are unavailable during its tick window."""
    timing = timing or default_timing(ticks)
    out_of_service = np.array([t in down.twins for t in ids]) if down else np.zeros(len(ids), bool)
    model = kind()
    rng = Streams(seed, twin_keys(ids))
    ambient = Ambient(env)
    state = model.initial(params, env, rng)
    outputs = []
    for tick in range(ticks):
        hours = timing.hours_utc(tick)
        in_window = down is not None and down.start <= tick < down.end
        available = ~out_of_service if in_window else np.ones(len(ids), dtype=bool)
        ctx = TickContext(tick, timing.tick_s, hours, ambient.at(hours), available)
        out = model.step(state, params, env, ctx, rng)
        outputs.append(_copy(out))
    return Trace(outputs, {k: v.copy() for k, v in state.items()})


def _copy(out: TickOutput) -> TickOutput:
    return TickOutput(
        sensors={k: np.array(v, copy=True) for k, v in out.sensors.items()},
        activity={k: np.array(v, copy=True) for k, v in out.activity.items()},
        production=np.array(out.production, copy=True),
        status=np.array(out.status, copy=True),
    )


def check_declarations(kind: type[Kind]) -> None:
    """Names, units and provenance are declared for everything the kind exposes."""
    for attr in ("name", "label", "description", "Params", "state_vars", "sensors", "activity"):
        if not getattr(kind, attr, None):
            _fail(kind, f"declares no {attr}")
    for c in (*kind.sensors, *kind.activity, kind.production):
        if not c.unit or not c.description:
            _fail(kind, f"channel {c.name!r} lacks a unit or description")
        if not UNIT_SUFFIX.search(c.name):
            _fail(kind, f"channel name {c.name!r} does not end in a unit suffix")
    for c in kind.activity:
        if not c.category:
            _fail(kind, f"activity channel {c.name!r} declares no emission-source category")
    for v in kind.state_vars:
        if not v.unit:
            _fail(kind, f"state variable {v.name!r} lacks a unit")
    for name, prov in kind.Params.provenance().items():
        if not prov.get("unit") or not prov.get("source") or prov.get("tag") not in ("V", "D", "A"):
            _fail(kind, f"parameter {name!r} lacks unit, source or V/D/A tag")


def check_outputs(kind: type[Kind], trace: Trace, n: int) -> None:
    """Every declared output is present with shape (n,), finite and physically signed."""
    state_names = {v.name for v in kind.state_vars}
    if set(trace.state) != state_names:
        _fail(kind, f"state keys {sorted(trace.state)} != declared {sorted(state_names)}")
    for out in trace.outputs:
        _check_tick(kind, out, n)
    for name, a in trace.state.items():
        if np.shape(a) != (n,) or not np.all(np.isfinite(a)):
            _fail(kind, f"state {name} is not a finite array of shape ({n},)")


def _check_tick(kind: type[Kind], out: TickOutput, n: int) -> None:
    if set(out.sensors) != set(kind.sensor_names()):
        _fail(kind, f"sensors {sorted(out.sensors)} != declared {kind.sensor_names()}")
    if set(out.activity) != set(kind.activity_names()):
        _fail(kind, f"activity {sorted(out.activity)} != declared {kind.activity_names()}")
    arrays = {**out.sensors, **out.activity, "production": out.production}
    for name, a in arrays.items():
        if np.shape(a) != (n,):
            _fail(kind, f"{name} has shape {np.shape(a)}, expected ({n},)")
        if not np.all(np.isfinite(a)):
            _fail(kind, f"{name} is not finite: {a}")
    for name, a in out.activity.items():
        if np.any(a < 0):
            _fail(kind, f"activity {name} is negative: {a}")
    if np.any(out.production < 0):
        _fail(kind, "production is negative")
    if out.status.shape != (n,) or not np.isin(out.status, [int(s) for s in Status]).all():
        _fail(kind, f"status {out.status} is not a Status code of shape ({n},)")


def _same(a: TickOutput, b: TickOutput, rows: slice | int = slice(None)) -> bool:
    pairs: list[tuple[np.ndarray, np.ndarray]] = [
        (a.production[rows], b.production),
        (a.status[rows], b.status),
    ]
    pairs += [(a.sensors[k][rows], b.sensors[k]) for k in a.sensors]
    pairs += [(a.activity[k][rows], b.activity[k]) for k in a.activity]
    return all(np.array_equal(x, y, equal_nan=True) for x, y in pairs)


def check_kind(kind: type[Kind], n: int = 5, ticks: int = 240) -> None:
    """The whole conformance check for one kind; raises ConformanceError on the first breach."""
    check_declarations(kind)
    check_modes(kind)
    down = Downtime(frozenset({f"{kind.label}-0", f"{kind.label}-2"}), ticks // 4, ticks // 2)
    trace = run_batch(kind, n, ticks, down=down)
    check_outputs(kind, trace, n)
    check_downtime(kind, trace, down, [0, 2])
    again = run_batch(kind, n, ticks, down=down)
    if not all(_same(a, b) for a, b in zip(trace.outputs, again.outputs, strict=True)):
        _fail(kind, "two runs with the same seed differ")
    for i in range(n):
        alone = run_batch_row(kind, n, i, ticks, down)
        for t, (a, b) in enumerate(zip(trace.outputs, alone.outputs, strict=True)):
            if not _same(a, b, slice(i, i + 1)):
                _fail(kind, f"twin {i} alone differs from its row in a batch of {n} at tick {t}")
    pickle.loads(pickle.dumps(trace.state))
    other = run_batch(kind, n, ticks, seed=8, down=down)
    if all(_same(a, b) for a, b in zip(trace.outputs, other.outputs, strict=True)):
        _fail(kind, "changing the seed changes nothing: randomness is not used or not keyed")


def run_batch_row(
    kind: type[Kind], n: int, i: int, ticks: int, down: Downtime | None = None
) -> Trace:
    """Twin i of a default batch of n, run alone."""
    ids = [f"{kind.label}-{i}"]
    full = stack([kind.Params() for _ in range(n)])
    params = take(full, np.array([i]))
    return run_twins(kind, ids, params, Environment.single(1), 7, ticks, None, down)


def check_downtime(kind: type[Kind], trace: Trace, down: Downtime, rows: list[int]) -> None:
    """Twins that are down make and use nothing, and produce again once back."""
    during = trace.outputs[down.start : down.end]
    for out in during:
        if np.any(out.production[rows] != 0.0):
            _fail(kind, "a twin that is down still produces")
        for name, used in out.activity.items():
            if np.any(used[rows] != 0.0):
                _fail(kind, f"a twin that is down still uses {name}")
    after = sum(out.production[rows] for out in trace.outputs[down.end :])
    if np.any(np.asarray(after) <= 0.0):
        _fail(kind, "a twin back from downtime never produces again")


def check_modes(kind: type[Kind]) -> None:
    """Failure modes name real state variables and sensors; anomalies name real targets."""
    states = {v.name for v in kind.state_vars}
    sensors = set(kind.sensor_names())
    names = kind.mode_names()
    if len(set(names)) != len(names):
        _fail(kind, f"duplicate failure mode names: {names}")
    for m in kind.failure_modes:
        if m.health not in states:
            _fail(kind, f"mode {m.name!r} drives {m.health!r}, which is not a state variable")
        if m.symptom and m.symptom not in sensors:
            _fail(kind, f"mode {m.name!r} shows in {m.symptom!r}, which is not a sensor")
        if not m.source:
            _fail(kind, f"mode {m.name!r} names no source")
    for name, (target, what) in kind.anomalies.items():
        if (target, what in names) != ("mode", True) and (target, what in sensors) != (
            "sensor",
            True,
        ):
            _fail(kind, f"anomaly {name!r} points at unknown {target} {what!r}")
