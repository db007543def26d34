"""The shipped conformance check, run over every registered kind — and shown to catch breaches."""

from __future__ import annotations

import numpy as np
import pytest

from aurum.twins import registry
from aurum.twins.conformance import ConformanceError, check_kind, run_batch
from aurum.twins.kind import Channel, Kind, StateVar, TickOutput
from aurum.twins.site import DEFAULT_SITE, SiteConditions


@pytest.mark.parametrize("kind", registry.all_kinds(), ids=lambda k: k.name)
def test_every_registered_kind_conforms(kind: type[Kind]) -> None:
    check_kind(kind)


def test_registry_lists_the_four_kinds() -> None:
    assert registry.names() == ("truck", "mill", "boiler", "loader")
    with pytest.raises(KeyError, match="registered kinds: truck, mill, boiler, loader"):
        registry.get("excavator")


@pytest.mark.parametrize("kind", registry.all_kinds(), ids=lambda k: k.name)
def test_mixed_site_batch_row_equals_twin_alone(kind: type[Kind]) -> None:
    """A twin at a second, different site behaves the same inside a mixed batch as alone."""
    from aurum.twins.conformance import run_twins
    from aurum.twins.params import stack, take
    from aurum.twins.site import Environment

    other = SiteConditions.model_validate(
        DEFAULT_SITE.model_dump()
        | {"altitude_m": 3000.0, "climate": {"ambient_mean_c": 30.0, "utc_offset_h": -4.0}}
        | {
            "road": {
                "segments": [
                    {"length_m": 900, "grade_pct": -3.0},
                    {"length_m": 600, "grade_pct": 12},
                ]
            }
        }
    )
    ids = [f"{kind.label}-{i}" for i in range(4)]
    params = stack([kind.Params() for _ in ids])
    env = Environment((DEFAULT_SITE, other), np.array([0, 1, 0, 1]))
    batch = run_twins(kind, ids, params, env, 3, 180)
    alone = run_twins(kind, ids[3:], take(params, np.array([3])), env.take(np.array([3])), 3, 180)
    for a, b in zip(batch.outputs, alone.outputs, strict=True):
        for name in a.sensors:
            assert np.array_equal(a.sensors[name][3:], b.sensors[name], equal_nan=True), name


class _Leaky(Kind):
    """A kind that breaks the contract: its output depends on the batch (a batch mean)."""

    name = "leaky"
    label = "LEAKY"
    description = "test double"
    Params = registry.get("mill").Params
    state_vars = (StateVar("level_pct", "%", "level"),)
    sensors = (Channel("level_pct", "%", "level"),)
    activity = (Channel("electricity_kwh", "kWh", "energy", category="electricity"),)
    production = Channel("ore_milled_t", "t", "tonnes")

    def initial(self, params, env, rng):  # type: ignore[no-untyped-def]
        return {"level_pct": np.zeros(rng.n)}

    def step(self, state, params, env, ctx, rng):  # type: ignore[no-untyped-def]
        x = rng.uniform("x", ctx.tick)
        n = len(x)
        level = x - x.mean()  # couples twins: breaks n=1 ≡ a row of n=k
        state["level_pct"] = level
        up = ctx.available
        return TickOutput(
            {"level_pct": level}, {"electricity_kwh": 1.0 * up}, x * up, np.zeros(n, np.int8)
        )


def test_conformance_catches_a_batch_dependent_kind() -> None:
    with pytest.raises(ConformanceError, match="alone differs from its row"):
        check_kind(_Leaky)


def test_run_batch_gives_declared_shapes() -> None:
    trace = run_batch(registry.get("truck"), 3, 10)
    assert len(trace.outputs) == 10
    assert trace.outputs[0].sensors["speed_kmh"].shape == (3,)
