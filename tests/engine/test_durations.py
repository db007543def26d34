from __future__ import annotations

from datetime import timedelta

import pytest

from aurum.engine.scenario.durations import format_duration, parse_duration


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


RANGE = "from 1s to 36500d (100 years), in whole seconds"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("99999999999d", "too long"),
        ("36501d", "too long"),
        ("9" * 400 + "s", "too long"),
        ("0.0000001s", "shorter than one second, the finest tick"),
        ("0.5s", "shorter than one second, the finest tick"),
        ("1.5s", "not a whole number of seconds"),
        ("0s", "a duration must be longer than zero"),
    ],
)
def test_out_of_range_names_the_range(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(text)
    assert str(info.value) == f"{message}; accepted: {RANGE}"


def test_bounds_hold_for_timedeltas_too() -> None:
    assert parse_duration("36500d") == timedelta(days=36_500)
    assert parse_duration(timedelta(seconds=1)) == timedelta(seconds=1)
    with pytest.raises(ValueError, match="shorter than one second"):
        parse_duration(timedelta(microseconds=1))
    with pytest.raises(ValueError, match="too long"):
        parse_duration(timedelta(days=10**6))


def test_scenario_and_override_refuse_huge_and_tiny_durations() -> None:
    from aurum.engine.errors import ScenarioError
    from aurum.engine.run.runner import prepare
    from tests.conftest import SCENARIOS

    for bad, message in (("99999999999d", "too long"), ("0.0000001s", "shorter than one")):
        with pytest.raises(ScenarioError) as info:
            prepare(SCENARIOS / "demo.yaml", duration=bad)
        (p,) = info.value.problems
        assert (p.path, p.value, p.accepted) == ("duration", bad, RANGE)
        assert p.message.startswith(message)
