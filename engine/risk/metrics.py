"""How well a risk score (or a rule) warns of failures: row metrics and alert episodes.

Row metrics treat each labelled row on its own: AUROC of the score, and precision, recall and
F1 of "score ≥ alert level" against "a failure within H". Alert metrics follow each twin life
(the rows from one renewal to the next failure) through time: an alert starts when the score
reaches the alert level and lasts until it has stayed at or below the clear level for the
clear-after time (hysteresis with a dwell, as the shards raise them; a rule alerts while its
reading is beyond the alarm level), and a life's alert state starts clear.
- a failure is *warned* when an alert is on at the life's last row before it; its *lead time*
  is the time from that alert's start to the failure;
- an alert is *false* when no failure follows within H of its start; false alarms are counted
  per twin-month of scored time.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata

B = NDArray[np.bool_]
F = NDArray[np.float64]


@dataclass
class Scores:
    """The figures of one predictor on one set of rows."""

    auroc: float
    precision: float
    recall: float
    f1: float
    alerts: int
    false_alarms: int
    false_alarms_per_twin_month: float
    failures: int
    warned: int
    median_lead_h: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def auroc(score: F, y: B) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    pos, neg = int(y.sum()), int((~y).sum())
    if not pos or not neg:
        return math.nan
    ranks = rankdata(score)
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


def prf(pred: B, y: B) -> tuple[float, float, float]:
    tp = float((pred & y).sum())
    p = tp / pred.sum() if pred.any() else 0.0
    r = tp / y.sum() if y.any() else 0.0
    return p, r, (2 * p * r / (p + r) if p + r > 0 else 0.0)


def best_f1_level(score: F, y: B, grid: F | None = None) -> float:
    """The alert level in a grid that maximises F1 on these rows."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2) if grid is None else grid
    f1 = [prf(score >= g, y)[2] for g in grid]
    return float(grid[int(np.argmax(f1))])


@dataclass
class Lives:
    """Row order and twin lives of a row set (rows sorted by seed, twin, tick)."""

    order: NDArray[np.intp]
    start: NDArray[np.intp]  # per sorted row: index of the first row of its life
    last: B  # per sorted row: the last row of a life that ends in a failure
    ttf_h: F
    y: B

    @classmethod
    def of(cls, seed: Any, twin: Any, hours: F, ttf_h: F, y: B) -> Lives:
        """Lives of rows given their seed, twin, time [h] and hours to the next failure."""
        end = np.where(np.isfinite(ttf_h), np.round(hours + ttf_h, 6), -1.0)
        order = np.lexsort((hours, end, twin, seed))
        keys = np.stack([np.asarray(seed)[order], np.asarray(twin)[order], end[order]])
        new = np.ones(len(order), dtype=bool)
        new[1:] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
        i = np.arange(len(order))
        start = np.maximum.accumulate(np.where(new, i, 0))
        last = np.zeros(len(order), dtype=bool)
        last[:-1] = new[1:]
        last[-1:] = True  # the last row ends its life (no row: nothing)
        last &= np.isfinite(ttf_h[order])
        return cls(order, start, last, ttf_h[order], y[order])

    def episodes(self, on: B, off: B, dwell: int = 1) -> tuple[B, NDArray[np.intp]]:
        """Per sorted row: alert active, and the row where the active alert started. An alert
        clears at the `dwell`-th row in a row (of its life) that is off."""
        on, off = on[self.order], off[self.order]
        i = np.arange(len(on))
        low = off & ~on
        run = i - np.maximum.accumulate(np.where(~low, i, -1))  # off rows in a row ending here
        run = np.minimum(run, i - self.start + 1)  # within the life
        last_on = np.maximum.accumulate(np.where(on, i, -1))
        last_off = np.maximum.accumulate(np.where(low & (run >= dwell), i, -1))
        active = (last_on >= self.start) & (last_on > last_off)
        prev = np.concatenate([[False], active[:-1]]) & (self.start < i)
        onset = active & ~prev
        began = np.maximum.accumulate(np.where(onset, i, 0))
        return active, began


def score_alerts(
    lives: Lives,
    score: F,
    on_level: float,
    off_level: float,
    twin_months: float,
    horizon_h: float,
    dwell: int = 1,
) -> Scores:
    """Row metrics and alert metrics of a score with hysteresis (on ≥ level, off ≤ clear for
    `dwell` rows in a row)."""
    y = lives.y
    s = score[lives.order]
    on = score >= on_level
    off = score <= off_level
    return _scores(lives, auroc(s, y), on[lives.order], on, off, twin_months, horizon_h, dwell)


def rule_alerts(lives: Lives, beyond: B, margin: F, twin_months: float, horizon_h: float) -> Scores:
    """The same figures for a rule that alarms while a reading is beyond its alarm level."""
    a = auroc(margin[lives.order], lives.y)
    return _scores(lives, a, beyond[lives.order], beyond, ~beyond, twin_months, horizon_h)


def _scores(
    lives: Lives,
    area: float,
    pred: B,
    on: B,
    off: B,
    twin_months: float,
    horizon_h: float,
    dwell: int = 1,
) -> Scores:
    p, r, f1 = prf(pred, lives.y)
    active, began = lives.episodes(on, off, dwell)
    onset = active & (began == np.arange(len(active)))
    false = onset & ~(lives.ttf_h <= horizon_h)
    warned = lives.last & active
    lead = lives.ttf_h[began[warned]]
    return Scores(
        area, p, r, f1, int(onset.sum()), int(false.sum()),
        float(false.sum()) / twin_months if twin_months else math.nan, int(lives.last.sum()),
        int(warned.sum()), float(np.median(lead)) if len(lead) else math.nan,
    )  # fmt: skip
