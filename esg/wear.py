"""The cost of wear in carbon: emissions of actual activity minus a healthy counterfactual.

The engine supplies both activities for the same twins and the same production (the healthy
one from the same twins without degradation); both go through the same plan, so the penalty is
exactly the difference of two ledgers of `esg.accounting.account`, line by line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from numpy.typing import ArrayLike

from aurum.esg.accounting import MarketInstruments, account
from aurum.esg.gwp import co2e, total_co2e
from aurum.esg.ledger import F64, GasLedger
from aurum.esg.library import Library
from aurum.esg.plan import AccountingPlan


@dataclass(frozen=True, eq=False)
class WearPenalty:
    """Per twin: gas masses, CO2e by scope and totals attributable to degradation [kg]."""

    gases: GasLedger  # actual − healthy, kg per (scope, gas) line
    co2e_kg: dict[str, F64]  # per scope, under `gwp_set`
    total_kg: F64  # scopes 1 + 2 location-based + 3.3
    total_market_kg: F64  # scopes 1 + 2 market-based + 3.3
    gwp_set: str


def wear_penalty(
    plan: AccountingPlan,
    actual: Mapping[str, ArrayLike],
    healthy: Mapping[str, ArrayLike],
    categories: Mapping[str, str],
    site_index: ArrayLike,
    *,
    gwp_set: str = "AR6",
    market: MarketInstruments | None = None,
    month: int | None = None,
    library: Library | None = None,
) -> WearPenalty:
    """CO2e attributable to degradation, by twin: account(actual) − account(healthy)."""
    kwargs = {"market": market, "month": month}
    worn = account(plan, actual, categories, site_index, **kwargs)  # type: ignore[arg-type]
    base = account(plan, healthy, categories, site_index, **kwargs)  # type: ignore[arg-type]
    return penalty_of(worn, base, gwp_set, library)


def penalty_of(
    actual: GasLedger, healthy: GasLedger, gwp_set: str = "AR6", library: Library | None = None
) -> WearPenalty:
    """The penalty from two ledgers of the same twins (e.g. summed over a run)."""
    diff = actual - healthy
    per_scope = co2e(diff, gwp_set, library)
    return WearPenalty(
        gases=diff,
        co2e_kg=per_scope,
        total_kg=total_co2e(per_scope),
        total_market_kg=total_co2e(per_scope, market_based=True),
        gwp_set=gwp_set,
    )
