"""The events table (failures, repairs, injections, alerts) as filtered, time-ordered rows.

Schema (filled by the failure-modes and risk issues): time, twin_id, kind, site, event, mode,
value, detail (JSON text). Alerts are the events named in `ALERT_EVENTS`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from aurum.api.tables import read, utc

TABLE = "events"
ALERT_EVENTS = ("alert", "threshold_crossed")
COLUMNS = ("time", "twin_id", "kind", "site", "event", "mode", "value", "detail")


def load(files: list[Path]) -> list[dict[str, Any]]:
    """Every event of the run as plain rows, in time order."""
    table = read(files)
    cols = {}
    for name in COLUMNS:
        if name not in table.column_names:
            continue
        col = table.column(name)
        cols[name] = col.cast(pa.string()) if pa.types.is_dictionary(col.type) else col
    rows = pa.table(cols).to_pylist()
    for r in rows:
        r["detail"] = _detail(r.get("detail"))
    rows.sort(key=lambda r: r["time"])
    return rows


def _detail(text: Any) -> dict[str, Any] | None:
    if text is None or text == "":
        return None
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {"text": str(text)}
    return value if isinstance(value, dict) else {"value": value}


def select(
    rows: list[dict[str, Any]],
    *,
    events: Collection[str] | None = None,
    twin: str | None = None,
    kind: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[dict[str, Any]]:
    """The rows matching every filter given."""
    start = utc(start) if start is not None else None
    end = utc(end) if end is not None else None

    def keep(r: dict[str, Any]) -> bool:
        return (
            (events is None or r.get("event") in events)
            and (twin is None or r.get("twin_id") == twin)
            and (kind is None or r.get("kind") == kind)
            and (start is None or r["time"] >= start)
            and (end is None or r["time"] < end)
        )

    return [r for r in rows if keep(r)]
