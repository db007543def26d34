"""GWP at report time: switching sets moves only the CH4 and N2O contributions."""

from __future__ import annotations

import numpy as np
import pytest

from aurum import esg
from tests.esg.test_accounting import _fleet


@pytest.mark.parametrize(("a", "b"), [("AR6", "AR5"), ("AR6", "AR4"), ("AR5", "SAR")])
def test_switching_gwp_changes_only_ch4_and_n2o(a: str, b: str) -> None:
    led = _fleet("AU-QLD")
    wa, wb = esg.gwp_weights(a), esg.gwp_weights(b)
    for scope in esg.SCOPES:
        ga, gb = esg.co2e_by_gas(led, scope, a), esg.co2e_by_gas(led, scope, b)
        np.testing.assert_array_equal(ga["co2"], gb["co2"])
        np.testing.assert_array_equal(ga["co2e_embedded"], gb["co2e_embedded"])
        delta = esg.co2e(led, a)[scope] - esg.co2e(led, b)[scope]
        expected = led[scope, "ch4_fossil"] * (wa["ch4_fossil"] - wb["ch4_fossil"])
        expected += led[scope, "n2o"] * (wa["n2o"] - wb["n2o"])
        np.testing.assert_allclose(delta, expected, rtol=1e-9, atol=1e-9)


def test_co2e_of_a_truck_litre_under_ar6_and_ar5() -> None:
    # 1 L: CO2 2.676492, CH4 1.49898e-4, N2O 1.033032e-3 kg (0.03612e-3 TJ)
    led = esg.account_regions({"diesel_l": np.array([1.0])}, {"diesel_l": "1.A.2.g.vii"}, ["CL"])
    ar6 = 2.676492 + 1.49898e-4 * 29.8 + 1.033032e-3 * 273
    ar5 = 2.676492 + 1.49898e-4 * 28 + 1.033032e-3 * 265
    assert esg.co2e(led, "AR6")["scope1"][0] == pytest.approx(ar6, rel=1e-6)  # 2.9630
    assert esg.co2e(led, "AR5")["scope1"][0] == pytest.approx(ar5, rel=1e-6)  # 2.9545


def test_co2e_accepts_a_table_of_columns() -> None:
    led = _fleet("CL")
    from_table = esg.co2e(dict(led.columns()), "AR6")
    for scope, values in esg.co2e(led, "AR6").items():
        np.testing.assert_array_equal(values, from_table[scope])


def test_intensity_is_nan_without_production() -> None:
    np.testing.assert_array_equal(esg.intensity([10.0, 5.0], [2.0, 0.0]), [5.0, np.nan])
