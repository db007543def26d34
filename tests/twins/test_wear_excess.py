"""The cost of wear: `excess/<activity>/<mode>` of every kind against independent counterfactuals.

Each degraded twin is compared with the same twin (same id, so the same random draws) with its
health variable reset: a healthy counterfactual making the same output. Where the wear leaves
the output unchanged tick by tick (injectors, bearings, gearbox, fouling, drift, fan bearing),
the excess must equal actual − healthy to rounding; where it changes the output (a worn liner,
a derated truck, a tube leak), the comparison is per tonne or per haul cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pytest

from aurum.twins.boiler.model import Boiler, BoilerParams
from aurum.twins.clock import Timing
from aurum.twins.conformance import check_kind
from aurum.twins.kind import Kind, State, TickContext, TickOutput
from aurum.twins.mill.model import Mill, MillParams
from aurum.twins.params import KindParams, stack
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.shard import Shard
from aurum.twins.site import Ambient, Environment, SiteConditions
from aurum.twins.truck.model import Truck, TruckParams
from tests.twins.test_truck import HOT_SITE

Tweak = Callable[[State], None]


@dataclass
class Run:
    outputs: list[TickOutput]
    hours: float

    def activity(self, name: str) -> np.ndarray:
        """(ticks, n) resource used."""
        return np.array([o.activity[name] for o in self.outputs])

    def production(self) -> np.ndarray:
        return np.array([o.production for o in self.outputs])

    def excess(self, channel: str, mode: str) -> np.ndarray:
        """(ticks, n) excess of a mode; a tick without the entry is 0 for every twin."""
        key = f"excess/{channel}/{mode}"
        n = len(self.outputs[0].production)
        return np.array([o.extra.get(key, np.zeros(n)) for o in self.outputs])

    def excess_keys(self) -> set[str]:
        return {k for o in self.outputs for k in o.extra if k.startswith("excess/")}

    def total_excess(self, channel: str) -> np.ndarray:
        """(ticks, n) Σ over modes of a channel's excess."""
        n = len(self.outputs[0].production)
        out = np.zeros((len(self.outputs), n))
        for t, o in enumerate(self.outputs):
            for k, v in o.extra.items():
                if k.startswith(f"excess/{channel}/"):
                    out[t] += v
        return out


def simulate(
    kind: type[Kind],
    tweaks: list[Tweak],
    ticks: int,
    params: KindParams | None = None,
    site: SiteConditions | None = None,
    dt_s: float = 60.0,
    off: tuple[int, int, list[int]] | None = None,
) -> Run:
    """Twins of one id (the same random draws), twin j's health set by tweaks[j]; `off` =
    (start, end, twins) unavailable over ticks [start, end)."""
    n = len(tweaks)
    ids = ["X"] * n
    env = Environment.single(n, site) if site else Environment.single(n)
    p = stack([params or kind.Params()] * n)
    model, rng, ambient = kind(), Streams(7, twin_keys(ids)), Ambient(env)
    state = model.initial(p, env, rng)
    for j, tweak in enumerate(tweaks):
        one = {k: v[j : j + 1] for k, v in state.items()}  # views: the tweak edits twin j
        tweak(one)
    outputs = []
    for tick in range(ticks):
        hours = tick * dt_s / 3600.0
        on = np.ones(n, dtype=bool)
        if off is not None and off[0] <= tick < off[1]:
            on[off[2]] = False
        ctx = TickContext(tick, dt_s, hours, ambient.at(hours), on)
        outputs.append(model.step(state, p, env, ctx, rng))
    return Run(outputs, ticks * dt_s / 3600.0)


def setting(**values: float) -> Tweak:
    def tweak(state: State) -> None:
        for name, value in values.items():
            state[name][:] = value

    return tweak


HEALTHY: Tweak = setting()


def assert_parts_bounded(run: Run, channel: str) -> None:
    """Every part ≥ 0 and their sum ≤ the resource used, tick by tick."""
    for key in run.excess_keys():
        if key.startswith(f"excess/{channel}/"):
            assert np.all(run.excess(channel, key.split("/")[2]) >= 0.0), key
    assert np.all(run.total_excess(channel) <= run.activity(channel) * (1 + 1e-12))


@pytest.mark.parametrize("kind", [Truck, Mill, Boiler])
def test_the_kinds_still_pass_the_conformance_check(kind: type[Kind]) -> None:
    check_kind(kind)


# --- healthy and unavailable twins ------------------------------------------------------------


def test_healthy_twins_report_no_excess() -> None:
    assert not simulate(Truck, [HEALTHY] * 2, 120).excess_keys()
    assert not simulate(Truck, [HEALTHY], 240, site=HOT_SITE).excess_keys()  # hot, not derated
    assert not simulate(Mill, [HEALTHY] * 2, 120).excess_keys()  # liners above the knee
    assert not simulate(Boiler, [HEALTHY] * 2, 120).excess_keys()


def test_a_healthy_twin_beside_worn_ones_reports_exactly_zero() -> None:
    cases: list[tuple[type[Kind], Tweak]] = [
        (Truck, setting(injector_wear_frac=0.5, bearing_damage_frac=0.5)),
        (Mill, setting(liner_height_mm=40.0, bearing_damage_frac=0.5, gearbox_damage_frac=0.5)),
        (Boiler, setting(fouling_resistance_m2k_w=0.004, o2_drift_pct=1.5, tube_leak_kg_s=0.5)),
    ]
    for kind, worn in cases:
        run = simulate(kind, [worn, HEALTHY], 90)
        assert run.excess_keys(), kind.name
        for key in run.excess_keys():
            channel, mode = key.split("/")[1:]
            assert np.all(run.excess(channel, mode)[:, 1] == 0.0), key
            assert run.excess(channel, mode)[:, 0].sum() > 0.0, key


def test_unavailable_twins_report_zero() -> None:
    worn: dict[type[Kind], Tweak] = {
        Truck: setting(injector_wear_frac=0.8, bearing_damage_frac=0.8),
        Mill: setting(bearing_damage_frac=0.8, gearbox_damage_frac=0.8, liner_height_mm=40.0),
        Boiler: setting(
            fouling_resistance_m2k_w=0.005,
            o2_drift_pct=2.0,
            tube_leak_kg_s=0.8,
            fan_bearing_damage_frac=0.8,
        ),
    }
    for kind, tweak in worn.items():
        run = simulate(kind, [tweak, tweak], 60, off=(20, 40, [0]))
        for key in run.excess_keys():
            channel, mode = key.split("/")[1:]
            part = run.excess(channel, mode)
            assert np.all(part[20:40, 0] == 0.0), key  # down: nothing used, nothing wasted
            assert part[20:40, 1].sum() > 0.0 and part[40:, 0].sum() > 0.0, key


# --- TRUCK: diesel_l --------------------------------------------------------------------------


def same_operator(**values: float) -> Tweak:
    """Fuel multiplier 1 (identical operators), and the health values given."""
    return setting(fuel_multiplier=1.0, **values)


def test_worn_injectors_cost_fuel_times_one_minus_one_over_the_sfc_factor() -> None:
    run = simulate(Truck, [same_operator(injector_wear_frac=0.6), same_operator()], 240)
    fuel = run.activity("diesel_l")
    excess = run.excess("diesel_l", "injectors")
    # injectors do not change the haul: the healthy twin makes the same progress every tick
    np.testing.assert_array_equal(run.production()[:, 0], run.production()[:, 1])
    np.testing.assert_allclose(excess[:, 0], fuel[:, 0] - fuel[:, 1], rtol=1e-9, atol=1e-12)
    sfc_factor = 1.0 + TruckParams().injector_sfc_gain * 0.6
    np.testing.assert_allclose(excess[:, 0], fuel[:, 0] * (1 - 1 / sfc_factor), rtol=1e-12)
    assert excess[:, 0].sum() > 0.0
    assert_parts_bounded(run, "diesel_l")


def test_a_damaged_driveline_bearing_costs_its_friction_fuel() -> None:
    run = simulate(Truck, [same_operator(bearing_damage_frac=0.8), same_operator()], 240)
    fuel = run.activity("diesel_l")
    excess = run.excess("diesel_l", "driveline_bearing")
    np.testing.assert_array_equal(run.production()[:, 0], run.production()[:, 1])
    np.testing.assert_allclose(excess[:, 0], fuel[:, 0] - fuel[:, 1], rtol=1e-9, atol=1e-12)
    # order of magnitude: friction 0.001·0.8 of the weight against ≈ 3 % rolling resistance
    share = excess[:, 0].sum() / fuel[:, 1].sum()
    assert 0.005 < share < 0.05
    assert_parts_bounded(run, "diesel_l")


ZERO_QUEUES = TruckParams(queue_load_mean_min=0.0, queue_dump_mean_min=0.0)


def per_cycle(run: Run, twin: int, cycles: int, dt_s: float) -> tuple[float, float, float]:
    """Fuel, Σ excess and hours per haul cycle over whole cycles (dump to dump): the same
    progress for a derated and an underated truck however long each takes."""
    dumps = np.flatnonzero(run.production()[:, twin] > 0.0)
    assert len(dumps) > cycles, f"twin {twin}: only {len(dumps)} dumps"
    window = slice(dumps[0] + 1, dumps[cycles] + 1)
    fuel = run.activity("diesel_l")[window, twin].sum() / cycles
    excess = run.total_excess("diesel_l")[window, twin].sum() / cycles
    return fuel, excess, (dumps[cycles] - dumps[0]) * dt_s / 3600.0 / cycles


def test_a_fouled_radiator_costs_fuel_per_cycle_only_below_the_sfc_knee() -> None:
    """A hot site (35 °C, 10 % ramp at 2,500 m); no queues, so two trucks at the same point of
    the cycle have made the same progress whatever the time they took. 10-s ticks keep the
    boundary error (part of a tick after the dump) small."""
    dt, cycles = 10.0, 8
    tweaks = [same_operator(cooling_capacity_frac=c) for c in (1.0, 0.25, 0.15)]
    run = simulate(Truck, tweaks, int(11 * 3600 / dt), ZERO_QUEUES, HOT_SITE, dt_s=dt)
    clean, mild, hot = (per_cycle(run, j, cycles, dt) for j in range(3))
    assert clean[1] == 0.0
    # 0.25: derated 25–55 % on the ramp, the cut output stays above the SFC knee: a slower
    # cycle (more hours per tonne) for no extra fuel per tonne
    assert mild[2] > 1.3 * clean[2]
    assert mild[1] == 0.0 and mild[0] == pytest.approx(clean[0], rel=2e-3)
    # 0.15: deep derate below the knee: extra fuel per cycle ≈ the excess, within the drag a
    # slower truck saves (not counted) and the tick-boundary error; with the speed changes
    # between legs booked, the legs where a truck accelerates get capped too, and their drag
    # saving is most of the 10 %
    assert hot[2] > 2.0 * clean[2]
    assert hot[1] > 0.02 * clean[0]
    assert hot[1] == pytest.approx(hot[0] - clean[0], rel=0.1)
    assert np.all(run.excess("diesel_l", "cooling")[:, 0] == 0.0)
    assert_parts_bounded(run, "diesel_l")


def test_truck_parts_add_up_to_actual_minus_healthy() -> None:
    """Injectors and bearing keep the haul: tick by tick the parts add up to actual − healthy.
    With a deep derate too, per haul cycle (a derated truck is slower)."""
    worn = same_operator(injector_wear_frac=0.7, bearing_damage_frac=0.6)
    run = simulate(Truck, [worn, same_operator()], 240)
    fuel = run.activity("diesel_l")
    parts = {m: run.excess("diesel_l", m)[:, 0] for m in ("injectors", "driveline_bearing")}
    assert {k.split("/")[2] for k in run.excess_keys()} == set(parts)
    np.testing.assert_allclose(sum(parts.values()), fuel[:, 0] - fuel[:, 1], rtol=1e-9)
    # each loss charged where it acts: the worn injectors (k − 1)/k of all the fuel burned (the
    # friction's fuel included: the interaction), the bearing its friction fuel, as alone
    friction = simulate(Truck, [same_operator(bearing_damage_frac=0.6), same_operator()], 240)
    alone = friction.activity("diesel_l")
    k = 1.0 + TruckParams().injector_sfc_gain * 0.7
    np.testing.assert_allclose(parts["injectors"], fuel[:, 0] * (1 - 1 / k), rtol=1e-9)
    np.testing.assert_allclose(parts["driveline_bearing"], alone[:, 0] - alone[:, 1], rtol=1e-9)
    assert_parts_bounded(run, "diesel_l")

    dt, cycles = 10.0, 8
    worn = same_operator(
        injector_wear_frac=0.7, bearing_damage_frac=0.6, cooling_capacity_frac=0.15
    )
    run = simulate(
        Truck, [worn, same_operator()], int(11 * 3600 / dt), ZERO_QUEUES, HOT_SITE, dt_s=dt
    )
    joint, clean = per_cycle(run, 0, cycles, dt), per_cycle(run, 1, cycles, dt)
    assert {k.split("/")[2] for k in run.excess_keys()} == {*parts, "cooling"}
    assert joint[1] == pytest.approx(joint[0] - clean[0], rel=0.03)
    assert_parts_bounded(run, "diesel_l")


# --- MILL: electricity_kwh --------------------------------------------------------------------

STEADY = MillParams(work_index_sd_frac=0.0, filling_sd_frac=0.0)  # at the design point


def motor_kwh(run: Run, p: MillParams = STEADY) -> np.ndarray:
    """Electricity less the auxiliaries, which run alike whatever the wear."""
    return run.activity("electricity_kwh") - p.auxiliary_kw * run.hours / len(run.outputs)


def test_a_worn_liner_costs_kwh_per_tonne_times_one_minus_one_over_the_penalty() -> None:
    run = simulate(
        Mill, [setting(liner_height_mm=40.0), setting(liner_height_mm=152.0)], 120, STEADY
    )
    kwh, tonnes = motor_kwh(run), run.production()
    excess = run.excess("electricity_kwh", "liner")[:, 0]
    assert tonnes[:, 0].sum() < 0.97 * tonnes[:, 1].sum()  # it mills less, at more kWh/t
    # the healthy mill's kWh per tonne, times the worn mill's tonnes
    healthy = kwh[:, 1] / tonnes[:, 1] * tonnes[:, 0]
    np.testing.assert_allclose(excess, kwh[:, 0] - healthy, rtol=1e-9)
    p = STEADY
    x = 1 - 40.0 / (p.liner_knee_frac * p.lifter_height_new_mm)
    penalty = 1 + p.liner_energy_penalty_frac * x  # before this run's ≈ 0.05 mm of wear
    assert excess[0] == pytest.approx(kwh[0, 0] * (1 - 1 / penalty), rel=1e-3)
    assert_parts_bounded(run, "electricity_kwh")


@pytest.mark.parametrize(
    ("mode", "health"),
    [("trunnion_bearing", "bearing_damage_frac"), ("gearbox", "gearbox_damage_frac")],
)
def test_bearing_friction_and_gear_mesh_losses_cost_electricity(mode: str, health: str) -> None:
    # a motor rated above the design draw: the worn mill mills what the healthy one does (at
    # Cadia's 20 MW rating a bearing's friction comes out of the charge: test_mill_modes)
    roomy = MillParams(motor_rating_kw=40_000.0)
    run = simulate(Mill, [setting(**{health: 0.7}), HEALTHY], 120, roomy)
    np.testing.assert_array_equal(run.production()[:, 0], run.production()[:, 1])
    kwh = run.activity("electricity_kwh")
    excess = run.excess("electricity_kwh", mode)[:, 0]
    np.testing.assert_allclose(excess, kwh[:, 0] - kwh[:, 1], rtol=1e-9)
    assert run.excess_keys() == {f"excess/electricity_kwh/{mode}"}
    assert excess.sum() > 0.0


def test_mill_parts_add_up_to_actual_minus_healthy_for_the_same_tonnes() -> None:
    worn = setting(liner_height_mm=40.0, bearing_damage_frac=0.6, gearbox_damage_frac=0.8)
    run = simulate(Mill, [worn, setting(liner_height_mm=152.0)], 120, STEADY)
    kwh, tonnes = motor_kwh(run), run.production()
    healthy = kwh[:, 1] / tonnes[:, 1] * tonnes[:, 0]
    total = run.total_excess("electricity_kwh")[:, 0]
    np.testing.assert_allclose(total, kwh[:, 0] - healthy, rtol=1e-9)
    parts = {
        m: run.excess("electricity_kwh", m)[:, 0] for m in ("trunnion_bearing", "liner", "gearbox")
    }
    # each loss charged where it acts: the worn mesh loses 1 − e of all the motor draws (the
    # others' extra power included: the interaction); bearing and liner cost what they cost
    # alone through a healthy drive
    e = 1.0 - STEADY.gearbox_loss_damage_frac * 0.8
    np.testing.assert_allclose(parts["gearbox"], kwh[:, 0] * (1 - e), rtol=1e-9)
    for mode, tweak in (
        ("trunnion_bearing", setting(liner_height_mm=152.0, bearing_damage_frac=0.6)),
        ("liner", setting(liner_height_mm=40.0)),
    ):
        alone = simulate(Mill, [tweak], 120, STEADY).excess("electricity_kwh", mode)[:, 0]
        np.testing.assert_allclose(parts[mode], alone, rtol=1e-9)
    assert_parts_bounded(run, "electricity_kwh")


def test_the_shard_sums_the_excess_of_an_epoch() -> None:
    """Through the engine's path: a Shard epoch gathers the ticks' excess per channel and mode."""

    class Steady(Mill):
        failure_modes = ()  # no failure layer: the health set here holds

    timing = Timing(datetime(2026, 1, 5, tzinfo=UTC), 60.0, 120, 60, 1_000)
    sh = Shard(
        Steady(),
        ["M-0", "M-1"],
        np.arange(2),
        stack([STEADY] * 2),
        Environment.single(2),
        timing,
        1,
    )
    sh.state["gearbox_damage_frac"][:] = [0.5, 0.0]
    r = sh.run_epoch()
    assert set(r.excess) == {"electricity_kwh/gearbox"}
    used = r.excess["electricity_kwh/gearbox"]
    assert used[1] == 0.0 and 0.0 < used[0] < 0.02 * r.activity["electricity_kwh"][0]


# --- BOILER: fuel by its kind, electricity_kwh -------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "health", "value"),
    [
        ("fouling", "fouling_resistance_m2k_w", 0.004),
        ("combustion_drift", "o2_drift_pct", 2.0),
        ("fan_bearing", "fan_bearing_damage_frac", 0.8),
    ],
)
def test_boiler_modes_that_keep_the_steam_cost_actual_minus_healthy(
    mode: str, health: str, value: float
) -> None:
    run = simulate(Boiler, [setting(**{health: value}), HEALTHY], 240)
    np.testing.assert_array_equal(run.production()[:, 0], run.production()[:, 1])
    for channel in ("natural_gas_gj", "electricity_kwh"):
        used = run.activity(channel)
        excess = run.excess(channel, mode)[:, 0]
        np.testing.assert_allclose(excess, used[:, 0] - used[:, 1], rtol=1e-9, atol=1e-12)
    keys = run.excess_keys()
    if mode == "fan_bearing":
        assert keys == {"excess/electricity_kwh/fan_bearing"}  # friction costs no fuel
    else:
        assert keys == {f"excess/natural_gas_gj/{mode}", f"excess/electricity_kwh/{mode}"}
        gas = run.activity("natural_gas_gj")
        # fuel × (1 − η/η_healthy), η from the efficiency soft sensor of both twins
        eta = np.array([o.sensors["efficiency_pct"] for o in run.outputs])
        expected = gas[:, 0] * (1 - eta[:, 0] / eta[:, 1])
        np.testing.assert_allclose(run.excess("natural_gas_gj", mode)[:, 0], expected, rtol=1e-9)
    assert_parts_bounded(run, "natural_gas_gj")
    assert_parts_bounded(run, "electricity_kwh")


WARM = slice(10, None)  # a leak set at full size at tick 0 raises the firing over ≈ 90 s (lag)


def test_a_tube_leak_costs_the_lost_waters_heat_and_its_pumping() -> None:
    """The leak raises the firing through the combustion control's lag, so compare sums over
    hours of the same steam, once the firing has caught up with a leak set at tick 0 (a real
    leak grows over hundreds of hours)."""
    run = simulate(Boiler, [setting(tube_leak_kg_s=0.6), HEALTHY], 6 * 60)
    np.testing.assert_array_equal(run.production()[:, 0], run.production()[:, 1])
    for channel in ("natural_gas_gj", "electricity_kwh"):
        used = run.activity(channel)[WARM].sum(axis=0)
        excess = run.excess(channel, "tube_leak")[WARM, 0].sum()
        assert excess == pytest.approx(used[0] - used[1], rel=1e-3), channel
    # the lost water's heat, 0.6 kg/s × (h_steam − h_feed), is ≈ 1.4 MW of the ≈ 25 MW absorbed
    gas = run.activity("natural_gas_gj").sum(axis=0)
    assert 0.03 < (gas[0] - gas[1]) / gas[1] < 0.09


@pytest.mark.parametrize(("fuel", "channel"), [("diesel", "diesel_l"), ("coal", "coal_t")])
def test_boiler_excess_is_in_the_fuel_it_fires(fuel: str, channel: str) -> None:
    run = simulate(
        Boiler, [setting(fouling_resistance_m2k_w=0.004), HEALTHY], 120, BoilerParams(fuel=fuel)
    )
    used = run.activity(channel)
    excess = run.excess(channel, "fouling")[:, 0]
    np.testing.assert_allclose(excess, used[:, 0] - used[:, 1], rtol=1e-9)
    assert not any(k.startswith("excess/natural_gas_gj") for k in run.excess_keys())


def test_boiler_parts_add_up_to_actual_minus_healthy() -> None:
    worn = setting(
        fouling_resistance_m2k_w=0.004, o2_drift_pct=1.5, tube_leak_kg_s=0.5,
        fan_bearing_damage_frac=0.6,
    )  # fmt: skip
    run = simulate(Boiler, [worn, HEALTHY], 6 * 60)
    for channel, modes in (
        ("natural_gas_gj", ("fouling", "combustion_drift", "tube_leak")),
        ("electricity_kwh", ("fouling", "combustion_drift", "tube_leak", "fan_bearing")),
    ):
        parts = {m: run.excess(channel, m)[:, 0] for m in modes}
        assert all(p.sum() > 0 for p in parts.values()), channel
        assert {k for k in run.excess_keys() if f"/{channel}/" in k} == {
            f"excess/{channel}/{m}" for m in modes
        }
        total = run.total_excess(channel)[:, 0]
        used = run.activity(channel)[WARM].sum(axis=0)
        assert total[WARM].sum() == pytest.approx(used[0] - used[1], rel=1e-3), channel
        assert_parts_bounded(run, channel)
    # each part against what its mode costs alone (actual − healthy of a run with it only):
    # the leak its water's heat at the healthy efficiency; fouling and drift share the loss of
    # efficiency on all the fuel fired (the leak's included) by their efficiency losses
    alone = {
        "fouling": setting(fouling_resistance_m2k_w=0.004),
        "combustion_drift": setting(o2_drift_pct=1.5),
        "tube_leak": setting(tube_leak_kg_s=0.5),
    }
    solo = {}
    for mode, tweak in alone.items():
        gas = simulate(Boiler, [tweak, HEALTHY], 6 * 60).activity("natural_gas_gj")[WARM]
        solo[mode] = gas[:, 0].sum() - gas[:, 1].sum()
    part = {m: run.excess("natural_gas_gj", m)[WARM, 0].sum() for m in alone}
    assert part["tube_leak"] == pytest.approx(solo["tube_leak"], rel=0.01)
    assert part["combustion_drift"] == pytest.approx(solo["combustion_drift"], rel=0.1)
    assert solo["fouling"] < part["fouling"] < 1.5 * solo["fouling"]
