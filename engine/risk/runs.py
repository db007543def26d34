"""Runs in this process for the risk commands (training data, evaluation, policy studies).

`engine.run.shards.make_shard` hands each shard the plan's risk settings, so a local run scores
exactly as a run on Ray does; this is `engine.simulate(..., backend="local")` under the name the
risk commands use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aurum.engine.run.runner import RunResult, simulate
from aurum.engine.scenario.model import ScenarioBase


def simulate_local(
    scenario: str | Path | dict[str, Any] | ScenarioBase,
    *,
    seed: int | None = None,
    out: str | Path | None = None,
    twins_per_actor: int | str | None = None,
    duration: str | None = None,
) -> RunResult:
    """Run a scenario with every shard in this process (risk scoring as the scenario says)."""
    return simulate(
        scenario, seed=seed, out=out, twins_per_actor=twins_per_actor, backend="local",
        duration=duration,
    )  # fmt: skip
