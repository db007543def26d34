"""The `features/<kind>/` table: the risk model's inputs per twin and scoring instant.

Written only when a scenario asks for it (`risk: {record_features: 1h}`): the data that
`aurum risk train` learns from. One row per (instant, twin) that was scored — up and past its
warm-up —, in canonical order (time, then the scenario's twin order).

| column | type | meaning |
|---|---|---|
| time | timestamp[ms, UTC] | the reading time (end of the scoring tick) |
| tick | int64 | the scoring tick |
| twin_id, status | dictionary | |
| risk | float32 | the model's score (NaN when the run does not score) |
| `<channel>:<stat>`, `derated_frac` | float32 | the features, in the model card's order |
| `raw:<symptom>` | float32 | the symptom channels' readings at that instant (the rule baseline) |
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from aurum.engine.run.plan import FleetPlan
from aurum.twins import registry
from aurum.twins.risk import FeatureSpec
from aurum.twins.shard import EpochResult

TS = pa.timestamp("ms", tz="UTC")
DICT = pa.dictionary(pa.int32(), pa.string())


def feature_schema(kind: str) -> pa.Schema:
    spec = FeatureSpec.of(registry.get(kind))
    fields = [("time", TS), ("tick", pa.int64()), ("twin_id", DICT), ("status", DICT)]
    fields += [("risk", pa.float32())]
    fields += [(f, pa.float32()) for f in spec.names]
    fields += [(f"raw:{c}", pa.float32()) for c in spec.symptoms]
    return pa.schema(fields)


def feature_columns(
    plan: FleetPlan, kind: str, parts: Sequence[EpochResult], status_names: pa.Array
) -> dict[str, Any] | None:
    """The epoch's feature rows of one kind, in canonical order (None when there are none)."""
    rows = [r.features for r in parts if r.features and len(r.features["tick"])]
    if not rows:
        return None
    cat: dict[str, NDArray[Any]] = {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}
    g = plan.groups[kind]
    local = np.searchsorted(g.twin_index, cat["twin"])
    order = np.lexsort((local, cat["tick"]))
    t = plan.timing
    ms = t.start.timestamp() * 1000 + (cat["tick"][order] + 1) * t.tick_s * 1000
    ids = pa.array(g.twin_ids, pa.string())
    cols: dict[str, Any] = {
        "time": pa.array(ms.astype(np.int64), TS),
        "tick": cat["tick"][order],
        "twin_id": pa.DictionaryArray.from_arrays(pa.array(local[order], pa.int32()), ids),
        "status": pa.DictionaryArray.from_arrays(
            pa.array(cat["status"][order].astype(np.int32)), status_names
        ),
    }
    for name in feature_schema(kind).names[4:]:
        cols[name] = cat[name][order]
    return cols
