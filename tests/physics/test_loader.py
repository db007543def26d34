"""Loading-unit physics against published figures (MineLab's CAT 6060 example, the CAT 6060
spec sheets, the CAT handbook fuel method, pump-wear sources; tolerances stated per test)."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.physics import loader as phy
from aurum.physics import truck as truck_phy

# MineLab's example (argenismarin/MineLab): CAT 6060, 34 m³, fill 0.85, 2.6 t/m³, 28 s swing,
# a 227 t CAT 793F: ≈ 3 passes ≈ 1.4 min. MineLab loads its 2.6 t/m³ as it stands (no swell).
MINELAB = {"bucket_m3": 34.0, "fill_frac": 0.85, "bank_density_t_m3": 2.6, "swing_s": 28.0}
PAYLOAD_793F_T = 227.0
# Caterpillar 6060 AC FS specifications (Warren CAT): bucket payload 67.5 US tons [V]
BUCKET_PAYLOAD_6060_FS_T = 67.5 * 0.90718474
RATED_KW = 2_240.0  # ≈ 3,000 hp, two diesels (LoaderParams.engine_kw)


def test_minelab_cat_6060_loads_a_793f_in_about_3_passes_and_1_4_min() -> None:
    t = phy.service_load_s(PAYLOAD_793F_T, swell_frac=0.0, **MINELAB)
    passes = t / MINELAB["swing_s"]
    assert passes == pytest.approx(3.0, rel=0.01)  # 3.02
    assert t / 60.0 == pytest.approx(1.4, rel=0.02)  # 1.41 min


def test_service_time_is_the_truck_kinds_load_time_over_arrays_and_floats() -> None:
    """The loader's equation is the truck's (`physics.truck.loading_passes`, `load_time_s`)."""
    payload = np.array([90.0, 227.0, 363.0])
    fill, swing = np.array([0.6, 0.85, 1.1]), np.array([22.0, 28.0, 35.0])
    rho = truck_phy.loose_density(2.6, 0.3)
    passes = truck_phy.loading_passes(payload, 34.0, fill, rho)
    np.testing.assert_allclose(
        phy.service_load_s(payload, 34.0, fill, 2.6, 0.3, swing),
        truck_phy.load_time_s(passes, swing),
        rtol=1e-12,
    )
    scalar = phy.service_load_s(227.0, 34.0, 0.85, 2.6, 0.3, 28.0)
    assert float(scalar) == pytest.approx(227.0 / (34.0 * 0.85 * 2.0) * 28.0, rel=1e-12)


def test_a_default_pass_is_within_the_6060_fs_rated_bucket_payload() -> None:
    """34 m³ × 0.85 × 2.6/1.3 = 57.8 t: 94 % of the 6060 FS's 61.2 t bucket payload."""
    pass_t = float(phy.pass_payload_t(34.0, 0.85, 2.6, 0.3))
    assert pass_t == pytest.approx(57.8, abs=0.05)
    assert 0.9 * BUCKET_PAYLOAD_6060_FS_T < pass_t <= BUCKET_PAYLOAD_6060_FS_T


def test_loading_fuel_is_the_handbook_rate_at_its_load_factor() -> None:
    """CAT handbook Q = P·LF·SFC: 2,240 kW × 0.70 × 0.24 L/kWh = 376 L/h (SFC flat above the
    knee); at idle the part-load SFC rises (never below the handbook rate)."""
    load_kw = phy.loading_power_kw(RATED_KW, 0.70, 150.0, 0.0)
    lph = 3600.0 * phy.fuel_per_s(load_kw, RATED_KW, 0.24, 0.35, 0.6)
    assert lph == pytest.approx(truck_phy.handbook_fuel_rate_lph(RATED_KW, 0.70, 0.24))
    assert lph == pytest.approx(376.3, abs=0.1)
    idle_lph = 3600.0 * phy.fuel_per_s(220.0, RATED_KW, 0.24, 0.35, 0.6)
    assert 220.0 * 0.24 < idle_lph < 220.0 * 0.24 * 1.6


def test_swing_friction_adds_power_up_to_the_rating() -> None:
    assert phy.loading_power_kw(RATED_KW, 0.7, 150.0, 0.5) == pytest.approx(1568.0 + 75.0)
    assert phy.loading_power_kw(RATED_KW, 0.95, 500.0, 1.0) == RATED_KW


def test_new_pumps_leak_6_pct_and_the_alarm_is_half_as_much_again() -> None:
    """η_v 94 % (hoseandfittings.com): 6 % of 4 × 925 L/min = 222 L/min at working pressure;
    Hydraulics & Pneumatics: a case drain creeping from 1 to 1.5 (GPM) is the sign of wear."""
    new = phy.pump_leakage_frac(0.06, 3.0, 0.0)
    assert new == pytest.approx(0.06)
    assert phy.case_drain_lph(new, 3_700.0) == pytest.approx(222.0 * 60.0)
    assert phy.pump_leakage_frac(0.06, 3.0, 0.25) == pytest.approx(1.5 * 0.06)
    assert phy.pump_leakage_frac(0.06, 3.0, 1.0) == pytest.approx(0.18)
    assert phy.pump_leakage_frac(0.5, 10.0, 1.0) == 0.9  # capped: the pumps still deliver


def test_leaking_pumps_slow_the_pass_by_the_lost_volumetric_efficiency() -> None:
    assert phy.swing_cycle_s(28.0, 0.06, 0.06) == 28.0
    worn = phy.swing_cycle_s(28.0, 0.06, 0.18)  # η_v 94 % → 82 %
    assert worn == pytest.approx(28.0 * 0.94 / 0.82)
    assert worn / 28.0 - 1.0 == pytest.approx(0.146, abs=1e-3)


def test_leakage_heat_is_its_hydraulic_power() -> None:
    """Δp·Q: 250 bar × 222 L/min = 25 MPa × 3.7 L/s = 92.5 kW, all heat; none while waiting."""
    leak_kw = phy.oil_heat_kw(1.0, 1568.0, 0.0, 250.0, 3_700.0, 0.06)
    assert leak_kw == pytest.approx(92.5)
    assert phy.oil_heat_kw(1.0, 1568.0, 0.2, 250.0, 3_700.0, 0.06) == pytest.approx(92.5 + 313.6)
    assert phy.oil_heat_kw(0.0, 1568.0, 0.2, 250.0, 3_700.0, 0.18) == 0.0
    assert phy.oil_equilibrium_c(25.0, 280.0, 8.0) == pytest.approx(60.0)


def test_oil_time_constant_from_the_6060s_oil_volume() -> None:
    """≈ 2,483 US gal (9,400 L) × 1.7 MJ/(m³·K) over 8 kW/K ≈ 2,000 s."""
    assert phy.oil_time_constant_s(9_400.0, 8.0) == pytest.approx(9.4 * 1_700.0 / 8.0)


def test_worn_teeth_fill_less_and_need_more_passes() -> None:
    fill = phy.worn_fill_frac(0.85, np.array([0.0, 0.5, 1.0, 1.5]), 0.12)
    np.testing.assert_allclose(fill, [0.85, 0.85 * 0.94, 0.85 * 0.88, 0.85 * 0.88])
    t_new = phy.service_load_s(227.0, 34.0, fill[0], 2.6, 0.3, 28.0)
    t_worn = phy.service_load_s(227.0, 34.0, fill[2], 2.6, 0.3, 28.0)
    assert t_new / 28.0 == pytest.approx(3.93, abs=0.01)
    assert t_worn / 28.0 == pytest.approx(4.46, abs=0.01)


def test_swing_vibration_crosses_the_iso_zones_with_damage() -> None:
    ab, bc, cd = phy.ISO_10816_G2_RIGID_MM_S
    assert (ab, bc, cd) == (1.4, 2.8, 4.5)
    v = phy.swing_vibration_mm_s(1.2, 4.5, np.array([0.0, 0.5, 1.0]))
    assert v[0] < ab < v[1] < cd < v[2]


def test_wear_fuel_parts_add_up_to_actual_minus_healthy() -> None:
    """Burned m·[b·f_L + (T − b)·f_I] against a healthy shovel loading the same tonnes in
    b·r_f·r_s at f_Lh: the three parts sum to the difference, each ≥ 0, all 0 when healthy."""
    rng = np.random.default_rng(3)
    n, tick = 200, 60.0
    busy = rng.uniform(0.0, tick, n)
    r_f, r_s = rng.uniform(0.8, 1.0, n), rng.uniform(0.8, 1.0, n)
    f_lh, f_i = rng.uniform(0.08, 0.11, n), rng.uniform(0.01, 0.02, n)
    f_l, m = f_lh + rng.uniform(0.0, 0.01, n), rng.uniform(0.95, 1.05, n)
    parts = phy.wear_fuel_l(busy, r_f, r_s, f_l, f_lh, f_i, m)
    actual = m * (busy * f_l + (tick - busy) * f_i)
    b_h = busy * r_f * r_s
    healthy = m * (b_h * f_lh + (tick - b_h) * f_i)
    np.testing.assert_allclose(sum(parts), actual - healthy, rtol=1e-12, atol=1e-15)
    assert all(np.all(p >= 0.0) for p in parts)
    ones = np.ones(n)
    assert all(np.all(p == 0.0) for p in phy.wear_fuel_l(busy, ones, ones, f_lh, f_lh, f_i, m))
