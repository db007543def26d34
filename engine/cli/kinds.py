"""`aurum kinds`: what each machine kind declares, as data (`--json`) and as tables.

Channels with units (and, for a fuel measured as energy, its heating-value basis from
`esg.categories`), parameters with default, unit, provenance tag and source, failure modes with
the symptom and alarm that show them, and the scenario's anomaly shorthands.
"""

from __future__ import annotations

import math
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from aurum.engine.errors import Problem, RunError
from aurum.esg.categories import CHANNELS
from aurum.twins import registry
from aurum.twins.kind import Channel, Kind

# Energy bases of an activity channel; volume and mass carry no heating value.
HEATING_VALUE = {"NCV": "NCV (LHV)", "GCV": "GCV (HHV)"}


def facts(names: list[str] | None = None) -> list[dict[str, Any]]:
    """Every kind's declarations (or only `names`'), as plain data."""
    known = registry.names()
    bad = [n for n in names or [] if n not in known]
    if bad:
        raise RunError(Problem("unknown kind", "KIND", bad[0], accepted=", ".join(known)))
    return [_kind(registry.get(n)) for n in names or known]


def _number(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _basis(c: Channel, role: str) -> str | None:
    """The heating-value basis of a channel: esg's record for an activity channel (what the
    emission factors are matched on); for a sensor, the basis its description names."""
    if role == "activity" and c.name in CHANNELS:
        return HEATING_VALUE.get(CHANNELS[c.name].basis)
    words = c.description.replace("(", " ").replace(")", " ").split()
    for word, basis in (("HHV", "GCV"), ("GCV", "GCV"), ("LHV", "NCV"), ("NCV", "NCV")):
        if word in words:
            return HEATING_VALUE[basis]
    return None


def _channel(c: Channel, role: str) -> dict[str, Any]:
    return {
        "name": c.name,
        "unit": c.unit,
        "role": role,
        "heating_value_basis": _basis(c, role),
        "description": c.description,
        "source": c.source,
    }


def _kind(kind: type[Kind]) -> dict[str, Any]:
    fields = kind.Params.model_fields
    params = [
        {"name": name, "default": _number(fields[name].default), **prov}
        for name, prov in kind.Params.provenance().items()
    ]
    channels = [_channel(c, "sensor") for c in kind.sensors]
    channels += [_channel(c, "activity") for c in kind.activity]
    channels.append(_channel(kind.production, "production"))
    modes = [
        {
            "name": m.name,
            "component": m.component,
            "description": m.description,
            "symptom": m.symptom or None,
            "alarm": _number(m.alarm),
            "mttr_h": m.mttr_h,
            "source": m.source,
        }
        for m in kind.failure_modes
    ]
    anomalies = [{"name": a, "acts_on": w, "target": t} for a, (w, t) in kind.anomalies.items()]
    return {
        "name": kind.name,
        "description": kind.description,
        "channels": channels,
        "params": params,
        "failure_modes": modes,
        "anomalies": anomalies,
    }


def show_kind(console: Console, k: dict[str, Any]) -> None:
    """The tables of one kind (as `facts` gives it)."""
    console.rule(f"[bold]{k['name']}[/]: {k['description']}")
    t = Table(title=f"{k['name']}: channels", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("channel", "unit", "role", "heating value", "description"):
        t.add_column(col)
    for c in k["channels"]:
        basis = c["heating_value_basis"] or "-"
        t.add_row(c["name"], c["unit"], c["role"], basis, c["description"])
    console.print(t)
    p = Table(title=f"{k['name']}: parameters", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("parameter", "default", "unit", "tag", "source"):
        p.add_column(col, justify="right" if col == "default" else "left")
    for x in k["params"]:
        p.add_row(x["name"], str(x["default"]), x.get("unit", ""), x.get("tag", ""), x["source"])
    console.print(p)
    m = Table(title=f"{k['name']}: failure modes", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("mode", "component", "symptom", "alarm", "MTTR h", "description"):
        m.add_column(col, justify="right" if col in ("alarm", "MTTR h") else "left")
    for x in k["failure_modes"]:
        alarm = "-" if x["alarm"] is None else f"{x['alarm']:g}"
        cells = (x["name"], x["component"], x["symptom"] or "-", alarm, f"{x['mttr_h']:g}")
        m.add_row(*cells, x["description"])
    console.print(m)
    a = ", ".join(f"{x['name']} ({x['acts_on']} {x['target']})" for x in k["anomalies"])
    console.print(f"anomalies: {a or '-'}", highlight=False)


def show_dispatch(console: Console) -> None:
    """The dispatch rules a site whose trucks share loaders may choose (`haulage.dispatch`)."""
    from aurum.twins.system import DISPATCH

    t = Table(title="dispatch rules (sites[].haulage.dispatch)", box=box.SIMPLE_HEAD)
    t.add_column("rule")
    t.add_column("sends a truck leaving the dump ...")
    for name, what in DISPATCH.items():
        t.add_row(name, what)
    console.print(t)
