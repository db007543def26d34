"""The engine against a SimPy peer of the same boilers, measured in the same run: the headline.

    python benchmarks/peer.py                          # 2,000 boilers, 24 h, 3 rounds
    python benchmarks/peer.py --twins 2000 --hours 24 --rounds 5

The peer is the simulator a user would write instead of this engine: a SimPy model of the steam
boiler (`aurum.twins.boiler`), one process per twin stepping the same equations in plain Python
floats (the `aurum.physics` functions called with floats; `math` for the few that use numpy
ufuncs), on the same fleet with the same random draws (`aurum.twins.rng.Streams` is keyed by
seed, twin id, purpose and tick, so the peer computes each twin's own draws), so its results are
checked against the engine's: the steam, fuel and electricity of every twin-hour, max relative
difference printed (0 when measured: the same floating-point operations in the same order; the
test, tests/engine/test_peer_benchmark.py, allows 1e-12).

Failure modes are off in both: the engine's `Boiler.failure_modes` is set to `()` in its process
(`failure_modes_off`). With them on, agreement would need the engine's maintenance (alarms,
crews, repairs) written a second time; without them no boiler ever stops, the degradation states
stay healthy (zero), and the peer carries them through the same equations all the same.

A round runs, each in a fresh process and in this order: the peer (its rate over `env.run()`);
the old baseline, the kind's own model stepped with n = 1 batches one twin at a time (on the
first `--n1-twins` twins: its rate does not depend on the fleet's size); the engine on one core
(`engine.simulate(..., backend="local")`, rate over its epoch loop, `progress["timings"]
["loop_s"]`, as benchmarks/engine.py measures it) with failure modes off, the peer's model; and
the engine with every failure mode on, for reference (more work than the peer does). A rate is
the median of the rounds; a ratio to the peer is the median over rounds of the two rates
measured in the same round (the machine is shared: its load moves between rounds). Each is also
given per CPU-second of the same loop (`time.process_time`; the engine's over `RunLoop.run`, the
span `loop_s` times), a figure that other work on a shared machine inflates much less. In the
peer's favour: its draws are computed before its clock starts, it keeps telemetry samples (true
values, every 15 min) in memory where the engine adds measurement noise and writes Parquet,
events and emissions, and it skips the cost-of-wear counterfactual (zero without failure modes).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import psutil
import simpy
from numpy.typing import NDArray

from aurum import engine
from aurum.engine.scenario.loader import load
from aurum.engine.scenario.model import ScenarioBase, fleet_of
from aurum.physics import boiler as bp
from aurum.physics import common
from aurum.physics.fuels import FUEL_NAMES, get_fuel
from aurum.twins.boiler.model import Boiler, BoilerParams
from aurum.twins.clock import Timing
from aurum.twins.kind import TickContext
from aurum.twins.params import stack
from aurum.twins.rng import Streams, twin_keys
from aurum.twins.site import Ambient, Environment, SiteConditions

ROOT = Path(__file__).resolve().parents[1]
QUANTITIES = ("steam_t", "fuel", "electricity_kwh")  # per twin-hour; fuel in the fuel's unit
FUEL_CHANNELS = ("natural_gas_gj", "diesel_l", "coal_t")
VARIANTS = {
    "peer": "SimPy peer (one process per twin, Python floats)",
    "n1": "n = 1 loop (the kind's model, one twin per step)",
    "engine": "engine, local (one core), failure modes off",
    "engine-modes": "engine, local, every failure mode on (reference)",
}
DAY = 2.0 * math.pi / 24.0  # radians per hour of a daily cycle


def scenario(n: int, hours: float, seed: int = 7) -> dict[str, Any]:
    """fleet-1k's two sites with n boilers as fleet-1k has them (two thirds on gas at Atacama, a
    third on diesel at Arequipa), one-minute ticks, telemetry every 15 min, risk scoring off."""
    sc = load(ROOT / "scenarios" / "fleet-1k.yaml").model_dump(mode="json")
    diesel = n // 3
    fleet = [{"kind": "boiler", "count": n - diesel, "id_prefix": "CL-BOILER-", "site": "atacama"}]
    if diesel:
        fleet.append(
            {
                "kind": "boiler",
                "count": diesel,
                "id_prefix": "PE-BOILER-",
                "site": "arequipa",
                "params": {"fuel": "diesel"},
            }
        )
    sc.update(
        name=f"peer-{n}",
        seed=seed,
        duration=f"{round(hours * 60)}min",
        fleet=fleet,
        output={"telemetry_resolution": "15min", "directory": "runs"},
        risk={"enabled": False},
    )
    return sc


@contextmanager
def failure_modes_off() -> Iterator[None]:
    """The engine's boilers without failure modes (no wear, no failures, no maintenance)."""
    saved = Boiler.failure_modes
    Boiler.failure_modes = ()  # type: ignore[assignment]
    try:
        yield
    finally:
        Boiler.failure_modes = saved


@dataclass
class Results:
    """Steam, fuel and electricity of every twin-hour: `values[twin, hour, quantity]`."""

    ids: list[str]
    values: NDArray[np.float64]


def agreement(a: Results, b: Results) -> dict[str, float]:
    """Max relative difference per quantity over the twin-hours of `a` (all of them in `b`)."""
    rows = {t: i for i, t in enumerate(b.ids)}
    mine = b.values[[rows[t] for t in a.ids]]
    if mine.shape != a.values.shape:
        raise ValueError(f"not the same twin-hours: {a.values.shape} vs {mine.shape}")
    rel = np.abs(a.values - mine) / np.maximum(np.abs(mine), 1e-300)
    return {q: float(rel[:, :, k].max()) for k, q in enumerate(QUANTITIES)}


# --- the peer: a SimPy model of the boiler, one process per twin ------------------------------


class Plant(NamedTuple):
    """One boiler's constants as Python floats (`twins.boiler.model.plant`'s, for one twin)."""

    st: bp.Stoich
    fuel_per_j: float  # fuel (in its channel's unit) per J of fuel heat, HHV
    m_mcr: float  # steam at MCR [kg/s]
    q_mcr: float  # heat absorbed at MCR, blowdown included [W]
    dh_leak: float  # heat to turn leaking feedwater into steam [J/kg]
    rho_feed: float
    u_min: float
    p_set: float  # drum pressure set-point [MPa]
    t_drum: float  # drum time constant [s]
    tau_f: float  # firing lag [s]
    firing_decay: float
    base_load: float
    daily_amp: float
    peak_hour: float
    utc_offset: float
    noise_sd: float
    ou_decay: float
    ou_kick: float
    o2_set: float
    o2_rise: float
    ntu_mcr: float
    u_clean: float
    t_feed: float
    rad_mcr: float
    wet_design: float
    stack_mcr: float
    p_atm: float
    fan_dp_pa: float
    fan_eff: float
    fan_loss_frac: float
    vib: float
    vib_cd: float
    blowdown: float
    condensate: float
    pump_dp_pa: float
    pump_eff: float
    air_mean: float  # the site's ambient: mean, half swing, phase [°C, °C, h]
    air_amp: float
    air_phase: float


def plant(p: BoilerParams, site: SiteConditions, dt_s: float) -> Plant:
    """The constants of a boiler at a site, from the physics (IAPWS-IF97 enthalpies, design NTU,
    stoichiometry), computed once per fleet entry."""
    fuel = FUEL_NAMES.index(p.fuel)
    st = bp.Stoich(*(float(v[fuel]) for v in bp.ALL_FUELS))
    ws = bp.water_steam(np.array([p.pressure_setpoint_mpa]), np.array([p.feedwater_temp_c]))
    h_s, h_w, h_fw = float(ws.h_steam[0]), float(ws.h_drum_water[0]), float(ws.h_feed[0])
    m_mcr = p.mcr_steam_tph / 3.6
    ea = bp.excess_air_frac(p.o2_setpoint_pct, st)
    t_ad = bp.adiabatic_temp_c(bp.T_REF_C, ea, st)
    per_j = {  # activity per J of fuel heat (HHV), in each fuel's own unit
        "natural_gas": st.lhv_j / st.hhv_j * 1e-9,
        "diesel": 1.0 / (st.hhv_j * (get_fuel(p.fuel).density_kg_l or 1.0)),
        "coal": 1e-3 / st.hhv_j,
    }
    ou_decay = float(common.decay(dt_s, p.demand_noise_tau_h * 3600.0))
    c = site.climate
    return Plant(
        st=st,
        fuel_per_j=per_j[p.fuel],
        m_mcr=m_mcr,
        q_mcr=bp.heat_absorbed_w(m_mcr, p.blowdown_frac * m_mcr, h_s, h_w, h_fw),
        dh_leak=h_s - h_fw,
        rho_feed=float(ws.rho_feed[0]),
        u_min=1.0 / p.turndown_ratio,
        p_set=p.pressure_setpoint_mpa,
        t_drum=p.drum_time_constant_s,
        tau_f=p.firing_lag_s,
        firing_decay=float(common.decay(dt_s, p.firing_lag_s)),
        base_load=p.base_load_frac,
        daily_amp=p.daily_amplitude_frac,
        peak_hour=p.peak_hour_local,
        utc_offset=c.utc_offset_h,
        noise_sd=p.demand_noise_sd_frac,
        ou_decay=ou_decay,
        ou_kick=float(common.ou_kick(p.demand_noise_sd_frac, ou_decay)),
        o2_set=p.o2_setpoint_pct,
        o2_rise=p.o2_low_fire_rise_pct,
        ntu_mcr=float(bp.design_ntu(t_ad, p.feedwater_temp_c, p.stack_temp_mcr_c)),
        u_clean=p.u_clean_w_m2k,
        t_feed=p.feedwater_temp_c,
        rad_mcr=p.radiation_loss_mcr_pct * 0.01,
        wet_design=bp.wet_gas_kg(ea, st),
        stack_mcr=p.stack_temp_mcr_c,
        p_atm=bp.barometric_pressure_pa(site.altitude_m),
        fan_dp_pa=p.fan_dp_kpa * 1e3,
        fan_eff=p.fan_efficiency,
        fan_loss_frac=p.fan_bearing_loss_frac,
        vib=p.fan_vibration_mm_s,
        vib_cd=p.fan_vibration_cd_mm_s,
        blowdown=p.blowdown_frac,
        condensate=p.condensate_return_frac,
        pump_dp_pa=p.feed_pump_dp_mpa * 1e6,
        pump_eff=p.feed_pump_efficiency,
        air_mean=c.ambient_mean_c,
        air_amp=c.ambient_amplitude_c,
        air_phase=c.utc_offset_h - c.warmest_hour,
    )


def drum_step(
    p: float, f: float, f_target: float, dt_s: float, t_d: float, tau_f: float, e_b: float
) -> tuple[float, float, float]:
    """`physics.boiler.drum_step_by` over floats (it uses numpy's exp, expm1 and where)."""
    gap = f - f_target
    a = f_target / t_d
    e_a = math.exp(-a * dt_s)
    x = (a - 1.0 / tau_f) * dt_s
    phi = 1.0 + 0.5 * x if abs(x) < 1e-9 else math.expm1(x) / x
    p_new = 1.0 + (p - 1.0) * e_a + gap / t_d * dt_s * e_a * phi
    f_mean = f_target + gap * (1.0 - e_b) * (tau_f / dt_s)
    return p_new, f_target + gap * e_b, f_mean


def burn(
    k: Plant, load: float, r_f: float, drift: float, t_air: float
) -> tuple[float, float, float, float]:
    """Efficiency at a firing / MCR, fouling R_f and O2 drift: (η, flue O2, excess air, stack)."""
    st = k.st
    low_fire = min(max((1.0 - load) / (1.0 - k.u_min), 0.0), 1.0)
    o2 = k.o2_set + k.o2_rise * low_fire + drift
    ea = bp.excess_air_frac(o2, st)
    wet = bp.wet_gas_kg(ea, st)
    gas_ratio = max(load, 0.05) * (wet / k.wet_design)
    ntu, _ = bp.ntu_and_clean(k.ntu_mcr, gas_ratio, k.u_clean, r_f)
    t_ad = t_air + st.lhv_j * 1e-3 / (wet * bp.CP_HOT_GAS)
    t_stack = k.t_feed + (t_ad - k.t_feed) * math.exp(-ntu)  # physics.boiler.stack_temp_c
    radiation = k.rad_mcr / max(load, 0.1)  # physics.boiler.radiation_loss_frac
    return bp.combustion_efficiency(o2, t_stack, t_air, st) - radiation, o2, ea, t_stack


@dataclass(frozen=True)
class Clock:
    ticks: int
    dt_s: float
    start_s: float  # seconds since midnight UTC at tick 0
    epoch_ticks: int
    every: int  # telemetry every that many ticks

    @classmethod
    def of(cls, sc: ScenarioBase) -> Clock:
        midnight = sc.start.replace(hour=0, minute=0, second=0, microsecond=0)
        start_s = (sc.start - midnight).total_seconds()
        dt_s = sc.tick.total_seconds()
        return cls(sc.total_ticks, dt_s, start_s, sc.epoch_ticks, sc.telemetry_every)


@dataclass
class Record:
    """What one peer twin leaves: hourly (steam, fuel, kWh) and its telemetry samples."""

    hourly: list[tuple[float, float, float]] = field(default_factory=list)
    samples: array[float] = field(default_factory=lambda: array("d"))


def boiler(
    env: simpy.Environment,
    k: Plant,
    z0: float,
    z: Sequence[float],
    clock: Clock,
    rec: Record,
) -> Generator[simpy.Event, Any, None]:
    """One boiler, a tick at a time: demand (daily cycle + OU noise), firing lag and drum, burn,
    fuel, fan and feed pump; hourly totals and a telemetry sample every `clock.every` ticks."""
    dt, st = clock.dt_s, k.st
    kwh_per_w = dt / 3.6e6
    noise = k.noise_sd * z0  # demand noise / MCR, from its stationary distribution
    fire = min(max(k.base_load + noise, k.u_min), 1.0)
    p_mpa = k.p_set
    # degradation states: healthy, as no failure mode moves them
    r_f, drift, leak, damage = 0.0, 0.0, 0.0, 0.0
    steam = fuel = kwh = 0.0
    for tick in range(clock.ticks):
        hours = (clock.start_s + tick * dt) / 3600.0
        t_air = k.air_mean + k.air_amp * math.cos(DAY * (hours + k.air_phase))
        cycle = 1.0 + k.daily_amp * math.cos(DAY * ((hours - k.peak_hour) + k.utc_offset))
        noise = common.ou_step_by(noise, 0.0, k.ou_decay, k.ou_kick, z[tick])
        u = min(max(k.base_load * cycle + noise, k.u_min), 1.0)
        leak_frac = leak * k.dh_leak / k.q_mcr
        p, fire, load = drum_step(
            p_mpa / k.p_set, fire, u + leak_frac, dt, k.t_drum, k.tau_f, k.firing_decay
        )
        p_mpa = p * k.p_set
        eta, o2, ea, t_stack = burn(k, load, r_f, drift, t_air)
        q_fuel = bp.fuel_heat_input_w(load * k.q_mcr, eta)
        m_air = q_fuel / st.hhv_j * st.air_kg * (1.0 + ea) * (1.0 + bp.HUMIDITY)
        rho_air = bp.air_density_kg_m3(k.p_atm, t_air)
        fan_w = bp.fan_power_w(m_air, rho_air, k.fan_dp_pa, k.fan_eff)
        fan_loss_w = bp.bearing_wear_loss_w(fan_w, damage, k.fan_loss_frac)
        m_s = u * k.m_mcr
        m_feed = m_s * (1.0 + k.blowdown) + leak
        pump_w = bp.pump_power_w(m_feed, k.pump_dp_pa, k.rho_feed, k.pump_eff)
        steam += m_s * (dt * 1e-3)
        fuel += q_fuel * dt * k.fuel_per_j
        kwh += ((fan_w + fan_loss_w) + pump_w) * kwh_per_w
        done = tick + 1
        if done % clock.every == 0:  # the sensors' true values (stack and feedwater as state)
            m_makeup = m_s * (1.0 - k.condensate + k.blowdown) + leak
            rec.samples.extend(
                (
                    m_s * 3.6, p_mpa, q_fuel * 1e-6, o2, bp.flue_co2_pct(ea, st), t_stack,
                    k.t_feed, eta * 100.0, k.vib * (0.6 + 0.4 * load) + damage * k.vib_cd,
                    m_makeup * 3.6, leak * 3.6, drift, t_air,
                )
            )  # fmt: skip
        if done % clock.epoch_ticks == 0 or done == clock.ticks:
            rec.hourly.append((steam, fuel, kwh))
            steam = fuel = kwh = 0.0
        yield env.timeout(dt)


def draws(seed: int, ids: list[str], ticks: int) -> tuple[NDArray[np.float64], list[array[float]]]:
    """The engine's draws for each twin: its initial demand noise and one normal a tick."""
    rng = Streams(seed, twin_keys(ids))
    z = np.ascontiguousarray(rng.normal("steam_demand", np.arange(ticks)).T)
    return rng.normal("steam_demand_init", 0), [array("d", row.tobytes()) for row in z]


def fleet(sc: ScenarioBase) -> Iterator[tuple[str, BoilerParams, SiteConditions]]:
    """(twin id, parameters, site) of every boiler, in the engine's order."""
    for entry in fleet_of(sc):
        assert entry.kind == Boiler.name, "the peer models boilers only"
        site = sc.site(entry.site)
        for twin in entry.twin_ids(Boiler.label):
            yield twin, entry.params, site


class Run(NamedTuple):
    """A measured run: its results, twin-ticks, and the wall and CPU seconds of its loop."""

    results: Results
    twin_ticks: int
    seconds: float
    cpu_s: float


def run_peer(sc: ScenarioBase) -> Run:
    """The peer over the scenario, timed over `env.run()`."""
    clock = Clock.of(sc)
    twins = list(fleet(sc))
    ids = [t for t, _, _ in twins]
    plants: dict[tuple[int, int], Plant] = {}  # per fleet entry (params, site)
    z0, z = draws(sc.seed, ids, clock.ticks)
    env = simpy.Environment()
    records = []
    for i, (_, params, site) in enumerate(twins):
        k = plants.get((id(params), id(site)))
        if k is None:
            k = plants[(id(params), id(site))] = plant(params, site, clock.dt_s)
        records.append(Record())
        env.process(boiler(env, k, float(z0[i]), z[i], clock, records[-1]))
    began, cpu = time.perf_counter(), time.process_time()
    env.run()
    seconds, cpu_s = time.perf_counter() - began, time.process_time() - cpu
    return Run(
        Results(ids, np.array([r.hourly for r in records])), len(ids) * clock.ticks, seconds, cpu_s
    )


# --- the old baseline and the engine ------------------------------------------------------------


def run_n1(sc: ScenarioBase, n_twins: int) -> Run:
    """The kind's own model stepped with n = 1 batches, one twin at a time (a twin = a Python
    object), on the first `n_twins` boilers, timed over the tick loop."""
    twins = list(fleet(sc))[:n_twins]
    timing = Timing(sc.start, sc.tick.total_seconds(), sc.total_ticks, sc.epoch_ticks, 1)
    one = np.ones(1, dtype=bool)
    batches = []
    for twin, params, site in twins:
        kind, arrays = Boiler(), stack([params])
        env = Environment((site,), np.zeros(1, dtype=np.intp))
        rng = Streams(sc.seed, twin_keys([twin]))
        state = kind.initial(arrays, env, rng)
        kind.warm_up(arrays, env, state)
        fuel = FUEL_CHANNELS[FUEL_NAMES.index(params.fuel)]
        batches.append((kind, arrays, env, rng, state, Ambient(env), fuel, [0.0, 0.0, 0.0]))
    hourly: list[list[list[float]]] = []
    began, cpu = time.perf_counter(), time.process_time()
    for tick in range(timing.total_ticks):
        hours = timing.hours_utc(tick)
        for kind, arrays, env, rng, state, ambient, fuel, total in batches:
            ctx = TickContext(tick, timing.tick_s, hours, ambient.at(hours), one)
            out = kind.step(state, arrays, env, ctx, rng)
            total[0] += float(out.production[0])
            total[1] += float(out.activity[fuel][0])
            total[2] += float(out.activity["electricity_kwh"][0])
        if (tick + 1) % timing.epoch_ticks == 0 or tick + 1 == timing.total_ticks:
            hourly.append([b[-1].copy() for b in batches])
            for b in batches:
                b[-1][:] = [0.0, 0.0, 0.0]
    seconds, cpu_s = time.perf_counter() - began, time.process_time() - cpu
    ids = [t for t, _, _ in twins]
    results = Results(ids, np.array(hourly).transpose(1, 0, 2))
    return Run(results, len(twins) * timing.total_ticks, seconds, cpu_s)


@contextmanager
def loop_cpu(into: list[float]) -> Iterator[None]:
    """The CPU seconds of the engine's epoch loop (`RunLoop.run`, what `loop_s` times), added to
    `into`; nothing when the engine has no such method (then NaN is reported)."""
    from aurum.engine.run import loop

    run = getattr(loop.RunLoop, "run", None)
    if run is None:
        yield
        return

    def timed(self: Any, pool: Any) -> Any:
        began = time.process_time()
        try:
            return run(self, pool)
        finally:
            into.append(time.process_time() - began)

    loop.RunLoop.run = timed  # type: ignore[method-assign]
    try:
        yield
    finally:
        loop.RunLoop.run = run  # type: ignore[method-assign]


def run_engine(sc: dict[str, Any], modes: bool = False) -> Run:
    """The engine on one core, its results from its production table, timed as benchmarks/
    engine.py times it (`progress["timings"]["loop_s"]`)."""
    cpu: list[float] = []
    with (
        nullcontext() if modes else failure_modes_off(),
        tempfile.TemporaryDirectory() as out,
        loop_cpu(cpu),
    ):
        r = engine.simulate(sc, out=out, backend="local")
        t = r.table("production")
        ids = [str(x) for x in t.column("twin_id").to_pylist()]
        epoch = t.column("epoch").to_numpy()
        cols = [t.column("production_t").to_numpy()]
        cols.append(sum(t.column(c).to_numpy() for c in FUEL_CHANNELS))
        cols.append(t.column("electricity_kwh").to_numpy())
    order = list(dict.fromkeys(ids))
    row = {x: i for i, x in enumerate(order)}
    values = np.zeros((len(order), int(epoch.max()) + 1, 3))
    where = np.array([row[x] for x in ids])
    for k, col in enumerate(cols):
        values[where, epoch, k] = col
    p = r.progress
    loop_s = float(p["timings"]["loop_s"])
    return Run(Results(order, values), int(p["twin_ticks"]), loop_s, sum(cpu) if cpu else math.nan)


# --- the benchmark: rounds of fresh processes ---------------------------------------------------


def child(variant: str, n: int, hours: float, n1_twins: int, save: str | None) -> None:
    """One measure in this process; prints a JSON line, saves the results if asked."""
    sc = scenario(n, hours)
    if variant == "peer":
        run = run_peer(load(sc))
    elif variant == "n1":
        run = run_n1(load(sc), n1_twins)
    else:
        run = run_engine(sc, modes=variant == "engine-modes")
    if save:
        np.savez(save, ids=np.array(run.results.ids), values=run.results.values)
    print(json.dumps({"twin_ticks": run.twin_ticks, "seconds": run.seconds, "cpu_s": run.cpu_s}))


def measure(
    variant: str, n: int, hours: float, n1_twins: int, save: Path | None = None
) -> tuple[float, float]:
    """Twin-ticks per second and per CPU-second of one variant in a fresh process."""
    args = [sys.executable, __file__, "--child", variant, "--twins", str(n), "--hours", str(hours)]
    args += ["--n1-twins", str(n1_twins)] + (["--save", str(save)] if save else [])
    done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"{variant} failed:\n{done.stderr[-3000:]}")
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return float(r["twin_ticks"]) / float(r["seconds"]), float(r["twin_ticks"]) / float(r["cpu_s"])


def saved(path: Path) -> Results:
    with np.load(path) as f:
        return Results([str(x) for x in f["ids"]], f["values"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--twins", type=int, default=2000)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n1-twins", type=int, default=100, help="twins of the n = 1 loop")
    ap.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.twins, args.hours, args.n1_twins, args.save)
        return
    print(
        f"machine: {platform.platform()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}, "
        f"simpy {simpy.__version__}, numpy {np.__version__}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    n1 = min(args.n1_twins, args.twins)
    wall: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        files = {v: Path(tmp) / f"{v}.npz" for v in VARIANTS}
        for v in VARIANTS:  # unmeasured: numba's on-disk cache, file caches
            measure(v, min(args.twins, 30), 1.0, min(n1, 30))
        for k in range(args.rounds):
            for v, label in VARIANTS.items():
                rate, per_cpu = measure(v, args.twins, args.hours, n1, files[v] if k == 0 else None)
                wall[v].append(rate)
                cpu[v].append(per_cpu)
                print(
                    f"  round {k + 1}: {label}: {rate:,.0f} twin-ticks/s, "
                    f"{per_cpu:,.0f} per CPU-s; load average {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
        results = {v: saved(files[v]) for v in ("peer", "n1", "engine")}
    print(
        f"\n{args.twins:,} boilers ({args.twins - args.twins // 3:,} gas, {args.twins // 3:,} "
        f"diesel; fleet-1k's sites), {args.hours:g} h at 1-min ticks, {args.rounds} rounds in "
        f"{time.perf_counter() - began:.0f} s; n = 1 loop on {n1} of them; "
        f"load average after: {os.getloadavg()[0]:.2f}\n"
    )

    def per_round(rates: dict[str, list[float]], v: str) -> list[float]:
        return [x / p for x, p in zip(rates[v], rates["peer"], strict=True)]

    print(
        "| simulator | twin-ticks/s (median) | rounds | × peer, per round | × peer "
        "| twin-ticks per CPU-s (median) | × peer (CPU) |"
    )
    print("|---|---:|---|---|---:|---:|---:|")
    for v, label in VARIANTS.items():
        runs = " / ".join(f"{x:,.0f}" for x in wall[v])
        each = " / ".join(f"{x:,.2f}" for x in per_round(wall, v))
        print(
            f"| {label} | {statistics.median(wall[v]):,.0f} | {runs} | {each} "
            f"| {statistics.median(per_round(wall, v)):,.2f}× | {statistics.median(cpu[v]):,.0f} "
            f"| {statistics.median(per_round(cpu, v)):,.2f}× |"
        )
    same = {v: agreement(results[v], results["engine"]) for v in ("peer", "n1")}
    print("\nagreement with the engine (same fleet, same draws, failure modes off in both), max")
    print("relative difference over every twin-hour:")
    for v, diff in same.items():
        print(f"  {VARIANTS[v]}: " + ", ".join(f"{q} {d:.1e}" for q, d in diff.items()))
    x_wall = statistics.median(per_round(wall, "engine"))
    x_cpu = statistics.median(per_round(cpu, "engine"))
    n1_x = statistics.median(per_round(wall, "n1"))
    print(
        f"\nheadline: the engine runs {x_wall:,.0f}× the SimPy peer's twin-ticks/s ({x_cpu:,.0f}× "
        f"per CPU-second), medians over rounds of the ratio within a round; the peer runs "
        f"{1 / n1_x:,.1f}× the n = 1 loop"
    )


if __name__ == "__main__":
    main()
