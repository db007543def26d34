"""Compile the twins' kernels into numba's on-disk cache before anyone runs a scenario.

numba compiles a kernel the first time a process calls it and keeps the machine code on disk
(`twins/jit.py`: beside the source, or in numba's per-user cache when the package folder is
read-only). Without this step the first run after an install compiles every kernel in every
shard actor at the same time: the demo's actors took 35-50 s to start on 2 cores, against
about 1 s when the cache is filled. `make demo` and `make test` run it at install and again
when a kernel's source changes: `python -m aurum.engine.run.precompile [SCENARIO ...]`.

A short local run of a scenario calls every kernel its kinds use with the argument types of a
real run (the cache is keyed by them), so the demo, which has one twin of each kind, fills it
for every scenario.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent.parent / "scenarios" / "demo.yaml"


def precompile(scenario: str | Path = DEMO, duration: str = "2h") -> float:
    """Run `scenario` for `duration` in this process (tables to a temporary folder); seconds."""
    from aurum.engine.run.runner import simulate

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="aurum-precompile-") as out:
        simulate(scenario, duration=duration, backend="local", out=out, checkpoint=0)
    return time.perf_counter() - began


def main(argv: list[str]) -> int:
    for scenario in argv or [str(DEMO)]:
        seconds = precompile(scenario)
        print(f"kernels compiled for {scenario} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
