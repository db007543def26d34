"""Means with Student-t 95 % intervals across replications, and paired differences.

Replications of every variant use the same seeds (common random numbers), so a variant's runs
pair with the baseline's runs of the same seed: the difference d_i = x_i − b_i removes the noise
the two share, and its interval is that of mean(d) with n − 1 degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

LEVEL = 0.95
F64 = NDArray[np.float64]
NAN = float("nan")


@dataclass(frozen=True)
class Estimate:
    """Mean of n values with its 95 % interval half-width (NaN when n < 2)."""

    n: int
    mean: float
    sd: float
    half: float

    @property
    def low(self) -> float:
        return self.mean - self.half

    @property
    def high(self) -> float:
        return self.mean + self.half

    def p_value(self) -> float:
        """Two-sided t-test of mean = 0 (NaN when it cannot be told)."""
        from scipy import stats

        if self.n < 2:
            return NAN
        if self.sd == 0.0:
            return 1.0 if self.mean == 0.0 else 0.0
        t = self.mean / (self.sd / math.sqrt(self.n))
        return float(2.0 * stats.t.sf(abs(t), self.n - 1))


def t_quantile(n: int) -> float:
    """Student t quantile for a two-sided 95 % interval with n − 1 degrees of freedom."""
    from scipy import stats

    return float(stats.t.ppf(0.5 + LEVEL / 2.0, n - 1))


def estimate(values: Sequence[float] | F64) -> Estimate:
    """Mean and 95 % interval of the finite values."""
    a = np.asarray(values, dtype=np.float64)
    a = a[np.isfinite(a)]
    n = len(a)
    if n == 0:
        return Estimate(0, NAN, NAN, NAN)
    mean = math.fsum(a) / n
    if n == 1:
        return Estimate(1, mean, NAN, NAN)
    sd = math.sqrt(math.fsum((a - mean) ** 2) / (n - 1))
    return Estimate(n, mean, sd, t_quantile(n) * sd / math.sqrt(n))


def paired(values: dict[int, float], baseline: dict[int, float]) -> tuple[Estimate, list[float]]:
    """Paired difference to the baseline over the seeds both have (finite on both sides)."""
    seeds = sorted(s for s in values if s in baseline)
    d = [values[s] - baseline[s] for s in seeds]
    return estimate(d), d


SUMMARY_SCHEMA = pa.schema(
    [
        ("variant", pa.string()),
        ("metric", pa.string()),
        ("n", pa.int32()),
        ("mean", pa.float64()),
        ("sd", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("diff_n", pa.int32()),
        ("diff_mean", pa.float64()),
        ("diff_ci_low", pa.float64()),
        ("diff_ci_high", pa.float64()),
        ("diff_pct", pa.float64()),
        ("diff_p", pa.float64()),
    ]
)


def summarize(
    runs: pa.Table, metrics: Sequence[str], variants: Sequence[str], baseline: str
) -> pa.Table:
    """One row per variant and metric: mean and CI, and the paired difference to the baseline."""
    done = _done(runs)
    rows: dict[str, list[object]] = {f.name: [] for f in SUMMARY_SCHEMA}
    for metric in metrics:
        base = _by_seed(done, baseline, metric)
        for variant in variants:
            mine = _by_seed(done, variant, metric)
            e = estimate(list(mine.values()))
            d, _ = paired(mine, base)
            b = estimate(list(base.values())).mean
            pct = 100.0 * d.mean / abs(b) if b and math.isfinite(b) else NAN
            values: tuple[object, ...] = (variant, metric, e.n, e.mean, e.sd, e.low, e.high)
            values += (d.n, d.mean, d.low, d.high, pct, d.p_value())
            for f, v in zip(SUMMARY_SCHEMA.names, values, strict=True):
                rows[f].append(v)
    return pa.table(rows, schema=SUMMARY_SCHEMA)


def _done(runs: pa.Table) -> dict[str, list[object]]:
    if "status" not in runs.column_names:
        return runs.to_pydict()
    mask = [s == "done" for s in runs.column("status").to_pylist()]
    return runs.filter(pa.array(mask, pa.bool_())).to_pydict()


def _by_seed(runs: dict[str, list[object]], variant: str, metric: str) -> dict[int, float]:
    """Finite values of a metric for one variant, keyed by replication seed."""
    if metric not in runs:
        return {}
    out = {}
    for v, s, x in zip(runs["variant"], runs["seed"], runs[metric], strict=True):
        if v == variant and x is not None and math.isfinite(float(x)):  # type: ignore[arg-type]
            out[int(s)] = float(x)  # type: ignore[call-overload,arg-type]
    return out
