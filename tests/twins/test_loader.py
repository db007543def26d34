"""The LOADER kind: the contract, the standalone stream, the coupling state a site system reads
and writes, what wear does (teeth, pumps, swing drive) and its cost, against the cited figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pytest
from numpy.typing import NDArray

from aurum.physics import loader as phy
from aurum.twins import registry
from aurum.twins.clock import Timing
from aurum.twins.conformance import check_kind
from aurum.twins.events import Event
from aurum.twins.failures import FailureMode
from aurum.twins.jit import for_scalars
from aurum.twins.kind import OFFROAD, State, Status, TickContext, TickOutput
from aurum.twins.loader.model import Loader, LoaderParams
from aurum.twins.loader.modes import (
    CASE_DRAIN_ALARM,
    HYDRAULIC_PUMP,
    REFERENCE_TPH,
    SWING_DRIVE,
    TEETH,
    TOOTH_ALARM_PCT,
)
from aurum.twins.params import ParamArrays, stack
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.schedule import Action, ModeInjection
from aurum.twins.shard import Shard
from aurum.twins.site import DEFAULT_SITE, Ambient, Environment

DT = 60.0
COUPLING = ("coupled", "duty_s", "loaded_t", "fill_factor_frac", "swing_s")


class Run:
    """A batch of loaders stepped by hand, so tests can write the coupling state between ticks."""

    def __init__(self, n: int, params: LoaderParams | None = None, dt_s: float = DT) -> None:
        self.model, self.dt = Loader(), dt_s
        self.params: ParamArrays = stack([params or LoaderParams()] * n)
        self.env = Environment.single(n, DEFAULT_SITE)
        self.rng = Streams(7, twin_keys([f"LOADER-{i}" for i in range(n)]))
        self.ambient = Ambient(self.env)
        self.state: State = self.model.initial(self.params, self.env, self.rng)
        self.tick = 0

    def set(self, **values: float | list[float]) -> Run:
        for name, v in values.items():
            self.state[name][:] = v
        return self

    def steps(
        self,
        ticks: int,
        before: Callable[[State], None] | None = None,
        available: NDArray[np.bool_] | None = None,
    ) -> list[TickOutput]:
        on = np.ones(self.rng.n, dtype=bool) if available is None else available
        outs = []
        for _ in range(ticks):
            if before is not None:
                before(self.state)
            hours = self.tick * self.dt / 3600.0
            ctx = TickContext(self.tick, self.dt, hours, self.ambient.at(hours), on)
            outs.append(self.model.step(self.state, self.params, self.env, ctx, self.rng))
            self.tick += 1
        return outs


def total(outs: list[TickOutput], what: str) -> NDArray[np.float64]:
    """Σ over ticks of the production or an activity, per twin."""
    rows = [o.production if what == "production" else o.activity[what] for o in outs]
    return np.sum(rows, axis=0)


# --- the contract -----------------------------------------------------------------------------


def test_the_loader_is_registered_and_conforms() -> None:
    assert registry.get("loader") is Loader and Loader.label == "LOADER"
    assert registry.names()[-1] == "loader"
    check_kind(Loader)


def test_it_declares_the_coupling_state_diesel_offroad_and_tonnes_loaded() -> None:
    assert set(COUPLING) <= {v.name for v in Loader.state_vars}
    assert {"bucket_m3", "bank_density_t_m3", "swell_frac"} <= set(LoaderParams.model_fields)
    (diesel,) = Loader.activity
    assert (diesel.name, diesel.unit, diesel.category) == ("diesel_l", "L", OFFROAD)
    assert Loader.production.name == "ore_loaded_t"
    p = LoaderParams()
    assert (p.standalone_utilisation_frac, p.standalone_truck_payload_t) == (0.7, 227.0)
    assert LoaderParams.provenance()["standalone_utilisation_frac"]["tag"] == "A"


def test_initial_state_is_standalone_with_the_fill_and_swing_of_its_teeth_and_pumps() -> None:
    r = Run(4)
    s = r.state
    assert np.all(s["coupled"] == 0.0) and np.all(s["duty_s"] == 0.0)
    assert np.all(s["loaded_t"] == 0.0) and np.all(s["swing_s"] == 28.0)
    np.testing.assert_allclose(s["fill_factor_frac"], 0.85 * (1 - 0.12 * s["tooth_wear_frac"]))
    assert np.all((s["tooth_wear_frac"] >= 0.0) & (s["tooth_wear_frac"] <= 0.5))
    arrays = [id(s[k]) for k in ("coupled", "duty_s", "loaded_t")]
    assert len(set(arrays)) == 3  # a site system writes them in place: no shared arrays


def test_the_service_time_compiles_for_floats() -> None:
    """A site system's compiled kernel times a truck with the scalar build of the physics."""
    scalar = for_scalars(phy).service_load_s(227.0, 34.0, 0.85, 2.6, 0.3, 28.0)
    assert scalar == pytest.approx(float(phy.service_load_s(227.0, 34.0, 0.85, 2.6, 0.3, 28.0)))
    assert scalar == pytest.approx(227.0 / 57.8 * 28.0)


# --- standalone --------------------------------------------------------------------------------


def test_standalone_it_loads_its_share_of_each_tick_in_227_t_trucks() -> None:
    """New teeth: 0.7 of each minute at 57.8 t per 28 s pass = 5,202 t/h, the reference duty;
    a 793F every 110 s of loading (3.93 passes); fuel by the handbook rate while loading and
    the part-load rate while waiting, times the operator's factor."""
    r = Run(2).set(tooth_wear_frac=0.0, fuel_multiplier=1.0)
    (out,) = r.steps(1)
    truck_s = phy.service_load_s(227.0, 34.0, 0.85, 2.6, 0.3, 28.0)
    np.testing.assert_allclose(out.production, 0.7 * DT / truck_s * 227.0)
    np.testing.assert_allclose(out.production * 60.0, REFERENCE_TPH)
    assert pytest.approx(5_202.0, abs=1.0) == REFERENCE_TPH
    assert REFERENCE_TPH / 5_000.0 - 1.0 < 0.05  # MineLab's target for its CAT 6060
    np.testing.assert_allclose(out.sensors["utilisation_pct"], 70.0)
    np.testing.assert_allclose(out.sensors["pass_payload_t"], 57.8)
    loading_lph, idle_lph = (
        2_240.0 * 0.7 * 0.24,
        3600.0 * phy.fuel_per_s(220.0, 2_240, 0.24, 0.35, 0.6),
    )
    np.testing.assert_allclose(out.activity["diesel_l"], (0.7 * loading_lph + 0.3 * idle_lph) / 60)
    np.testing.assert_allclose(out.sensors["engine_load_pct"], (0.7 * 1568 + 0.3 * 220) / 22.4)
    assert np.all(out.status == Status.RUNNING)


def test_the_operator_factor_spreads_fuel_10_to_12_pct() -> None:
    r = Run(40).set(tooth_wear_frac=0.0)
    m = r.state["fuel_multiplier"]
    assert np.all(np.abs(m - 1.0) <= 0.055) and m.max() - m.min() > 0.08
    (out,) = r.steps(1)
    per = out.activity["diesel_l"] / m
    np.testing.assert_allclose(per, per[0])


# --- coupled: what the site system writes and reads -------------------------------------------


def test_coupled_it_does_what_the_site_system_writes_and_leaves_its_inputs_alone() -> None:
    r = Run(3).set(coupled=1.0, tooth_wear_frac=0.0, fuel_multiplier=1.0)
    inputs = {k: r.state[k] for k in ("coupled", "duty_s", "loaded_t")}
    duty, loaded = [60.0, 15.0, 0.0], [227.0, 0.0, 0.0]
    r.set(duty_s=duty, loaded_t=loaded)
    (out,) = r.steps(1)
    for k, a in inputs.items():
        assert r.state[k] is a  # the same arrays: written in place by the system, not by step
    np.testing.assert_array_equal(r.state["duty_s"], duty)
    np.testing.assert_array_equal(r.state["loaded_t"], loaded)
    np.testing.assert_array_equal(out.production, loaded)
    np.testing.assert_allclose(out.sensors["utilisation_pct"], [100.0, 25.0, 0.0])
    f_l = phy.fuel_per_s(1568.0, 2_240.0, 0.24, 0.35, 0.6)
    f_i = phy.fuel_per_s(220.0, 2_240.0, 0.24, 0.35, 0.6)
    np.testing.assert_allclose(out.activity["diesel_l"], [60 * f_l, 15 * f_l + 45 * f_i, 60 * f_i])
    assert list(out.status) == [Status.RUNNING, Status.RUNNING, Status.STANDBY]
    # its teeth wear with the tonnes it was told it loaded, not with a stream of its own
    assert r.state["tooth_wear_frac"][0] == pytest.approx(227.0 / 255_000.0)
    assert r.state["tooth_wear_frac"][1] == 0.0


def test_a_busy_share_beyond_the_tick_or_negative_tonnes_are_clipped() -> None:
    r = Run(2).set(coupled=1.0, duty_s=[90.0, -5.0], loaded_t=[-1.0, 50.0])
    (out,) = r.steps(1)
    np.testing.assert_allclose(out.sensors["utilisation_pct"], [100.0, 0.0])
    np.testing.assert_array_equal(out.production, [0.0, 50.0])


def test_the_site_reads_a_fill_falling_with_tooth_wear_and_a_swing_growing_with_pumps() -> None:
    """Worn teeth (12 % fill lost at the limit): 3.93 → 4.46 passes a 793F; pumps at wear 1
    (case drain 3 ×, η_v 94 → 82 %): a 28 s pass takes 32.1 s."""
    r = Run(3).set(tooth_wear_frac=[0.0, 1.0, 0.0], pump_wear_frac=[0.0, 0.0, 1.0])
    r.steps(1)
    s = r.state
    np.testing.assert_allclose(s["fill_factor_frac"], [0.85, 0.85 * 0.88, 0.85])
    np.testing.assert_allclose(s["swing_s"], [28.0, 28.0, 28.0 * 0.94 / 0.82])
    p = r.params
    load_s = phy.service_load_s(
        227.0, p["bucket_m3"], s["fill_factor_frac"], p["bank_density_t_m3"], p["swell_frac"],
        s["swing_s"],
    )  # fmt: skip
    np.testing.assert_allclose(load_s / 28.0, [3.927, 4.463, 4.502], atol=1e-3)


def test_a_loader_not_available_does_nothing_and_its_oil_cools() -> None:
    r = Run(2).set(coupled=[0.0, 1.0], duty_s=60.0, loaded_t=227.0)
    wear = r.state["tooth_wear_frac"].copy()
    oil = r.state["hydraulic_oil_temp_c"].copy()
    outs = r.steps(120, available=np.zeros(2, dtype=bool))
    assert total(outs, "production").sum() == 0.0 and total(outs, "diesel_l").sum() == 0.0
    for name in ("engine_load_pct", "fuel_rate_lph", "case_drain_lph", "swing_vibration_mm_s"):
        assert np.all(outs[-1].sensors[name] == 0.0), name
    assert np.all(outs[-1].status == Status.STANDBY)
    np.testing.assert_array_equal(r.state["tooth_wear_frac"], wear)
    ambient = outs[-1].sensors["ambient_temp_c"]
    assert np.all(r.state["hydraulic_oil_temp_c"] < oil)
    assert np.all(r.state["hydraulic_oil_temp_c"] - ambient < 0.5 * (oil - ambient))


# --- wear and what it costs --------------------------------------------------------------------


def test_worn_pumps_load_fewer_tonnes_for_the_same_fuel_and_heat_the_oil() -> None:
    """Standalone, busy the same share: 1/1.146 of the tonnes, the same fuel, so 14.6 % more
    fuel per tonne; the case drain reads 3 × new (alarm at 1.5 ×); the leakage heats the oil."""
    r = Run(2).set(tooth_wear_frac=0.0, fuel_multiplier=1.0, pump_wear_frac=[0.0, 1.0])
    outs = r.steps(240)
    tonnes, fuel = total(outs, "production"), total(outs, "diesel_l")
    assert tonnes[1] / tonnes[0] == pytest.approx(0.82 / 0.94, rel=0.01)
    assert fuel[1] == pytest.approx(fuel[0], rel=1e-9)
    drain = outs[-1].sensors["case_drain_lph"]
    np.testing.assert_allclose(drain, [13_320.0, 39_960.0])
    assert pytest.approx(19_980.0) == CASE_DRAIN_ALARM
    assert drain[0] < CASE_DRAIN_ALARM < drain[1]
    oil = outs[-1].sensors["hydraulic_oil_temp_c"]
    assert oil[1] - oil[0] > 10.0


def test_a_damaged_swing_drive_vibrates_past_zone_c_and_burns_its_friction() -> None:
    r = Run(2).set(tooth_wear_frac=0.0, fuel_multiplier=1.0, swing_damage_frac=[0.0, 1.0])
    (out,) = r.steps(1)
    np.testing.assert_allclose(out.sensors["swing_vibration_mm_s"], [1.2, 5.7])
    assert SWING_DRIVE.alarm == 2.8
    extra_kw = (out.activity["diesel_l"][1] - out.activity["diesel_l"][0]) / (0.7 * DT)
    assert extra_kw * 3600.0 / 0.24 == pytest.approx(150.0, rel=1e-6)  # friction at the SFC
    np.testing.assert_array_equal(out.production[0], out.production[1])


def test_teeth_reach_their_change_out_limit_after_255_000_t() -> None:
    """Morenci: teeth changed every 255,000 t, better at 200,000 t (the alarm, 78 % [D])."""
    r = Run(2, dt_s=3600.0).set(tooth_wear_frac=0.0)
    outs = r.steps(60)
    dug = np.cumsum([o.production for o in outs], axis=0)
    wear = np.array([o.sensors["tooth_wear_pct"] for o in outs]) / 100.0
    np.testing.assert_allclose(wear, dug / 255_000.0, rtol=1e-12)
    assert pytest.approx(78.43, abs=0.01) == TOOTH_ALARM_PCT
    crossed = np.argmax(wear[:, 0] * 100.0 >= TOOTH_ALARM_PCT)
    assert dug[crossed, 0] >= 200_000.0 > dug[crossed - 1, 0]
    assert wear[-1, 0] > 1.0  # no maintenance here: worn past the limit
    assert TEETH.life_h == pytest.approx(255_000.0 / REFERENCE_TPH)


def test_wear_costs_diesel_a_healthy_shovel_loading_the_same_tonnes_would_not_burn() -> None:
    """Twin 0 worn, twin 1 healthy, both told to load the same tonnes; the healthy one needs
    b·r_f·r_s of twin 0's busy time. Diesel burned by 0 − by 1 = Σ of 0's excess parts."""
    r = Run(2).set(coupled=1.0, fuel_multiplier=1.0, pump_wear_frac=[0.5, 0.0])
    r.set(tooth_wear_frac=[0.6, 0.0], swing_damage_frac=[0.7, 0.0])
    busy = np.random.default_rng(5).uniform(0.0, DT, 90)
    ticks = iter(range(90))
    p = r.params

    def counterfactual(s: State) -> None:
        s["tooth_wear_frac"][1] = 0.0  # the healthy twin's teeth stay new
        fill = phy.worn_fill_frac(p["bucket_fill_frac"], s["tooth_wear_frac"], 0.12)
        leak = phy.pump_leakage_frac(0.06, 3.0, s["pump_wear_frac"])
        swing = phy.swing_cycle_s(p["swing_s"], 0.06, leak)
        b = busy[next(ticks)]
        s["duty_s"][:] = [b, b * (fill[0] / 0.85) * (28.0 / swing[0])]
        s["loaded_t"][:] = b / swing[0] * float(phy.pass_payload_t(34.0, fill[0], 2.6, 0.3))

    outs = r.steps(90, counterfactual)
    fuel = np.array([o.activity["diesel_l"] for o in outs])
    parts = {m.name: np.array([o.extra.get(f"excess/diesel_l/{m.name}", np.zeros(2))
                               for o in outs]) for m in Loader.failure_modes}  # fmt: skip
    excess = sum(parts.values())
    np.testing.assert_allclose(excess[:, 0], fuel[:, 0] - fuel[:, 1], rtol=1e-9, atol=1e-12)
    assert np.all(excess[:, 1] == 0.0)
    assert all(part[:, 0].sum() > 0.0 for part in parts.values())
    np.testing.assert_array_equal(total(outs, "production")[0], total(outs, "production")[1])


# --- failure modes in a shard ------------------------------------------------------------------


def shard(
    modes: tuple[FailureMode, ...], n: int, hours: int, actions: tuple[Action, ...] = ()
) -> Shard:
    """n loaders with only `modes`, hourly ticks, no maintenance."""

    class Some(Loader):
        failure_modes = modes

    ids = [f"LOADER-{i}" for i in range(n)]
    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), 3600.0, hours, 24, 1_000)
    arrays = stack([LoaderParams()] * n)
    return Shard(Some(), ids, np.arange(n), arrays, Environment.single(n), timing, 1, actions)


def run(sh: Shard) -> dict[str, NDArray[np.generic]]:
    logs = []
    while not sh.done:
        logs.append(sh.run_epoch().events)
    return {k: np.concatenate([e[k] for e in logs]) for k in logs[0]}


def test_teeth_fail_when_the_tonnes_dug_reach_their_life() -> None:
    """The failure layer takes the teeth down at the limit. They dig at the reference rate
    times their fill (1 − 0.12·w): dw/dt = (1 − 0.12·w)/life_h, so the limit comes
    life_h/0.12·ln((1 − 0.12·w₀)/0.88) hours on, each tick ending one hour later."""
    sh = shard((TEETH,), 4, 60)
    w0 = sh.state["tooth_wear_frac"].copy()
    events = run(sh)
    fail = events["event"] == Event.FAILURE
    assert sorted(events["twin"][fail]) == [0, 1, 2, 3]
    expected_h = TEETH.life_h / 0.12 * np.log((1.0 - 0.12 * w0) / 0.88)
    for twin, tick in zip(events["twin"][fail], events["tick"][fail], strict=True):
        assert tick + 1 == pytest.approx(expected_h[twin], abs=1.0)
    assert np.all(sh.machine == Status.DOWN)


def test_an_injected_pump_and_swing_drive_cross_their_alarms_then_fail() -> None:
    injections = tuple(
        ModeInjection(tick=2, twins=(0,), mode=m.name, severity=1.0, ramp_h=20.0)
        for m in (HYDRAULIC_PUMP, SWING_DRIVE)
    )
    events = run(shard((HYDRAULIC_PUMP, SWING_DRIVE), 2, 48, injections))
    crossed = events["event"] == Event.THRESHOLD_CROSSED
    assert set(events["label"][crossed]) == {0, 1} and set(events["twin"][crossed]) == {0}
    fail = events["event"] == Event.FAILURE
    assert list(events["twin"][fail]) == [0]
