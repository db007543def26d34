"""Durations written the way people write them: "7d", "15min", "1h", "90s", "2w".

Every duration of the engine (a scenario's fields, `--duration`, the API's bodies and queries)
goes through `parse_duration`, so its bounds hold everywhere: at least one second (the finest
tick the engine runs: a shorter value would round to a 0-tick run) and a whole number of seconds,
at most `MAX_DURATION` (larger values overflow the calendar and the tick counters).
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86_400, "w": 604_800}
_PATTERN = r"^\s*\d+(\.\d+)?\s*(s|min|h|d|w)\s*$"
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d|w)\s*$", re.ASCII)
ACCEPTED = 'a number and a unit: "90s", "15min", "1h", "7d", "2w"'
MIN_DURATION = timedelta(seconds=1)
MAX_DURATION = timedelta(days=36_500)  # 100 years: any horizon a run or a study plans for
RANGE = "from 1s to 36500d (100 years), in whole seconds"


def parse_duration(value: Any) -> timedelta:
    """Parse "7d" / "15min" / a timedelta; raise ValueError naming the accepted forms."""
    if isinstance(value, timedelta):
        return _bounded(value.total_seconds())
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'a duration must be a string such as "15min"; accepted: {ACCEPTED}')
    m = _RE.match(value)
    if not m:
        hint = ' ("m" is ambiguous: write "min" for minutes)' if value.strip().endswith("m") else ""
        raise ValueError(f"not a duration{hint}; accepted: {ACCEPTED}")
    return _bounded(float(m.group(1)) * _UNITS[m.group(2)])


def _bounded(seconds: float) -> timedelta:
    if seconds <= 0:
        raise ValueError(f"a duration must be longer than zero; accepted: {RANGE}")
    if not math.isfinite(seconds) or seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"too long; accepted: {RANGE}")
    if seconds < MIN_DURATION.total_seconds():
        raise ValueError(f"shorter than one second, the finest tick; accepted: {RANGE}")
    if seconds != round(seconds):
        raise ValueError(f"not a whole number of seconds; accepted: {RANGE}")
    return timedelta(seconds=round(seconds))


def format_duration(d: timedelta) -> str:
    """Shortest exact form in days at most: 604800 s → "7d", 900 s → "15min"."""
    seconds = d.total_seconds()
    for unit in ("d", "h", "min", "s"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _PATTERN, "examples": ["15min", "1h", "7d"]}),
]
