"""Hand-computed cases for each fuel and scope (arithmetic in the comments), to 0.1 %."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aurum import esg
from tests.esg.conftest import ELEC, OFFROAD, STATIONARY, kg, one

R = 1e-3  # 0.1 %


def test_haul_truck_diesel_ipcc() -> None:
    # 1000 L x 0.84 kg/L = 840 kg; x 43.0 TJ/Gg = 840e-6 Gg x 43.0 = 0.03612 TJ
    led = one("diesel_l", 1000, OFFROAD)
    assert kg(led, "scope1", "co2") == pytest.approx(0.03612 * 74100, rel=R)  # 2676.49 kg
    assert kg(led, "scope1", "ch4_fossil") == pytest.approx(0.03612 * 4.15, rel=R)  # 0.1499
    assert kg(led, "scope1", "n2o") == pytest.approx(0.03612 * 28.6, rel=R)  # 1.0330 kg
    # WTT (DESNZ 2025 mineral): 1000 L x 0.62409 kg CO2e/L = 624.09 kg, AR5 embedded
    assert kg(led, "scope3_fuel_wtt", "co2e_embedded") == pytest.approx(624.09, rel=R)
    assert led.embedded_gwp["scope3_fuel_wtt"] == ("AR5",)


def test_boiler_diesel_takes_table_2_3() -> None:
    # same 0.03612 TJ; Table 2.3: CH4 3, N2O 0.6 kg/TJ
    led = one("diesel_l", 1000, STATIONARY)
    assert kg(led, "scope1", "co2") == pytest.approx(2676.492, rel=R)
    assert kg(led, "scope1", "ch4_fossil") == pytest.approx(0.03612 * 3, rel=R)  # 0.10836
    assert kg(led, "scope1", "n2o") == pytest.approx(0.03612 * 0.6, rel=R)  # 0.021672


def test_boiler_natural_gas_ipcc() -> None:
    # 1000 GJ (NCV) = 1 TJ: CO2 56 100, CH4 1, N2O 0.1 kg
    led = one("natural_gas_gj", 1000, STATIONARY)
    assert kg(led, "scope1", "co2") == pytest.approx(56100, rel=R)
    assert kg(led, "scope1", "ch4_fossil") == pytest.approx(1.0, rel=R)
    assert kg(led, "scope1", "n2o") == pytest.approx(0.1, rel=R)
    # WTT: 1000 GJ / 0.0036 GJ/kWh = 277 777.8 kWh (Net CV) x 0.03347 = 9297.2 kg CO2e
    assert kg(led, "scope3_fuel_wtt", "co2e_embedded") == pytest.approx(9297.22, rel=R)


def test_boiler_coal_ipcc() -> None:
    # 10 t = 0.01 Gg x 25.8 TJ/Gg = 0.258 TJ; CO2 0.258 x 94 600 = 24 406.8 kg
    led = one("coal_t", 10, STATIONARY)
    assert kg(led, "scope1", "co2") == pytest.approx(24406.8, rel=R)
    assert kg(led, "scope1", "ch4_fossil") == pytest.approx(0.258 * 10, rel=R)  # Table 2.3
    assert kg(led, "scope1", "n2o") == pytest.approx(0.258 * 1.5, rel=R)
    assert kg(led, "scope3_fuel_wtt", "co2e_embedded") == 0.0  # no coal WTT transcribed
    assert any("well-to-tank" in n and "other_bituminous_coal" in n for n in led.notes)


def test_electricity_chile_annual_and_monthly() -> None:
    # 1000 kWh = 1 MWh x 0.2421 t CO2/MWh = 242.1 kg; April: 0.3244 t/MWh = 324.4 kg
    led = one("electricity_kwh", 1000, ELEC, "CL")
    assert kg(led, "scope2_location", "co2") == pytest.approx(242.1, rel=R)
    assert kg(led, "scope2_market", "co2") == pytest.approx(242.1, rel=R)  # fallback
    assert bool(led.mb_fallback[0])
    assert kg(led, "scope3_electricity", "co2") == 0.0
    april = one("electricity_kwh", 1000, ELEC, "CL", month=4)
    assert kg(april, "scope2_location", "co2") == pytest.approx(324.4, rel=R)


@pytest.mark.parametrize(
    ("region", "scope2", "scope3"),
    [
        ("AU", 630.0, 70.0),  # NGA 2024 0.63 / 0.07 kg CO2e/kWh x 1000 kWh
        ("AU-WA-NWIS", 610.0, 90.0),
        ("AU-NWIS", 610.0, 90.0),  # alias
        ("AU-TAS", 150.0, 30.0),
        ("ZA", 906.0, 82.0),  # DFFE NGGEF 0.906 t/MWh; TLGEF 0.020 + DLGEF 0.062
        ("GB", 207.05, 0.0),  # DESNZ 2024 0.20705 kg/kWh
        ("PE", 186.0, 0.0),  # Electricity Maps 186 g/kWh, lifecycle proxy
        ("AR", 380.0, 0.0),
        ("ES", 129.0, 0.0),
        ("US", 0.0, 0.0),  # gases, see test_library (eGRID2022)
    ],
)
def test_electricity_by_region(region: str, scope2: float, scope3: float) -> None:
    led = one("electricity_kwh", 1000, ELEC, region)
    assert kg(led, "scope2_location", "co2e_embedded") == pytest.approx(scope2, rel=R)
    assert kg(led, "scope3_electricity", "co2e_embedded") == pytest.approx(scope3, rel=R)


def test_epa_set_truck_boiler_and_fallback() -> None:
    gal = 1000 / 3.785411784  # 264.172 gal
    led = one("diesel_l", 1000, OFFROAD, "US", factor_set="epa")
    assert kg(led, "scope1", "co2") == pytest.approx(gal * 10.21, rel=R)  # 2697.2 kg
    assert kg(led, "scope1", "ch4_fossil") == pytest.approx(gal * 0.92e-3, rel=R)  # 0.243 kg
    assert kg(led, "scope1", "n2o") == pytest.approx(gal * 0.56e-3, rel=R)  # 0.148 kg
    # boiler diesel: 264.172 gal x 0.138 mmBtu/gal = 36.456 mmBtu x 73.96 kg = 2696.3 kg
    boiler = one("diesel_l", 1000, STATIONARY, "US", factor_set="epa")
    assert kg(boiler, "scope1", "co2") == pytest.approx(gal * 0.138 * 73.96, rel=R)
    assert kg(boiler, "scope1", "ch4_fossil") == pytest.approx(gal * 0.138 * 3.0e-3, rel=R)
    # natural gas: 1000 GJ NCV / 0.9 = 1111.1 GJ HHV / 1.055056 = 1053.13 mmBtu x 53.06 kg
    gas = one("natural_gas_gj", 1000, STATIONARY, "US", factor_set="epa")
    mmbtu = 1000 / 0.9 / 1.055056
    assert kg(gas, "scope1", "co2") == pytest.approx(mmbtu * 53.06, rel=R)  # 55 879 kg
    assert kg(gas, "scope1", "n2o") == pytest.approx(mmbtu * 0.10e-3, rel=R)
    coal = one("coal_t", 10, STATIONARY, "US", factor_set="epa")
    assert kg(coal, "scope1", "co2") == pytest.approx(24406.8, rel=R)  # ipcc fallback
    assert any("factor set epa has no combustion other_bituminous_coal" in n for n in coal.notes)
    # US grid under epa: eGRID2023 770.884 lb CO2e/MWh = 349.667 kg per 1000 kWh
    power = one("electricity_kwh", 1000, ELEC, "US", factor_set="epa")
    assert kg(power, "scope2_location", "co2e_embedded") == pytest.approx(349.667, rel=R)


def test_desnz_set_recovers_gas_masses_from_the_split() -> None:
    # 1000 L: CO2 2628.18 kg; CH4 0.29 kg CO2e / 28 = 0.010357 kg; N2O 33.08 / 265 = 0.12483
    led = one("diesel_l", 1000, OFFROAD, factor_set="desnz")
    assert kg(led, "scope1", "co2") == pytest.approx(2628.18, rel=R)
    assert kg(led, "scope1", "ch4_fossil") == pytest.approx(0.29 / 28, rel=R)
    assert kg(led, "scope1", "n2o") == pytest.approx(33.08 / 265, rel=R)
    assert esg.co2e(led, "AR5")["scope1"][0] == pytest.approx(2661.55, rel=1e-6)
    # natural gas, CO2e only: 277 777.8 kWh (Net CV) x 0.2044 = 56 777.8 kg CO2e (AR5)
    gas = one("natural_gas_gj", 1000, STATIONARY, factor_set="desnz")
    assert kg(gas, "scope1", "co2e_embedded") == pytest.approx(56777.8, rel=R)
    assert "AR5" in gas.embedded_gwp["scope1"]


def _fleet(region: str) -> esg.GasLedger:
    rng = np.random.default_rng(7)
    n = 50
    activity = {
        "diesel_l": rng.uniform(0, 500, n),
        "natural_gas_gj": rng.uniform(0, 50, n),
        "coal_t": rng.uniform(0, 2, n),
        "electricity_kwh": rng.uniform(0, 9000, n),
    }
    categories = {"diesel_l": OFFROAD, "natural_gas_gj": STATIONARY, "coal_t": STATIONARY}
    return esg.account_regions(activity, categories | {"electricity_kwh": ELEC}, [region] * n)


def test_what_if_chile_vs_spain_differs_only_in_scope_2() -> None:
    chile, spain = _fleet("CL"), _fleet("ES")
    for scope in ("scope1", "scope3_fuel_wtt", "scope3_electricity"):
        for gas in esg.GASES:
            np.testing.assert_array_equal(chile[scope, gas], spain[scope, gas])
    for scope in ("scope2_location", "scope2_market"):
        assert not np.allclose(esg.co2e(chile)[scope], esg.co2e(spain)[scope])


def test_per_twin_accounting_equals_the_batch_exactly() -> None:
    sites = [esg.SiteSpec("a", "CL"), esg.SiteSpec("b", "AU-QLD"), esg.SiteSpec("c", "US")]
    plan = esg.build_plan(sites, [("diesel_l", OFFROAD), ("electricity_kwh", ELEC)])
    rng = np.random.default_rng(1)
    n = 30
    act = {"diesel_l": rng.uniform(0, 400, n), "electricity_kwh": rng.uniform(0, 5e3, n)}
    cats = {"diesel_l": OFFROAD, "electricity_kwh": ELEC}
    where = rng.integers(0, 3, n)
    batch = esg.account(plan, act, cats, where)
    for i in range(n):
        single = esg.account(
            plan, {k: v[i : i + 1] for k, v in act.items()}, cats, where[i : i + 1]
        )
        np.testing.assert_array_equal(single.kg[0], batch.kg[i])
    totals = batch.totals()
    shuffled = rng.permutation(n)
    for name, column in batch.columns().items():
        assert totals[name] == math.fsum(column) == math.fsum(column[shuffled])
        by_site = sum(float(np.sum(column[where == s])) for s in range(3))
        assert by_site == pytest.approx(totals[name], rel=1e-12, abs=1e-12)


def test_market_based_from_contracts() -> None:
    cats = {"electricity_kwh": ELEC}
    ppa = esg.SiteEsg(contract=esg.Contract(instrument="PPA 25 %", renewable_share=0.25))
    supplier = esg.SiteEsg(
        contract=esg.Contract(
            instrument="PPA + supplier tariff",
            renewable_share=0.25,
            supplier_factor=esg.SupplierFactor(value=0.1, unit="kg/kWh", source="retailer 2025"),
        )
    )
    full = esg.SiteEsg(contract=esg.Contract(instrument="100 % PPA", renewable_share=1.0))
    sites = [esg.SiteSpec(s, "CL", o) for s, o in [("ppa", ppa), ("sup", supplier), ("full", full)]]
    plan = esg.build_plan(sites, [("electricity_kwh", ELEC)])
    led = esg.account(plan, {"electricity_kwh": np.full(3, 1000.0)}, cats, [0, 1, 2])
    # 0.75 x 242.1 = 181.575 kg CO2 (location fallback); 0.75 x 1000 x 0.1 = 75 kg CO2e
    assert led["scope2_market", "co2"][0] == pytest.approx(181.575, rel=R)
    assert led["scope2_market", "co2e_embedded"][1] == pytest.approx(75.0, rel=R)
    assert led["scope2_market", "co2"][1] == 0.0
    assert esg.co2e(led)["scope2_market"][2] == 0.0
    assert led.mb_fallback.tolist() == [True, False, False]
    np.testing.assert_allclose(led["scope2_location", "co2"], np.full(3, 242.1))


def test_market_instruments_per_twin() -> None:
    plan = esg.build_plan([esg.SiteSpec("s", "AU")], [("electricity_kwh", ELEC)])
    market = esg.MarketInstruments(
        renewable_share=np.array([0.0, 0.5, 0.5]),
        supplier_kg_co2e_per_kwh=np.array([np.nan, np.nan, 0.2]),
    )
    led = esg.account(
        plan,
        {"electricity_kwh": np.full(3, 1000.0)},
        {"electricity_kwh": ELEC},
        [0, 0, 0],
        market=market,
    )
    # 630 x 1; 630 x 0.5; 0.5 x 1000 x 0.2 = 100
    np.testing.assert_allclose(led["scope2_market", "co2e_embedded"], [630.0, 315.0, 100.0])
    assert led.mb_fallback.tolist() == [True, True, False]


def test_site_overrides() -> None:
    over = (
        esg.FactorOverride(target="grid", gas="co2", value=0.3, unit="kg/kWh", source="CEN 2024"),
        esg.FactorOverride(target="grid_loss_rate", value=10, unit="%", source="CEN losses"),
        esg.FactorOverride(
            target="ncv:other_bituminous_coal", value=24, unit="GJ/t", source="lab 2025"
        ),
        esg.FactorOverride(target="density:gas_diesel_oil", value=0.85, unit="kg/L", source="x"),
    )
    plan = esg.build_plan(
        [esg.SiteSpec("pit", "CL", esg.SiteEsg(overrides=over))],
        [("electricity_kwh", ELEC), ("coal_t", STATIONARY), ("diesel_l", OFFROAD)],
    )
    act = {"electricity_kwh": np.array([1000.0]), "coal_t": np.array([10.0])}
    act["diesel_l"] = np.array([1000.0])
    cats = {"electricity_kwh": ELEC, "coal_t": STATIONARY, "diesel_l": OFFROAD}
    led = esg.account(plan, act, cats, [0])
    assert kg(led, "scope2_location", "co2") == pytest.approx(300.0, rel=R)
    # T&D: 300 x 0.10 / 0.90 = 33.33 kg CO2
    assert kg(led, "scope3_electricity", "co2") == pytest.approx(33.333, rel=R)
    # coal: 10 t x 24 GJ/t = 0.24 TJ x 94 600 = 22 704 kg CO2
    assert kg(led, "scope1", "co2") - 0.85 * 43.0e-3 * 74.1 * 1000 == pytest.approx(22704, rel=R)
    assert any(r.factor_id.startswith("site-pit-override") for r in plan.records)
