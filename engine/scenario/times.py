"""Checks of a scenario's times on its raw data: tick, epoch and span fit together and the
calendar, and each injection's `at` and `until` fall in the run and in order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from aurum.engine.errors import Problem
from aurum.engine.scenario.durations import format_duration, parse_duration

MIN_TICK = timedelta(seconds=1)
MAX_TICK = timedelta(hours=1)
MAX_EPOCH_TICKS = 10_080
# The calendar a run can use: Python's datetimes end in 9999; a run's last epoch, its month
# for grid factors and its tables' millisecond timestamps must all fit, with room to spare.
EARLIEST_START = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_END = datetime(9000, 1, 1, tzinfo=UTC)
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


_DEFAULTS = {
    "tick": timedelta(minutes=1),
    "epoch": timedelta(hours=1),
    "telemetry_resolution": timedelta(minutes=1),
}


def duration_at(data: dict[str, Any], *path: str) -> timedelta | None:
    """A duration field's value (its default if absent), or None if it does not parse."""
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _DEFAULTS.get(path[-1])
        node = node[key]
    try:
        return parse_duration(node)
    except ValueError:
        return None


def time_problems(data: dict[str, Any]) -> Iterator[Problem]:
    yield from _end_problems(data)
    tick = duration_at(data, "tick")
    if tick is None:
        return
    if not MIN_TICK <= tick <= MAX_TICK:
        yield Problem("tick out of range", "tick", format_duration(tick), accepted="1s to 1h")
        return
    fields = {
        "duration": ("duration",),
        "epoch": ("epoch",),
        "output.telemetry_resolution": ("output", "telemetry_resolution"),
    }
    for path, keys in fields.items():
        d = duration_at(data, *keys)
        if d is not None and (d % tick) != timedelta(0):
            yield Problem(
                f"must be a whole number of ticks ({format_duration(tick)})",
                path,
                format_duration(d),
                accepted=f"a multiple of {format_duration(tick)}",
            )
    epoch = duration_at(data, "epoch")
    if epoch is not None and epoch // tick > MAX_EPOCH_TICKS:
        yield Problem(
            f"an epoch of {epoch // tick} ticks is too long to hold in memory",
            "epoch",
            format_duration(epoch),
            accepted=f"at most {MAX_EPOCH_TICKS} ticks per epoch",
        )


def _end_problems(data: dict[str, Any]) -> Iterator[Problem]:
    """The run's span must fit the calendar: its end (start + duration) by `LATEST_END`."""
    start, duration = instant(data.get("start")), duration_at(data, "duration")
    if start is None:
        return
    if start < EARLIEST_START:
        yield Problem(
            "too early",
            "start",
            start.isoformat(),
            accepted=f"a start from {EARLIEST_START.isoformat()}",
        )
    elif duration is not None and start > LATEST_END - duration:
        yield Problem(
            f"the run would end after {LATEST_END.date().isoformat()}",
            "start",
            start.isoformat(),
            accepted=f"a start by {(LATEST_END - duration).isoformat()} for a duration of "
            f"{format_duration(duration)} (the end at most {LATEST_END.isoformat()})",
        )


def injection_times(path: str, inj: dict[str, Any], data: dict[str, Any]) -> Iterator[Problem]:
    duration = duration_at(data, "duration")
    start = instant(data.get("start"))
    offsets: dict[str, timedelta] = {}
    for field in ("at", "until"):
        when = inj.get(field)
        offset = _offset(when, start)
        if offset is None:
            continue
        offsets[field] = offset
        if duration is not None and not timedelta(0) <= offset <= duration:
            yield Problem(
                "outside the simulated span",
                f"{path}.{field}",
                _shown(when),
                accepted=f"a time within {format_duration(duration)} of the start"
                + (f" ({start.isoformat()})" if start is not None else ""),
            )
    if "at" in offsets and "until" in offsets and offsets["until"] <= offsets["at"]:
        yield Problem(
            "ends before it starts",
            f"{path}.until",
            _shown(inj.get("until")),
            accepted=f"a time after `at` ({_shown(inj.get('at'))})",
        )


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _offset(when: Any, start: datetime | None) -> timedelta | None:
    """An injection time as an offset from the start: a duration, or an instant less the start."""
    if isinstance(when, str):
        try:
            return parse_duration(when)
        except ValueError:
            pass
    moment = instant(when)
    return None if moment is None or start is None else moment - start


def instant(value: Any) -> datetime | None:
    """A time as the model reads it (ISO text or a YAML timestamp; UTC if no zone), else None."""
    if isinstance(value, str):
        try:
            value = _DATETIME.validate_python(value)
        except ValidationError:
            return None
    if not isinstance(value, datetime):
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        return None
