"""The BOILER kind: contract, fuel accounting, drum control, degradation hooks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from pydantic import ValidationError

from aurum.physics import boiler as bp
from aurum.physics.fuels import FUEL_NAMES, get_fuel
from aurum.twins.boiler.model import Boiler, BoilerParams
from aurum.twins.conformance import check_kind, run_batch
from aurum.twins.kind import State, Status, TickContext, TickOutput
from aurum.twins.params import ParamArrays, stack
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.site import DEFAULT_SITE, Ambient, Environment

DT = 60.0
STEADY = {"demand_noise_sd_frac": 0.0, "daily_amplitude_frac": 0.0}


class Run:
    """A batch of boilers stepped by hand, so tests can change parameters and state mid-run."""

    def __init__(self, models: list[BoilerParams], seed: int = 7) -> None:
        n = len(models)
        self.model = Boiler()
        self.params: ParamArrays = stack(models)
        self.env = Environment.single(n, DEFAULT_SITE)
        self.rng = Streams(seed, twin_keys([f"BOILER-{i}" for i in range(n)]))
        self.ambient = Ambient(self.env)
        self.state: State = self.model.initial(self.params, self.env, self.rng)
        self.tick = 0

    def steps(
        self,
        ticks: int,
        tweak: Callable[[State], None] | None = None,
        available: np.ndarray | None = None,
    ) -> list[TickOutput]:
        """Step some ticks; `available` (default: all) says which boilers may run."""
        on = np.ones(self.rng.n, dtype=bool) if available is None else available
        outs = []
        for _ in range(ticks):
            if tweak is not None:
                tweak(self.state)
            hours = self.tick * DT / 3600.0
            ctx = TickContext(self.tick, DT, hours, self.ambient.at(hours), on)
            outs.append(self.model.step(self.state, self.params, self.env, ctx, self.rng))
            self.tick += 1
        return outs


def series(outs: list[TickOutput], name: str) -> np.ndarray:
    """(ticks, n) of a sensor, an activity channel or 'production'."""
    if name == "production":
        return np.array([o.production for o in outs])
    source = "activity" if name in Boiler.activity_names() else "sensors"
    return np.array([getattr(o, source)[name] for o in outs])


def test_conformance():
    check_kind(Boiler)


def test_same_seed_same_run_other_seed_other_run():
    a, b = run_batch(Boiler, 4, 120), run_batch(Boiler, 4, 120)
    c = run_batch(Boiler, 4, 120, seed=99)
    fuel = [o.activity["natural_gas_gj"] for o in a.outputs]
    assert np.array_equal(fuel, [o.activity["natural_gas_gj"] for o in b.outputs])
    assert not np.array_equal(fuel, [o.activity["natural_gas_gj"] for o in c.outputs])


def test_runs_and_degradation_starts_healthy():
    run = Run([BoilerParams()])
    outs = run.steps(5)
    assert all(o.status[0] == Status.RUNNING for o in outs)
    for name in ("fouling_resistance_m2k_w", "o2_drift_pct", "tube_leak_kg_s"):
        assert run.state[name][0] == 0.0
    assert run.state["fan_bearing_damage_frac"][0] == 0.0


# --- a boiler that is down -------------------------------------------------------------------

OFF = np.array([False, True])  # boiler 0 is down, boiler 1 runs


def _downtime(hours: float = 6.0) -> tuple[Run, list[TickOutput], list[TickOutput]]:
    """Two identical boilers, one taken off for some hours after an hour of running."""
    run = Run([BoilerParams(**STEADY)] * 2)
    before = run.steps(60)
    return run, before, run.steps(round(hours * 60), available=OFF)


def test_a_boiler_that_is_down_burns_and_makes_nothing():
    _, _, down = _downtime()
    for o in down:
        assert o.production[0] == 0.0 and o.production[1] > 0.0
        assert all(used[0] == 0.0 for used in o.activity.values())
        assert o.status[0] == Status.STANDBY and o.status[1] == Status.RUNNING
    for name in ("steam_flow_tph", "fuel_input_mw", "makeup_water_tph", "fan_vibration_mm_s"):
        assert series(down, name)[:, 0].max() == 0.0


def test_its_stack_reads_ambient_air_and_cools_exactly():
    _, before, down = _downtime()
    assert series(down, "flue_o2_pct")[-1, 0] == pytest.approx(20.95)
    assert series(down, "flue_co2_pct")[-1, 0] == pytest.approx(0.042)
    air = series(down, "ambient_temp_c")[:, 0]
    stack = series(down, "stack_temp_c")[:, 0]
    hot = series(before, "stack_temp_c")[-1, 0]
    assert hot > 140 and abs(stack[-1] - air[-1]) < 2.0  # six time constants of 1 h, air moves
    expected = air[0] + (hot - air[0]) * np.exp(-DT / 3600.0)
    assert stack[0] == pytest.approx(expected)  # the exact first-order update
    assert np.all(np.diff(stack[:60]) < 0)


def test_its_drum_pressure_decays_towards_atmospheric():
    _, _, down = _downtime(hours=8.0)
    p = series(down, "drum_pressure_mpa")[:, 0]
    p_atm = 1e-6 * bp.barometric_pressure_pa(np.array([DEFAULT_SITE.altitude_m]))[0]
    assert np.all(np.diff(p) < 0)
    assert (p[-1] - p_atm) / (p[0] - p_atm) == pytest.approx(np.exp(-1 + DT / 28800), rel=1e-6)
    assert series(down, "drum_pressure_mpa")[-1, 1] == pytest.approx(1.1, abs=0.01)


def test_it_holds_its_degradation_and_fires_up_again():
    run, _, _ = _downtime()
    run.state["tube_leak_kg_s"][:] = 0.3
    run.steps(30, available=OFF)
    assert run.state["tube_leak_kg_s"][0] == 0.3  # held: the kind does not heal or grow it
    back = run.steps(60)
    assert series(back, "production")[-1, 0] > 0.0
    assert series(back, "drum_pressure_mpa")[-1, 0] == pytest.approx(1.1, abs=0.02)
    assert series(back, "stack_temp_c")[-1, 0] == pytest.approx(
        series(back, "stack_temp_c")[-1, 1], abs=0.5
    )


def test_steam_demand_stays_within_turndown_and_mcr():
    run = Run([BoilerParams(base_load_frac=b, demand_noise_sd_frac=0.3) for b in (0.1, 1.0)])
    steam = series(run.steps(600), "steam_flow_tph")
    assert steam.min() >= 50 / 4 - 1e-9
    assert steam.max() <= 50 + 1e-9
    assert steam[:, 0].std() > 1.0  # the demand does move


def test_steam_production_is_the_flow_over_the_tick():
    outs = Run([BoilerParams()]).steps(30)
    assert series(outs, "production") == pytest.approx(series(outs, "steam_flow_tph") / 60)


def test_energy_balance_at_steady_state():
    outs = Run([BoilerParams(base_load_frac=1.0, blowdown_frac=0.0, **STEADY)]).steps(120)
    q_fuel = series(outs, "fuel_input_mw")[-1, 0]
    eta = series(outs, "efficiency_pct")[-1, 0] / 100
    assert q_fuel * eta == pytest.approx(32.5, rel=0.01)  # IAPWS-IF97 energy balance at 50 t/h
    assert 0.82 <= eta <= 0.85  # clean boiler efficiency band of §4.7


@pytest.mark.parametrize(
    ("fuel", "channel", "per_unit_mj"),
    [
        ("natural_gas", "natural_gas_gj", 1000.0),
        ("diesel", "diesel_l", 0.84 * 43.0),
        ("coal", "coal_t", 1000 * 25.8),
    ],
)
def test_fuel_burned_matches_its_lhv(fuel, channel, per_unit_mj):
    outs = Run([BoilerParams(fuel=fuel)]).steps(60)
    f = get_fuel(fuel)
    lhv_energy_mj = series(outs, "fuel_input_mw").sum() * DT * f.lhv_mj_kg / f.hhv_mj_kg
    assert series(outs, channel).sum() * per_unit_mj == pytest.approx(lhv_energy_mj, rel=1e-9)
    others = {"natural_gas_gj", "diesel_l", "coal_t"} - {channel}
    assert all(series(outs, name).sum() == 0.0 for name in others)


def test_coal_boiler_burns_about_5_t_per_h_at_mcr():
    outs = Run([BoilerParams(fuel="coal", base_load_frac=1.0, **STEADY)]).steps(120)
    t_per_h = series(outs, "coal_t")[-60:].sum()
    assert 4.5 < t_per_h < 6.0  # ≈ 38 MW HHV / 26.9 MJ/kg


def test_fuel_sets_the_default_o2_set_point():
    assert BoilerParams().o2_setpoint_pct == 2.5
    assert BoilerParams(fuel="diesel").o2_setpoint_pct == 3.5
    assert BoilerParams(fuel="coal").o2_setpoint_pct == 5.0
    assert BoilerParams(fuel="coal", o2_setpoint_pct=4.0).o2_setpoint_pct == 4.0


def test_inconsistent_parameters_are_refused():
    with pytest.raises(ValidationError, match="stack_temp_mcr_c"):
        BoilerParams(stack_temp_mcr_c=110.0)
    with pytest.raises(ValidationError, match="feed_pump_dp_mpa"):
        BoilerParams(pressure_setpoint_mpa=2.0)
    with pytest.raises(ValidationError):
        BoilerParams(fuel="peat")


def test_drum_pressure_returns_after_a_demand_step_without_oscillating():
    run = Run([BoilerParams(base_load_frac=0.5, **STEADY)])
    before = series(run.steps(60), "drum_pressure_mpa")[:, 0]
    run.params = stack([BoilerParams(base_load_frac=0.9, **STEADY)])
    after = series(run.steps(120), "drum_pressure_mpa")[:, 0]
    assert before == pytest.approx(1.1, abs=1e-9)
    low = int(np.argmin(after))
    assert after.min() < 1.1 * 0.97
    assert np.all(after <= 1.1 + 1e-12)  # no overshoot
    assert np.all(np.diff(after[low:]) >= 0)  # one dip, then a monotone return
    assert after[-1] == pytest.approx(1.1, abs=0.002)


def _degraded(name: str, value: float) -> tuple[list[TickOutput], list[TickOutput]]:
    """The same boiler run clean and with one degradation state held at a value."""

    def set_value(state: State) -> None:
        state[name][:] = value

    models = [BoilerParams(base_load_frac=0.9, **STEADY)]
    return Run(models).steps(90), Run(models).steps(90, set_value)


def _fuel_per_t(outs: list[TickOutput]) -> float:
    return series(outs, "fuel_input_mw")[-30:].sum() / series(outs, "production")[-30:].sum()


def test_fouling_raises_stack_temperature_and_fuel_per_tonne():
    clean, fouled = _degraded("fouling_resistance_m2k_w", 0.004)
    rise = series(fouled, "stack_temp_c")[-1, 0] - series(clean, "stack_temp_c")[-1, 0]
    assert rise > 20
    loss = series(clean, "efficiency_pct")[-1, 0] - series(fouled, "efficiency_pct")[-1, 0]
    assert loss / rise * 22 == pytest.approx(0.9, abs=0.3)  # ≈ 1 point per 22 °C (§4.3)
    assert _fuel_per_t(fouled) > _fuel_per_t(clean) * 1.01


def test_o2_drift_lowers_efficiency():
    clean, drifted = _degraded("o2_drift_pct", 3.0)
    assert series(drifted, "flue_o2_pct")[-1, 0] == pytest.approx(
        series(clean, "flue_o2_pct")[-1, 0] + 3.0
    )
    assert series(drifted, "efficiency_pct")[-1, 0] < series(clean, "efficiency_pct")[-1, 0] - 0.5
    assert _fuel_per_t(drifted) > _fuel_per_t(clean)


def test_tube_leak_needs_make_up_water_and_fuel():
    clean, leaking = _degraded("tube_leak_kg_s", 0.5)
    extra = series(leaking, "makeup_water_tph")[-1, 0] - series(clean, "makeup_water_tph")[-1, 0]
    assert extra == pytest.approx(1.8)  # 0.5 kg/s
    assert _fuel_per_t(leaking) > _fuel_per_t(clean) * 1.02


def test_bearing_damage_drives_fan_vibration_into_zone_d():
    clean, damaged = _degraded("fan_bearing_damage_frac", 1.0)
    assert series(clean, "fan_vibration_mm_s")[-1, 0] < 1.4  # ISO 10816-3 zone A
    assert series(damaged, "fan_vibration_mm_s")[-1, 0] > 4.5  # beyond C/D


def test_auxiliary_electricity_is_tens_of_kw():
    outs = Run([BoilerParams(base_load_frac=1.0, **STEADY)]).steps(60)
    kw = series(outs, "electricity_kwh")[-1, 0] * 60
    assert 50 < kw < 150


def test_constants_are_recomputed_for_a_new_batch():
    model = Boiler()
    env = Environment.single(1)
    gas, coal = stack([BoilerParams()]), stack([BoilerParams(fuel="coal")])
    assert model.plant(gas, env) is model.plant(gas, env)
    assert model.plant(coal, env).t_per_j[0] > 0


def test_fuel_codes_follow_the_fuel_table():
    assert BoilerParams.categories("fuel") == FUEL_NAMES
