"""Bad input raises EsgInputError naming the field, the value and what is accepted."""

from __future__ import annotations

import numpy as np
import pytest

from aurum import esg
from aurum.esg.errors import EsgInputError

ELEC = {"electricity_kwh": "electricity"}


def _raises(call: object, path: str, value: object, accepted_item: str) -> EsgInputError:
    assert callable(call)
    with pytest.raises(EsgInputError) as info:
        call()
    e = info.value
    assert e.path == path and e.value == value, (e.path, e.value)
    assert accepted_item in e.accepted and accepted_item in str(e)
    return e


def test_unknown_region_lists_the_codes() -> None:
    call = lambda: esg.build_plan([esg.SiteSpec("pit", "XX")], [("electricity_kwh", "electricity")])  # noqa: E731
    e = _raises(call, "sites[pit].region", "XX", "AU-WA-NWIS")
    assert "CL" in e.accepted and "unknown country/region" in str(e)


def test_unknown_channel_lists_the_channels() -> None:
    call = lambda: esg.build_plan([esg.SiteSpec("a", "CL")], [("hydrogen_kg", "1.A.2.i")])  # noqa: E731
    _raises(call, "activity.hydrogen_kg", "hydrogen_kg", "natural_gas_gj")


def test_unknown_category_lists_the_categories() -> None:
    call = lambda: esg.build_plan([esg.SiteSpec("a", "CL")], [("diesel_l", "1.A.3.z")])  # noqa: E731
    e = _raises(call, "categories.diesel_l", "1.A.3.z", "1.A.2.g.vii")
    assert "1.A.2.i" in e.accepted


def test_no_factor_for_fuel_in_category() -> None:
    call = lambda: esg.build_plan([esg.SiteSpec("a", "CL")], [("coal_t", "1.A.2.g.vii")])  # noqa: E731
    _raises(call, "categories.coal_t", "1.A.2.g.vii", "1.A.2.i")


def test_unknown_gwp_set_lists_the_sets() -> None:
    led = esg.account_regions({"electricity_kwh": np.ones(1)}, ELEC, ["CL"])
    _raises(lambda: esg.co2e(led, "AR7"), "gwp_set", "AR7", "AR6")
    _raises(lambda: esg.check_gwp_set("AR7"), "esg.gwp_set", "AR7", "AR5")


def test_unknown_factor_set_lists_the_sets() -> None:
    call = lambda: esg.build_plan([esg.SiteSpec("a", "CL")], [], factor_set="ghgp")  # noqa: E731
    _raises(call, "esg.factor_set", "ghgp", "desnz")


def _override(**kw: object) -> object:
    over = esg.FactorOverride(source="test", **kw)  # type: ignore[arg-type]
    site = esg.SiteSpec("pit", "CL", esg.SiteEsg(overrides=(over,)))
    return lambda: esg.build_plan(
        [site], [("electricity_kwh", "electricity"), ("natural_gas_gj", "1.A.2.i")]
    )


def test_override_with_a_wrong_unit_names_the_expected_units() -> None:
    e = _raises(
        _override(target="grid", value=0.3, unit="kg/L"),
        "sites[pit].overrides[0].unit",
        "kg/L",
        "kg/kWh",
    )
    assert "mass per energy" in str(e) and "t/MWh" in e.accepted


def test_override_with_an_unknown_unit() -> None:
    _raises(
        _override(target="grid", value=0.3, unit="kg/furlong"),
        "sites[pit].overrides[0].unit",
        "kg/furlong",
        "lb/MWh",
    )


def test_override_target_and_fuel_are_checked() -> None:
    _raises(
        _override(target="gird", value=1, unit="kg/kWh"),
        "sites[pit].overrides[0].target",
        "gird",
        "grid",
    )
    _raises(
        _override(target="ncv:peat", value=1, unit="TJ/Gg"),
        "sites[pit].overrides[0].target",
        "peat",
        "natural_gas",
    )


def test_basis_mismatch_is_refused() -> None:
    """A GCV factor on NCV activity without a declared NCV/GCV ratio (ipcc set has none)."""
    call = _override(
        target="combustion:natural_gas@1.A.2.i", gas="co2", value=50, unit="kg/GJ", basis="GCV"
    )
    e = _raises(call, "site-pit-override-0.basis", "GCV", "NCV")
    assert "basis mismatch" in str(e)


def test_energy_override_needs_a_basis() -> None:
    call = _override(target="combustion:natural_gas@1.A.2.i", gas="co2", value=50, unit="kg/GJ")
    _raises(call, "sites[pit].overrides[0].basis", None, "NCV")


def test_loss_rate_where_a_td_factor_is_published() -> None:
    over = esg.FactorOverride(target="grid_loss_rate", value=0.05, unit="1", source="x")
    site = esg.SiteSpec("pit", "ZA", esg.SiteEsg(overrides=(over,)))
    call = lambda: esg.build_plan([site], [("electricity_kwh", "electricity")])  # noqa: E731
    _raises(call, "sites[pit].overrides", "grid_loss_rate", "grid_upstream")


def test_unplanned_channel_and_bad_month() -> None:
    plan = esg.build_plan([esg.SiteSpec("a", "CL")], [("electricity_kwh", "electricity")])
    act = {"diesel_l": np.ones(1)}
    call = lambda: esg.account(plan, act, {"diesel_l": "1.A.2.i"}, [0])  # noqa: E731
    _raises(call, "activity.diesel_l", "diesel_l@1.A.2.i", "electricity_kwh@electricity")
    call = lambda: esg.account(plan, {"electricity_kwh": np.ones(1)}, ELEC, [0], month=13)  # noqa: E731
    _raises(call, "month", 13, "12")
