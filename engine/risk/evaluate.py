"""`aurum risk evaluate`: a kind's model on held-out seeds, next to the rule baseline.

The test fleets are the training fleets' twin (same kind, sites, size and length; the card says
which) run with seeds the model never saw, with the model scoring inside the shards as in any run
(features from reported readings, one onnxruntime call per shard and epoch). Rows are labelled
as for training. The rule baseline is what the reference prescribes without a model: a twin
alarms while the reading of any of its failure modes' symptoms is beyond that mode's alarm level
(ISO 10816 vibration zones, temperature limits; `FailureMode.alarm`), which is also what the
condition-based policy acts on. Its AUROC ranks rows by the largest relative margin of a symptom
beyond (or short of) its alarm level.
"""

from __future__ import annotations

import json
import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum.engine.errors import Problem, RunError
from aurum.engine.risk.data import TEST_SEEDS, FleetSpec, Rows, dwell_rows, generate, labelled
from aurum.engine.risk.metrics import Lives, rule_alerts, score_alerts
from aurum.twins import registry
from aurum.twins.risk.model import MODELS_DIR, card_path

GOAL_AUROC = 0.90
GOAL_F1_GAIN = 0.15


def rule(kind: str, rows: Rows) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Per row: any symptom beyond its mode's alarm level; the largest relative margin."""
    beyond = np.zeros(len(rows.y), dtype=bool)
    margin = np.full(len(rows.y), -np.inf)
    for m in registry.get(kind).failure_modes:
        if not m.symptom or math.isnan(m.alarm):
            continue
        reading = rows.raw[m.symptom].astype(np.float64)
        beyond |= m.beyond(reading, m.alarm)
        sign = -1.0 if m.symptom_falls else 1.0
        margin = np.fmax(margin, sign * (reading - m.alarm) / abs(m.alarm))
    return beyond, margin


def read_card(models: Path, kind: str) -> dict[str, Any]:
    path = card_path(models / f"{kind}.onnx")
    if not path.is_file():
        raise RunError(Problem(f"no model card for {kind!r}", file=str(path),
                               accepted=f"`aurum risk train --kind {kind}` first"))  # fmt: skip
    card: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return card


def fleet_of_card(card: dict[str, Any]) -> FleetSpec:
    known = {f.name for f in fields(FleetSpec)}
    given = {k: v for k, v in card.get("data", {}).get("fleet", {}).items() if k in known}
    given["injections"] = tuple(given.get("injections", ()))
    return FleetSpec(**(given | {"kind": card["kind"]}))


def evaluate_kind(
    kind: str,
    data: Path,
    models: Path = MODELS_DIR,
    seeds: tuple[int, ...] = TEST_SEEDS,
    fleet: FleetSpec | None = None,
    workers: int = 2,
    cards: Path | None = None,
) -> dict[str, Any]:
    """Run the held-out fleets with the model scoring; model vs rule figures. With `cards`, the
    model's card with `metrics.test` set to them is written there as `<kind>.json` (the models
    folder itself only when a person asked for it: `aurum risk evaluate --install-models`)."""
    card = read_card(models, kind)
    fleet = fleet or fleet_of_card(card)
    runs = generate(fleet, seeds, data / "test", model=models / f"{kind}.onnx", workers=workers)
    rows = labelled(runs, kind, float(card["horizon_h"]))
    dwell = dwell_rows(fleet)
    report = compare(kind, rows, float(card["alert_level"]), dwell=dwell)
    report["test_seeds"] = list(seeds)
    report["clear_after_rows"] = dwell
    if cards is not None:
        card.setdefault("metrics", {})["test"] = report
        cards.mkdir(parents=True, exist_ok=True)
        path = card_path(cards / f"{kind}.onnx")
        path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return report


def compare(
    kind: str, rows: Rows, level: float, clear: float | None = None, dwell: int = 1
) -> dict[str, Any]:
    """Model (the rows' `risk`) vs the rule on labelled rows; the model's alerts clear after
    `dwell` rows in a row at/below the clear level."""
    clear = 0.5 * level if clear is None else clear
    lives = Lives.of(rows.seed, rows.twin, rows.hours, rows.ttf_h, rows.y)
    score = np.nan_to_num(rows.risk.astype(np.float64), nan=0.0)
    model = score_alerts(lives, score, level, clear, rows.twin_months, rows.horizon_h, dwell)
    beyond, margin = rule(kind, rows)
    base = rule_alerts(lives, beyond, margin, rows.twin_months, rows.horizon_h)
    return {
        "kind": kind,
        "horizon_h": rows.horizon_h,
        "alert_level": level,
        "rows": len(rows.y),
        "positives": int(rows.y.sum()),
        "failures": rows.failures,
        "twin_months": round(rows.twin_months, 1),
        "model": model.to_dict(),
        "rule": base.to_dict(),
        "goals": {
            "auroc_at_least_0.90": bool(model.auroc >= GOAL_AUROC),
            "f1_at_least_rule_plus_0.15": bool(model.f1 >= base.f1 + GOAL_F1_GAIN),
        },
    }
