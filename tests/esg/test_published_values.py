"""Every record's value(s) and unit against the figure as transcribed from the publication.

Expected values are typed here from the published tables' transcriptions (their section in the
third column), independently of the YAML files. Every record of the library must appear here.
"""

from __future__ import annotations

import math

import pytest

from aurum import esg
from aurum.esg.records import EmissionFactor, GwpValue, Parameter

# factor_id: (values, unit, section). Values: field -> figure (co2/ch4/n2o/co2e/value; co2e
# split fields as co2e:co2 etc.; monthly as a tuple).
EXPECTED: dict[str, tuple[dict[str, object], str, str]] = {
    # §2.1 IPCC Table 1.2 NCV [TJ/Gg] and Table 1.4 CO2 [kg/TJ]
    "ipcc2006-ncv-gas-diesel-oil": ({"value": 43.0}, "TJ/Gg", "§2.1"),
    "ipcc2006-ncv-natural-gas": ({"value": 48.0}, "TJ/Gg", "§2.1"),
    "ipcc2006-ncv-other-bituminous-coal": ({"value": 25.8}, "TJ/Gg", "§2.1"),
    "ipcc2006-ncv-sub-bituminous-coal": ({"value": 18.9}, "TJ/Gg", "§2.1"),
    "ipcc2006-ncv-lignite": ({"value": 11.9}, "TJ/Gg", "§2.1"),
    "ipcc2006-co2-gas-diesel-oil": ({"co2": 74100}, "kg/TJ", "§2.1"),
    "ipcc2006-co2-natural-gas": ({"co2": 56100}, "kg/TJ", "§2.1"),
    "ipcc2006-co2-other-bituminous-coal": ({"co2": 94600}, "kg/TJ", "§2.1"),
    "ipcc2006-co2-sub-bituminous-coal": ({"co2": 96100}, "kg/TJ", "§2.1"),
    "ipcc2006-co2-lignite": ({"co2": 101000}, "kg/TJ", "§2.1"),
    # §2.2 Tables 2.2 / 2.3 / 2.4 CH4 / N2O [kg/TJ]
    "ipcc2006-t2.2-gas-diesel-oil": ({"ch4": 3, "n2o": 0.6}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.2-natural-gas": ({"ch4": 1, "n2o": 0.1}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.2-other-bituminous-coal": ({"ch4": 1, "n2o": 1.5}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.2-sub-bituminous-coal": ({"ch4": 1, "n2o": 1.5}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.3-gas-diesel-oil": ({"ch4": 3, "n2o": 0.6}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.3-natural-gas": ({"ch4": 1, "n2o": 0.1}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.3-other-bituminous-coal": ({"ch4": 10, "n2o": 1.5}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.3-sub-bituminous-coal": ({"ch4": 10, "n2o": 1.5}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.4-gas-diesel-oil": ({"ch4": 10, "n2o": 0.6}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.4-natural-gas": ({"ch4": 5, "n2o": 0.1}, "kg/TJ", "§2.2"),
    "ipcc2006-t2.4-other-bituminous-coal": ({"ch4": 10, "n2o": 1.5}, "kg/TJ", "§2.2"),
    # §2.3 Table 3.3.1 off-road diesel, industry; road Table 3.2.2 (reference only)
    "ipcc2006-t3.3.1-diesel-industry": ({"ch4": 4.15, "n2o": 28.6}, "kg/TJ", "§2.3"),
    "ipcc2006-t3.2.2-road-diesel": ({"ch4": 3.9, "n2o": 3.9}, "kg/TJ", "§2.3"),
    # §3 GWP100
    "gwp-sar-co2": ({"value": 1}, "1", "§3"),
    "gwp-sar-ch4": ({"value": 21}, "1", "§3"),
    "gwp-sar-n2o": ({"value": 310}, "1", "§3"),
    "gwp-tar-co2": ({"value": 1}, "1", "§3"),
    "gwp-tar-ch4": ({"value": 23}, "1", "§3"),
    "gwp-tar-n2o": ({"value": 296}, "1", "§3"),
    "gwp-ar4-co2": ({"value": 1}, "1", "§3"),
    "gwp-ar4-ch4": ({"value": 25}, "1", "§3"),
    "gwp-ar4-n2o": ({"value": 298}, "1", "§3"),
    "gwp-ar5-co2": ({"value": 1}, "1", "§3"),
    "gwp-ar5-ch4": ({"value": 28}, "1", "§3"),
    "gwp-ar5-n2o": ({"value": 265}, "1", "§3"),
    "gwp-ar6-co2": ({"value": 1}, "1", "§3"),
    "gwp-ar6-ch4-fossil": ({"value": 29.8}, "1", "§3"),
    "gwp-ar6-ch4-nonfossil": ({"value": 27.0}, "1", "§3"),
    "gwp-ar6-ch4-sm": ({"value": 27.9}, "1", "§3"),
    "gwp-ar6-n2o": ({"value": 273}, "1", "§3"),
    # §4 EPA Hub
    "epa-hub-diesel-heat-content": ({"value": 0.138}, "mmBtu/gal", "§4"),
    "epa-hub-natural-gas-heat-content": ({"value": 0.001026}, "mmBtu/scf", "§4"),
    "epa-hub2025-t2-diesel-co2": ({"co2": 10.21}, "kg/gal", "§4"),
    "epa-hub2025-t2-motor-gasoline-co2": ({"co2": 8.78}, "kg/gal", "§4"),
    "epa-hub2025-t5-construction-mining-diesel-equipment": (
        {"ch4": 1.01, "n2o": 0.94},
        "g/gal",
        "§4",
    ),
    "epa-hub2025-t5-construction-mining-diesel-offroad-trucks": (
        {"ch4": 0.92, "n2o": 0.56},
        "g/gal",
        "§4",
    ),
    "epa-hub2025-t5-agricultural-diesel": ({"ch4": 1.26, "n2o": 1.07}, "g/gal", "§4"),
    "epa-hub2025-t5-industrial-commercial-diesel": ({"ch4": 0.43, "n2o": 0.62}, "g/gal", "§4"),
    "epa-hub-t1-natural-gas-co2": ({"co2": 53.06}, "kg/mmBtu", "§4"),
    "epa-hub-t1-natural-gas-ch4-n2o": ({"ch4": 1.0, "n2o": 0.10}, "g/mmBtu", "§4"),
    "epa-hub2025-natural-gas-co2e-kwh": ({"co2e": 181.279}, "g/kWh", "§4"),
    "epa-hub2024-t1-distillate-no2-co2": ({"co2": 73.96}, "kg/mmBtu", "§4"),
    "epa-hub2024-t1-distillate-no2-ch4-n2o": ({"ch4": 3.0, "n2o": 0.60}, "g/mmBtu", "§4"),
    "epa-hub2024-t1-bituminous-co2": ({"co2": 93.28}, "kg/mmBtu", "§4"),
    "epa-hub2024-t1-bituminous-ch4-n2o": ({"ch4": 11, "n2o": 1.6}, "g/mmBtu", "§4"),
    "epa-hub2024-t1-bituminous-co2-short-ton": ({"co2": 2325}, "kg/short_ton", "§4"),
    "epa-hub2024-t1-sub-bituminous-co2": ({"co2": 97.17}, "kg/mmBtu", "§4"),
    "epa-hub2024-t1-sub-bituminous-co2-short-ton": ({"co2": 1676}, "kg/short_ton", "§4"),
    "epa-hub2024-t1-mixed-coal-industrial-co2": ({"co2": 94.67}, "kg/mmBtu", "§4"),
    "epa-hub2024-t1-mixed-coal-industrial-co2-short-ton": ({"co2": 2116}, "kg/short_ton", "§4"),
    "epa-hub2024-t1-mixed-coal-industrial-ch4-n2o-short-ton": (
        {"ch4": 246, "n2o": 36},
        "g/short_ton",
        "§4",
    ),
    "epa-egrid2022-us": ({"co2": 823.149, "ch4": 0.066, "n2o": 0.009}, "lb/MWh", "§4/§6.1"),
    "epa-egrid2023-us": ({"co2e": 770.884}, "lb/MWh", "§4/§6.1"),
    # §5 DESNZ
    "desnz2024-diesel-mineral": (
        {"co2e": 2.66155, "co2e:co2": 2.62818, "co2e:ch4": 0.00029, "co2e:n2o": 0.03308},
        "kg/L",
        "§5",
    ),
    "desnz2024-diesel-average-biofuel-blend": ({"co2e": 2.51279}, "kg/L", "§5"),
    "desnz2024-natural-gas-net-cv": ({"co2e": 0.2044}, "kg/kWh", "§5"),
    "desnz2025-natural-gas-gross-cv": ({"co2e": 0.18316}, "kg/kWh", "§5"),
    "desnz2024-uk-grid": ({"co2e": 0.20705}, "kg/kWh", "§5"),
    "desnz2025-wtt-diesel-blend-l": ({"co2e": 0.61101}, "kg/L", "§5"),
    "desnz2025-wtt-diesel-blend-kwh-net": ({"co2e": 0.06181}, "kg/kWh", "§5"),
    "desnz2025-wtt-diesel-blend-kwh-gross": ({"co2e": 0.05816}, "kg/kWh", "§5"),
    "desnz2025-wtt-diesel-blend-t": ({"co2e": 733.64}, "kg/t", "§5"),
    "desnz2025-wtt-diesel-mineral-l": ({"co2e": 0.62409}, "kg/L", "§5/§6.2"),
    "desnz2025-wtt-diesel-mineral-kwh-net": ({"co2e": 0.06291}, "kg/kWh", "§5"),
    "desnz2025-wtt-diesel-mineral-t": ({"co2e": 752.03}, "kg/t", "§5"),
    "desnz2025-wtt-gas-oil-l": ({"co2e": 0.62665}, "kg/L", "§5"),
    "desnz2025-wtt-natural-gas-kwh-net": ({"co2e": 0.03347}, "kg/kWh", "§5/§6.2"),
    "desnz2025-wtt-natural-gas-kwh-gross": ({"co2e": 0.03021}, "kg/kWh", "§5"),
    "desnz2025-wtt-natural-gas-m3": ({"co2e": 0.3366}, "kg/m3", "§5"),
    "desnz2025-wtt-natural-gas-t": ({"co2e": 423.16}, "kg/t", "§5"),
    # §1 rules 5-6: project assumptions
    "diesel-density-assumed": ({"value": 0.84}, "kg/L", "§1"),
    "natural-gas-ncv-per-gcv-assumed": ({"value": 0.9}, "1", "§1"),
    # §6.1 grid: Chile SEN 2023 (monthly Jan..Dec)
    "cl-sen-2023": (
        {
            "co2": 0.2421,
            "monthly:co2": (
                *(0.2383, 0.2618, 0.2929, 0.3244, 0.3252, 0.2783),
                *(0.2176, 0.2193, 0.2235, 0.1813, 0.1758, 0.1670),
            ),
        },
        "t/MWh",
        "§6.1",
    ),
    # §6.1 NGA 2024 scope 2 / scope 3 [kg CO2e/kWh]
    "nga2024-au-scope2": ({"co2e": 0.63}, "kg/kWh", "§6.1"),
    "nga2024-au-scope3": ({"co2e": 0.07}, "kg/kWh", "§6.1"),
    "nga2024-au-nsw-scope2": ({"co2e": 0.66}, "kg/kWh", "§6.1"),
    "nga2024-au-nsw-scope3": ({"co2e": 0.04}, "kg/kWh", "§6.1"),
    "nga2024-au-vic-scope2": ({"co2e": 0.77}, "kg/kWh", "§6.1"),
    "nga2024-au-vic-scope3": ({"co2e": 0.09}, "kg/kWh", "§6.1"),
    "nga2024-au-qld-scope2": ({"co2e": 0.71}, "kg/kWh", "§6.1"),
    "nga2024-au-qld-scope3": ({"co2e": 0.10}, "kg/kWh", "§6.1"),
    "nga2024-au-sa-scope2": ({"co2e": 0.23}, "kg/kWh", "§6.1"),
    "nga2024-au-sa-scope3": ({"co2e": 0.05}, "kg/kWh", "§6.1"),
    "nga2024-au-wa-swis-scope2": ({"co2e": 0.51}, "kg/kWh", "§6.1"),
    "nga2024-au-wa-swis-scope3": ({"co2e": 0.06}, "kg/kWh", "§6.1"),
    "nga2024-au-wa-nwis-scope2": ({"co2e": 0.61}, "kg/kWh", "§6.1"),
    "nga2024-au-wa-nwis-scope3": ({"co2e": 0.09}, "kg/kWh", "§6.1"),
    "nga2024-au-tas-scope2": ({"co2e": 0.15}, "kg/kWh", "§6.1"),
    "nga2024-au-tas-scope3": ({"co2e": 0.03}, "kg/kWh", "§6.1"),
    "nga2024-au-nt-dkis-scope2": ({"co2e": 0.56}, "kg/kWh", "§6.1"),
    "nga2024-au-nt-dkis-scope3": ({"co2e": 0.07}, "kg/kWh", "§6.1"),
    "nga2024-au-natural-gas-scope1": ({"co2e": 51.53}, "kg/GJ", "§6.2"),
    # §6.1-6.2 DFFE [t CO2e/MWh]
    "dffe2023-za-nggef-2023": ({"co2e": 0.906}, "t/MWh", "§6.1"),
    "dffe2023-za-nggef-2022": ({"co2e": 0.931}, "t/MWh", "§6.1"),
    "dffe2023-za-dggef-2023": ({"co2e": 0.942}, "t/MWh", "§6.1"),
    "dffe2023-za-dggef-2022": ({"co2e": 0.960}, "t/MWh", "§6.1"),
    "dffe-za-dggef-2021": ({"co2e": 1.013}, "t/MWh", "§6.1"),
    "dffe2023-za-tlgef-2023": ({"co2e": 0.020}, "t/MWh", "§6.2"),
    "dffe2023-za-dlgef-2023": ({"co2e": 0.062}, "t/MWh", "§6.2"),
    # §6.1 lifecycle values [g/kWh]
    "electricitymaps-2024-es": ({"co2e": 129}, "g/kWh", "§6.1"),
    "electricitymaps-2024-pe": ({"co2e": 186}, "g/kWh", "§6.1"),
    "electricitymaps-2024-ar": ({"co2e": 380}, "g/kWh", "§6.1"),
    "electricitymaps-2024-cl-sen": ({"co2e": 236}, "g/kWh", "§6.1"),
    "electricitymaps-2024-au-nsw": ({"co2e": 541}, "g/kWh", "§6.1"),
    "electricitymaps-2024-au-wa": ({"co2e": 395}, "g/kWh", "§6.1"),
    "electricitymaps-2024-us": ({"co2e": 409}, "g/kWh", "§6.1"),
    "electricitymaps-2024-za": ({"co2e": 712}, "g/kWh", "§6.1"),
    "ember-2023-es": ({"co2e": 174.05}, "g/kWh", "§6.1"),
    "ember-2022-cl": ({"co2e": 353.52}, "g/kWh", "§6.1"),
    "ember-2022-ar": ({"co2e": 394.62}, "g/kWh", "§6.1"),
    "ember-2022-pe": ({"co2e": 251.74}, "g/kWh", "§6.1"),
}


def _published(record: object) -> dict[str, object]:
    if isinstance(record, (Parameter, GwpValue)):
        return {"value": record.value}
    assert isinstance(record, EmissionFactor)
    out: dict[str, object] = dict(record.values())
    out |= {f"co2e:{g}": v for g, v in (record.co2e_by_gas or {}).items()}
    out |= {f"monthly:{g}": tuple(v) for g, v in (record.monthly or {}).items()}
    return out


def test_every_record_is_in_the_expected_table() -> None:
    lib = esg.load_library()
    assert set(lib.records) == set(EXPECTED)


@pytest.mark.parametrize("factor_id", sorted(EXPECTED))
def test_value_and_unit_match_the_reference_page(factor_id: str) -> None:
    record = esg.load_library().records[factor_id]
    values, unit, section = EXPECTED[factor_id]
    assert record.unit == unit, f"{factor_id} ({section})"
    got = _published(record)
    assert set(got) == set(values), f"{factor_id} ({section})"
    for name, expected in values.items():
        if isinstance(expected, tuple):
            assert got[name] == expected
        else:
            assert math.isclose(float(got[name]), float(expected), rel_tol=1e-12), name  # type: ignore[arg-type]
