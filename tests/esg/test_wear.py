"""The cost of wear in carbon equals the ledger difference, twin by twin."""

from __future__ import annotations

import numpy as np
import pytest

from aurum import esg

CATS = {"diesel_l": "1.A.2.g.vii", "electricity_kwh": "electricity"}


def test_penalty_is_actual_minus_healthy() -> None:
    plan = esg.build_plan(
        [esg.SiteSpec("pit", "CL"), esg.SiteSpec("mill", "AU-QLD")],
        [("diesel_l", "1.A.2.g.vii"), ("electricity_kwh", "electricity")],
    )
    site = np.array([0, 0, 1])
    healthy = {"diesel_l": np.array([100.0, 100.0, 0.0]), "electricity_kwh": np.array([0, 0, 1e3])}
    actual = {
        "diesel_l": np.array([110.0, 100.0, 0.0]),
        "electricity_kwh": np.array([0, 0, 1.05e3]),
    }
    wear = esg.wear_penalty(plan, actual, healthy, CATS, site, gwp_set="AR6")
    # truck 0: +10 L = 10 x 2.963 kg CO2e/L (AR6, scope 1) + 10 x 0.62409 (WTT)
    assert wear.co2e_kg["scope1"][0] == pytest.approx(10 * 2.96303, rel=1e-4)
    assert wear.total_kg[0] == pytest.approx(10 * (2.96303 + 0.62409), rel=1e-4)
    assert wear.total_kg[1] == 0.0
    # mill: +50 kWh x (0.71 + 0.10) kg CO2e/kWh (NGA 2024 QLD scope 2 + scope 3)
    assert wear.total_kg[2] == pytest.approx(50 * 0.81, rel=1e-9)
    worn = esg.account(plan, actual, CATS, site)
    base = esg.account(plan, healthy, CATS, site)
    np.testing.assert_array_equal(wear.gases.kg, worn.kg - base.kg)
