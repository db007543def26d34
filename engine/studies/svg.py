"""Plots as inline SVG, drawn by hand: the report opens anywhere, with nothing to fetch.

Three shapes: horizontal bars with 95 % CI whiskers (one per variant; also for paired
differences, centred on zero), a scatter with CI crosses (a trade-off), and lines over time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Interval:
    """A value with its 95 % interval (low = high = value when unknown)."""

    label: str
    value: float
    low: float
    high: float

    @property
    def finite(self) -> bool:
        return math.isfinite(self.value)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 × 10^k) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else [0.0]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    count = math.ceil((hi - first) / step + 1e-9) + 1
    return [first + i * step for i in range(count)]


def _label(v: float) -> str:
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e4:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def _range(items: Sequence[Interval], zero: bool) -> tuple[float, float]:
    """Axis range: from zero for bars, unless the values sit far from it (then ticks show it)."""
    lows = [i.low if math.isfinite(i.low) else i.value for i in items if i.finite]
    highs = [i.high if math.isfinite(i.high) else i.value for i in items if i.finite]
    lo, hi = min(lows), max(highs)
    if zero and ((0 <= lo < 0.5 * hi) or (0.5 * lo < hi <= 0)):
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        pad = abs(hi) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    t = ticks(lo, hi)
    return t[0], t[-1]


def bars(title: str, unit: str, items: Sequence[Interval], centre: float | None = None) -> str:
    """Horizontal bars from the axis origin (or `centre`) with CI whiskers, one per item."""
    shown = [i for i in items if i.finite]
    if not shown:
        return _empty(title)
    left, width, row = 170, 330, 22
    lo, hi = _range(
        [*shown, *([Interval("", centre, centre, centre)] if centre is not None else [])], True
    )
    origin = centre if centre is not None else (0.0 if lo <= 0 <= hi else lo)
    h = 40 + row * len(items) + 24
    x = _scale(lo, hi, left, left + width)
    out = [_open(left + width + 90, h), _title(title, unit)]
    out += _xaxis(lo, hi, x, 40, 40 + row * len(items))
    for k, it in enumerate(items):
        y = 40 + k * row
        out.append(_text(left - 6, y + 15, it.label, "end"))
        if not it.finite:
            out.append(_text(left + 4, y + 15, "–", extra='fill="#888"'))
            continue
        a, b = sorted((x(origin), x(it.value)))
        out.append(
            f'<rect x="{a:.1f}" y="{y + 4}" width="{max(b - a, 1):.1f}" height="{row - 8}" '
            f'fill="{color(k)}" opacity="0.75">{_tip(f"{it.label}: {it.value:g}")}</rect>'
        )
        out += _whisker(x, it, y + row / 2)
    return "\n".join([*out, "</svg>"])


def _whisker(x: _Scale, it: Interval, y: float) -> list[str]:
    if not (math.isfinite(it.low) and math.isfinite(it.high)):
        return []
    a, b = x(it.low), x(it.high)
    return [_line(a, b, y, y), _line(a, a, y - 5, y + 5), _line(b, b, y - 5, y + 5)]


def _line(x1: float, x2: float, y1: float, y2: float, stroke: str = "#222") -> str:
    return f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="{stroke}"/>'


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def _tip(text: str) -> str:
    return f"<title>{escape(text)}</title>"


class _Scale:
    def __init__(self, lo: float, hi: float, a: float, b: float) -> None:
        self.lo, self.span, self.a, self.b = lo, (hi - lo) or 1.0, a, b

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / self.span * (self.b - self.a)


def _scale(lo: float, hi: float, a: float, b: float) -> _Scale:
    return _Scale(lo, hi, a, b)


def _open(w: float, h: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" {FONT}>'
    )


def _title(title: str, unit: str) -> str:
    text = escape(title) + (f" [{escape(unit)}]" if unit else "")
    return f'<text x="8" y="18" font-size="13" font-weight="600">{text}</text>'


def _empty(title: str) -> str:
    return (
        f"{_open(500, 50)}{_title(title, '')}"
        '<text x="8" y="40" fill="#888">not available in these runs</text></svg>'
    )


def _xaxis(lo: float, hi: float, x: _Scale, top: float, bottom: float) -> list[str]:
    out = []
    for t in ticks(lo, hi):
        if lo - 1e-12 <= t <= hi + 1e-12:
            xt = x(t)
            out += [_line(xt, xt, top, bottom, "#ddd"), _text(xt, bottom + 14, _label(t), "middle")]
    return out


def _yaxis(lo: float, hi: float, y: _Scale, left: float, right: float) -> list[str]:
    out = []
    for t in ticks(lo, hi):
        if lo - 1e-12 <= t <= hi + 1e-12:
            yt = y(t)
            out += [_line(left, right, yt, yt, "#ddd"), _text(left - 4, yt + 4, _label(t), "end")]
    return out


def scatter(
    title: str, xs: Sequence[Interval], ys: Sequence[Interval], units: tuple[str, str]
) -> str:
    """One point per variant with its CI in both directions (a trade-off between two metrics)."""
    pairs = [(a, b) for a, b in zip(xs, ys, strict=True) if a.finite and b.finite]
    if not pairs:
        return _empty(title)
    left, top, w, h = 70, 30, 420, 260
    xlo, xhi = _range([a for a, _ in pairs], False)
    ylo, yhi = _range([b for _, b in pairs], False)
    x, y = _scale(xlo, xhi, left, left + w), _scale(ylo, yhi, top + h, top)
    out = [_open(left + w + 190, top + h + 40), _title(title, "")]
    out += _xaxis(xlo, xhi, x, top, top + h) + _yaxis(ylo, yhi, y, left, left + w)
    out.append(_text(left + w / 2, top + h + 32, units[0], "middle"))
    for k, (a, b) in enumerate(zip(xs, ys, strict=True)):
        if not (a.finite and b.finite):
            continue
        px, py = x(a.value), y(b.value)
        out += _cross(x, y, a, b, color(k))
        dot = f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{color(k)}">'
        out.append(f"{dot}{_tip(a.label)}</circle>")
        out.append(_legend(left + w + 12, top + 14 * k, a.label, color(k)))
    turn = f'transform="rotate(-90 12 {top + h / 2})"'
    out.append(_text(12, top + h / 2, units[1], "middle", turn))
    return "\n".join([*out, "</svg>"])


def _cross(x: _Scale, y: _Scale, a: Interval, b: Interval, c: str) -> list[str]:
    out = []
    if math.isfinite(a.low) and math.isfinite(a.high):
        out.append(_line(x(a.low), x(a.high), y(b.value), y(b.value), c))
    if math.isfinite(b.low) and math.isfinite(b.high):
        out.append(_line(x(a.value), x(a.value), y(b.low), y(b.high), c))
    return out


def _legend(x: float, y: float, label: str, c: str) -> str:
    box = f'<rect x="{x:.1f}" y="{y:.1f}" width="10" height="10" fill="{c}"/>'
    return box + _text(x + 14, y + 9, label)


def lines(
    title: str, unit: str, series: Sequence[tuple[str, Sequence[float], Sequence[float]]]
) -> str:
    """One line per variant over time (x in days or hours of the run)."""
    pts = [(v, t) for _, ts, vs in series for t, v in zip(ts, vs, strict=True) if math.isfinite(v)]
    if not pts:
        return _empty(title)
    left, top, w, h = 70, 30, 520, 240
    ylo, yhi = _range([Interval("", v, v, v) for v, _ in pts], False)
    xlo, xhi = min(t for _, t in pts), max(t for _, t in pts)
    x, y = (
        _scale(xlo, xhi if xhi > xlo else xlo + 1, left, left + w),
        _scale(ylo, yhi, top + h, top),
    )
    out = [_open(left + w + 190, top + h + 40), _title(title, unit)]
    out += _xaxis(xlo, xhi, x, top, top + h) + _yaxis(ylo, yhi, y, left, left + w)
    for k, (label, ts, vs) in enumerate(series):
        path = " ".join(
            f"{x(t):.1f},{y(v):.1f}" for t, v in zip(ts, vs, strict=True) if math.isfinite(v)
        )
        style = f'fill="none" stroke="{color(k)}" stroke-width="1.5"'
        out.append(f'<polyline points="{path}" {style}>{_tip(label)}</polyline>')
        out.append(_legend(left + w + 12, top + 14 * k, label, color(k)))
    return "\n".join([*out, "</svg>"])
