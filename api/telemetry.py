"""Sensor readings of one twin from `telemetry/<kind>/`, filtered in the Parquet scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc

from aurum.api.errors import RunNotFoundError
from aurum.api.tables import part_files, read, schema, utc
from aurum.api.views import RunView
from aurum.engine.errors import Problem, ScenarioError

KEYS = ("time", "twin_id", "status")
TS = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class Readings:
    kind: str
    table: pa.Table  # time, status, then the channels asked for
    units: dict[str, str]
    truncated: bool


def _utc(t: datetime) -> pa.Scalar:
    return pa.scalar(utc(t), TS)


def readings(
    run: RunView,
    twin: str,
    channels: list[str] | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> Readings:
    """The twin's readings in [start, end), at most `limit` rows (oldest first)."""
    where = run.twin_index.get(twin)
    if where is None:
        raise RunNotFoundError(Problem("no twin of that id in this run", "twin", twin))
    kind = where[0]
    files = part_files(run.run_dir, f"telemetry/{kind}")
    if not files:
        return Readings(kind, pa.table({"time": pa.array([], TS)}), {}, False)
    fields = {f.name: f for f in schema(files) if f.name not in KEYS}
    chosen = _chosen(channels, fields, kind)
    cond = pc.field("twin_id") == twin
    if start is not None:
        cond &= pc.field("time") >= _utc(start)
    if end is not None:
        cond &= pc.field("time") < _utc(end)
    table = read(files, ["time", "status", *chosen], cond)
    truncated = table.num_rows > limit
    units = {c: (fields[c].metadata or {}).get(b"unit", b"").decode() for c in chosen}
    return Readings(kind, table.slice(0, limit), units, truncated)


def _chosen(channels: list[str] | None, fields: dict[str, pa.Field], kind: str) -> list[str]:
    """The channels asked for (all by default); a 422 naming the accepted ones otherwise."""
    for c in channels or []:
        if c not in fields:
            msg = f"no channel {c!r} on a {kind}"
            raise ScenarioError(Problem(msg, "channels", c, accepted=", ".join(fields)))
    return channels or list(fields)


def arrow_stream(r: Readings) -> bytes:
    """The readings as an Arrow IPC stream (dictionary columns decoded, units in metadata)."""
    table = r.table.cast(_plain(r.table.schema))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def _plain(s: pa.Schema) -> pa.Schema:
    return pa.schema(
        [f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in s]
    )


def columns(r: Readings) -> dict[str, list[object]]:
    """Columns as Python lists (NaN → None), for JSON."""
    out: dict[str, list[object]] = {}
    for name in r.table.column_names:
        col = r.table.column(name)
        if pa.types.is_dictionary(col.type):
            col = col.cast(pa.string())
        elif pa.types.is_floating(col.type):
            col = pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col)
        out[name] = col.to_pylist()
    return out
