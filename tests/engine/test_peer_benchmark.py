"""The headline benchmark's peer (`benchmarks/peer.py`, a SimPy model of the boiler written
apart from the engine) computes what the engine computes: same fleet, same draws, failure modes
off in both. Values only; speed is measured by the benchmark, not here."""

from __future__ import annotations

import numpy as np

from aurum.engine.scenario.loader import load
from aurum.twins.boiler.model import Boiler
from benchmarks import peer

TWINS, HOURS = 6, 3.0  # four gas boilers at Atacama, two diesel at Arequipa


def test_the_simpy_peer_and_the_n1_loop_agree_with_the_engine_on_every_twin_hour() -> None:
    sc = peer.scenario(TWINS, HOURS)
    run = peer.run_engine(sc)
    engine = run.results
    assert run.twin_ticks == TWINS * HOURS * 60
    assert Boiler.failure_modes, "the engine's boiler got its failure modes back"
    simpy, n1 = peer.run_peer(load(sc)).results, peer.run_n1(load(sc), 2).results

    assert simpy.ids == engine.ids
    assert simpy.values.shape == (TWINS, 3, 3)
    assert np.all(engine.values > 0.0)  # every boiler ran every hour: nothing compared is zero
    for ran in (simpy, n1):
        worst = peer.agreement(ran, engine)
        assert max(worst.values()) < 1e-12, worst
    # the comparison can fail: the engine with its failure modes is another model
    worn = peer.run_engine(sc, modes=True).results
    assert max(peer.agreement(simpy, worn).values()) > 1e-6
