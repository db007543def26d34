"""Emissions of a run: the esg accounting plan of a scenario, and gas masses per epoch and twin.

The coordinator turns each shard's resources used in an epoch into kg of each gas by scope
(`esg.account`, vectorised over the shard's twins), with the month's grid factor where one is
published. CO2e is applied only when reporting, with the scenario's GWP set. Degradation's
share of the resources (`excess/<activity>/<mode>` from the kinds) is accounted the same way:
the cost of wear in carbon, by twin and failure mode.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aurum import esg
from aurum.engine.errors import Problem
from aurum.twins import registry
from aurum.twins.shard import EpochResult

Columns = dict[str, NDArray[np.float64]]


def channels() -> set[tuple[str, str]]:
    """(activity channel, IPCC category) pairs of every registered kind."""
    return {(c.name, c.category) for k in registry.all_kinds() for c in k.activity}


def esg_plan(scenario: Any) -> esg.AccountingPlan:
    """Resolve the scenario's sites, countries, overrides and contracts into factors."""
    sites = [esg.SiteSpec(s.id, s.country, s.esg) for s in scenario.sites]
    return esg.build_plan(sites, channels(), factor_set=scenario.esg.factor_set)


def esg_problems(scenario: Any) -> list[Problem]:
    """What the emissions layer refuses in a valid-looking scenario, as Problems."""
    problems = []
    try:
        esg.check_gwp_set(scenario.esg.gwp_set, "esg.gwp_set")
        esg_plan(scenario)
    except esg.EsgInputError as e:
        accepted = e.accepted if isinstance(e.accepted, str) else ", ".join(map(str, e.accepted))
        path = _scenario_path(str(e.path), [s.id for s in scenario.sites])
        problems.append(Problem(str(e.problem), path, e.value, accepted=accepted))
    return problems


def _scenario_path(path: str, site_ids: list[str]) -> str:
    """esg's `sites[<id>].overrides[0]` as the scenario's `sites[<i>].esg.overrides[0]`."""
    m = re.match(r"sites\[([^\]]+)\](.*)", path)
    if not m or m.group(1) not in site_ids:
        return path
    rest = m.group(2)
    rest = ".country" if rest == ".region" else rest.replace(".", ".esg.", 1) if rest else ""
    return f"sites[{site_ids.index(m.group(1))}]{rest}"


def categories(kind: str) -> dict[str, str]:
    return {c.name: c.category for c in registry.get(kind).activity}


def epoch_month(plan: Any, epoch: int) -> int | None:
    """The month of an epoch's start, when monthly grid factors are asked for."""
    if not plan.monthly_grid:
        return None
    return plan.timing.time_at(plan.timing.epoch_span(epoch)[0]).month


def account(plan: Any, results: Sequence[EpochResult], epoch: int) -> list[Columns]:
    """Gas-mass columns (`esg.COLUMNS`, kg) of each result's twins for the epoch."""
    month = epoch_month(plan, epoch)
    out = []
    for r in results:
        sites = plan.groups[r.kind].site_index[_positions(plan, r)]
        ledger = esg.account(plan.esg, r.activity, categories(r.kind), sites, month=month)
        cols: Columns = dict(ledger.columns())
        cols["mb_fallback"] = np.asarray(ledger.mb_fallback, dtype=np.float64)
        out.append(cols)
    return out


def _positions(plan: Any, r: EpochResult) -> NDArray[np.intp]:
    return np.searchsorted(plan.groups[r.kind].twin_index, r.twin_index)


def wear(
    plan: Any, results: Sequence[EpochResult], epoch: int
) -> list[tuple[str, NDArray[np.int64], Columns]]:
    """Gas masses of the resources degradation cost this epoch: (kind.mode, twins, columns)."""
    month = epoch_month(plan, epoch)
    out = []
    for r in results:
        by_mode: dict[str, dict[str, NDArray[np.float64]]] = {}
        for key, used in r.excess.items():
            channel, mode = key.split("/", 1)
            by_mode.setdefault(mode, {})[channel] = used
        if not by_mode:
            continue
        sites = plan.groups[r.kind].site_index[_positions(plan, r)]
        for mode, resources in sorted(by_mode.items()):
            ledger = esg.account(plan.esg, resources, categories(r.kind), sites, month=month)
            out.append((f"{r.kind}.{mode}", r.twin_index, dict(ledger.columns())))
    return out


def co2e_by_scope(columns: dict[str, Any], gwp_set: str) -> dict[str, NDArray[np.float64]]:
    """kg CO2e per scope (and 'total' on the location basis) from gas-mass columns."""
    per_scope = esg.co2e(columns, gwp_set)
    return per_scope | {
        "total": esg.total_co2e(per_scope),
        "total_market": esg.total_co2e(per_scope, market_based=True),
    }
