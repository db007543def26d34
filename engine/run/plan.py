"""From a scenario to a fleet plan: every twin's id, kind, site and parameters, grouped in shards.

The global twin order is the scenario's order (entries as written, twins within an entry in id
order). Machines that interact (a site with trucks and loaders: its trucks, loaders, mills ...
share queues and a stockpile) are never split: such sites are grouped whole into *site shards*
(kind "site", `twins.system.SiteShard`), whatever `twins_per_actor` says. The other twins are
independent and their shards are contiguous runs of one kind's twins. How twins are grouped never
changes results, only how the work is spread over actors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.engine.maintenance.config import MaintenanceConfig
from aurum.engine.scenario.emissions import esg_plan
from aurum.engine.scenario.injections import to_actions
from aurum.engine.scenario.model import ScenarioBase, fleet_of
from aurum.engine.scenario.risk import risk_settings
from aurum.twins import registry
from aurum.twins.params import KindParams, ParamArrays, stack
from aurum.twins.risk import RiskSettings
from aurum.twins.schedule import Action
from aurum.twins.shard import Timing
from aurum.twins.site import SiteConditions


@dataclass(frozen=True)
class KindGroup:
    """All twins of one kind, in global order."""

    kind: str
    twin_ids: list[str]
    twin_index: NDArray[np.int64]  # global position of each
    site_index: NDArray[np.intp]  # index into FleetPlan.sites
    entry_index: NDArray[np.int32]  # index of the scenario fleet entry the twin comes from
    params: ParamArrays


SITE = "site"  # the kind of a ShardSpec holding whole interacting sites


@dataclass(frozen=True)
class ShardSpec:
    """The twins one shard actor holds: a slice [lo, hi) of its kind's independent twins (those
    at sites that do not interact), or for kind "site" a slice of the interacting sites."""

    kind: str
    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo


@dataclass(frozen=True)
class FleetPlan:
    """Everything actors need to build their shards (plain data: it travels through Ray)."""

    name: str
    resolved: dict[str, Any]  # the validated scenario as JSON-ready data, for the manifest
    seed: int
    timing: Timing
    sites: tuple[SiteConditions, ...]
    site_ids: tuple[str, ...]
    site_countries: tuple[str, ...]
    groups: dict[str, KindGroup]
    shards: list[ShardSpec] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)  # injections at exact ticks
    maintenance: MaintenanceConfig = field(default_factory=MaintenanceConfig)
    esg: Any = None  # esg.AccountingPlan: the factors of every site, resolved
    gwp_set: str = "AR6"
    monthly_grid: bool = True
    risk: RiskSettings | None = None  # risk scoring (models checked, bytes included); None: off

    @property
    def n_twins(self) -> int:
        return sum(len(g.twin_ids) for g in self.groups.values())

    def twin_ids(self) -> list[str]:
        """Every twin id in global order."""
        out: list[str] = [""] * self.n_twins
        for g in self.groups.values():
            for i, t in zip(g.twin_index.tolist(), g.twin_ids, strict=True):
                out[i] = t
        return out

    def kinds_of(self) -> list[str]:
        """The kind of every twin, in global order."""
        out = [""] * self.n_twins
        for name, g in self.groups.items():
            for i in g.twin_index.tolist():
                out[i] = name
        return out

    def counts(self) -> dict[str, int]:
        return {k: len(g.twin_ids) for k, g in self.groups.items()}

    def interacting_sites(self) -> list[int]:
        """Sites whose machines interact: trucks and the loaders they queue at
        (`twins.system.interacts`); a loader at a site without trucks works on its own."""
        loaders, trucks = self.groups.get("loader"), self.groups.get("truck")
        if loaders is None or trucks is None:
            return []
        return sorted({int(s) for s in loaders.site_index} & {int(s) for s in trucks.site_index})

    def free_rows(self, kind: str) -> NDArray[np.intp]:
        """Rows of a kind's group at sites that do not interact (independent twins)."""
        g = self.groups[kind]
        return np.flatnonzero(~np.isin(g.site_index, self.interacting_sites()))

    def site_rows(self, kind: str, sites: list[int]) -> NDArray[np.intp]:
        """Rows of a kind's group at some sites."""
        return np.flatnonzero(np.isin(self.groups[kind].site_index, sites))

    def rows(self, spec: ShardSpec) -> dict[str, NDArray[np.intp]]:
        """The rows of each kind's group a shard holds (kinds with none left out)."""
        if spec.kind != SITE:
            return {spec.kind: self.free_rows(spec.kind)[spec.lo : spec.hi]}
        sites = self.interacting_sites()[spec.lo : spec.hi]
        out = {k: self.site_rows(k, sites) for k in self.groups}
        return {k: r for k, r in out.items() if len(r)}

    def twin_indices(self, spec: ShardSpec) -> NDArray[np.int64]:
        """Global indices of a shard's twins."""
        parts = [self.groups[k].twin_index[r] for k, r in self.rows(spec).items()]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def build_plan(scenario: ScenarioBase, seed: int | None = None) -> FleetPlan:
    """Expand the fleet entries into per-kind groups (shards are assigned by `with_shards`)."""
    sites: tuple[SiteConditions, ...] = tuple(scenario.sites)
    site_ids = tuple(s.id for s in scenario.sites)
    parts: dict[str, list[_Chunk]] = {}
    position = 0
    for e, entry in enumerate(fleet_of(scenario)):
        kind = registry.get(entry.kind)
        ids = entry.twin_ids(kind.label)
        chunk = _Chunk(ids, position, site_ids.index(entry.site), e, entry.params)
        parts.setdefault(kind.name, []).append(chunk)
        position += len(ids)
    groups = {name: _group(name, chunks) for name, chunks in parts.items()}
    timing = Timing(
        start=scenario.start,
        tick_s=scenario.tick.total_seconds(),
        total_ticks=scenario.total_ticks,
        epoch_ticks=scenario.epoch_ticks,
        telemetry_every=scenario.telemetry_every,
    )
    plan = FleetPlan(
        name=scenario.name,
        resolved=scenario.model_dump(mode="json"),
        seed=scenario.seed if seed is None else seed,
        timing=timing,
        sites=sites,
        site_ids=site_ids,
        site_countries=tuple(s.country for s in scenario.sites),
        groups=groups,
        maintenance=scenario.maintenance,
        esg=esg_plan(scenario),
        gwp_set=scenario.esg.gwp_set,
        monthly_grid=scenario.esg.monthly_grid,
        risk=risk_settings(scenario.risk, list(groups)),
    )
    ids = plan.twin_ids()
    kinds = plan.kinds_of()
    anomalies = {k: registry.get(k).anomalies for k in groups}
    actions = to_actions(
        scenario.injections,
        plan.seed,
        scenario.start,
        timing.tick_s,
        timing.total_ticks,
        ids,
        kinds,
        anomalies,
    )
    return FleetPlan(**{**plan.__dict__, "actions": actions})


@dataclass(frozen=True)
class _Chunk:
    ids: list[str]
    start: int
    site: int
    entry: int
    params: KindParams


def _group(name: str, chunks: list[_Chunk]) -> KindGroup:
    ids: list[str] = []
    index, site, entry, params = [], [], [], []
    for c in chunks:
        n = len(c.ids)
        ids += c.ids
        index.append(np.arange(c.start, c.start + n, dtype=np.int64))
        site.append(np.full(n, c.site, dtype=np.intp))
        entry.append(np.full(n, c.entry, dtype=np.int32))
        params.append({k: np.repeat(v, n) for k, v in stack([c.params]).items()})
    merged = {k: np.concatenate([p[k] for p in params]) for k in params[0]}
    cat = np.concatenate
    return KindGroup(name, ids, cat(index), cat(site), cat(entry), merged)


# "auto" makes no shard smaller than this. Measured on 2 cores, 10,000 twins (6,000 trucks,
# 1,000 mills, 3,000 boilers): 4 actors (two of 3,000 trucks) 2.8 M twin-ticks/s, 3 actors (one
# a kind) 3.7 M; the 4 actors spent 1.4x the CPU on the same twins (BENCHMARKS.md "Shard size").
MIN_AUTO_SHARD = 10_000


def shard_size(n: int, n_total: int, twins_per_actor: int | str, cpus: int) -> int:
    """Twins per shard of a kind with n of the fleet's n_total twins: `twins_per_actor`, or for
    "auto" ≈ 2 shards a core shared by the kinds' sizes, none below `MIN_AUTO_SHARD` twins."""
    if twins_per_actor != "auto":
        return int(twins_per_actor)
    k = min(round(2 * cpus * n / max(n_total, 1)), n // MIN_AUTO_SHARD)
    return math.ceil(n / max(1, k))


def with_shards(plan: FleetPlan, twins_per_actor: int | str, cpus: int) -> FleetPlan:
    """The plan with its shards: `twins_per_actor` twins each, or "auto" (`shard_size`); whole
    interacting sites in site shards (`site_shards`); "auto" uses every core (`_every_core`)."""
    free = {name: len(plan.free_rows(name)) for name in plan.groups}
    n_free = sum(free.values())
    sites = plan.interacting_sites()
    sizes = {
        name: shard_size(n, n_free, twins_per_actor, cpus) for name, n in free.items() if n > 0
    }
    site_specs = site_shards(plan, sites, twins_per_actor, cpus)
    if twins_per_actor == "auto":
        sizes = _every_core(free, sizes, cpus - len(site_specs))
    shards: list[ShardSpec] = []
    for name, size in sizes.items():
        n = free[name]
        shards += [ShardSpec(name, lo, min(lo + size, n)) for lo in range(0, n, size)]
    return FleetPlan(**{**plan.__dict__, "shards": shards + site_specs})


def _every_core(free: dict[str, int], sizes: dict[str, int], cores: int) -> dict[str, int]:
    """Shard sizes split further until the independent shards are at least `cores`: a fleet of
    one kind in one shard would leave a core idle (10,000 boilers on 2 cores: 2.23 M twin-ticks/s
    in one actor, 3.06 M in two; BENCHMARKS.md "Shard size")."""
    out = dict(sizes)

    def count() -> int:
        return sum(math.ceil(free[k] / out[k]) for k in out)

    while out and count() < cores:
        k = max(out, key=lambda name: (out[name], name))
        if out[k] <= 1:
            break
        out[k] = math.ceil(free[k] / (math.ceil(free[k] / out[k]) + 1))
    return out


def site_shards(
    plan: FleetPlan, sites: list[int], twins_per_actor: int | str, cpus: int
) -> list[ShardSpec]:
    """Interacting sites grouped whole, in site order: up to `twins_per_actor` twins a shard
    (a site bigger than that is a shard of its own: it is never split), or for "auto" about
    as many shards as cores, balanced by twin count."""
    if not sites:
        return []
    per_site = np.array([sum(len(plan.site_rows(k, [s])) for k in plan.groups) for s in sites])
    if twins_per_actor == "auto":
        limit = max(1, math.ceil(per_site.sum() / max(1, min(cpus, len(sites)))))
    else:
        limit = int(twins_per_actor)
    specs, lo, held = [], 0, 0
    for i, n in enumerate(per_site.tolist()):
        if held and held + n > limit:
            specs.append(ShardSpec(SITE, lo, i))
            lo, held = i, 0
        held += n
    specs.append(ShardSpec(SITE, lo, len(sites)))
    return specs
