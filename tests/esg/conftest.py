"""Helpers shared by the esg tests."""

from __future__ import annotations

import numpy as np

from aurum import esg

OFFROAD, STATIONARY, ELEC = "1.A.2.g.vii", "1.A.2.i", "electricity"


def one(
    channel: str, amount: float, category: str, region: str = "CL", **kw: object
) -> esg.GasLedger:
    """Account a single twin using one channel."""
    return esg.account_regions(
        {channel: np.array([amount])},
        {channel: category},
        [region],
        **kw,  # type: ignore[arg-type]
    )


def kg(ledger: esg.GasLedger, scope: str, gas: str) -> float:
    return float(ledger[scope, gas][0])
