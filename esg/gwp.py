"""CO2e at report time: gas masses × the GWP100 set chosen then (IPCC AR4/AR5/AR6).

Only CH4 and N2O contributions depend on the set; ``co2e_embedded`` stays as published (the
report names the GWP set the publisher embedded, `GasLedger.embedded_gwp`). Fossil CH4 takes the
set's fossil value where the set splits it (AR6: 29.8, Table 7.15), else its single CH4 value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from aurum.esg.ledger import F64, GASES, SCOPES, GasLedger, column_name
from aurum.esg.library import Library, load_library
from aurum.esg.records import GwpValue

LEDGER_GAS = {"co2": "co2", "ch4_fossil": "ch4_fossil", "n2o": "n2o"}
LOCATION_TOTAL = ("scope1", "scope2_location", "scope3_fuel_wtt", "scope3_electricity")
MARKET_TOTAL = ("scope1", "scope2_market", "scope3_fuel_wtt", "scope3_electricity")


def gwp_records(gwp_set: str = "AR6", library: Library | None = None) -> dict[str, GwpValue]:
    """The GWP record applied to each ledger gas (raises EsgInputError for an unknown set)."""
    lib = library or load_library()
    return {gas: lib.gwp(gwp_set, name) for gas, name in LEDGER_GAS.items()}


def gwp_weights(gwp_set: str = "AR6", library: Library | None = None) -> dict[str, float]:
    """kg CO2e per kg of each ledger gas; co2e_embedded counts as published (1)."""
    weights = {gas: r.value for gas, r in gwp_records(gwp_set, library).items()}
    return weights | {"co2e_embedded": 1.0}


def co2e(
    ledger: GasLedger | Mapping[str, ArrayLike],
    gwp_set: str = "AR6",
    library: Library | None = None,
) -> dict[str, F64]:
    """kg CO2e per scope (arrays of the ledger's/table's shape) under one GWP set.

    Accepts a `GasLedger` or a table of its columns (``scope1_co2_kg``...), e.g. read back
    from Parquet; missing columns count as zero.
    """
    table = ledger.columns() if isinstance(ledger, GasLedger) else ledger
    weights = gwp_weights(gwp_set, library)
    out: dict[str, F64] = {}
    for scope in SCOPES:
        total: F64 | float = 0.0
        for gas in GASES:
            name = column_name(scope, gas)
            if name in table:
                total = total + weights[gas] * np.asarray(table[name], dtype=np.float64)
        out[scope] = np.asarray(total, dtype=np.float64)
    return out


def co2e_by_gas(
    ledger: GasLedger | Mapping[str, ArrayLike],
    scope: str,
    gwp_set: str = "AR6",
    library: Library | None = None,
) -> dict[str, F64]:
    """kg CO2e of each gas within one scope (shows what a GWP switch moves)."""
    table = ledger.columns() if isinstance(ledger, GasLedger) else ledger
    weights = gwp_weights(gwp_set, library)
    return {
        gas: weights[gas] * np.asarray(table[column_name(scope, gas)], dtype=np.float64)
        for gas in GASES
        if column_name(scope, gas) in table
    }


def total_co2e(per_scope: Mapping[str, F64], market_based: bool = False) -> F64:
    """Scopes 1 + 2 + 3.3 [kg CO2e], with scope 2 location-based (default) or market-based."""
    scopes = MARKET_TOTAL if market_based else LOCATION_TOTAL
    return np.asarray(sum(per_scope[s] for s in scopes), dtype=np.float64)


def intensity(co2e_kg: ArrayLike, product_t: ArrayLike) -> F64:
    """kg CO2e per tonne of product (hauled, milled, steam); NaN where nothing was produced."""
    kg = np.asarray(co2e_kg, dtype=np.float64)
    t = np.asarray(product_t, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, kg / np.where(t > 0, t, 1.0), np.nan)
