"""What the comparison's readers (tables, report) need of a study's result, as a protocol.

`StudyResult` (engine.studies.result) satisfies it; the readers depend on this shape, not on the
module that assembles results, so results can print themselves through the tables without an
import circle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa


class Compared(Protocol):
    """A study's comparison: runs, the summary per variant and metric, and time series."""

    name: str
    folder: Path
    baseline: str
    variants: list[str]
    changes: dict[str, str]
    runs: pa.Table
    summary: pa.Table
    series: pa.Table
    failures: list[dict[str, Any]]
    series_metric: str
    tradeoff: tuple[str, str]
