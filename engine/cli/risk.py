"""`aurum risk train | evaluate | policies` (an entry point of `aurum.commands`).

- `aurum risk train [--kind K]`: run-to-failure fleets → labelled rows → a gradient-boosting
  model per kind → `<out>/<kind>.onnx` and its card (needs the `risk` extra). `--out` defaults
  to `runs/risk/models/` (under $AURUM_RUNS_DIR when set); the shipped models
  (`twins/models/`, or `--models DIR`) are replaced only with `--install-models`.
- `aurum risk evaluate [--kind K]`: the models (`--models`, default the shipped ones) on
  held-out seeds next to the rule baseline (ISO vibration zones and temperature limits); the
  figures and each card with them go to `--out` (`runs/risk/evaluation/`); `--install-models`
  writes the figures into the evaluated models' own cards instead.
- `aurum risk policies [--seeds N]`: risk-based vs condition-based vs time-based vs
  run-to-failure on the shared policy fleet, cost per tonne over N seeds.

Shipped files are read-only to these commands unless `--install-models` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from aurum.engine.cli import args as cliargs
from aurum.engine.cli.main import out
from aurum.engine.errors import Problem, RunError
from aurum.engine.risk.data import HORIZON_H, TEST_SEEDS, TRAIN_SEEDS, FleetSpec

INSTALL_HELP = (
    "replace the models and cards in the models folder (--models; default: the shipped "
    "twins/models/) instead of writing to --out"
)


def risk_dir() -> Path:
    """Where `aurum risk` writes unless told otherwise: $AURUM_RUNS_DIR/risk (or runs/risk)."""
    return cliargs.runs_dir() / "risk"


def register(sub: Any) -> None:
    """Add `risk` (with its subcommands) to the `aurum` command."""
    p = sub.add_parser("risk", help="train and evaluate the failure-risk models")
    rs = p.add_subparsers(dest="risk_command", required=True, metavar="SUBCOMMAND")
    t = rs.add_parser("train", help="generate run-to-failure fleets and train the models")
    _common(t, TRAIN_SEEDS)
    _out(t, "the models and cards", "models")
    t.add_argument("--install-models", action="store_true", help=INSTALL_HELP)
    t.add_argument("--trees", type=cliargs.whole_number(1), default=100, help="boosted trees (100)")
    t.add_argument(
        "--horizon", type=cliargs.positive_number, help="label horizon [h] (default: per kind)"
    )
    t.set_defaults(func=cmd_train)
    e = rs.add_parser("evaluate", help="the models vs the rule baseline on held-out seeds")
    _common(e, TEST_SEEDS)
    _out(e, "the figures and the cards with them", "evaluation")
    e.add_argument(
        "--install-models",
        action="store_true",
        help="write the figures into the evaluated models' cards (--models; default: the "
        "shipped twins/models/) instead of --out",
    )
    e.set_defaults(func=cmd_evaluate)
    c = rs.add_parser("policies", help="risk-based vs other policies, cost per tonne")
    c.add_argument("--seeds", type=cliargs.whole_number(1), default=10, help="seeds 1..N (10)")
    _out(c, "the runs", "policies")
    _outputs(c, "runs at once (2)")
    c.set_defaults(func=cmd_policies)


def _common(p: argparse.ArgumentParser, seeds: tuple[int, ...]) -> None:
    p.add_argument(
        "--kind",
        action="append",
        choices=list(HORIZON_H),
        help="a kind (repeatable; default: every kind)",
    )
    p.add_argument(
        "--seeds",
        type=cliargs.whole_number(0),
        nargs="+",
        default=list(seeds),
        help=f"seeds of the fleets ({' '.join(map(str, seeds))})",
    )
    p.add_argument(
        "--twins", type=cliargs.whole_number(1), default=1000, help="twins per fleet (1000)"
    )
    length = p.add_mutually_exclusive_group()
    length.add_argument(
        "--duration",
        type=whole_days,
        dest="days",
        metavar="DURATION",
        help='simulated time per fleet ("120d")',
    )
    cliargs.add_alias(length, "--days", dest="days", type=cliargs.whole_number(1))
    p.set_defaults(days=120)
    p.add_argument("--tick", default="15min", help="tick of the fleets (15min)")
    p.add_argument(
        "--data",
        type=Path,
        help=f"folder for the fleets (default: ${cliargs.RUNS_DIR_ENV}/risk/data, or "
        "runs/risk/data)",
    )
    p.add_argument(
        "--models", type=Path, help="the models folder (default: the shipped twins/models/)"
    )
    _outputs(p, "fleets run at once (2)")


def _out(p: argparse.ArgumentParser, what: str, folder: str) -> None:
    p.add_argument(
        "--out",
        help=f"folder for {what} (default: ${cliargs.RUNS_DIR_ENV}/risk/{folder}, or "
        f"runs/risk/{folder})",
    )


def whole_days(value: str) -> int:
    """An argparse type: a duration of whole days ("120d", "2w"), as days."""
    from aurum.engine.scenario.durations import parse_duration

    try:
        seconds = parse_duration(value).total_seconds()
    except ValueError:
        seconds = math.nan
    if not (seconds > 0 and seconds % 86_400 == 0):
        raise argparse.ArgumentTypeError('whole days, e.g. "120d" or "2w"')
    return int(seconds // 86_400)


def _outputs(p: argparse.ArgumentParser, workers: str) -> None:
    cliargs.add_workers(p, workers)
    p.set_defaults(workers=2)
    cliargs.add_quiet(p)
    cliargs.add_json(p)


def _folders(args: argparse.Namespace, default_out: str) -> tuple[Path, Path, Path]:
    """(data, models, where to write): the last is --out unless --install-models."""
    from aurum.twins.risk.model import MODELS_DIR

    cliargs.check_json(args.json)
    data = args.data or risk_dir() / "data"
    models = args.models or MODELS_DIR
    target = models if args.install_models else Path(args.out or risk_dir() / default_out)
    if not args.install_models and target.resolve() == MODELS_DIR.resolve():
        raise RunError(
            Problem(
                "is the shipped models folder",
                "--out",
                str(target),
                accepted="another folder, or --install-models to replace the shipped models",
            )
        )
    return data, models, target


def _kinds(args: argparse.Namespace) -> list[str]:
    return args.kind or list(HORIZON_H)


def _fleet(args: argparse.Namespace, kind: str) -> FleetSpec:
    return FleetSpec(kind, twins=args.twins, days=args.days, tick=args.tick)


def cmd_train(args: argparse.Namespace) -> int:
    from aurum.engine.risk.train import ModelParams, train_kind

    data, _, target = _folders(args, "models")
    say = _say(args)
    cards = {}
    for kind in _kinds(args):
        say(f"training {kind}: seeds {args.seeds}, {args.twins} twins, {args.days} d")
        card = train_kind(
            kind, data, target, tuple(args.seeds), _fleet(args, kind),
            ModelParams(max_iter=args.trees), args.horizon, args.workers,
        )  # fmt: skip
        cards[kind] = card
        v = card["metrics"]["validation"]
        say(
            f"  {kind}: alert level {card['alert_level']}, validation AUROC {v['auroc']:.3f}, "
            f"F1 {v['f1']:.3f} ({card['train_s']} s); wrote {target / kind}.onnx and its card"
        )
    if not args.install_models:
        say(f"evaluate with `aurum risk evaluate --models {target}`; --install-models to ship")
    cliargs.write_json(args.json, cards)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from aurum.engine.risk.evaluate import evaluate_kind

    data, models, target = _folders(args, "evaluation")
    reports = []
    for kind in _kinds(args):
        fleet = _fleet(args, kind)
        seeds = tuple(args.seeds)
        reports.append(evaluate_kind(kind, data, models, seeds, fleet, args.workers, target))
    if args.json != "-":
        out.print(evaluation_table(reports))
    if not args.install_models:
        target.mkdir(parents=True, exist_ok=True)
        (target / "evaluation.json").write_text(
            json.dumps(reports, indent=2) + "\n", encoding="utf-8"
        )
    _say(args)(f"figures written to {target}")
    cliargs.write_json(args.json, reports)
    return 0


def _say(args: argparse.Namespace) -> Any:
    """Print a progress line unless --quiet (or --json on stdout)."""

    def say(text: str) -> None:
        if not args.quiet and args.json != "-":
            out.print(text, highlight=False, markup=False)

    return say


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
    from aurum.engine.risk.policy_study import run_policies, summarise

    cliargs.check_json(args.json)
    folder = Path(args.out or risk_dir() / "policies")
    rows = run_policies(list(range(1, args.seeds + 1)), folder, workers=args.workers)
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
    if args.json != "-":
        out.print(t)
    cliargs.write_json(args.json, rows)
    return 0
