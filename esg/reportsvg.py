"""Hand-made inline SVG charts for the HTML report (no plotting dependency)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import numpy as np

from aurum.esg.ledger import F64

PALETTE = ("#1b6ca8", "#f39c12", "#8e44ad", "#27ae60", "#c0392b", "#7f8c8d")
W, H, PAD_L, PAD_B, PAD_T = 900, 340, 70, 90, 20


def stacked_bars(labels: Sequence[str], series: Mapping[str, F64], unit: str, title: str) -> str:
    """Vertical stacked bars: one bar per label, one colour per series (values ≥ 0)."""
    n = max(len(labels), 1)
    stack = (
        np.vstack([np.clip(v, 0, None) for v in series.values()]) if series else np.zeros((1, n))
    )
    top = float(stack.sum(axis=0).max(initial=0.0)) or 1.0
    plot_w, plot_h = W - PAD_L - 10, H - PAD_B - PAD_T
    bar_w = plot_w / n
    parts = [_axis(top, unit, plot_h)]
    for i in range(len(labels)):
        y = float(PAD_T + plot_h)
        for k, name in enumerate(series):
            h = float(stack[k, i]) / top * plot_h
            y -= h
            x = PAD_L + i * bar_w + bar_w * 0.1
            tip = f"{labels[i]} {name}: {stack[k, i]:.4g} {unit}"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w * 0.8:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(tip)}</title></rect>'
            )
    parts += _x_labels(labels, bar_w, plot_h)
    return _frame(title, parts, list(series))


def horizontal_bars(labels: Sequence[str], values: F64, unit: str, title: str) -> str:
    """One horizontal bar per label (largest first is the caller's choice)."""
    top = float(np.max(np.abs(values), initial=0.0)) or 1.0
    row = 18
    height = PAD_T + row * len(labels) + 30
    parts = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = PAD_T + i * row
        w = abs(float(v)) / top * (W - 260)
        colour = PALETTE[0] if v >= 0 else PALETTE[4]
        parts.append(
            f'<text x="175" y="{y + 13}" text-anchor="end" font-size="11">{escape(label)}</text>'
            f'<rect x="180" y="{y + 2}" width="{w:.1f}" height="{row - 4}" fill="{colour}"/>'
            f'<text x="{185 + w:.1f}" y="{y + 13}" font-size="11">{v:,.1f} {escape(unit)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f"{''.join(parts)}</svg>"
    )


def _axis(top: float, unit: str, plot_h: float) -> str:
    ticks = []
    for f in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = PAD_T + plot_h * (1 - f)
        ticks.append(
            f'<line x1="{PAD_L}" x2="{W - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{PAD_L - 5}" y="{y + 4:.1f}" text-anchor="end" font-size="10">'
            f"{top * f:,.3g}</text>"
        )
    ticks.append(
        f'<text x="12" y="{PAD_T + plot_h / 2}" font-size="11" '
        f'transform="rotate(-90 12 {PAD_T + plot_h / 2})">{escape(unit)}</text>'
    )
    return "".join(ticks)


def _x_labels(labels: Sequence[str], bar_w: float, plot_h: float) -> list[str]:
    step = max(1, len(labels) // 12)
    out = []
    for i in range(0, len(labels), step):
        x = PAD_L + (i + 0.5) * bar_w
        y = PAD_T + plot_h + 14
        out.append(
            f'<text x="{x:.1f}" y="{y}" font-size="9" text-anchor="end" '
            f'transform="rotate(-30 {x:.1f} {y})">{escape(labels[i])}</text>'
        )
    return out


def _frame(title: str, parts: list[str], legend: list[str]) -> str:
    keys = "".join(
        f'<rect x="{PAD_L + 200 * k}" y="{H - 14}" width="10" height="10" '
        f'fill="{PALETTE[k % len(PALETTE)]}"/><text x="{PAD_L + 200 * k + 14}" y="{H - 5}" '
        f'font-size="10">{escape(name)}</text>'
        for k, name in enumerate(legend)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}{keys}</svg>'
    )
