"""Industrial steam BOILER (gas / diesel / coal fired), 50 t/h saturated steam at 1.1 MPa.

Steam demand follows a site process profile; the combustion control fires to the demanded heat
with a lag, the drum stores the difference as pressure, and the fuel burned is the heat absorbed
over the efficiency from the heat-loss method (ASME PTC 4). Degradation states (fouling,
O2-trim drift, tube leak, fan-bearing damage) act on the physics; `twins.boiler.modes` declares
the failure modes that grow them. A boiler that is down burns nothing: the drum loses pressure,
the stack and the feedwater cool towards ambient and the flue analysers read ambient air.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray
from pydantic import model_validator

from aurum.physics import boiler as bp
from aurum.physics.fuels import FUEL_NAMES, get_fuel
from aurum.twins.boiler.modes import (
    BOILER_ANOMALIES,
    BOILER_MODES,
    COMBUSTION_DRIFT,
    FAN_BEARING,
    FOULING,
    TUBE_LEAK,
)
from aurum.twins.boiler.tick import Firing, Held, Plant, Readings, Settings, boiler_tick, readings
from aurum.twins.kind import (
    ELECTRICITY,
    F64,
    STATIONARY,
    Channel,
    Kind,
    State,
    StateVar,
    TickContext,
    TickOutput,
)
from aurum.twins.params import KindParams, ParamArrays, distinct, param, take
from aurum.twins.rng import Streams
from aurum.twins.site import Environment

_REF = "typical 50 t/h gas-fired package boiler"
_ISO = "ISO 10816-3 Group 2 rigid"


class BoilerParams(KindParams):
    """One boiler: rating, firing, process profile and auxiliaries (defaults: 50 t/h on gas)."""

    fuel: Literal["natural_gas", "diesel", "coal"] = param(
        "natural_gas", "label", _REF, "A", "Fuel fired"
    )
    mcr_steam_tph: float = param(50.0, "t/h", _REF, "A", "Maximum continuous rating", gt=0)
    pressure_setpoint_mpa: float = param(
        1.1, "MPa", _REF, "A", "Drum pressure set-point (absolute)", ge=0.2, le=15
    )
    feedwater_temp_c: float = param(105.0, "°C", _REF, "A", "Feedwater (deaerator)", ge=20, le=250)
    o2_setpoint_pct: float = param(
        2.5,
        "%",
        "US DOE Steam Tip Sheet #4 excess air: 2-3 gas, 3-4 oil, 4-6 coal",
        "V",
        "Flue O2 set-point (dry); defaults to the fuel's typical value",
        ge=0.5,
        le=12,
    )
    o2_low_fire_rise_pct: float = param(
        1.5,
        "%",
        "burners need more excess air at low fire",
        "A",
        "Extra O2 at minimum fire",
        ge=0,
        le=8,
    )
    turndown_ratio: float = param(4.0, "-", "modulating burner 4:1", "A", "MCR / minimum", ge=1.5)
    blowdown_frac: float = param(0.03, "-", "typical 1-5 %", "A", "Of steam flow", ge=0, le=0.2)
    condensate_return_frac: float = param(
        0.5, "-", "process-plant typical", "A", "Steam returned as condensate", ge=0, le=1
    )
    stack_temp_mcr_c: float = param(
        170.0,
        "°C",
        "economizer; ≤ T_sat + 30 °C (Forbes Marshall)",
        "A",
        "Stack temperature at MCR, clean, 25 °C air",
        ge=60,
        le=450,
    )
    u_clean_w_m2k: float = param(
        50.0, "W/m²K", "gas-side convection 30-60 W/m²K", "A", "Clean U at MCR", gt=0, le=500
    )
    radiation_loss_mcr_pct: float = param(
        0.5, "%", "ASME PTC 4 typical losses: 0.2-1.5 %", "A", "Casing loss at MCR", ge=0, le=3
    )
    drum_time_constant_s: float = param(250.0, "s", "JModelica DrumBoiler T_D", "V", "T_D", gt=0)
    firing_lag_s: float = param(90.0, "s", "combustion control", "A", "Firing-rate lag", gt=0)
    base_load_frac: float = param(
        0.7, "-", "site process profile", "A", "Mean demand / MCR", ge=0, le=1
    )
    daily_amplitude_frac: float = param(
        0.15, "-", "site process profile", "A", "Relative daily swing of demand", ge=0, le=1
    )
    peak_hour_local: float = param(13.0, "h", "day-shift peak", "A", "Local hour", ge=0, lt=24)
    demand_noise_sd_frac: float = param(
        0.05, "-", "site process profile", "A", "Stationary sd of demand / MCR", ge=0, le=0.5
    )
    demand_noise_tau_h: float = param(
        2.0, "h", "site process profile", "A", "Correlation time of demand noise", gt=0
    )
    fan_dp_kpa: float = param(3.0, "kPa", "FD fan with economizer", "A", "Fan total Δp", gt=0)
    fan_efficiency: float = param(0.70, "-", "fan + motor", "A", "", gt=0, le=1)
    feed_pump_dp_mpa: float = param(
        1.5, "MPa", "drum pressure + line and valve losses", "A", "Pump Δp", gt=0
    )
    feed_pump_efficiency: float = param(0.65, "-", "pump + motor", "A", "", gt=0, le=1)
    fan_vibration_mm_s: float = param(
        1.2, "mm/s", f"{_ISO}: zone A < 1.4", "A", "Healthy fan vibration at MCR", ge=0
    )
    fan_vibration_cd_mm_s: float = param(
        4.5, "mm/s", f"{_ISO}: C/D boundary", "V", "Vibration added at bearing damage 1", ge=0
    )
    fan_bearing_loss_frac: float = param(
        0.04,
        "-",
        "friction grows with wear (Daigle & Goebel)",
        "A",
        "Extra fan power at damage 1",
        ge=0,
    )
    drum_cooldown_tau_h: float = param(
        8.0, "h", "insulated shell and water mass", "A", "Drum and feedwater cooling when off", gt=0
    )
    flue_cooldown_tau_h: float = param(
        1.0, "h", "thin gas path, natural draft", "A", "Stack gas-path cooling when off", gt=0
    )

    @model_validator(mode="before")
    @classmethod
    def _fuel_o2(cls, data: Any) -> Any:
        """A coal or oil boiler not given an O2 set-point gets its fuel's typical one."""
        if (
            isinstance(data, dict)
            and "o2_setpoint_pct" not in data
            and data.get("fuel") in FUEL_NAMES
        ):
            return {**data, "o2_setpoint_pct": get_fuel(data["fuel"]).o2_typical_pct}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> BoilerParams:
        if self.stack_temp_mcr_c < self.feedwater_temp_c + 10:
            raise ValueError(
                f"stack_temp_mcr_c={self.stack_temp_mcr_c} must exceed feedwater_temp_c="
                f"{self.feedwater_temp_c} by at least 10 °C (the economizer's cold end)"
            )
        if self.feed_pump_dp_mpa <= self.pressure_setpoint_mpa:
            raise ValueError(
                f"feed_pump_dp_mpa={self.feed_pump_dp_mpa} must exceed pressure_setpoint_mpa="
                f"{self.pressure_setpoint_mpa} to feed the drum"
            )
        return self


def plant(params: ParamArrays, env: Environment) -> Plant:
    """The constants of a batch: fuel stoichiometry, IAPWS-IF97 enthalpies, design NTU."""
    code = params["fuel"].astype(np.intp)
    st = bp.ALL_FUELS.take(code)
    ws = bp.water_steam(params["pressure_setpoint_mpa"], params["feedwater_temp_c"])
    m_mcr = params["mcr_steam_tph"] / 3.6
    bd = params["blowdown_frac"]
    q_mcr = bp.heat_absorbed_w(m_mcr, bd * m_mcr, ws.h_steam, ws.h_drum_water, ws.h_feed)
    ea = bp.excess_air_frac(params["o2_setpoint_pct"], st)
    t_ad = bp.adiabatic_temp_c(np.full_like(ea, bp.T_REF_C), ea, st)
    ntu_mcr = bp.design_ntu(t_ad, params["feedwater_temp_c"], params["stack_temp_mcr_c"])
    lhv_over_hhv = st.lhv_j / st.hhv_j
    densities = np.array([get_fuel(n).density_kg_l or 1.0 for n in FUEL_NAMES])[code]
    u_min = 1.0 / params["turndown_ratio"]
    fire = Firing(
        st, params["o2_setpoint_pct"], params["o2_low_fire_rise_pct"], u_min, ntu_mcr,
        params["u_clean_w_m2k"], params["feedwater_temp_c"],
        params["radiation_loss_mcr_pct"] * 0.01, bp.wet_gas_kg(ea, st), *bp.stack_slope_terms(st),
    )  # fmt: skip
    fuel = {n: code == FUEL_NAMES.index(n) for n in FUEL_NAMES}
    return Plant(
        fire=fire,
        m_mcr_kg_s=m_mcr,
        q_mcr_w=q_mcr,
        dh_leak_j_kg=ws.h_steam - ws.h_feed,
        rho_feed=ws.rho_feed,
        pump_j_kg=bp.pump_power_w(
            np.ones_like(m_mcr),
            params["feed_pump_dp_mpa"] * 1e6,
            ws.rho_feed,
            params["feed_pump_efficiency"],
        ),
        u_min=u_min,
        utc_offset_h=env.per_twin([s.climate.utc_offset_h for s in env.sites]),
        p_atm_pa=bp.barometric_pressure_pa(env.per_twin([s.altitude_m for s in env.sites])),
        # activity per J of fuel heat (HHV); zero for the fuels not fired
        gj_per_j=np.where(fuel["natural_gas"], lhv_over_hhv * 1e-9, 0.0),
        l_per_j=np.where(fuel["diesel"], 1.0 / (st.hhv_j * densities), 0.0),
        t_per_j=np.where(fuel["coal"], 1e-3 / st.hhv_j, 0.0),
    )


def fired(k: Plant) -> dict[str, F64]:
    """Activity per J of fuel heat of each fuel the batch fires (by activity channel)."""
    per_j = {"natural_gas_gj": k.gj_per_j, "diesel_l": k.l_per_j, "coal_t": k.t_per_j}
    return {channel: a for channel, a in per_j.items() if a.any()}


def _ch(name: str, unit: str, description: str, sd: float, source: str = "A") -> Channel:
    return Channel(name, unit, description, noise_sd=sd, lo=0.0, source=source)


def _fuel(name: str, unit: str, description: str) -> Channel:
    return Channel(name, unit, description, category=STATIONARY)


class Boiler(Kind):
    """A fleet of steam boilers (struct-of-arrays); see the module docstring."""

    name = "boiler"
    label = "BOILER"
    description = "Industrial steam boiler, gas / diesel / coal fired, 50 t/h at 1.1 MPa"
    Params = BoilerParams
    state_vars = (
        StateVar("demand_noise_frac", "-", "OU deviation of steam demand from the profile / MCR"),
        StateVar("firing_frac", "-", "Heat released to the water/steam / heat absorbed at MCR"),
        StateVar("drum_pressure_mpa", "MPa", "Drum pressure"),
        StateVar("fouling_resistance_m2k_w", "m²K/W", "Fire-side fouling resistance R_f"),
        StateVar("o2_drift_pct", "%", "Combustion-control drift of flue O2 above set-point"),
        StateVar("tube_leak_kg_s", "kg/s", "Water leaking from the pressure parts"),
        StateVar("fan_bearing_damage_frac", "-", "FD-fan bearing damage, 0 new to 1 zone D"),
        StateVar("stack_temp_c", "°C", "Gas temperature at the stack"),
        StateVar("feedwater_temp_c", "°C", "Feedwater (deaerator) temperature"),
    )
    sensors = (
        _ch("steam_flow_tph", "t/h", "Steam flow delivered", 0.5, "A: 1 % of MCR"),
        _ch("drum_pressure_mpa", "MPa", "Drum pressure (absolute)", 0.005, "A: 0.25 % of span"),
        _ch("fuel_input_mw", "MW", "Fuel heat input on the HHV basis", 0.2, "A: flow meter"),
        _ch("flue_o2_pct", "%", "Flue-gas O2, dry", 0.1, "A: zirconia analyser"),
        _ch("flue_co2_pct", "%", "Flue-gas CO2, dry, from stoichiometry", 0.1, "A: NDIR"),
        _ch("stack_temp_c", "°C", "Flue-gas temperature at the stack", 1.0, "A: thermocouple"),
        _ch("feedwater_temp_c", "°C", "Feedwater temperature", 0.5, "A: RTD"),
        _ch("efficiency_pct", "%", "Boiler efficiency (HHV), heat-loss soft sensor", 0.3),
        _ch("fan_vibration_mm_s", "mm/s", "FD-fan bearing velocity RMS (ISO 10816-3)", 0.1),
        _ch("makeup_water_tph", "t/h", "Make-up water flow", 0.3, "A: 1 % of range"),
        # soft sensors, differences of two measurements: they may read below zero
        Channel(
            "water_loss_tph", "t/h", "Feed in − steam, blowdown out", 0.4, source="A: 2 meters"
        ),
        Channel("o2_deviation_pct", "%", "Flue O2 above its set-point curve", 0.1, source="A"),
        Channel("ambient_temp_c", "°C", "Combustion-air (ambient) temperature", 0.3, source="A"),
    )
    activity = (
        _fuel("natural_gas_gj", "GJ", "Natural gas burned, energy on the NCV (LHV) basis"),
        _fuel("diesel_l", "L", "Diesel (gas oil) burned, litres at 15 °C"),
        _fuel("coal_t", "t", "Bituminous coal burned, tonnes as received"),
        Channel("electricity_kwh", "kWh", "Electricity of FD fan, feed pump", category=ELECTRICITY),
    )
    production = Channel("steam_t", "t", "Saturated steam delivered during the tick")
    failure_modes = BOILER_MODES
    anomalies = BOILER_ANOMALIES

    def __init__(self) -> None:
        self._key: tuple[ParamArrays, Environment] | None = None
        self._plant: _Constants | None = None

    def plant(self, params: ParamArrays, env: Environment) -> Plant:
        """Constants of the batch, a row per kind of twin (`twins.params.distinct`), computed
        once per batch (holding the key keeps its id unique)."""
        return self._constants(params, env).plant

    def _constants(self, params: ParamArrays, env: Environment) -> _Constants:
        key = self._key
        if self._plant is None or key is None or key[0] is not params or key[1] is not env:
            first, alike = distinct(params, env.site_index)
            p = take(params, first)
            k = plant(p, env.take(first))
            q = Settings._make(p[f] for f in Settings._fields)
            per_twin = {channel: a[alike] for channel, a in fired(k).items()}
            self._plant = _Constants(k, q, alike, per_twin)
            self._key = (params, env)
        return self._plant

    def initial(self, params: ParamArrays, env: Environment, rng: Streams) -> State:
        k = self._constants(params, env)
        noise = params["demand_noise_sd_frac"] * rng.normal("steam_demand_init", 0)
        u = np.clip(params["base_load_frac"] + noise, k.plant.u_min[k.alike], 1.0)
        zero = np.zeros(rng.n)
        return {
            "demand_noise_frac": noise,
            "firing_frac": u,
            "drum_pressure_mpa": params["pressure_setpoint_mpa"].copy(),
            "fouling_resistance_m2k_w": zero.copy(),
            "o2_drift_pct": zero.copy(),
            "tube_leak_kg_s": zero.copy(),
            "fan_bearing_damage_frac": zero,
            "stack_temp_c": params["stack_temp_mcr_c"].copy(),
            "feedwater_temp_c": params["feedwater_temp_c"].copy(),
        }

    def step(
        self, state: State, params: ParamArrays, env: Environment, ctx: TickContext, rng: Streams
    ) -> TickOutput:
        k = self._constants(params, env)
        n = len(ctx.available)
        held = Held._make(state[v] for v in Held._fields)
        new = held._replace(**{v: np.empty(n) for v in _ADVANCED})
        out = readings(n)
        z = rng.normal("steam_demand", ctx.tick)
        boiler_tick(
            k.plant, k.settings, k.alike, held, ctx.available, z, ctx.ambient_c, ctx.hours_utc,
            ctx.dt_s, new, out,
        )  # fmt: skip
        state.update({v: getattr(new, v) for v in _ADVANCED})
        sensors = {c.name: getattr(out, c.name) for c in self.sensors}
        activity = {c.name: getattr(out, c.name) for c in self.activity}
        extra = {"stress/fouling": out.fouling_stress} | _excess(out, k.fired, ctx.dt_s)
        return TickOutput(sensors, activity, out.steam_t, out.status, extra)

    def warm_up(self, params: ParamArrays, env: Environment, state: State) -> None:
        """Compile (or load) the tick's kernel for arrays like this batch's, on no twins."""
        k = self._constants(params, env)
        held = _on_no_twins(Held._make(state[v] for v in Held._fields))
        f, on = np.zeros(0), np.zeros(0, dtype=bool)
        plant_, settings = _on_no_twins(k.plant), _on_no_twins(k.settings)
        boiler_tick(plant_, settings, k.alike[:0], held, on, f, f, 0.0, 60.0, held, readings(0))


def _on_no_twins(x: Any) -> Any:
    """A (nested) named tuple of arrays cut to no twins: the same types for the compiler."""
    if isinstance(x, tuple):
        return type(x)(*map(_on_no_twins, x))
    return x[:0]


class _Constants(NamedTuple):
    plant: Plant  # a row per kind of twin
    settings: Settings  # the parameters the tick reads, a row per kind of twin
    alike: NDArray[np.intp]  # (n,) each twin's row
    fired: dict[str, F64]  # activity per J of fuel heat of each fuel the batch fires, per twin


_ADVANCED = Held._fields[:5]  # the state the tick moves on (the others are the modes')
_FUEL_W = (FOULING, COMBUSTION_DRIFT, TUBE_LEAK)
_KWH = (FOULING, FAN_BEARING, COMBUSTION_DRIFT, TUBE_LEAK)


def _excess(out: Readings, per_j: dict[str, F64], dt_s: float) -> dict[str, F64]:
    """`excess/<activity>/<mode>` of the tick: the fuel (in the unit of each fuel the batch
    fires, 0 for a twin firing another) and electricity [kWh] a healthy boiler raising the
    same steam would not use; a mode no twin of the batch shows this tick has no entry."""
    entries = {}
    for m in _KWH:
        used = getattr(out, f"kwh_{m.name}")
        if used.any():
            entries[f"excess/electricity_kwh/{m.name}"] = used
    heat = {m.name: w for m in _FUEL_W if (w := getattr(out, f"fuel_w_{m.name}")).any()}
    for channel, unit in per_j.items():
        entries |= {f"excess/{channel}/{m}": w * (dt_s * unit) for m, w in heat.items()}
    return entries
