"""The accounting plan: per site and activity channel, kg of each gas per activity unit.

Built once per run (validation at the boundary), it resolves every site's region, factor set,
overrides and electricity contract into coefficient arrays, so that accounting a period is a
gather and a multiply per channel (`esg.accounting.account`). Coefficients carry a month axis:
index 0 is the annual factor, 1-12 the monthly factors where a publisher gives them (Chile SEN).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aurum.esg.categories import CHANNELS, ActivityChannel
from aurum.esg.errors import EsgInputError
from aurum.esg.factorset import FactorSet
from aurum.esg.ledger import F64, LINES
from aurum.esg.library import Library, load_library
from aurum.esg.options import SiteSpec
from aurum.esg.records import AnyRecord
from aurum.esg.sitecoef import SiteCoefficients


@dataclass(frozen=True, eq=False)
class AccountingPlan:
    """Resolved factors of every site, as arrays; plain data (pickles, travels through Ray)."""

    site_ids: tuple[str, ...]
    regions: tuple[str, ...]  # canonical region code of each site
    factor_sets: tuple[str, ...]  # factor set of each site
    coef: Mapping[tuple[str, str], F64]  # (channel, category) → (13, n_sites, n_lines) kg/unit
    mb_fallback_site: NDArray[np.bool_]  # (n_sites,) uncovered kWh take the location factor
    embedded_gwp: Mapping[str, tuple[str, ...]]  # scope → GWP sets behind its co2e_embedded
    records: tuple[AnyRecord, ...]  # every record used (for the report's factor table)
    notes: tuple[str, ...]  # fallbacks, proxies, gaps, assumptions: say them in the report

    def channels(self) -> list[str]:
        """Accepted ``channel@category`` pairs."""
        return sorted(f"{c}@{k}" for c, k in self.coef)

    def coefficients(self, channel: str, category: str, month: int | None = None) -> F64:
        """kg per activity unit of each (scope, gas) line at each site, shape (n_sites, lines)."""
        return self.coef[(channel, category)][month or 0]


def build_plan(
    sites: Sequence[SiteSpec],
    channels: Iterable[tuple[str, str]],
    factor_set: str = "ipcc",
    library: Library | None = None,
) -> AccountingPlan:
    """Resolve factors for sites × (activity channel, IPCC category) pairs.

    Args:
        sites: id, region code (ISO 3166 + grid, see factors/regions.yaml) and options per site.
        channels: (channel name, category) pairs used by any kind, e.g. ("diesel_l",
            "1.A.2.g.vii"), ("diesel_l", "1.A.2.i"), ("electricity_kwh", "electricity").
        factor_set: default set for sites that do not name one (ipcc, epa, desnz).

    Raises:
        EsgInputError: unknown region, channel, category or set; a bad override or contract.
    """
    lib = library or load_library()
    lib.check_set(factor_set, "esg.factor_set")
    pairs = sorted(set(channels))
    for name, category in pairs:
        _check_channel(name, category)
    coef = {p: np.zeros((13, len(sites), len(LINES))) for p in pairs}
    fallback = np.zeros(len(sites), dtype=bool)
    ledgers = [_site(lib, site, factor_set) for site in sites]
    for s, site_coef in enumerate(ledgers):
        for name, category in pairs:
            coef[(name, category)][:, s, :] = site_coef.channel(CHANNELS[name], category)
        fallback[s] = site_coef.mb_fallback
    return AccountingPlan(
        site_ids=tuple(s.id for s in sites),
        regions=tuple(c.region for c in ledgers),
        factor_sets=tuple(c.fs.name for c in ledgers),
        coef=coef,
        mb_fallback_site=fallback,
        embedded_gwp=_merge_gwp(c.embedded_gwp for c in ledgers),
        records=tuple({r.factor_id: r for c in ledgers for r in c.used}.values()),
        notes=tuple(dict.fromkeys(n for c in ledgers for n in c.notes)),
    )


def _site(lib: Library, site: SiteSpec, default_set: str) -> SiteCoefficients:
    path = f"sites[{site.id}]"
    region = lib.region(site.region, path + ".region")
    set_name = site.options.factor_set or default_set
    lib.check_set(set_name, path + ".factor_set")
    return SiteCoefficients(site, region, FactorSet(set_name, lib))


def _check_channel(name: str, category: str) -> None:
    channel: ActivityChannel | None = CHANNELS.get(name)
    if channel is None:
        raise EsgInputError(f"activity.{name}", name, sorted(CHANNELS), "unknown activity channel")
    is_power = channel.fuel_code == "electricity"
    if is_power != (category == "electricity"):
        accepted = ["electricity"] if is_power else ["an IPCC combustion category"]
        raise EsgInputError(f"categories.{name}", category, accepted, "category does not fit")


def _merge_gwp(maps: Iterable[Mapping[str, set[str]]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, set[str]] = {}
    for m in maps:
        for scope, sets in m.items():
            merged.setdefault(scope, set()).update(sets)
    return {scope: tuple(sorted(sets)) for scope, sets in merged.items()}
