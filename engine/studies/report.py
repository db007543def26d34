"""A study's HTML report: one self-contained file (inline CSS and SVG, no scripts to fetch).

Sections: what was compared (variants and what each changes), the comparison tables (mean ±
95 % CI, paired Δ to the baseline ± 95 % CI), bars with CI whiskers per variant and of the
paired differences, the trade-off between two metrics (default: maintenance cost vs CO2e), a
KPI over the run (mean of the replications per variant), and the failed runs.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from aurum.engine.studies.compared import Compared
from aurum.engine.studies.metrics import BY_KEY, SERIES
from aurum.engine.studies.svg import Interval, bars, lines, scatter
from aurum.engine.studies.table import NOTE, groups, header

PLOTTED = (
    "physical_availability",
    "failures",
    "unplanned_downtime_h",
    "ore_milled_t",
    "maintenance_cost_usd",
    "cost_per_t_milled_usd",
    "co2e_total_t",
    "co2e_total_market_t",
)
SERIES_LABELS = {
    "physical_availability": ("fleet physical availability", "%", 100.0),
    "ore_hauled_t": ("ore hauled", "t", 1.0),
    "ore_milled_t": ("ore milled", "t", 1.0),
    "steam_t": ("steam", "t", 1.0),
    "diesel_l": ("diesel", "L", 1.0),
    "electricity_kwh": ("electricity", "kWh", 1.0),
    "natural_gas_gj": ("natural gas", "GJ", 1.0),
    "coal_t": ("coal", "t", 1.0),
    "co2e_t": ("CO2e (location-based)", "t", 1.0),
}
CSS = """
body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0 16px}td,th{padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
tr.diff td{color:#666;font-size:12px;border-bottom:1px solid #eee}td.sig{color:#000;font-weight:600}
.note{color:#555;font-size:12px}.plots{display:flex;flex-wrap:wrap;gap:12px}
"""


def write_report(result: Compared, path: Path) -> Path:
    """Write the report next to the study's tables; its path."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(render(result), encoding="utf-8")
    tmp.replace(path)
    return path


def render(result: Compared) -> str:
    """The whole report as one HTML string."""
    tables = groups(result)
    shown = {m.key for g in tables for m in g.metrics}
    parts = [
        f"<h1>Study {_e(result.name)}</h1>",
        f"<p>{_e(header(result))}</p><p class='note'>{_e(NOTE)}. Generated {_now()}.</p>",
        _variants(result),
        *(_group(g) for g in tables),
        "<h2>Variants compared</h2><div class='plots'>",
        *(_metric_plots(result, key) for key in PLOTTED if key in shown),
        "</div><h2>Trade-off</h2>",
        _tradeoff(result),
        "<h2>Over the run</h2>",
        _series(result),
        _failures(result),
    ]
    body = "\n".join(parts)
    title = f"Study {_e(result.name)}"
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )


def _e(text: Any) -> str:
    return html.escape(str(text))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _variants(result: Compared) -> str:
    status = result.runs.column("status").to_pylist()
    names = result.runs.column("variant").to_pylist()
    rows = []
    for v in result.variants:
        done = sum(1 for n, s in zip(names, status, strict=True) if n == v and s == "done")
        total = names.count(v)
        mark = " (baseline)" if v == result.baseline else ""
        rows.append(
            f"<tr><td>{_e(v)}{mark}</td><td style='text-align:left'>{_e(result.changes[v])}</td>"
            f"<td>{done}/{total}</td></tr>"
        )
    head = "<tr><th>variant</th><th style='text-align:left'>scenario</th><th>runs done</th></tr>"
    return f"<h2>Variants</h2><table>{head}{''.join(rows)}</table>"


def _group(g: Any) -> str:
    head = "".join(f"<th>{_e(m.label)} [{_e(m.unit)}]</th>" for m in g.metrics)
    rows = []
    for variant, cells in g.rows:
        rows.append(
            f"<tr><td>{_e(variant)}</td>{''.join(f'<td>{_e(c.mean)}</td>' for c in cells)}</tr>"
        )
        diffs = "".join(
            f"<td class='{'sig' if c.significant else ''}'>{_e(c.diff)}</td>" for c in cells
        )
        rows.append(f"<tr class='diff'><td></td>{diffs}</tr>")
    return f"<h2>{_e(g.title)}</h2><table><tr><th>variant</th>{head}</tr>{''.join(rows)}</table>"


def _stats(result: Compared, key: str) -> dict[str, dict[str, Any]]:
    return {r["variant"]: r for r in result.summary.to_pylist() if r["metric"] == key}


def _intervals(result: Compared, key: str, diff: bool = False) -> list[Interval]:
    m = BY_KEY[key]
    stats = _stats(result, key)
    cols = ("diff_mean", "diff_ci_low", "diff_ci_high") if diff else ("mean", "ci_low", "ci_high")
    out = []
    for v in result.variants:
        vals = [stats[v][c] for c in cols]
        scaled = [float("nan") if x is None else float(x) * m.scale for x in vals]
        out.append(Interval(v, *scaled))
    return out


def _metric_plots(result: Compared, key: str) -> str:
    m = BY_KEY[key]
    out = bars(m.label, m.unit, _intervals(result, key))
    if len(result.variants) > 1:
        out += bars(f"Δ {m.label} vs {result.baseline}", m.unit, _intervals(result, key, True), 0.0)
    return f"<div>{out}</div>"


def _tradeoff(result: Compared) -> str:
    xk, yk = result.tradeoff
    xm, ym = BY_KEY[xk], BY_KEY[yk]
    title = f"{ym.label} vs {xm.label}"
    svg = scatter(
        title,
        _intervals(result, xk),
        _intervals(result, ym.key),
        (f"{xm.label} [{xm.unit}]", f"{ym.label} [{ym.unit}]"),
    )
    return f"<div>{svg}</div><p class='note'>Points: mean per variant; lines: 95 % CI.</p>"


def _series(result: Compared) -> str:
    key = result.series_metric if result.series_metric in SERIES else "physical_availability"
    label, unit, scale = SERIES_LABELS[key]
    s = result.series
    variants = s.column("variant").to_pylist()
    t = np.asarray(s.column("t_h").to_numpy(), dtype=float)
    values = np.asarray(s.column(key).to_numpy(zero_copy_only=False), dtype=float) * scale
    lines_in = []
    for v in result.variants:
        mine = np.asarray([x == v for x in variants])
        ts = np.unique(t[mine])
        means = [_mean(values[mine & (t == x)]) for x in ts]
        lines_in.append((v, list(ts / 24.0), means))
    note = "x: days from the start; each line the mean of the variant's replications per period."
    return f"<div>{lines(f'{label} over the run', unit, lines_in)}</div><p class='note'>{note}</p>"


def _mean(values: Any) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")


def _failures(result: Compared) -> str:
    if not result.failures:
        return ""
    rows = "".join(
        f"<tr><td>{_e(f['variant'])}</td><td>{f['replication']}</td><td>{f['seed']}</td>"
        f"<td style='text-align:left'>{_e(f['error'])}</td></tr>"
        for f in result.failures
    )
    head = "<tr><th>variant</th><th>replication</th><th>seed</th><th>problem</th></tr>"
    return f"<h2>Failed runs</h2><table>{head}{rows}</table>"
