"""Train a kind's risk model on run-to-failure fleets and write it with its model card.

`train_kind` generates (or reuses) the training seeds' fleets, labels their rows, fits a
histogram gradient-boosting classifier (scikit-learn; `pip install '.[risk]'`), picks the alert
level that maximises F1 on the validation twins, exports the model to ONNX
(`engine.risk.onnx_graph`,
a plain probability tensor), checks onnxruntime against scikit-learn on the validation rows,
and writes `<out>/<kind>.onnx` and its card `<out>/<kind>.json`.

Negative rows are many: the fit keeps every positive row and a uniform share s of the negative
ones, and the exported model adds log(s) to its log-odds, so the score is again an estimate of
P(failure within H) for rows as they come (prior correction for case-control sampling).
"""

from __future__ import annotations

import json
import math
import platform
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.engine.errors import Problem, RunError
from aurum.engine.risk.data import (
    HORIZON_H,
    TRAIN_SEEDS,
    FleetSpec,
    Rows,
    dwell_rows,
    generate,
    labelled,
)
from aurum.engine.risk.metrics import Lives, best_f1_level, score_alerts
from aurum.engine.risk.onnx_graph import hgb_to_onnx
from aurum.twins import registry
from aurum.twins.risk import FeatureSpec
from aurum.twins.risk.model import CARD_FORMAT, card_path
from aurum.twins.risk.settings import CLEAR_FRACTION


@dataclass(frozen=True)
class ModelParams:
    """The classifier: small boosted trees (≈ 1 µs a row in onnxruntime on one thread)."""

    max_iter: int = 100
    max_leaf_nodes: int = 15
    learning_rate: float = 0.1
    l2_regularization: float = 1.0
    max_rows: int = 1_500_000  # rows in the fit after thinning the negatives
    random_state: int = 0


def training_deps() -> Any:
    """scikit-learn's HistGradientBoostingClassifier (and onnx), or a RunError saying how to
    install them."""
    try:
        import onnx  # noqa: F401 - used by engine.risk_onnx
        from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-untyped]
    except ImportError as e:
        raise RunError(
            Problem(f"training needs {e.name}", accepted="pip install 'aurum-twin[risk]'")
        ) from None
    return HistGradientBoostingClassifier


def thin(rows: Rows, max_rows: int, seed: int = 0) -> tuple[Rows, float]:
    """Every positive row and a uniform share of the negatives; that share."""
    neg = int((~rows.y).sum())
    share = min(1.0, max(max_rows - int(rows.y.sum()), 1) / max(neg, 1))
    keep = rows.y | (np.random.default_rng(seed).random(len(rows.y)) < share)
    return rows.take(keep), share


def fit(rows: Rows, params: ModelParams) -> tuple[Any, float]:
    """The fitted classifier and the log-odds offset that undoes the thinning."""
    hgb = training_deps()
    fitting, share = thin(rows, params.max_rows, params.random_state)
    model = hgb(
        max_iter=params.max_iter,
        max_leaf_nodes=params.max_leaf_nodes,
        learning_rate=params.learning_rate,
        l2_regularization=params.l2_regularization,
        early_stopping=False,
        random_state=params.random_state,
    )
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # small fits: one thread (OpenMP's start-up and spinning cost more than the work)
    with threadpool_limits(limits=1 if len(fitting.y) < 200_000 else None):
        model.fit(fitting.x, fitting.y)
    return model, math.log(share)


def predict(model: Any, x: NDArray[np.float32], offset: float) -> NDArray[np.float64]:
    """The model's risk as exported: sigmoid(log-odds + offset)."""
    margin = np.ravel(model.decision_function(x)) + offset
    return np.asarray(1.0 / (1.0 + np.exp(-margin)), dtype=np.float64)


def validation_report(
    rows: Rows, score: NDArray[np.float64], level: float, dwell: int = 1
) -> dict[str, Any]:
    lives = Lives.of(rows.seed, rows.twin, rows.hours, rows.ttf_h, rows.y)
    clear = CLEAR_FRACTION * level
    s = score_alerts(lives, score, level, clear, rows.twin_months, rows.horizon_h, dwell)
    out = s.to_dict() | {"rows": len(rows.y), "positives": int(rows.y.sum())}
    return out | {"clear_after_rows": dwell}


def train_kind(
    kind: str,
    data: Path,
    out: Path,
    seeds: tuple[int, ...] = TRAIN_SEEDS,
    fleet: FleetSpec | None = None,
    params: ModelParams | None = None,
    horizon_h: float | None = None,
    workers: int = 2,
) -> dict[str, Any]:
    """Generate, label, fit, choose the alert level, export and check; the model card. The model
    and card go to `out` (no default: the shipped folder, twins.risk.model.MODELS_DIR, is
    replaced only when a caller names it, as `aurum risk train --install-models` does)."""
    began = time.perf_counter()
    params = params or ModelParams()
    fleet = fleet or FleetSpec(kind)
    horizon = horizon_h or HORIZON_H[kind]
    runs = generate(fleet, seeds, data / "train", workers=workers)
    rows = labelled(runs, kind, horizon)
    train, val = rows.take(~rows.validation), rows.take(rows.validation)
    _learnable(kind, train, fleet)
    model, offset = fit(train, params)
    spec = FeatureSpec.of(registry.get(kind))
    onnx = hgb_to_onnx(model, len(spec.names), offset)
    val_score = predict(model, val.x, offset)
    level = best_f1_level(val_score, val.y) if val.y.any() else 0.5
    drift = _onnx_drift(onnx, val.x, val_score)
    card = _card(kind, spec, horizon, level, fleet, seeds, rows, train, val, params)
    card["metrics"] = {"validation": validation_report(val, val_score, level, dwell_rows(fleet))}
    card["metrics"]["validation"]["onnx_max_abs_diff"] = drift
    card["train_s"] = round(time.perf_counter() - began, 1)
    write_model(out, kind, onnx, card)
    return card


def _learnable(kind: str, train: Rows, fleet: FleetSpec) -> None:
    """Both labels among the training rows, or a RunError saying how to get them (a fit on
    one class is not a model)."""
    positives = int(train.y.sum())
    if 0 < positives < len(train.y):
        return
    what = "no failure" if positives == 0 else "only failures"
    raise RunError(
        Problem(
            f"{what} within the horizon in the training fleets of {kind}: nothing to learn",
            "--twins/--duration",
            f"{fleet.twins} twins, {fleet.days} d",
            accepted="more twins or longer fleets (the defaults: 1000 twins, 120 d)",
        )
    )


def _onnx_drift(onnx: bytes, x: NDArray[np.float32], expected: NDArray[np.float64]) -> float:
    from aurum.twins.risk.model import session

    sess = session(onnx)
    got = sess.run(None, {sess.get_inputs()[0].name: x[:20_000]})
    probs = next(o for o in got if getattr(o, "ndim", 0) == 2)
    return float(np.abs(probs[:, 1] - expected[:20_000]).max()) if len(x) else 0.0


def _card(
    kind: str,
    spec: FeatureSpec,
    horizon: float,
    level: float,
    fleet: FleetSpec,
    seeds: tuple[int, ...],
    rows: Rows,
    train: Rows,
    val: Rows,
    params: ModelParams,
) -> dict[str, Any]:
    return {
        "format": CARD_FORMAT,
        "kind": kind,
        "features": spec.names,
        "input": {"shape": [None, len(spec.names)], "type": "float32"},
        "output": "probabilities[:, 1] = P(functional failure of any mode within horizon_h)",
        "horizon_h": horizon,
        "alert_level": level,
        "clear_level": round(CLEAR_FRACTION * level, 4),
        "model": {"type": "sklearn.ensemble.HistGradientBoostingClassifier", **asdict(params)},
        "data": {
            "fleet": asdict(fleet),
            "train_seeds": list(seeds),
            "validation": "twins of the training seeds whose id hashes into 20 %",
            "failures": rows.failures,
            "twin_months": round(rows.twin_months, 1),
            "rows": {"train": len(train.y), "validation": len(val.y)},
            "positives": {"train": int(train.y.sum()), "validation": int(val.y.sum())},
        },
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
    }


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("numpy", "scikit-learn", "skl2onnx", "onnx", "onnxruntime", "aurum-twin"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "?"
    return out


def write_model(out: Path, kind: str, onnx: bytes, card: dict[str, Any]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}.onnx"
    path.write_bytes(onnx)
    card_path(path).write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return path
