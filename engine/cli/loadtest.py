"""`aurum loadtest`: the command (options, progress, the report on screen) over engine.scale."""

from __future__ import annotations

import argparse
from typing import Any

from aurum.engine.cli import args as cliargs
from aurum.engine.errors import Problem, RunError
from aurum.engine.scale.loadtest import MAX_DAYS, fleet_scenario, parse_mix, run


def register(sub: Any) -> None:
    """Add `loadtest` to the `aurum` command."""
    p = sub.add_parser(
        "loadtest", help="spawn a large fleet, run it flat out, report throughput and memory"
    )
    p.add_argument(
        "--twins", type=cliargs.whole_number(1), help="fleet size (with --mix), e.g. 100000"
    )
    p.add_argument("--mix", default="truck=0.6,mill=0.1,boiler=0.3", help="kind=share,...")
    p.add_argument("--scenario", help="run this scenario file instead of a generated fleet")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--duration", help='simulated time, e.g. "6h" or "2d" (default 1d)')
    # simulated days as a number, e.g. 0.25: the spelling before --duration, still accepted
    cliargs.add_alias(length, "--days", dest="days", type=cliargs.positive_at_most(MAX_DAYS))
    p.add_argument("--telemetry", help='telemetry resolution, e.g. "15min" (default: by size)')
    p.add_argument("--policy", default="condition_based", help="maintenance policy")
    p.add_argument(
        "--risk",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="score failure risk every 10 simulated minutes (default; --no-risk: off)",
    )
    p.add_argument(
        "--twins-per-actor", type=cliargs.twins_per_actor, help='twins per shard actor, or "auto"'
    )
    cliargs.add_cluster(p)
    p.add_argument(
        "--checkpoint", type=cliargs.whole_number(0), help="checkpoint every K epochs (0 = never)"
    )
    p.add_argument(
        "--out",
        nargs="?",
        const="",
        help=f"keep the run's tables in this folder (bare --out: ${cliargs.RUNS_DIR_ENV} or runs/; "
        "default: a temporary folder, removed)",
    )
    cliargs.add_quiet(p)
    cliargs.add_json(p)
    p.set_defaults(func=cmd_loadtest)


def cmd_loadtest(args: argparse.Namespace) -> int:
    from aurum.engine.cli.loadtest_report import show
    from aurum.engine.cli.main import err
    from aurum.engine.run.progress import progress_display

    if (args.twins is None) == (args.scenario is None):
        raise RunError(
            Problem("give either --twins N or --scenario FILE", "loadtest", None,
                    accepted="--twins 100000, or --scenario scenarios/fleet-1k.yaml")
        )  # fmt: skip
    cliargs.check_json(args.json)
    scenario: dict[str, Any] | str
    if args.scenario is not None:
        scenario = args.scenario
    else:
        mix = parse_mix(args.mix)
        scenario = fleet_scenario(args.twins, mix, 1.0, args.telemetry, args.policy, args.risk)
    out = cliargs.runs_dir() if args.out == "" else args.out
    quiet = args.quiet or args.json == "-"
    with progress_display(quiet, err) as on_progress:
        figures = run(
            scenario,
            out=out,
            backend="local" if args.local else "ray",
            address=args.address,
            twins_per_actor=args.twins_per_actor,
            days=args.days,
            duration=args.duration,
            checkpoint=args.checkpoint,
            on_progress=on_progress,
        )
    if args.json != "-":
        show(figures)
    written = cliargs.write_json(args.json, figures)
    if written is not None:
        err.print(f"figures written to {written}", highlight=False)
    return 0 if figures["status"] == "done" else 1
