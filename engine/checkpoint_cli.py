"""`aurum resume RUN`: continue a run from its last checkpoint (its driver or coordinator died).

The run goes on in the same folder, on the backend it ran on (or `--local` / `--address`), and
its tables end as if it had never stopped: part files written after the checkpoint are removed
and the epochs since are simulated again.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add `resume` to the `aurum` command."""
    p = sub.add_parser("resume", help="continue a run from its last checkpoint")
    p.add_argument("run", metavar="RUN", type=Path, help="the run's folder, e.g. runs/demo-...")
    p.add_argument("--address", help="join an existing Ray cluster (or set RAY_ADDRESS)")
    p.add_argument("--local", action="store_true", help="run all shards in this process")
    p.add_argument("--checkpoint", type=int, help="checkpoint every K epochs from now (0 = never)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=cmd_resume)


def cmd_resume(args: argparse.Namespace) -> int:
    from engine.checkpoint import latest
    from engine.checkpoint_resume import resume
    from engine.cli import _progress_display, err, out, show_summary

    ck = latest(args.run)
    if ck is not None:
        err.print(f"resuming {args.run} after epoch {ck.epochs_done}", highlight=False)
    with _progress_display(args.quiet) as on_progress:
        result = resume(
            args.run,
            address=args.address,
            backend="local" if args.local else None,
            checkpoint=args.checkpoint,
            on_progress=on_progress,
        )
    show_summary(result.summary)
    out.print(f"[bold]{result.status}[/]: tables in {result.run_dir}", highlight=False)
    return 0 if result.status == "done" else 1
