"""Mill equations against worked values of their sources (MillSim, Bond, Daigle & Goebel)."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.physics.mill import (
    ISO_10816_G1_RIGID_MM_S,
    TRUNNION_ALARM_C,
    TRUNNION_TRIP_C,
    austin_length_for_power_m,
    austin_power_kw,
    bearing_friction_factor,
    bearing_friction_kw,
    bearing_oil_update_c,
    bearing_steady_rise_k,
    bearing_temp_target_c,
    bond_specific_energy_kwh_t,
    bond_throughput_tph,
    critical_speed_rpm,
    gear_efficiency,
    hulbert_filling_at_pmax,
    hulbert_max_power_kw,
    hulbert_power_kw,
    liner_energy_factor,
    liner_power_factor,
    liner_wear_excess,
    liner_wear_mm,
    liner_wear_pct,
    mill_power_kw,
    oil_temp_target_c,
    rating_life_ageing,
    rheology_factor,
    rpm_to_rad_s,
    thermal_decay,
    trunnion_load_ratio,
    vibration_mm_s,
)


def test_critical_speed_of_a_cadia_size_shell() -> None:
    nc = float(critical_speed_rpm(12.2))
    assert nc == pytest.approx(12.1, abs=0.05)  # §3.2 [D]
    assert 0.75 * nc == pytest.approx(9.1, abs=0.05)


def test_rpm_to_rad_s() -> None:
    assert float(rpm_to_rad_s(60.0)) == pytest.approx(2 * np.pi, rel=1e-12)


def test_austin_power_of_the_le_roux_mill() -> None:
    power = austin_power_kw(
        4.2,
        4.27,
        filling=0.30,
        speed_frac=0.75,
        porosity=0.3,
        solids_frac=0.7,
        ball_filling=0.24,
        ball_density_t_m3=7.85,
        ore_density_t_m3=3.2,
    )
    assert float(power) == pytest.approx(1170.0, rel=0.02)  # §3.4 check ≈ 1.17 MW


def test_austin_power_scales_as_d_to_the_2_5_times_length() -> None:
    kw = dict(
        filling=0.3,
        speed_frac=0.75,
        porosity=0.3,
        solids_frac=0.7,
        ball_filling=0.12,
        ball_density_t_m3=7.85,
        ore_density_t_m3=2.7,
    )
    small = float(austin_power_kw(4.0, 4.0, **kw))
    big = float(austin_power_kw(8.0, 2.0, **kw))
    assert big / small == pytest.approx(2**2.5 / 2, rel=1e-12)


def test_effective_length_makes_austin_draw_the_rating() -> None:
    """Cadia: 20 MW (Boughey et al. 2000) at 25 % charge, 8 % balls, 74 % critical (Hart et al.
    2001). Austin with the quoted 6.1 m shell gives 77 % of it; the effective length, 1.29 × the
    shell, close to Morrell's 1.26 gross/net factor, gives the rating exactly."""
    point = dict(
        filling=0.25,
        speed_frac=0.74,
        porosity=0.3,
        solids_frac=0.7,
        ball_filling=0.08,
        ball_density_t_m3=7.85,
        ore_density_t_m3=2.7,
    )
    length = float(austin_length_for_power_m(20_000.0, 12.2, **point))
    assert float(austin_power_kw(12.2, length, **point)) == pytest.approx(20_000.0, rel=1e-12)
    assert length == pytest.approx(7.88, abs=0.005)
    shell = float(austin_power_kw(12.2, 6.1, **point))
    assert shell / 20_000.0 == pytest.approx(0.774, abs=0.002)
    assert length / 6.1 == pytest.approx(1.29, abs=0.01)


def test_hulbert_maximum_at_75_percent_of_critical() -> None:
    assert float(hulbert_filling_at_pmax(0.75)) == pytest.approx(0.385, abs=0.002)
    assert float(hulbert_max_power_kw(0.75)) == pytest.approx(2200.0, rel=0.02)


def test_hulbert_power_peaks_at_j_pmax() -> None:
    filling = np.linspace(0.1, 0.6, 5001)
    power = hulbert_power_kw(0.75, filling)
    assert filling[np.argmax(power)] == pytest.approx(0.385, abs=1e-3)
    assert power.max() == pytest.approx(float(hulbert_max_power_kw(0.75)), rel=1e-6)


def test_hulbert_rheology_penalises_departure_from_nominal() -> None:
    nominal = float(hulbert_power_kw(0.75, 0.3))
    assert float(hulbert_power_kw(0.75, 0.3, rheology=0.4)) < nominal
    assert float(rheology_factor(0.0)) == 1.0
    assert float(rheology_factor(1.0)) < float(rheology_factor(0.5)) < 1.0


def test_mill_power_is_austin_at_the_design_point() -> None:
    assert float(mill_power_kw(18_000.0, 0.75, 0.30, 0.75, 0.30)) == pytest.approx(18_000.0)


def test_power_hump_falls_when_filling_overshoots_j_pmax() -> None:
    j_pmax = float(hulbert_filling_at_pmax(0.75))
    p = mill_power_kw(18_000.0, 0.75, np.array([0.30, j_pmax, 0.45, 0.50]), 0.75, 0.30)
    assert p[1] > p[0]  # filling towards the peak raises power
    assert p[1] > p[2] > p[3]  # past the peak, more charge draws less power
    assert p[1] / p[0] == pytest.approx(1.0 / (1.0 - 0.928 * (0.30 / j_pmax - 1) ** 2))


def test_bond_worked_example() -> None:
    w = float(bond_specific_energy_kwh_t(15.0, 2000.0, 150.0))
    assert w == pytest.approx(8.9, rel=0.01)  # §3.3 [D]


def test_bond_bracket_multiplies() -> None:
    """§7.4: the size bracket multiplies 10·Wi; finer product needs more energy."""
    assert float(bond_specific_energy_kwh_t(30.0, 2000.0, 150.0)) == pytest.approx(
        2 * float(bond_specific_energy_kwh_t(15.0, 2000.0, 150.0))
    )
    assert float(bond_specific_energy_kwh_t(15.0, 2000.0, 2000.0)) == 0.0
    assert float(bond_specific_energy_kwh_t(15.0, 2000.0, 75.0)) > 8.9


def test_bond_throughput_inverts_specific_energy() -> None:
    q = float(bond_throughput_tph(18_000.0, 3.5, 2.5))
    assert q * 3.5 * 2.5 == pytest.approx(18_000.0)


def test_liner_penalty_only_below_the_knee() -> None:
    h = np.array([152.0, 100.0, 76.0, 38.0, 0.0])
    excess = liner_wear_excess(h, 152.0, 0.5)
    np.testing.assert_allclose(excess, [0.0, 0.0, 0.0, 0.5, 1.0])
    np.testing.assert_allclose(liner_power_factor(excess, 0.1), [1, 1, 1, 0.95, 0.9])
    np.testing.assert_allclose(liner_energy_factor(excess, 0.2), [1, 1, 1, 1.1, 1.2])


def test_bearing_friction_grows_with_omega_squared() -> None:
    assert float(bearing_friction_kw(10.0, 2.0)) == pytest.approx(40.0)


def test_bearing_steady_state_closes_both_heat_balances() -> None:
    q, h1, h2, hc, ambient = 30.0, 0.3, 2.0, 1.2, 15.0
    rise_b, rise_oil = bearing_steady_rise_k(q, h1, h2, hc)
    bearing, oil = ambient + float(rise_b), ambient + float(rise_oil)
    assert float(bearing_temp_target_c(q, ambient, oil, h1, h2)) == pytest.approx(bearing)
    assert float(oil_temp_target_c(bearing, ambient, h2, hc)) == pytest.approx(oil)
    # all friction heat leaves to ambient, directly or through the oil cooler
    assert h1 * float(rise_b) + hc * float(rise_oil) == pytest.approx(q)
    assert ambient < oil < bearing < TRUNNION_ALARM_C


def test_exact_update_converges_to_the_steady_state() -> None:
    q, h1, h2, hc, ambient = 30.0, 0.3, 2.0, 1.2, 15.0
    bearing, oil = np.array([ambient]), np.array([ambient])
    decays = dict(
        bearing_decay=thermal_decay(60.0, h1 + h2, 2300.0),
        oil_decay=thermal_decay(60.0, h2 + hc, 10_000.0),
    )
    for _ in range(6000):  # 100 h of one-minute ticks; the slow coupled mode is ~2 h
        bearing, oil = bearing_oil_update_c(
            bearing,
            oil,
            friction_kw=q,
            ambient_c=ambient,
            to_ambient_kw_k=h1,
            to_oil_kw_k=h2,
            cooler_kw_k=hc,
            **decays,
        )
    rise_b, rise_oil = bearing_steady_rise_k(q, h1, h2, hc)
    assert bearing[0] == pytest.approx(ambient + float(rise_b), abs=1e-6)
    assert oil[0] == pytest.approx(ambient + float(rise_oil), abs=1e-6)


def test_thermal_decay_is_exp_of_minus_dt_over_tau() -> None:
    assert float(thermal_decay(60.0, 2.0, 1200.0)) == pytest.approx(np.exp(-0.1))


def test_exact_update_is_stable_for_long_ticks() -> None:
    """A tick far longer than the time constants lands on the targets instead of overshooting."""
    bearing, oil = bearing_oil_update_c(
        80.0, 80.0, friction_kw=30.0, ambient_c=15.0, to_ambient_kw_k=0.3, to_oil_kw_k=2.0,
        cooler_kw_k=1.2, bearing_decay=thermal_decay(1e6, 2.3, 2300.0), oil_decay=0.0,
    )  # fmt: skip
    assert float(bearing) == pytest.approx(float(bearing_temp_target_c(30.0, 15.0, 80.0, 0.3, 2.0)))
    assert float(oil) == pytest.approx(float(oil_temp_target_c(bearing, 15.0, 2.0, 1.2)))
    assert 15.0 < float(oil) < float(bearing)


def test_trunnion_thresholds() -> None:
    assert (TRUNNION_ALARM_C, TRUNNION_TRIP_C) == (70.0, 75.0)  # §3.6 [V]


def test_vibration_zone_a_when_healthy_and_zone_d_when_failed() -> None:
    ab, bc, cd = ISO_10816_G1_RIGID_MM_S
    assert float(vibration_mm_s(1.6, 0.0, 8.0)) < ab
    assert float(vibration_mm_s(1.6, 0.3625, 8.0)) == pytest.approx(bc)  # zone C entered
    assert float(vibration_mm_s(1.6, 1.0, 8.0)) > cd


def test_friction_grows_linearly_with_damage() -> None:
    np.testing.assert_allclose(
        bearing_friction_factor(np.array([0.0, 0.5, 1.0]), 1.5), [1, 1.75, 2.5]
    )


def test_rating_life_ageing_is_iso_281_roller_law() -> None:
    """§5.2: L10h ∝ (C/P)^(10/3)/n, so ageing runs as (P/P_ref)^(10/3)·(n/n_ref)."""
    assert float(rating_life_ageing(1.0, 1.0)) == 1.0
    assert float(rating_life_ageing(2.0, 1.0)) == pytest.approx(2 ** (10 / 3))
    assert float(rating_life_ageing(1.0, 1.2)) == pytest.approx(1.2)
    assert float(rating_life_ageing(2.0, 1.0, 3.0)) == pytest.approx(8.0)  # ball bearing


def test_trunnion_load_ratio_counts_dead_weight() -> None:
    assert float(trunnion_load_ratio(0.30, 0.30, 0.65)) == pytest.approx(1.0)
    assert float(trunnion_load_ratio(0.0, 0.30, 0.65)) == pytest.approx(0.65)
    assert float(trunnion_load_ratio(0.36, 0.30, 0.65)) == pytest.approx(0.65 + 0.35 * 1.2)


def test_liner_wear_at_the_sarcheshmeh_rate() -> None:
    """§3.5: 152 → 58 mm in 4000 h at design throughput; half the throughput, half the wear."""
    assert float(liner_wear_mm(0.024, 1.0, 4000.0)) == pytest.approx(152.0 - 58.0, rel=0.03)
    assert float(liner_wear_mm(0.024, 0.5, 100.0)) == pytest.approx(1.2)
    np.testing.assert_allclose(liner_wear_pct(np.array([152.0, 76.0, 30.4]), 152.0), [0, 50, 80])


def test_worn_gears_lose_efficiency() -> None:
    np.testing.assert_allclose(gear_efficiency(np.array([0.0, 0.5, 1.0]), 0.02), [1, 0.99, 0.98])
