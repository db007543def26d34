"""Reading a run's Parquet tables (complete part files only), with results cached per table state.

A growing table is a folder of part files; a table's *signature* (its parts' names and sizes)
changes only when a part is added, so anything computed from it is kept until then. Tables that
other issues add later (events, emissions) may not exist yet: readers then answer None.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.dataset as ds

T = TypeVar("T")
Signature = tuple[tuple[str, int], ...]


def utc(t: datetime) -> datetime:
    """A query time as UTC (naive times are taken as UTC)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def part_files(run_dir: Path, name: str) -> list[Path]:
    """The complete part files of a table (a folder of parts, or one older-style file)."""
    folder = run_dir / name
    if folder.is_dir():
        return sorted(folder.glob("part-*.parquet"))
    single = run_dir / f"{name}.parquet"
    return [single] if single.is_file() else []


def signature(files: list[Path]) -> Signature:
    out = []
    for f in files:
        try:
            out.append((f.name, f.stat().st_size))
        except OSError:  # replaced between glob and stat: the next call sees the new state
            continue
    return tuple(out)


def read(
    files: list[Path], columns: list[str] | None = None, where: ds.Expression | None = None
) -> pa.Table:
    """Rows of the given part files, optionally only some columns and rows."""
    return ds.dataset([str(f) for f in files], format="parquet").to_table(
        columns=columns, filter=where
    )


def schema(files: list[Path]) -> pa.Schema:
    return ds.dataset([str(files[0])], format="parquet").schema


class TableCache:
    """Values computed from a run's tables, recomputed only when the table gains a part."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self._values: dict[tuple[str, Any], tuple[Signature, Any]] = {}
        self._lock = threading.Lock()

    def get(self, name: str, key: Any, make: Callable[[list[Path]], T], empty: T) -> T:
        """`make(parts)` for table `name` (cached under `key`), or `empty` if it has no parts."""
        files = part_files(self.run_dir, name)
        if not files:
            return empty
        sig = signature(files)
        with self._lock:
            hit = self._values.get((name, key))
        if hit is not None and hit[0] == sig:
            value: T = hit[1]
            return value
        value = make(files)
        with self._lock:
            self._values[(name, key)] = (sig, value)
        return value
