"""The HTML emissions report: one self-contained page (inline CSS and SVG), returned as a string.

Sections: totals by scope (location- and market-based side by side) and by gas; emissions over
time by scope; emissions by machine; by kind with intensities; the cost of wear in carbon; the
factors used with their sources and verification levels; notes (fallbacks, proxies, gaps).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from aurum.esg.ledger import GASES, SCOPE_LABELS, SCOPES, column_name
from aurum.esg.reportdata import (
    ReportInput,
    by_key,
    by_period,
    factor_rows,
    fallback_twins,
    gas_totals,
    scope_totals,
)
from aurum.esg.reportsvg import horizontal_bars, stacked_bars

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f1f4f8} h2{border-bottom:2px solid #1b6ca8;padding-bottom:3px}
.note{color:#555;font-size:13px}
.partial{background:#fdecea;border:2px solid #c62828;color:#8e0000;padding:.6em 1em}
"""
TOP_MACHINES = 25


def report_html(inp: ReportInput) -> str:
    """The whole report as one HTML document (opens without the engine)."""
    body = [
        f"<h1>{escape(inp.title)}</h1>",
        f'<p class="partial"><b>{escape(inp.partial)}</b></p>' if inp.partial else "",
        f'<p class="note">{escape(inp.subtitle + " · " if inp.subtitle else "")}'
        f"GWP set: <b>{escape(inp.gwp_set)}</b>; "
        f"factor set: <b>{escape(inp.factor_set)}</b>. Gas masses are accounted per twin; "
        "CO2e is computed at report time.</p>",
        _summary(inp),
        _timeline(inp),
        _machines(inp),
        _kinds(inp),
        _wear(inp),
        _factors(inp),
        _notes(inp),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(inp.title)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table; numbers are right-aligned and formatted."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(v: object) -> str:
    if isinstance(v, float | int | np.floating) and not isinstance(v, bool):
        text = "–" if np.isnan(float(v)) else f"{float(v):,.3f}"
        return f'<td class="n">{text}</td>'
    return f"<td>{escape(str(v))}</td>"


def _summary(inp: ReportInput) -> str:
    totals = scope_totals(inp)
    rows = [[SCOPE_LABELS[s], totals[s] / 1e3] for s in SCOPES]
    rows += [
        ["Total, scope 2 location-based (1 + 2LB + 3.3)", totals["total"] / 1e3],
        ["Total, scope 2 market-based (1 + 2MB + 3.3)", totals["total_market"] / 1e3],
    ]
    gases = gas_totals(inp)
    gas_rows = [
        [SCOPE_LABELS[s], *(gases.get(column_name(s, g), 0.0) for g in GASES)] for s in SCOPES
    ]
    return (
        "<h2>Totals</h2>"
        + table(["Scope", f"t CO2e ({inp.gwp_set})"], rows)
        + table(["Scope", "kg CO2", "kg CH4 (fossil)", "kg N2O", "kg CO2e embedded"], gas_rows)
    )


def _timeline(inp: ReportInput) -> str:
    periods = by_period(inp)
    shown = ("scope1", "scope2_location", "scope3_fuel_wtt", "scope3_electricity")
    series = {SCOPE_LABELS[s]: periods.values[s] / 1e3 for s in shown}
    svg = stacked_bars(periods.labels, series, "t CO2e", "Emissions over time by scope")
    rows = [
        [label, *(periods.values[s][i] / 1e3 for s in SCOPES)]
        for i, label in enumerate(periods.labels)
    ]
    header = ["Period", *(f"{SCOPE_LABELS[s]}, t" for s in SCOPES)]
    return "<h2>Emissions over time</h2>" + svg + table(header, rows)


def _machines(inp: ReportInput) -> str:
    twins = by_key(inp, "twin_id")
    order = np.argsort(-twins.values["total"])[:TOP_MACHINES]
    labels = [twins.labels[i] for i in order]
    svg = horizontal_bars(labels, twins.values["total"][order] / 1e3, "t", "By machine")
    return (
        f"<h2>By machine</h2><p class='note'>Top {len(order)} of {len(twins.labels)} twins, "
        "t CO2e (scope 2 location-based).</p>" + svg
    )


def _kinds(inp: ReportInput) -> str:
    out = []
    for key in ("kind", "site", "country"):
        if key not in inp.table:
            continue
        g = by_key(inp, key)
        rows = []
        for i, label in enumerate(g.labels):
            product = g.values["product_t"][i]
            per_t = g.values["total"][i] / product if product > 0 else float("nan")
            rows.append([label, *(g.values[s][i] / 1e3 for s in SCOPES), product, per_t])
        header = [key, *(f"{SCOPE_LABELS[s]}, t" for s in SCOPES), "product, t", "kg CO2e/t"]
        out.append(f"<h2>By {key}</h2>" + table(header, rows))
    return "".join(out)


def _wear(inp: ReportInput) -> str:
    if inp.wear is None:
        return ""
    twin = np.asarray(inp.wear["twin_id"]).astype(str)
    mode = np.asarray(inp.wear.get("mode", np.full(len(twin), "all"))).astype(str)
    kg = np.asarray(inp.wear["co2e_kg"], dtype=float)
    order = np.argsort(-kg)
    labels = [f"{twin[i]} · {mode[i]}" for i in order[:TOP_MACHINES]]
    svg = horizontal_bars(labels, kg[order[:TOP_MACHINES]], "kg", "Cost of wear in carbon")
    rows = [[twin[i], mode[i], kg[i]] for i in order]
    return (
        "<h2>Cost of wear in carbon</h2><p class='note'>Emissions of the actual activity minus "
        "those of the same twins' healthy counterfactual for the same production: "
        f"<b>{kg.sum():,.1f} kg CO2e</b> in total.</p>"
        + svg
        + table(["Twin", "Failure mode", "kg CO2e"], rows)
    )


def _factors(inp: ReportInput) -> str:
    rows = factor_rows(inp)
    header = list(rows[0]) if rows else []
    return (
        "<h2>Factors used</h2><p class='note'>VL: S2 two transcriptions agree, S1 one, "
        "Q quoted, M recalled (placeholder), site = scenario override, P primary-checked.</p>"
        + table(header, [list(r.values()) for r in rows])
    )


def _notes(inp: ReportInput) -> str:
    items = [
        f"{SCOPE_LABELS.get(s, s)}: CO2e embedded by its publisher with GWP set(s) "
        f"{', '.join(sets)}; it does not change with the report's GWP set."
        for s, sets in inp.embedded_gwp.items()
    ]
    fallback = fallback_twins(inp)
    if fallback:
        items.append(
            f"{fallback} twin(s) had market-based electricity without an instrument: the "
            "location factor was used (fallback)."
        )
    items += list(inp.notes)
    return "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
