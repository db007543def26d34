from __future__ import annotations

from datetime import timedelta

import pytest

from engine.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("7d", 604_800),
        ("15min", 900),
        ("1h", 3600),
        ("90s", 90),
        ("2w", 1_209_600),
        ("1.5h", 5400),
        (" 30 min ", 1800),
    ],
)
def test_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("bad", ["7", "15m", "1 hour", "-1h", "0s", "", "1e3s"])
def test_rejects_with_the_accepted_forms(bad: str) -> None:
    with pytest.raises(ValueError, match=r"15min|zero"):
        parse_duration(bad)


def test_ambiguous_m_gets_a_hint() -> None:
    with pytest.raises(ValueError, match='write "min"'):
        parse_duration("15m")


@pytest.mark.parametrize("value", [5, 1.5, True, None])
def test_numbers_are_not_durations(value: object) -> None:
    with pytest.raises(ValueError, match="string"):
        parse_duration(value)


@pytest.mark.parametrize("text", ["7d", "15min", "1h", "90s", "14d", "36h"])
def test_format_round_trips(text: str) -> None:
    assert format_duration(parse_duration(text)) == text
