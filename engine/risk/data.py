"""Run-to-failure fleets for the risk models, and their labelled rows.

Like the C-MAPSS protocol: many units of one kind, each starting from a random initial wear (the
engine's own mid-life start: part ages drawn over their Weibull lives), run until something
fails; a failure is repaired (crews are plentiful, so nobody waits) and the twin runs on. The
kind's real failure parameters, no injections, no acceleration. The fleets spread over the
shipped sites (Antofagasta of `demo.yaml`, Atacama and Arequipa of `fleet-1k.yaml`, with the
latter's truck payload and diesel boilers) so a model sees more than one road and climate.

A row is one twin at one recorded scoring instant (up and warmed up); its label is "a functional
failure of any mode within the horizon H" (the next FAILURE event of that twin within H hours).
Rows within H of the run's end with no failure after them are censored (dropped). Splits are by
seed (held-out test seeds) and by twin (validation twins of the training seeds), never by row.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
from numpy.typing import NDArray

from aurum.engine.catalogue import scenarios_dir
from aurum.engine.risk.runs import simulate_local
from aurum.engine.run.recorder import read_table
from aurum.engine.scenario.loader import load
from aurum.twins import registry
from aurum.twins.risk import FeatureSpec
from aurum.twins.risk.settings import DEFAULT_CLEAR_AFTER_H
from aurum.twins.rng import stable_hash

SCENARIOS = scenarios_dir()
HORIZON_H = {"truck": 24.0, "mill": 72.0, "boiler": 72.0, "loader": 24.0}
TRAIN_SEEDS = (1001, 1002)
TEST_SEEDS = (2001, 2002)
VALIDATION_SHARE = 0.2  # of the training seeds' twins, chosen by a hash of the twin id


@dataclass(frozen=True)
class FleetSpec:
    """A run-to-failure fleet of one kind (what `aurum risk train` generates per seed)."""

    kind: str
    twins: int = 1000
    days: int = 120
    tick: str = "15min"
    record: str = "1h"  # recorded scoring instants (the rows)
    interval: str = "10min"  # scoring interval (rounded to ticks)
    crews: int = 1000
    injections: tuple[dict[str, Any], ...] = ()  # only for tests of the pipeline itself

    def scenario(self, seed: int, out: Path, model: Path | None = None) -> dict[str, Any]:
        start, shipped = _sites()
        sites = copy.deepcopy(shipped)
        fleet = []
        for i, site in enumerate(sites):
            count = self.twins // len(sites) + (i < self.twins % len(sites))
            entry: dict[str, Any] = {"kind": self.kind, "count": max(count, 1), "site": site["id"]}
            entry["id_prefix"] = f"{site['id'][:3].upper()}-{self.kind.upper()}-"
            entry["params"] = _site_params(self.kind, i)
            fleet.append(entry)
        risk: dict[str, Any] = {"enabled": model is not None, "interval": self.interval}
        risk["record_features"] = self.record
        if model is not None:
            risk["models"] = {self.kind: str(model)}
        return {
            "name": f"risk-{self.kind}-{seed}",
            "seed": seed,
            "start": start,
            "duration": f"{self.days}d",
            "tick": self.tick,
            "epoch": "6h",
            "sites": sites,
            "fleet": fleet,
            "injections": list(self.injections),
            "maintenance": {"policy": "run_to_failure", "crews": {"default": self.crews}},
            "output": {"telemetry_resolution": "1d", "directory": str(out)},
            "execution": {"twins_per_actor": self.twins},  # one shard: the batch is cheapest
            "risk": risk,
        }


@cache
def _sites() -> tuple[str, list[dict[str, Any]]]:
    """The demo's start and site, and fleet-1k's two sites (read once: YAML is slow)."""
    demo = load(SCENARIOS / "demo.yaml").model_dump(mode="json")
    big = load(SCENARIOS / "fleet-1k.yaml").model_dump(mode="json")
    return demo["start"], [demo["sites"][0], *big["sites"]]


def _site_params(kind: str, site: int) -> dict[str, Any]:
    """The third site runs fleet-1k's variants: lighter trucks, diesel boilers."""
    if site == 2 and kind == "truck":
        return {"payload_t": 218}
    if site == 2 and kind == "boiler":
        return {"fuel": "diesel"}
    return {}


def generate(
    spec: FleetSpec, seeds: Sequence[int], out: Path, model: Path | None = None, workers: int = 2
) -> list[Path]:
    """Run the fleet once per seed (in parallel processes); the run folders. A finished run of
    the very same scenario already in `out` is reused (scored runs only with the same model)."""
    jobs = [spec.scenario(s, out, model) for s in seeds]
    found = [_finished(out, j, model) for j in jobs]
    todo = [j for j, f in zip(jobs, found, strict=True) if f is None]
    if workers <= 1 or len(todo) <= 1:
        done = [_run(j) for j in todo]
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            done = list(pool.map(_run, todo))
    fresh = iter(done)
    return [f if f is not None else next(fresh) for f in found]


def _finished(out: Path, scenario: dict[str, Any], model: Path | None) -> Path | None:
    import json

    want = load(scenario).model_dump(mode="json")
    want.pop("output")  # where the run was written does not matter
    stamp = model.stat().st_mtime if model is not None else None
    for d in sorted(out.glob(f"{scenario['name']}-*")):
        try:
            m = json.loads((d / "manifest.json").read_text())
        except (OSError, ValueError):
            continue
        fresh = stamp is None or (d / "manifest.json").stat().st_mtime > stamp
        got = {k: v for k, v in m.get("scenario", {}).items() if k != "output"}
        if m.get("status") == "done" and got == want and fresh:
            return d
    return None


def _run(scenario: dict[str, Any]) -> Path:
    return simulate_local(scenario).run_dir


@dataclass
class Rows:
    """Labelled rows of one kind: features, label, time to failure, and who/when."""

    kind: str
    horizon_h: float
    x: NDArray[np.float32]  # (m, F)
    y: NDArray[np.bool_]  # failure within the horizon
    ttf_h: NDArray[np.float64]  # hours to the next failure (inf: none seen)
    twin: NDArray[np.int64]  # a code unique across seeds
    tick: NDArray[np.int64]
    seed: NDArray[np.int64]
    risk: NDArray[np.float32]
    raw: dict[str, NDArray[np.float32]]  # symptom readings
    validation: NDArray[np.bool_]  # the twin is a validation twin
    twin_months: float = 0.0  # scored time covered by the rows
    failures: int = 0
    row_h: float = 1.0  # hours between a twin's consecutive rows
    tick_h: float = 0.25
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def hours(self) -> NDArray[np.float64]:
        return self.tick.astype(np.float64) * self.tick_h

    def take(self, mask: NDArray[np.bool_]) -> Rows:
        share = float(mask.mean()) if len(mask) else 0.0
        raw = {k: v[mask] for k, v in self.raw.items()}
        return replace(
            self, x=self.x[mask], y=self.y[mask], ttf_h=self.ttf_h[mask], twin=self.twin[mask],
            tick=self.tick[mask], seed=self.seed[mask], risk=self.risk[mask], raw=raw,
            validation=self.validation[mask], twin_months=self.twin_months * share,
        )  # fmt: skip


def labelled(run_dirs: Sequence[Path], kind: str, horizon_h: float) -> Rows:
    """The rows of some runs of one kind, labelled (censored rows dropped)."""
    parts = [_one_run(d, kind, horizon_h, k) for k, d in enumerate(run_dirs)]
    cat = np.concatenate
    raw = {c: cat([p.raw[c] for p in parts]) for c in parts[0].raw}
    return Rows(
        kind, horizon_h, cat([p.x for p in parts]), cat([p.y for p in parts]),
        cat([p.ttf_h for p in parts]), cat([p.twin for p in parts]), cat([p.tick for p in parts]),
        cat([p.seed for p in parts]), cat([p.risk for p in parts]), raw,
        cat([p.validation for p in parts]), sum(p.twin_months for p in parts),
        sum(p.failures for p in parts), parts[0].row_h, parts[0].tick_h,
    )  # fmt: skip


def _one_run(run_dir: Path, kind: str, horizon_h: float, run_no: int) -> Rows:
    import json

    manifest = json.loads((run_dir / "manifest.json").read_text())
    sc = manifest["scenario"]
    tick_h = _hours(sc["tick"])
    total_ticks = round(_hours(sc["duration"]) / tick_h)
    table = read_table(run_dir, f"features/{kind}")
    spec = FeatureSpec.of(registry.get(kind))
    names = table.column("twin_id").combine_chunks().dictionary.to_pylist()
    twin = table.column("twin_id").combine_chunks().indices.to_numpy().astype(np.int64)
    tick = table.column("tick").to_numpy()
    events = read_table(run_dir, "events")
    fail = events.filter(pc.equal(events.column("event").cast("string"), "failure"))
    fail_twin = np.array([names.index(t) for t in fail.column("twin_id").to_pylist()], np.int64)
    ttf = _time_to_failure(twin, tick, fail_twin, fail.column("tick").to_numpy()) * tick_h
    keep = (ttf <= horizon_h) | ((total_ticks - tick) * tick_h > horizon_h)
    x = np.stack([table.column(f).to_numpy() for f in spec.names], axis=1)[keep]
    valid = np.array([_is_validation(n) for n in names], dtype=bool)
    row_h = _hours(sc["risk"]["record_features"])
    seed = int(manifest["seed"])
    return Rows(
        kind, horizon_h, x.astype(np.float32), ttf[keep] <= horizon_h, ttf[keep],
        twin[keep] + run_no * 10_000_000, tick[keep], np.full(int(keep.sum()), seed),
        table.column("risk").to_numpy()[keep],
        {c: table.column(f"raw:{c}").to_numpy()[keep] for c in spec.symptoms},
        valid[twin[keep]], float(keep.sum()) * row_h / (24.0 * 30.0), len(fail_twin), row_h,
        tick_h,
    )  # fmt: skip


def _time_to_failure(
    twin: NDArray[np.int64], tick: NDArray[np.int64], f_twin: NDArray[np.int64], f_tick: Any
) -> NDArray[np.float64]:
    """Ticks from each row to its twin's next failure (inf when none follows)."""
    big = np.int64(1) << 40
    keys = np.sort(f_twin * big + np.asarray(f_tick, dtype=np.int64))
    rows = twin * big + tick
    i = np.searchsorted(keys, rows, side="right")
    nxt = keys[np.minimum(i, len(keys) - 1)] if len(keys) else rows
    same = (i < len(keys)) & (nxt // big == twin)
    out: NDArray[np.float64] = np.where(same, (nxt - rows).astype(np.float64), math.inf)
    return out


def _is_validation(twin_id: str) -> bool:
    return stable_hash(f"risk-validation/{twin_id}") % 1000 < VALIDATION_SHARE * 1000


def dwell_rows(fleet: FleetSpec, clear_after_h: float = DEFAULT_CLEAR_AFTER_H) -> int:
    """Rows (one per `fleet.record`) at/below the clear level that clear an alert."""
    return max(1, math.ceil(clear_after_h / _hours(fleet.record) - 1e-9))


def _hours(duration: str) -> float:
    from aurum.engine.scenario.durations import parse_duration

    return parse_duration(duration).total_seconds() / 3600.0
