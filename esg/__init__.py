"""esg: emissions of the fleet, as an auditor would accept them.

Pure layer (no twins, Ray, FastAPI or files on disk): emission factors shipped as data with
their provenance (``esg/factors/*.yaml``), vectorised accounting of gas masses by GHG Protocol
scope, CO2e at report time, the cost of wear in carbon, and report builders returning an HTML
string and XLSX bytes. The published sources behind the factors: ``docs/sources.md``.

How the engine uses it
----------------------
At scenario validation (``aurum validate``), once per run::

    from aurum import esg
    lib = esg.load_library()                              # cached; validated at load
    esg.check_gwp_set(scenario.esg.gwp_set)               # EsgInputError if unknown
    plan = esg.build_plan(
        sites=[esg.SiteSpec(s.id, s.country, s.esg) for s in scenario.sites],   # s.esg: SiteEsg
        channels={(c.name, c.category) for kind in kinds for c in kind.activity},
        factor_set=scenario.esg.factor_set,               # "ipcc" (default), "epa", "desnz"
    )                                                     # EsgInputError names path + accepted

Per epoch and shard (one kind, n twins; arrays of shape (n,); no loop over twins)::

    ledger = esg.account(plan, out.activity, {c.name: c.category for c in kind.activity},
                         site_index, month=epoch_month)   # month=None: annual factors
    table_columns = ledger.columns()    # 20 columns "<scope>_<gas>_kg" + ledger.mb_fallback

At report time (``aurum report RUN``), from the recorded table::

    per_scope = esg.co2e(table, gwp_set="AR6")            # kg CO2e per scope, per row
    inp = esg.ReportInput(table, records=plan.records, gwp_set="AR6", factor_set="ipcc",
                          embedded_gwp=plan.embedded_gwp, notes=plan.notes, wear=wear_table)
    html: str = esg.report_html(inp);  xlsx: bytes = esg.report_xlsx(inp)   # engine writes them

Cost of wear: ``esg.wear_penalty(plan, actual_activity, healthy_activity, categories,
site_index, gwp_set=...)`` → `WearPenalty` (per-twin gas and CO2e differences; totals).

Vocabulary
----------
- Activity channels (`esg.categories.CHANNELS`): ``diesel_l`` [L], ``natural_gas_gj`` [GJ, NCV],
  ``coal_t`` [t, other bituminous], ``electricity_kwh`` [kWh].
- Categories: IPCC 2006 codes ``1.A.2.g.vii`` (off-road: trucks), ``1.A.2.i`` / ``1.A.2``
  (stationary manufacturing/mining: boilers → Table 2.3), ``1.A.1``, ``1.A.4.a``; and
  ``electricity``.
- Regions (``factors/regions.yaml``): CL, PE, AR, ES, AU, AU-NSW (alias AU-ACT), AU-VIC, AU-QLD,
  AU-SA, AU-WA (SWIS), AU-WA-NWIS (alias AU-NWIS), AU-TAS, AU-NT (DKIS), US, ZA, GB (alias UK).
- Ledger (`GasLedger`): scopes ``scope1``, ``scope2_location``, ``scope2_market``,
  ``scope3_fuel_wtt``, ``scope3_electricity`` × gases ``co2``, ``ch4_fossil``, ``n2o``,
  ``co2e_embedded`` (CO2e-only sources; their GWP set in `GasLedger.embedded_gwp`).
- GWP sets: SAR, TAR, AR4, AR5, AR6 (fossil CH4 29.8 under AR6).
- Errors: `EsgInputError(ValueError)` with ``path``, ``value``, ``accepted``.
"""

from aurum.esg.accounting import MarketInstruments, account, account_regions
from aurum.esg.errors import EsgInputError, FactorDataError
from aurum.esg.factorset import FactorSet
from aurum.esg.gwp import co2e, co2e_by_gas, gwp_weights, intensity, total_co2e
from aurum.esg.ledger import COLUMNS, GASES, SCOPES, GasLedger, column_name
from aurum.esg.library import Library, load_library
from aurum.esg.options import (
    Contract,
    EsgOptions,
    FactorOverride,
    SiteEsg,
    SiteSpec,
    SupplierFactor,
)
from aurum.esg.plan import AccountingPlan, build_plan
from aurum.esg.records import EmissionFactor, GwpValue, Parameter
from aurum.esg.reportdata import ReportInput
from aurum.esg.reporthtml import report_html
from aurum.esg.reportxlsx import report_xlsx
from aurum.esg.wear import WearPenalty, penalty_of, wear_penalty


def check_gwp_set(name: str, path: str = "esg.gwp_set") -> str:
    """The GWP set name if the library has it; EsgInputError listing the sets otherwise."""
    lib = load_library()
    if name not in lib.gwp_sets():
        raise EsgInputError(path, name, lib.gwp_sets(), "unknown GWP set")
    return name


__all__ = [
    "COLUMNS",
    "GASES",
    "SCOPES",
    "AccountingPlan",
    "Contract",
    "EmissionFactor",
    "EsgInputError",
    "EsgOptions",
    "FactorDataError",
    "FactorOverride",
    "FactorSet",
    "GasLedger",
    "GwpValue",
    "Library",
    "MarketInstruments",
    "Parameter",
    "ReportInput",
    "SiteEsg",
    "SiteSpec",
    "SupplierFactor",
    "WearPenalty",
    "account",
    "account_regions",
    "build_plan",
    "check_gwp_set",
    "co2e",
    "co2e_by_gas",
    "column_name",
    "gwp_weights",
    "intensity",
    "load_library",
    "penalty_of",
    "report_html",
    "report_xlsx",
    "total_co2e",
    "wear_penalty",
]
