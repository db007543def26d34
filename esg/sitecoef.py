"""One site's coefficients: kg of each gas per activity unit, by (scope, gas) line and month.

Scope 1 from the set's combustion records (site overrides replace gases one by one); scope 3.3 fuels
from WTT records; scope 2 location from the region's grid record; scope 2 market from the site's
contract, else the location factor flagged as a fallback; scope 3.3 electricity from the published
upstream/T&D records, else the loss formula T&D = E × L / (1 − L) × EF (GHG Protocol scope 3.3) when
a loss rate is given, else nothing (a gap the notes name).
"""

from __future__ import annotations

import numpy as np

from aurum.esg.categories import ActivityChannel
from aurum.esg.conversion import convert
from aurum.esg.errors import EsgInputError, FactorDataError
from aurum.esg.factorset import FactorSet, Resolved
from aurum.esg.ledger import F64, GASES, LINE_INDEX, LINES
from aurum.esg.options import SiteSpec
from aurum.esg.overrides import site_overrides, supplier_record
from aurum.esg.records import AnyRecord, EmissionFactor, Parameter
from aurum.esg.units import UNITS, parse_unit

VALUE_GAS = {"co2": "co2", "ch4": "ch4_fossil", "n2o": "n2o", "co2e": "co2e_embedded"}


def _cols(scope: str) -> list[int]:
    return [LINE_INDEX[(scope, g)] for g in GASES]


class SiteCoefficients:
    """Resolves one site's factors; records what it used and what it had to say."""

    def __init__(self, site: SiteSpec, region: str, fs: FactorSet) -> None:
        self.site, self.region, self.fs = site, region, fs
        self.path = f"sites[{site.id}]"
        self.ov = site_overrides(site.id, region, site.options.overrides)
        self.used: list[AnyRecord] = []
        self.notes: list[str] = list(fs.notes())
        self.embedded_gwp: dict[str, set[str]] = {}
        self.mb_fallback = False

    def channel(self, channel: ActivityChannel, category: str) -> F64:
        """Coefficients (13 months, lines) of one activity channel at this site."""
        out = np.zeros((13, len(LINES)))
        if channel.fuel_code == "electricity":
            self._electricity(out, channel)
        else:
            self._fuel(out, channel, category)
        return out

    def _fuel(self, out: F64, ch: ActivityChannel, category: str) -> None:
        fuel = ch.fuel_code
        resolved = self.fs.combustion(fuel, category, f"categories.{ch.name}")
        self._note_fallback(resolved, f"combustion {fuel}@{category}")
        own = self.ov.emission.get(f"combustion:{fuel}@{category}", [])
        for r in self._merge(own, list(resolved.records), f"combustion {fuel}@{category}"):
            self._add(out, "scope1", r, ch)
        wtt = self.ov.emission.get(f"wtt:{fuel}") or _records(self.fs.wtt(fuel))
        for r in wtt:
            self._add(out, "scope3_fuel_wtt", r, ch)
        if not wtt:
            self.notes.append(f"no well-to-tank factor for {fuel}: scope 3.3 not computed")

    def _electricity(self, out: F64, ch: ActivityChannel) -> None:
        grid = self.fs.grid(self.region)
        lb = self._merge(self.ov.emission.get("grid", []), _records(grid), "grid")
        for r in lb:
            self._add(out, "scope2_location", r, ch)
        for r in lb:
            if r.proxy:
                self.notes.append(f"{self.region}: scope 2 location factor is a proxy: {r.note}")
        self._market(out, ch)
        self._upstream(out, ch, proxy=any(r.proxy for r in lb))

    def _market(self, out: F64, ch: ActivityChannel) -> None:
        contract = self.site.options.contract
        share = contract.renewable_share if contract else 0.0
        if contract is not None and contract.supplier_factor is not None:
            record = supplier_record(self.site.id, self.region, contract.supplier_factor)
            self._add(out, "scope2_market", record, ch, scale=1.0 - share)
            return
        out[:, _cols("scope2_market")] = (1.0 - share) * out[:, _cols("scope2_location")]
        self._copy_gwp("scope2_location", "scope2_market")
        if share < 1.0:
            self.mb_fallback = True
            self.notes.append(
                f"site {self.site.id} ({self.region}): market-based scope 2 of kWh not covered by "
                "an instrument takes the location factor (no residual mix transcribed): fallback"
            )

    def _upstream(self, out: F64, ch: ActivityChannel, proxy: bool) -> None:
        own = self.ov.emission.get("grid_upstream")
        published = own or _records(self.fs.grid_upstream(self.region))
        loss = self.ov.loss_rate
        if published and loss is not None and not own:
            raise EsgInputError(
                f"{self.path}.overrides",
                "grid_loss_rate",
                ["grid_upstream"],
                f"{self.region} has a published upstream/T&D factor; override grid_upstream",
            )
        for r in published:
            self._add(out, "scope3_electricity", r, ch)
        if loss is not None and not published:
            rate = loss.value * parse_unit(loss.unit).scale
            cols = _cols("scope3_electricity")
            out[:, cols] = rate / (1.0 - rate) * out[:, _cols("scope2_location")]
            self._copy_gwp("scope2_location", "scope3_electricity")
            self.used.append(loss)
            self.notes.append(f"{self.region}: T&D losses = E x L/(1-L) x EF with L = {rate:g}")
        elif not published:
            why = "included in the lifecycle proxy" if proxy else "no upstream/T&D figure"
            self.notes.append(f"{self.region}: scope 3.3 electricity not computed ({why})")

    def _merge(
        self, own: list[EmissionFactor], published: list[EmissionFactor], slot: str
    ) -> list[EmissionFactor]:
        """Overrides first; published records keep only gases no override replaced."""
        taken = frozenset().union(*(r.gases() for r in own)) if own else frozenset()
        kept = [r for r in published if not (r.gases() & taken)]
        gases = frozenset().union(*(r.gases() for r in [*own, *kept])) if own or kept else None
        if own and gases != {"co2", "ch4", "n2o"}:
            self.notes.append(f"site {self.site.id}: {slot} after overrides covers {gases}")
        return [*own, *kept]

    def _add(
        self, out: F64, scope: str, r: EmissionFactor, ch: ActivityChannel, scale: float = 1.0
    ) -> None:
        params = self._params(ch.fuel_code)
        conv = convert(ch.unit, ch.basis, r.unit, r.basis, params, f"{r.factor_id}.basis")
        mass = UNITS[r.unit.partition("/")[0]][1]
        for field, months in _monthly(r).items():
            gas, per_kg = self._gas(r, field)
            out[:, LINE_INDEX[(scope, gas)]] += months * per_kg * mass * conv.factor * scale
            if gas == "co2e_embedded":
                self.embedded_gwp.setdefault(scope, set()).add(str(r.gwp_set))
        self.used += [r, *(p for p in params if p.factor_id in conv.via)]

    def _gas(self, r: EmissionFactor, field: str) -> tuple[str, float]:
        """Ledger gas of a value field, and the kg of that gas per unit of the value."""
        if r.co2e_by_gas is not None and field != "co2e":
            gwp = self.fs.library.gwp(str(r.gwp_set), "ch4_fossil" if field == "ch4" else field)
            self.used.append(gwp)
            return VALUE_GAS[field], 1.0 / gwp.value
        if field == "ch4" and r.ch4_origin != "fossil":
            raise FactorDataError(r.factor_id, "non-fossil CH4 has no ledger line yet")
        return VALUE_GAS[field], 1.0

    def _params(self, fuel: str) -> list[Parameter]:
        return [*self.ov.params.get(fuel, []), *self.fs.conversions(fuel)]

    def _note_fallback(self, resolved: Resolved, slot: str) -> None:
        if resolved.fell_back:
            self.notes.append(f"factor set {self.fs.name} has no {slot}: {resolved.from_set} used")

    def _copy_gwp(self, source: str, target: str) -> None:
        if source in self.embedded_gwp:
            self.embedded_gwp.setdefault(target, set()).update(self.embedded_gwp[source])


def _records(resolved: Resolved | None) -> list[EmissionFactor]:
    return list(resolved.records) if resolved else []


def _monthly(r: EmissionFactor) -> dict[str, F64]:
    """Each value field as 13 numbers: the annual value, then Jan..Dec (annual if none)."""
    fields = dict(r.co2e_by_gas) if r.co2e_by_gas is not None else r.values()
    out = {}
    for field, value in fields.items():
        months = (r.monthly or {}).get(field)  # type: ignore[call-overload]
        out[field] = np.array([value, *(months if months else [value] * 12)], dtype=np.float64)
    return out
