"""Numerical building blocks shared by every machine model."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
G = 9.80665  # standard gravity [m/s²]


def relax(x: F64, x_eq: F64 | float, dt_s: float, tau_s: F64 | float) -> F64:
    """Exact update of a first-order lag τ·dx/dt = x_eq − x over dt, x_eq held constant [A].

    Stable for any dt/τ, so sub-models faster than the tick (drum pressure, thermostat) need no
    sub-stepping (explicit Euler at a 60 s tick can oscillate).
    """
    return relax_by(x, x_eq, decay(dt_s, tau_s))


def decay(dt_s: float, tau_s: F64 | float) -> F64:
    """e^{−Δt/τ}: what is left of a first-order lag's gap after Δt [-]."""
    return np.asarray(np.exp(-dt_s / tau_s))


def relax_by(x: F64, x_eq: F64 | float, decay_: F64 | float) -> F64:
    """`relax` with its decay e^{−Δt/τ} computed once (a lag with a fixed τ at a fixed tick)."""
    return x_eq + (x - x_eq) * decay_


def ou_step(
    x: F64, mean: F64 | float, sigma: F64 | float, tau_s: F64 | float, dt_s: float, z: F64
) -> F64:
    """Exact Ornstein-Uhlenbeck step: mean reversion over τ, stationary std σ, z ~ N(0, 1)."""
    a = decay(dt_s, tau_s)
    return ou_step_by(x, mean, a, ou_kick(sigma, a), z)


def ou_kick(sigma: F64 | float, decay_: F64 | float) -> F64:
    """The spread σ·√(1 − a²) one exact OU step adds to a stationary std σ, a = e^{−Δt/τ}."""
    return np.asarray(sigma * np.sqrt(1.0 - decay_ * decay_))


def ou_step_by(x: F64, mean: F64 | float, decay_: F64 | float, kick: F64 | float, z: F64) -> F64:
    """`ou_step` with its decay and kick (`ou_kick`) computed once (fixed τ, σ and tick)."""
    return mean + (x - mean) * decay_ + kick * z
