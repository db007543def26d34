"""Truck physics against published figures (CAT handbook, Rakha; tolerances stated per test)."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.physics import truck as phy
from aurum.physics.common import G

GVM_KG = 384e3  # loaded 793F (§2.1)
RATED_W = 1976e3
ETA = 0.8
K_AERO_SEA = phy.aero_coefficient(1.225, 0.9, 45.0)


def loaded_793f_speed_kmh(grade_pct: float, rr_pct: float) -> float:
    f0 = phy.grade_rolling_force(GVM_KG, grade_pct, rr_pct)
    v = phy.steady_speed(
        wheel_power_w=ETA * RATED_W * phy.altitude_power_factor(0.0),
        retarder_w=2e6,
        f0_n=f0,
        k_aero=K_AERO_SEA,
        traction_n=phy.traction_limit(GVM_KG, 0.3, 0.64),
        cap_m_s=np.inf,
        crawl_m_s=1.0,
    )
    return float(v) * 3.6


@pytest.mark.parametrize(
    ("grade_pct", "rr_pct", "expected_kmh"),
    [(3.0, 2.0, 30.0), (6.0, 2.0, 19.0), (8.0, 2.0, 15.0), (10.0, 2.0, 12.6)],
)
def test_loaded_793f_speed_on_total_resistance(grade_pct, rr_pct, expected_kmh):
    """§2.3 [D] table: TR 5/8/10/12 % → 30/19/15/12.6 km/h, within 3 %."""
    assert loaded_793f_speed_kmh(grade_pct, rr_pct) == pytest.approx(expected_kmh, rel=0.03)


def test_power_limited_speed_solves_the_power_balance():
    f0 = np.array([5e4, 1e5, 4e5])
    v = phy.power_limited_speed(1.5e6, f0, 25.0)
    np.testing.assert_allclose((f0 + 25.0 * v**2) * v, 1.5e6, rtol=1e-10)


def test_power_limited_speed_without_drag_is_the_handbook_formula():
    v = phy.power_limited_speed(1.5e6, 2e5, 0.0)
    assert v == pytest.approx(1.5e6 / 2e5, rel=1e-6)


def test_descent_runs_at_retarder_speed_then_the_cap():
    f0 = phy.grade_rolling_force(GVM_KG, -12.0, 2.0)  # 10 % favourable effective grade
    assert f0 == pytest.approx(-GVM_KG * G * 0.1, rel=0.01)
    args = {"wheel_power_w": 1.5e6, "k_aero": K_AERO_SEA, "traction_n": 1e9, "crawl_m_s": 1.0}
    v = phy.steady_speed(retarder_w=2e6, f0_n=f0, cap_m_s=np.inf, **args)
    assert v == pytest.approx(2e6 / -f0)
    assert phy.steady_speed(retarder_w=2e6, f0_n=f0, cap_m_s=3.0, **args) == 3.0


def test_a_grade_beyond_traction_is_crawled():
    f0 = phy.grade_rolling_force(GVM_KG, 20.0, 5.0)
    assert f0 > phy.traction_limit(GVM_KG, 0.3, 0.64)
    v = phy.steady_speed(1.5e6, 2e6, f0, K_AERO_SEA, phy.traction_limit(GVM_KG, 0.3, 0.64), 15, 0.8)
    assert v == 0.8


def test_altitude_and_air_density():
    assert phy.altitude_power_factor(0.0) == 1.0
    assert phy.altitude_power_factor(1000.0) == pytest.approx(0.915)
    assert phy.air_density(0.0) == pytest.approx(1.225)
    assert phy.air_density(1000.0) == pytest.approx(1.112, abs=0.001)  # ISA table


@pytest.mark.parametrize(("lf", "expected_lph"), [(0.40, 190.0), (0.55, 261.0), (0.70, 332.0)])
def test_fuel_rate_reproduces_the_handbook_load_factor_method(lf, expected_lph):
    """§2.4: Q = P_rated·LF·SFC, 1976 kW at 0.24 L/kWh, within 1 %."""
    sfc = phy.sfc_part_load(lf, 0.24, 0.35, 0.6)
    q = phy.fuel_rate_lph(lf * RATED_W, sfc)
    assert q == pytest.approx(expected_lph, rel=0.01)
    assert q == pytest.approx(phy.handbook_fuel_rate_lph(1976.0, lf, 0.24), rel=1e-12)


def test_part_load_sfc_rises_towards_idle():
    sfc = phy.sfc_part_load(np.array([0.0, 0.04, 0.2, 0.35, 1.0]), 0.24, 0.35, 0.6)
    assert np.all(np.diff(sfc) <= 0)
    assert sfc[0] == pytest.approx(0.24 * 1.6)
    assert sfc[-1] == 0.24


def test_engine_power_is_clipped_to_idle_and_available_power():
    p = phy.engine_power(np.array([-1e5, 1e5, 1e6]), 10.0, 0.8, 8e4, 1.8e6)
    np.testing.assert_allclose(p, [8e4, 1.25e6, 1.8e6])


def test_minelab_example_loads_in_three_passes_in_1_4_min():
    """§2.2: CAT 6060 34 m³, fill 0.85, 2.6 t/m³ as MineLab feeds it, 28 s swing, 227 t."""
    passes = phy.loading_passes(227.0, 34.0, 0.85, 2.6)
    assert passes == pytest.approx(3.0, abs=0.05)
    assert phy.load_time_s(passes, 28.0) / 60.0 == pytest.approx(1.4, abs=0.02)


def test_swell_makes_loose_material_lighter_and_adds_passes():
    rho = phy.loose_density(2.6, 0.30)
    assert rho == pytest.approx(2.0)
    assert phy.loading_passes(227.0, 34.0, 0.85, rho) == pytest.approx(3.93, abs=0.01)


def test_coolant_equilibrium_thermostat_then_radiator():
    args = {"thermostat_c": 85.0, "thermostat_band_c": 8.0, "rise_design_c": 50.0}
    clean = phy.coolant_equilibrium_c(np.array([-10.0, 20.0, 40.0]), 0.9, 1.0, **args)
    assert np.all((clean >= 82.0) & (clean <= 99.0))
    fouled = phy.coolant_equilibrium_c(40.0, 0.9, 0.5, **args)
    assert fouled == pytest.approx(40.0 + 0.9 * 100.0)


def test_vibration_grows_with_speed_and_bearing_damage():
    v = phy.driveline_vibration_mm_s(np.array([0.0, 50.0]), 1.0, 0.04, 0.0, 3.0)
    np.testing.assert_allclose(v, [1.0, 3.0])
    assert phy.driveline_vibration_mm_s(0.0, 1.0, 0.04, 1 / 3, 3.0) == pytest.approx(2.0)


def test_engine_rpm_idles_when_stopped_and_reaches_rated_at_full_load():
    rpm = phy.engine_rpm(np.array([0.05, 1.0, 0.2]), np.array([False, True, True]), 700, 1750)
    assert rpm[0] == 700 and rpm[1] == pytest.approx(1750)
    assert 700 < rpm[2] < 1750


def test_graded_protection_follows_the_perkins_map():
    """§2.5 [V]: none below 111 °C, 25 % at 111 rising to 75 % at 113, held above."""
    temps = np.array([100.0, 110.99, 111.0, 112.0, 113.0, 120.0])
    d = phy.protection_derate_frac(temps)
    np.testing.assert_allclose(d, [0.0, 0.0, 0.25, 0.5, 0.75, 0.75])
    allowed = phy.allowed_output_kw(temps, 1800.0, 500.0)
    np.testing.assert_allclose(allowed, [1800.0, 1800.0, 1350.0, 900.0, 500.0, 500.0])


def test_tread_wear_follows_the_tkph_law():
    """§2.6: dw = k_w·(TKPH/TKPH_rated)^n·ds; k_w from 90 mm over 100,000 km at the rating."""
    k_w = 90.0 / 100_000.0
    assert phy.tread_wear_mm(1000.0, 1.0, k_w, 1.5) == pytest.approx(0.9)
    assert phy.tread_wear_mm(1000.0, 0.5, k_w, 1.5) == pytest.approx(0.9 * 0.5**1.5)
    assert phy.tread_wear_mm(1000.0, 1.2, k_w, 2.0) == pytest.approx(0.9 * 1.44)
    assert phy.tyre_tkph(64.0, 20.0) == pytest.approx(1280.0)


def test_tyres_run_hotter_over_their_rating():
    t = phy.tyre_temp_c(30.0, np.array([0.0, 1.0, 1.3]), 45.0)
    np.testing.assert_allclose(t, [30.0, 75.0, 88.5])


def test_bearing_ageing_is_iso_281_load_life():
    """§5.2: L10 ∝ (C/P)^p, so ageing ∝ (P/P_ref)^p·(n/n_ref); p = 10/3 for rollers."""
    assert phy.bearing_ageing_rate(1.0, 1.0, 10 / 3) == 1.0
    assert phy.bearing_ageing_rate(2.0, 1.0, 10 / 3) == pytest.approx(2.0 ** (10 / 3))
    assert phy.bearing_ageing_rate(0.5, 3.0, 3.0) == pytest.approx(3.0 / 8.0)


def test_bearing_friction_work_is_an_added_rolling_resistance():
    w = phy.bearing_friction_work_j(0.5, 0.002, 384e3 * 1000.0)  # 384 t over 1 km
    assert w == pytest.approx(0.001 * G * 384e6)
    assert phy.bearing_friction_work_j(0.0, 0.002, 384e6) == 0.0
