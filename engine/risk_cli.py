"""`aurum risk train | evaluate | policies` (an entry point of `aurum.commands`).

- `aurum risk train [--kind K]`: run-to-failure fleets → labelled rows → a gradient-boosting
  model per kind → `twins/models/<kind>.onnx` and its card (needs the `risk` extra).
- `aurum risk evaluate [--kind K]`: the models on held-out seeds next to the rule baseline
  (ISO vibration zones and temperature limits); the figures go into each card.
- `aurum risk policies [--seeds N]`: risk-based vs condition-based vs time-based vs
  run-to-failure on the shared policy fleet, cost per tonne over N seeds.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from engine.cli import out
from engine.risk_data import HORIZON_H, TEST_SEEDS, TRAIN_SEEDS, FleetSpec

DATA = Path("runs") / "risk-data"


def register(sub: Any) -> None:
    """Add `risk` (with its subcommands) to the `aurum` command."""
    p = sub.add_parser("risk", help="train and evaluate the failure-risk models")
    rs = p.add_subparsers(dest="risk_command", required=True, metavar="SUBCOMMAND")
    t = rs.add_parser("train", help="generate run-to-failure fleets and train the models")
    _common(t, TRAIN_SEEDS)
    t.add_argument("--trees", type=int, default=100, help="boosted trees (100)")
    t.add_argument("--horizon", type=float, help="label horizon [h] (default: per kind)")
    t.set_defaults(func=cmd_train)
    e = rs.add_parser("evaluate", help="the models vs the rule baseline on held-out seeds")
    _common(e, TEST_SEEDS)
    e.add_argument("--json", type=Path, help="also write the figures to this file")
    e.set_defaults(func=cmd_evaluate)
    c = rs.add_parser("policies", help="risk-based vs other policies, cost per tonne")
    c.add_argument("--seeds", type=int, default=10, help="seeds 1..N (10)")
    c.add_argument("--out", type=Path, default=DATA / "policies", help="folder for the runs")
    c.add_argument("--workers", type=int, default=2, help="runs at once (2)")
    c.add_argument("--json", type=Path, help="also write the per-run rows to this file")
    c.set_defaults(func=cmd_policies)


def _common(p: argparse.ArgumentParser, seeds: tuple[int, ...]) -> None:
    p.add_argument(
        "--kind",
        action="append",
        choices=list(HORIZON_H),
        help="a kind (repeatable; default: all three)",
    )
    p.add_argument("--seeds", type=int, nargs="+", default=list(seeds), help=f"{seeds}")
    p.add_argument("--twins", type=int, default=1000, help="twins per fleet (1000)")
    p.add_argument("--days", type=int, default=120, help="simulated days per fleet (120)")
    p.add_argument("--tick", default="15min", help="tick of the fleets (15min)")
    p.add_argument("--data", type=Path, default=DATA, help=f"folder for the fleets ({DATA})")
    p.add_argument("--models", type=Path, help="model folder (default twins/models)")
    p.add_argument("--workers", type=int, default=2, help="fleets run at once (2)")


def _kinds(args: argparse.Namespace) -> list[str]:
    return args.kind or list(HORIZON_H)


def _fleet(args: argparse.Namespace, kind: str) -> FleetSpec:
    return FleetSpec(kind, twins=args.twins, days=args.days, tick=args.tick)


def cmd_train(args: argparse.Namespace) -> int:
    from engine.risk_train import ModelParams, train_kind
    from twins.risk.model import MODELS_DIR

    for kind in _kinds(args):
        out.print(f"training {kind}: seeds {args.seeds}, {args.twins} twins, {args.days} d")
        card = train_kind(
            kind, args.data, args.models or MODELS_DIR, tuple(args.seeds), _fleet(args, kind),
            ModelParams(max_iter=args.trees), args.horizon, args.workers,
        )  # fmt: skip
        v = card["metrics"]["validation"]
        out.print(
            f"  {kind}: alert level {card['alert_level']}, validation AUROC {v['auroc']:.3f}, "
            f"F1 {v['f1']:.3f} ({card['train_s']} s); wrote {args.models or MODELS_DIR}",
            highlight=False,
        )
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from engine.risk_eval import evaluate_kind
    from twins.risk.model import MODELS_DIR

    reports = []
    for kind in _kinds(args):
        fleet = _fleet(args, kind)
        models = args.models or MODELS_DIR
        seeds = tuple(args.seeds)
        reports.append(evaluate_kind(kind, args.data, models, seeds, fleet, args.workers))
    out.print(evaluation_table(reports))
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")
    return 0


def evaluation_table(reports: list[dict[str, Any]]) -> Table:
    t = Table(title="Risk models vs rule baseline (held-out seeds)", box=box.SIMPLE_HEAD)
    for c in ("kind", "H h", "who", "AUROC", "prec", "recall", "F1", "warned", "lead h", "FA/tm"):
        t.add_column(c, justify="left" if c in ("kind", "who") else "right")
    for r in reports:
        for who in ("model", "rule"):
            s = r[who]
            t.add_row(
                r["kind"], f"{r['horizon_h']:g}", who, _f(s["auroc"]), _f(s["precision"]),
                _f(s["recall"]), _f(s["f1"]), f"{s['warned']}/{s['failures']}",
                _f(s["median_lead_h"], 1), _f(s["false_alarms_per_twin_month"], 3),
            )  # fmt: skip
    return t


def _f(x: float, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def cmd_policies(args: argparse.Namespace) -> int:
    from engine.risk_policy import run_policies, summarise

    rows = run_policies(list(range(1, args.seeds + 1)), args.out, workers=args.workers)
    t = Table(title=f"Maintenance policies over {args.seeds} seeds", box=box.SIMPLE_HEAD)
    cols = ("policy", "cost/t USD", "Δ vs RTF (95 % CI)", "availability", "failures", "PM jobs")
    for c in cols:
        t.add_column(c, justify="left" if c == "policy" else "right")
    for s in summarise(rows):
        t.add_row(
            s["policy"], f"{s['cost_per_t_usd']:.4f}",
            f"{s['delta_cost_per_t_usd']:+.4f} ± {s['delta_ci95']:.4f}",
            f"{s['physical_availability']:.4f}", f"{s['failures']:.1f}",
            f"{s['preventive_jobs']:.1f}",
        )  # fmt: skip
    out.print(t)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0
