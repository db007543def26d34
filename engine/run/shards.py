"""A shard's part of a plan and the Shard object built from it: all a shard actor needs.

Kept apart from `engine.run.loop` (the coordinator's loop, with the recorder, pyarrow and the
fleet state) so that the Ray worker of a shard actor imports only the plan and the twins.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from aurum.engine.run.plan import SITE, FleetPlan, KindGroup, ShardSpec
from aurum.twins import registry
from aurum.twins.shard import Shard
from aurum.twins.site import Environment
from aurum.twins.system import SiteShard


def shard_plan(plan: FleetPlan, spec: ShardSpec) -> tuple[FleetPlan, ShardSpec]:
    """A plan holding only one shard's twins (what its actor needs), and the spec within it."""
    groups = {}
    for kind, rows in plan.rows(spec).items():
        g = plan.groups[kind]
        groups[kind] = KindGroup(
            g.kind,
            [g.twin_ids[i] for i in rows.tolist()],
            g.twin_index[rows],
            g.site_index[rows],
            g.entry_index[rows],
            {k: v[rows] for k, v in g.params.items()},
        )
    small = replace(plan, resolved={}, groups=groups, shards=[], esg=None)
    if spec.kind == SITE:
        return small, ShardSpec(SITE, 0, spec.size)
    return small, ShardSpec(spec.kind, 0, spec.size)


def make_shard(plan: FleetPlan, spec: ShardSpec) -> Shard | SiteShard:
    """The Shard (or for whole interacting sites the SiteShard) a ShardSpec describes (built
    where it will run)."""
    parts = {kind: _kind_shard(plan, kind, rows) for kind, rows in plan.rows(spec).items()}
    if spec.kind == SITE:
        return SiteShard(parts, plan.sites)
    return parts[spec.kind]


def _kind_shard(plan: FleetPlan, kind_name: str, rows: NDArray[np.intp]) -> Shard:
    g = plan.groups[kind_name]
    index = g.twin_index[rows]
    params = {k: v[rows] for k, v in g.params.items()}
    env = Environment(plan.sites, g.site_index[rows])
    kind = registry.get(kind_name)()
    ids = [g.twin_ids[i] for i in rows.tolist()]
    risk = getattr(plan, "risk", None)  # risk scoring settings (None: off)
    return Shard(kind, ids, index, params, env, plan.timing, plan.seed, plan.actions, risk=risk)
