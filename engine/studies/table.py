"""A study's comparison as tables: per group of metrics, a row per variant with two lines —
mean ± 95 % CI, and the paired difference to the baseline ± its 95 % CI (`*`: excludes zero).

Shared by the terminal (rich), `str(StudyResult)` (plain text) and the HTML report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from aurum.engine.studies.compared import Compared
from aurum.engine.studies.metrics import METRICS, Metric

DASH = "–"
NOTE = (
    "mean ± 95 % CI across replications (Student t); Δ = paired difference to the baseline "
    "(same seeds) ± 95 % CI; * = the interval excludes 0; – = not available"
)


@dataclass(frozen=True)
class Cell:
    mean: str
    diff: str
    significant: bool


@dataclass(frozen=True)
class Group:
    title: str
    metrics: list[Metric]
    rows: list[tuple[str, list[Cell]]]  # (variant, one cell per metric)


def groups(result: Compared) -> list[Group]:
    """The comparison's groups of metrics, with the metrics worth showing."""
    stats = {(r["variant"], r["metric"]): r for r in result.summary.to_pylist()}
    shown = [m for m in METRICS if _worth_showing(result, m)]
    out = []
    for title in dict.fromkeys(m.group for m in shown):
        metrics = [m for m in shown if m.group == title]
        rows = []
        for v in result.variants:
            base = v == result.baseline
            rows.append((v, [cell(stats[(v, m.key)], m, base) for m in metrics]))
        out.append(Group(title, metrics, rows))
    return out


def _worth_showing(result: Compared, m: Metric) -> bool:
    """Hide what no run has (coal without a coal boiler); keep absent emissions as "–"."""
    if m.key not in result.runs.column_names:
        return False
    values = np.asarray(result.runs.column(m.key).to_numpy(zero_copy_only=False), dtype=float)
    if m.group.startswith("Emission") and not np.isfinite(values).any():
        return True
    return bool(np.any(np.isfinite(values) & (values != 0.0)))


def cell(row: dict[str, Any], m: Metric, baseline: bool) -> Cell:
    """Mean ± CI and Δ ± CI of one variant and metric, in the metric's display unit."""
    mean = _scaled(row["mean"], m)
    half = _snap(_scaled(row["ci_high"], m) - mean, mean)
    text = number(mean, half) + ("" if not math.isfinite(half) else f" ±{_fixed(half, half)}")
    if baseline:
        return Cell(text, "baseline", False)
    d = _scaled(row["diff_mean"], m)
    dh = _snap(_scaled(row["diff_ci_high"], m) - d, d)
    if not math.isfinite(d):
        return Cell(text, DASH, False)
    sig = math.isfinite(dh) and (d - dh > 0 or d + dh < 0)
    diff = "Δ " + signed(d, dh) + ("" if not math.isfinite(dh) else f" ±{_fixed(dh, dh)}")
    return Cell(text, diff + (" *" if sig else ""), sig)


def _snap(half: float, v: float) -> float:
    """An interval that is rounding noise (a metric equal in every replication) is 0."""
    if math.isfinite(half) and math.isfinite(v) and abs(half) <= 1e-9 * max(1.0, abs(v)):
        return 0.0
    return half


def _scaled(v: Any, m: Metric) -> float:
    return float("nan") if v is None else float(v) * m.scale


def _decimals(v: float, half: float) -> int:
    """Decimals that show the interval's first significant digit (or 3 significant digits)."""
    if math.isfinite(half) and half > 0:
        return int(min(6, max(0, -math.floor(math.log10(half)))))
    a = abs(v)
    if a == 0 or a >= 100:
        return 0 if a >= 1000 or a == 0 or float(v).is_integer() else 1
    return int(min(4, max(0, 2 - math.floor(math.log10(a)))))


def _fixed(v: float, half: float) -> str:
    return f"{v:,.{_decimals(v, half)}f}"


def number(v: float, half: float = float("nan")) -> str:
    """A value with as many decimals as its interval deserves; "–" when unknown."""
    return DASH if not math.isfinite(v) else _fixed(v, half)


def signed(v: float, half: float = float("nan")) -> str:
    if not math.isfinite(v):
        return DASH
    text = f"{v:+,.{_decimals(v, half)}f}"
    return text.replace("-", "−")


def header(result: Compared) -> str:
    """One line: the study, its size, its baseline and how many runs failed."""
    n = result.runs.num_rows
    done = sum(s == "done" for s in result.runs.column("status").to_pylist())
    reps = len(set(result.runs.column("replication").to_pylist()))
    line = (
        f"Study {result.name}: {len(result.variants)} variants × {reps} replications "
        f"({done}/{n} runs done); baseline {result.baseline}"
    )
    return line + (f"; {len(result.failures)} FAILED" if result.failures else "")


def text_tables(result: Compared) -> str:
    """The comparison as plain text (what `print(result)` shows)."""
    lines = [header(result), NOTE]
    for g in groups(result):
        head = ["variant", *(f"{m.label} [{m.unit}]" for m in g.metrics)]
        body = []
        for variant, cells in g.rows:
            body.append([variant, *(c.mean for c in cells)])
            body.append(["", *(c.diff for c in cells)])
        lines += ["", g.title, *_columns([head, *body])]
    lines += [
        f"failed: {f['variant']} r{f['replication']:03d}: {f['error']}" for f in result.failures
    ]
    return "\n".join(lines)


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return out
