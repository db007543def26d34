"""The factor library: loading, uniqueness, provenance, and the regression traps of §7."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from aurum import esg
from aurum.esg.errors import FactorDataError
from aurum.esg.library import FACTORS_DIR
from aurum.esg.records import EmissionFactor, Parameter, record_key
from aurum.esg.units import parse_unit

LIB = esg.load_library()
EMISSION = [r for r in LIB.records.values() if isinstance(r, EmissionFactor)]


def test_no_two_records_share_a_key() -> None:
    keys = [record_key(r) for r in LIB.records.values()]
    assert len(keys) == len(set(keys))


def test_a_duplicate_key_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "factors"
    shutil.copytree(FACTORS_DIR, copy)
    text = (copy / "nga2024.yaml").read_text(encoding="utf-8")
    dup = text.replace("factor_id: nga2024-au-scope2,", "factor_id: nga2024-au-scope2-copy,")
    (copy / "zz-duplicate.yaml").write_text(
        dup.split("emission:")[0] + "emission:\n" + dup.split("emission:\n")[1].split("\n")[0],
        encoding="utf-8",
    )
    with pytest.raises(FactorDataError, match="same key as nga2024-au-scope2"):
        esg.load_library(copy)


def test_every_record_has_source_edition_table_and_verification_level() -> None:
    for r in LIB.records.values():
        assert r.publisher and r.dataset and r.edition and r.table_ref, r.factor_id
        assert r.verification in ("S2", "S1", "Q", "M"), r.factor_id
        assert r.transcribed_from.strip(), r.factor_id  # the route the figure came by
        assert ".md" not in r.transcribed_from, r.factor_id  # a public source, not a page


def test_every_unit_is_in_the_unit_table() -> None:
    for r in LIB.records.values():
        parse_unit(r.unit)


def test_natural_gas_n2o_is_below_half_a_kg_per_tj_in_every_stationary_table() -> None:
    """§7: the coal value 1.5 pasted into the gas row (ghgpy)."""
    rows = [r for r in EMISSION if r.fuel_code == "natural_gas" and r.n2o is not None]
    assert len(rows) >= 4
    for r in rows:
        kg_per_tj = r.n2o * parse_unit(r.unit).scale * 1e3  # kg/GJ → kg/TJ (either basis)
        assert kg_per_tj < 0.5, r.factor_id


def test_zero_width_uncertainty_is_rejected() -> None:
    row = LIB.records["ipcc2006-t2.3-gas-diesel-oil"].model_dump()
    row["uncertainty_95"] = {"ch4": (3.0, 3.0)}
    with pytest.raises(ValidationError, match="zero-width"):
        EmissionFactor(**row)


def test_ar6_fossil_ch4_resolves_to_29_8_not_27_9() -> None:
    assert esg.gwp_weights("AR6")["ch4_fossil"] == 29.8
    assert LIB.gwp("AR6", "ch4").value == 27.9  # exists, but is not what combustion takes
    assert esg.gwp_weights("AR5")["ch4_fossil"] == 28


def test_egrid_ch4_per_kwh_is_about_3e_5_kg_not_3e_2() -> None:
    led = esg.account_regions(
        {"electricity_kwh": np.array([1.0])}, {"electricity_kwh": "electricity"}, ["US"]
    )
    assert led["scope2_location", "ch4_fossil"][0] == pytest.approx(2.99e-5, rel=2e-3)
    assert led["scope2_location", "n2o"][0] == pytest.approx(4.08e-6, rel=2e-3)
    assert led["scope2_location", "co2"][0] == pytest.approx(0.37337, abs=1e-5)


def test_egrid_co2e_recomputed_from_gases_matches_the_page() -> None:
    """§4: 0.37529 kg CO2e/kWh with AR5, 0.37538 with AR6 (CH4 × GWP, no /1000)."""
    led = esg.account_regions(
        {"electricity_kwh": np.array([1.0])}, {"electricity_kwh": "electricity"}, ["US"]
    )
    assert esg.co2e(led, "AR5")["scope2_location"][0] == pytest.approx(0.37529, abs=1e-5)
    assert esg.co2e(led, "AR6")["scope2_location"][0] == pytest.approx(0.37538, abs=1e-5)


def test_all_ch4_is_fossil_and_only_from_fossil_fuels() -> None:
    fossil = {"gas_diesel_oil", "natural_gas", "other_bituminous_coal", "sub_bituminous_coal"}
    fossil |= {"mixed_coal_industrial", "lignite", "motor_gasoline", "electricity"}
    for r in EMISSION:
        if r.ch4 is not None:
            assert r.ch4_origin == "fossil" and r.fuel_code in fossil, r.factor_id


def test_mine_boiler_coal_ch4_is_10_kg_per_tj_from_table_2_3() -> None:
    for name in ("ipcc", "epa", "desnz"):
        resolved = esg.FactorSet(name).combustion("other_bituminous_coal", "1.A.2.i", "x")
        ch4 = [r for r in resolved.records if r.ch4 is not None]
        assert [r.ch4 for r in ch4] == [10] and "Table 2.3" in ch4[0].table_ref


def test_every_stationary_slot_cites_table_2_3_unless_tagged_1_a_1() -> None:
    for name, spec in LIB.sets.items():
        for slot, ids in spec.combustion.items():
            cat = slot.partition("@")[2]
            tables = " ".join(LIB.records[i].table_ref for i in ids)
            if cat in ("1.A.2", "1.A.2.i") and name == "ipcc":
                assert "Table 2.3" in tables, slot
            assert "Table 2.2" not in tables or cat == "1.A.1", slot


def test_haul_trucks_never_take_road_transport_tables() -> None:
    for name in ("ipcc", "epa", "desnz"):
        records = esg.FactorSet(name).combustion("gas_diesel_oil", "1.A.2.g.vii", "x").records
        for r in records:
            assert "3.2.2" not in r.table_ref and "Table 4" not in r.table_ref, r.factor_id


def test_scope2_location_records_are_direct_unless_flagged_proxies() -> None:
    for r in EMISSION:
        if r.ghg_scope == "2-LB" and r.boundary == "lifecycle":
            assert r.proxy and "proxy" in r.note and "m" in r.quality_flags, r.factor_id
    row = LIB.records["ember-2023-es"].model_dump() | {"ghg_scope": "2-LB"}
    with pytest.raises(ValidationError, match="boundary 'direct' unless proxy"):
        EmissionFactor(**row)


def test_no_market_based_factor_of_exactly_zero_without_an_instrument() -> None:
    assert all(0.0 not in r.values().values() for r in EMISSION if r.ghg_scope == "2-MB")
    row = LIB.records["desnz2024-uk-grid"].model_dump() | {"ghg_scope": "2-MB", "co2e_embedded": 0}
    with pytest.raises(ValidationError, match="exactly 0"):
        EmissionFactor(**row)


def test_uk_blend_rows_are_bound_to_gb() -> None:
    for r in EMISSION:
        if r.product and "blend" in r.product and "mineral" not in r.product:
            assert r.region == "GB", r.factor_id


def test_grid_factors_in_use_are_recent() -> None:
    """§7 'stale country intensity': selected grid figures are from 2022 or later."""
    for region, factor_id in LIB.sets["ipcc"].grid.items():
        r = LIB.records[factor_id]
        year = r.data_year or int(r.edition[:4])
        assert year >= 2022, (region, factor_id)


def test_consistency_checks_of_the_page_hold() -> None:
    """§7: DESNZ split sums; EPA heat content × factor; IPCC t CO2/t; eGRID lb → kg."""
    d = LIB.records["desnz2024-diesel-mineral"]
    assert isinstance(d, EmissionFactor) and d.co2e_by_gas is not None
    assert sum(d.co2e_by_gas.values()) == pytest.approx(2.66155, abs=1e-9)
    heat = LIB.get("epa-hub-diesel-heat-content", Parameter).value
    assert heat * 73.96 == pytest.approx(10.21, rel=1e-3)
    assert pytest.approx(3.186, rel=1e-3) == 43.0 * 74.1 / 1e3
    assert pytest.approx(0.349667, rel=1e-6) == 770.884 * 0.45359237 / 1e3


def test_chile_monthly_factors_average_to_the_annual_figure() -> None:
    r = LIB.records["cl-sen-2023"]
    assert isinstance(r, EmissionFactor) and r.monthly is not None
    assert sum(r.monthly["co2"]) / 12 == pytest.approx(0.2421, abs=5e-5)


def test_diesel_density_is_flagged_as_an_assumption() -> None:
    p = LIB.get("diesel-density-assumed", Parameter)
    assert p.assumption and p.value == 0.84 and p.unit == "kg/L" and p.verification == "M"


def test_root_set_has_a_grid_factor_for_every_region_and_sets_fall_back_to_ipcc() -> None:
    assert set(LIB.sets["ipcc"].grid) == set(LIB.regions)
    assert LIB.sets["epa"].falls_back_to == "ipcc" and LIB.sets["desnz"].falls_back_to == "ipcc"


def test_a_region_alias_resolves() -> None:
    assert LIB.region("AU-NWIS") == "AU-WA-NWIS"
    assert LIB.region("au-act") == "AU-NSW"
    assert LIB.region("UK") == "GB"
