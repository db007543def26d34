"""Vectorised accounting of one period: activity arrays of n twins → a `GasLedger`.

No Python loop over twins: per activity channel, the site coefficients are gathered with the
twins' site index and multiplied by the activity (loops run over the few channels only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aurum.esg.errors import EsgInputError
from aurum.esg.ledger import F64, GASES, LINE_INDEX, LINES, GasLedger
from aurum.esg.library import Library
from aurum.esg.options import SiteSpec
from aurum.esg.plan import AccountingPlan, build_plan

MB = [LINE_INDEX[("scope2_market", g)] for g in GASES]
LB = [LINE_INDEX[("scope2_location", g)] for g in GASES]


@dataclass(frozen=True)
class MarketInstruments:
    """Per-twin contractual instruments for one period, replacing the sites' contracts.

    renewable_share: (n,) share of each twin's kWh covered by zero-emission instruments [0-1].
    supplier_kg_co2e_per_kwh: (n,) supplier-specific factor for the rest, NaN where none
        (those kWh then take the location factor, flagged in `GasLedger.mb_fallback`).
    """

    renewable_share: F64
    supplier_kg_co2e_per_kwh: F64 | None = None
    supplier_gwp_set: str = "unrecorded"


def account(
    plan: AccountingPlan,
    activity: Mapping[str, ArrayLike],
    categories: Mapping[str, str],
    site_index: ArrayLike,
    *,
    market: MarketInstruments | None = None,
    month: int | None = None,
) -> GasLedger:
    """kg of CO2, fossil CH4, N2O and embedded CO2e by scope for each of n twins.

    Args:
        plan: from `build_plan` (sites, factor set, overrides, contracts).
        activity: channel name → amount used by each twin in the period, shape (n,), in the
            channel's unit (diesel_l [L], natural_gas_gj [GJ NCV], coal_t [t],
            electricity_kwh [kWh]).
        categories: channel name → IPCC source category of this batch's use of it.
        site_index: (n,) index of each twin's site in the plan's sites.
        market: per-twin instruments overriding the sites' contracts for this period.
        month: 1-12 to use monthly grid factors where published; None for annual factors.
    """
    index = np.asarray(site_index, dtype=np.intp)
    n = index.shape[0]
    if month is not None and not 1 <= month <= 12:
        raise EsgInputError("month", month, [str(m) for m in range(1, 13)], "no such month")
    kg = np.zeros((n, len(LINES)))
    kwh = np.zeros(n)
    for name in sorted(activity):
        amount = _amount(activity[name], n, name)
        category = categories.get(name, "")
        if (name, category) not in plan.coef:
            accepted = plan.channels()
            raise EsgInputError(f"activity.{name}", f"{name}@{category}", accepted, "not planned")
        kg += amount[:, None] * plan.coefficients(name, category, month)[index]
        if category == "electricity":
            kwh += amount
    fallback = plan.mb_fallback_site[index] & (kwh > 0)
    gwp = dict(plan.embedded_gwp)
    if market is not None:
        fallback = _apply_market(kg, kwh, market, n)
        if market.supplier_kg_co2e_per_kwh is not None:
            gwp["scope2_market"] = tuple(
                sorted({*gwp.get("scope2_market", ()), market.supplier_gwp_set})
            )
    return GasLedger(kg, fallback, gwp, plan.notes)


def account_regions(
    activity: Mapping[str, ArrayLike],
    categories: Mapping[str, str],
    region: ArrayLike,
    factor_set: str = "ipcc",
    *,
    market: MarketInstruments | None = None,
    month: int | None = None,
    library: Library | None = None,
) -> GasLedger:
    """`account` with one site per distinct region code (no overrides, no contracts)."""
    codes, index = np.unique(np.asarray(region, dtype=str), return_inverse=True)
    sites = [SiteSpec(id=str(c), region=str(c)) for c in codes]
    plan = build_plan(sites, [(c, categories.get(c, "")) for c in activity], factor_set, library)
    return account(plan, activity, categories, index, market=market, month=month)


def _amount(values: ArrayLike, n: int, name: str) -> F64:
    amount = np.asarray(values, dtype=np.float64)
    if amount.shape != (n,):
        raise EsgInputError(f"activity.{name}", amount.shape, [f"({n},)"], "wrong shape")
    return amount


def _apply_market(kg: F64, kwh: F64, market: MarketInstruments, n: int) -> NDArray[np.bool_]:
    """Rewrite the market-based lines from per-twin instruments; return the fallback flags."""
    share = _amount(market.renewable_share, n, "market.renewable_share")
    if np.any((share < 0) | (share > 1)):
        raise EsgInputError("market.renewable_share", "outside [0, 1]", ["0 <= share <= 1"], "bad")
    supplier = market.supplier_kg_co2e_per_kwh
    has = np.zeros(n, dtype=bool) if supplier is None else ~np.isnan(supplier)
    uncovered = 1.0 - share
    kg[:, MB] = np.where(has[:, None], 0.0, uncovered[:, None] * kg[:, LB])
    if supplier is not None:
        embedded = LINE_INDEX[("scope2_market", "co2e_embedded")]
        kg[:, embedded] += np.where(has, uncovered * kwh * np.nan_to_num(supplier), 0.0)
    return ~has & (uncovered > 0) & (kwh > 0)
