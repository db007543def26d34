"""The end-of-run summary: per kind, what was made, what it used, and how available it was."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

RESOURCES = {
    "diesel_l": ("diesel", "L"),
    "electricity_kwh": ("electricity", "kWh"),
    "natural_gas_gj": ("natural gas (NCV)", "GJ"),
    "coal_t": ("coal", "t"),
}
PRODUCTS = {
    "ore_hauled_t": "ore hauled",
    "ore_loaded_t": "ore loaded",
    "ore_milled_t": "ore milled",
    "steam_t": "steam",
}


@dataclass(frozen=True)
class Summary:
    """One row per kind; `str()` is a plain-text table, `rows` the data."""

    rows: list[dict[str, Any]]
    sim_hours: float
    wall_s: float
    twin_ticks_per_s: float
    kpis: dict[str, dict[str, float]]
    # the run's own timings (progress["timings"]: loop_s, ray_connect_s, actors_start_s ...)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_fleet(
        cls,
        fleet: dict[str, Any],
        kpis: dict[str, dict[str, float]],
        sim_hours: float,
        wall_s: float,
        rate: float,
        timings: dict[str, float] | None = None,
    ) -> Summary:
        rows = []
        for kind, k in fleet["kinds"].items():
            made = k["production_t"]
            rows.append(
                {
                    "kind": kind,
                    "twins": k["twins"],
                    "product": k["product"],
                    "production_t": made,
                    "t_per_h": made / sim_hours if sim_hours else 0.0,
                    "availability": k["physical_availability"],
                    "activity": {a: used for a, used in k["activity"].items() if used > 0},
                    "emissions": k.get("emissions", {}),
                    "risk": k.get("risk", {}),
                }
            )
        return cls(rows, sim_hours, wall_s, rate, kpis, dict(timings or {}))

    HEADER = ("kind", "twins", "product", "produced t", "t/h", "avail.", "uses", "total", "per t")

    def lines(self) -> list[tuple[str, ...]]:
        """The table's cells: one line per kind and resource it uses."""
        out: list[tuple[str, ...]] = []
        for r in self.rows:
            head = (
                r["kind"],
                str(r["twins"]),
                PRODUCTS.get(r["product"], r["product"]),
                fmt(r["production_t"]),
                fmt(r["t_per_h"]),
                "-" if r["availability"] is None else f"{100 * r['availability']:.1f}%",
            )
            uses = list(r["activity"].items()) or [("", 0.0)]
            for i, (name, used) in enumerate(uses):
                label, unit = RESOURCES.get(name, (name, ""))
                per_t = used / r["production_t"] if r["production_t"] > 0 and name else None
                tail = (label, f"{fmt(used)} {unit}" if name else "-", _per_t(per_t, unit))
                out.append((head if i == 0 else ("",) * len(head)) + tail)
        return out

    MAINTENANCE = (
        ("physical_availability", "phys. avail.", "pct"),
        ("mechanical_availability", "mech. avail.", "pct"),
        ("failures", "failures", "n"),
        ("mtbf_h", "MTBF h", "n"),
        ("mttr_h", "MTTR h", "n"),
        ("unplanned_downtime_h", "unplanned h", "n"),
        ("planned_downtime_h", "planned h", "n"),
        ("maintenance_cost_usd", "maint. cost $", "n"),
        ("cost_per_t_usd", "$/t", "n"),
    )

    def maintenance_lines(self) -> list[tuple[str, ...]]:
        """Maintenance KPIs per kind and for the fleet (empty before any kind has KPIs)."""
        out = []
        for key, k in self.kpis.items():
            cells = [key]
            for name, _, form in self.MAINTENANCE:
                v = k.get(name)
                if v is None or math.isnan(v):  # undefined (no failure yet, nothing made)
                    cells.append("-")
                else:
                    cells.append(f"{100 * v:.1f}%" if form == "pct" else fmt(v))
            out.append(tuple(cells))
        return out

    EMISSIONS = (
        ("scope1", "scope 1"),
        ("scope2_location", "scope 2 (loc.)"),
        ("scope2_market", "scope 2 (mkt.)"),
        ("scope3", "scope 3.3"),
        ("total", "total"),
        ("wear", "of which wear"),
        ("kg_co2e_per_t", "kg CO2e/t"),
    )

    def emission_lines(self) -> list[tuple[str, ...]]:
        """t CO2e by scope per kind (location-based total) and kg CO2e per tonne of product."""
        rows = []
        for r in self.rows:
            e = r["emissions"]
            if e:
                scope3 = e.get("scope3_fuel_wtt", 0.0) + e.get("scope3_electricity", 0.0)
                wear = sum(e.get("wear_co2e", {}).values())
                rows.append((r["kind"], {**e, "scope3": scope3, "wear": wear}))
        if len(rows) > 1:  # per tonne makes no sense across products: left out of the fleet row
            keys = [k for k, _ in self.EMISSIONS if k != "kg_co2e_per_t"]
            rows.append(("fleet", {k: sum(v.get(k) or 0.0 for _, v in rows) for k in keys}))
        out = []
        for name, values in rows:
            cells = [name]
            for key, _ in self.EMISSIONS:
                v = values.get(key)
                if key == "kg_co2e_per_t":
                    cells.append("-" if v is None else f"{v:.3g}")
                else:
                    cells.append(fmt(v / 1000.0) if v is not None else "-")
            out.append(tuple(cells))
        return out

    RISK = ("", "twins scored", "alerts", "twins alerted", "highest risk", "twin")

    def risk_lines(self) -> list[tuple[str, ...]]:
        """Failure-risk scoring per kind: twins scored now, alerts raised, the riskiest twin
        (empty when the run did not score)."""
        out: list[tuple[str, ...]] = []
        for r in self.rows:
            k = r.get("risk") or {}
            if not k.get("scored") and not k.get("alerts"):
                continue
            top = k.get("max_risk")
            out.append(
                (
                    r["kind"],
                    f"{k['scored']:,}/{r['twins']:,}",
                    f"{k['alerts']:,}",
                    f"{k['alerted_twins']:,}",
                    "-" if top is None else f"{top:.3g}",
                    k.get("max_twin") or "-",
                )
            )
        return out

    def gwp_set(self) -> str:
        sets = {r["emissions"].get("gwp_set") for r in self.rows if r["emissions"]}
        return ", ".join(sorted(s for s in sets if s)) or "-"

    def footer(self) -> str:
        """What the run took: the wall time, split into start and loop, and the loop's rate
        (the rate is measured over the loop only, so it is printed next to the loop's time)."""
        rate = f"{_si(self.twin_ticks_per_s)} twin-ticks/s"
        head = f"{self.sim_hours:.0f} simulated hours in {self.wall_s:.1f} s wall"
        loop = self.timings.get("loop_s")
        if loop is None:
            return f"{head} (loop at {rate})"
        parts = [
            f"{label} {self.timings[key]:.1f} s"
            for key, label in self.STARTUP
            if key in self.timings
        ]
        start = f"start {max(self.wall_s - loop, 0.0):.1f} s"
        if parts:
            start += f": {', '.join(parts)}"
        return f"{head} ({start}; loop {loop:.1f} s at {rate})"

    # what the start is made of, when the run measured it (Ray only)
    STARTUP = (("ray_connect_s", "Ray"), ("actors_start_s", "actors"))

    def __str__(self) -> str:
        text = _columns([self.HEADER, *self.lines()])
        head = ("", *(label for _, label, _ in self.MAINTENANCE))
        text += ["", *_columns([head, *self.maintenance_lines()])]
        if self.emission_lines():
            head = (f"t CO2e ({self.gwp_set()})", *(label for _, label in self.EMISSIONS))
            text += ["", *_columns([head, *self.emission_lines()])]
        if self.risk_lines():
            text += ["", *_columns([("failure risk", *self.RISK[1:]), *self.risk_lines()])]
        return "\n".join([*text, self.footer()])

    def __repr__(self) -> str:
        return f"Summary({self.rows!r})"


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def _per_t(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{fmt(value)} {unit}/t"


def _si(x: float) -> str:
    """1234567 -> "1.2 M": a rate to read, not to copy."""
    for size, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.1f} {prefix}"
    return f"{x:.0f}"


def fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3g}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)
