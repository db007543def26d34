"""Sensor faults change what sensors report, never the machine."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.twins.faults import SensorFault, apply_faults
from aurum.twins.rng import Streams, twin_keys

TICKS = np.arange(100, 110)


def corrupt(fault: str, magnitude: float = 2.0, stuck: float = np.nan) -> np.ndarray:
    values = np.full((len(TICKS), 3), 10.0)
    f = SensorFault(1, "x_c", fault, 103, 107, magnitude, stuck)  # type: ignore[arg-type]
    changed = apply_faults(values, TICKS, [f], Streams(1, twin_keys(list("abc"))), 1 / 60)
    assert [(r.tolist(), t) for r, t in changed] == [([3, 4, 5, 6], 1)]
    assert np.all(values[:, [0, 2]] == 10.0)  # other twins untouched
    assert np.all(values[[0, 1, 2, 7, 8, 9], 1] == 10.0)  # outside the window untouched
    return values[3:7, 1]


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("bias", [12.0] * 4),
        ("gain", [30.0] * 4),
        ("drift", [10 + 2 / 60, 10 + 4 / 60, 10 + 6 / 60, 10 + 8 / 60]),
    ],
)
def test_deterministic_faults(fault: str, expected: list[float]) -> None:
    assert np.allclose(corrupt(fault), expected)


def test_stuck_dropout_noise_spike() -> None:
    assert np.all(corrupt("stuck", stuck=7.5) == 7.5)
    assert np.all(np.isnan(corrupt("dropout")))
    noisy = corrupt("noise", magnitude=1.0)
    assert np.all(noisy != 10.0) and np.abs(noisy - 10).max() < 5
    spikes = corrupt("spike", magnitude=5.0)
    assert set(np.unique(spikes)) <= {10.0, 15.0}
