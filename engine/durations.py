"""Durations written the way people write them: "7d", "15min", "1h", "90s", "2w"."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"s": 1, "min": 60, "h": 3600, "d": 86_400, "w": 604_800}
_PATTERN = r"^\s*\d+(\.\d+)?\s*(s|min|h|d|w)\s*$"
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|min|h|d|w)\s*$")
ACCEPTED = 'a number and a unit: "90s", "15min", "1h", "7d", "2w"'


def parse_duration(value: Any) -> timedelta:
    """Parse "7d" / "15min" / a timedelta; raise ValueError naming the accepted forms."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f'a duration must be a string such as "15min"; accepted: {ACCEPTED}')
    m = _RE.match(value)
    if not m:
        hint = ' ("m" is ambiguous: write "min" for minutes)' if value.strip().endswith("m") else ""
        raise ValueError(f"not a duration{hint}; accepted: {ACCEPTED}")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


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
