"""`aurum resume RUN`: continue a run from its last checkpoint (its driver or coordinator died,
or Ctrl-C stopped it: `aurum run` then prints this command).

The run goes on in the same folder, on the backend it ran on (or `--local` / `--address`), and
its tables end as if it had never stopped: part files written after the checkpoint are removed
and the epochs since are simulated again.
"""

from __future__ import annotations

import argparse
from typing import Any

from aurum.engine.cli import args as cliargs


def register(sub: Any) -> None:
    """Add `resume` to the `aurum` command."""
    p = sub.add_parser("resume", help="continue a run from its last checkpoint")
    p.add_argument("run", metavar="RUN", help="the run's folder, e.g. runs/demo-...")
    cliargs.add_cluster(p)
    p.add_argument(
        "--checkpoint",
        type=cliargs.whole_number(0),
        help="checkpoint every K epochs from now (0 = never)",
    )
    cliargs.add_quiet(p)
    cliargs.add_json(p)
    p.set_defaults(func=cmd_resume)


def cmd_resume(args: argparse.Namespace) -> int:
    from aurum.engine.cli.main import err, out, run_json, show_summary
    from aurum.engine.run.checkpoint import latest
    from aurum.engine.run.progress import progress_display
    from aurum.engine.run.resume import resume

    run = cliargs.run_folder(args.run)
    ck = latest(run)
    if ck is not None and not args.quiet:
        err.print(f"resuming {run} after epoch {ck.epochs_done}", highlight=False)
    with progress_display(args.quiet, err) as on_progress:
        result = resume(
            run,
            address=args.address,
            backend="local" if args.local else None,
            checkpoint=args.checkpoint,
            on_progress=on_progress,
        )
    if args.json != "-":
        show_summary(result.summary)
        out.print(f"[bold]{result.status}[/]: tables in {result.run_dir}", highlight=False)
    cliargs.write_json(args.json, run_json(result))
    return 0 if result.status == "done" else 1
