"""Reliability and wear laws shared by every machine, over numpy arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]


def weibull_life(beta: F64 | float, eta: F64 | float, u: F64) -> F64:
    """Life of a new unit, T = η(−ln U)^(1/β) [same unit as η]; Weibull [A, standard]."""
    return eta * (-np.log(u)) ** (1.0 / beta)


def weibull_life_given_age(age: F64, beta: F64 | float, eta: F64 | float, u: F64) -> F64:
    """Age at failure of a unit that has survived to `age`: η[(a/η)^β − ln U]^(1/β).

    Conditional sampling for aged parts (Weibull, given survival to age a [A, standard]); returns
    the absolute failure age (≥ age), not the remaining life.
    """
    return eta * ((age / eta) ** beta - np.log(u)) ** (1.0 / beta)


def weibull_cdf(t: F64 | float, beta: float, eta: float) -> F64:
    """F(t) = 1 − exp(−(t/η)^β)."""
    return 1.0 - np.exp(-((np.asarray(t) / eta) ** beta))


def exponential_growth(t: F64, duration: F64, curvature: float) -> F64:
    """Fraction of the way from onset (0) to failure (1) after t of D, convex exponential.

    (e^{c·t/D} − 1)/(e^c − 1): the MathWorks exponential degradation form S = φ + θe^{βt}
    (Predictive Maintenance Toolbox) normalised so that it reaches 1 at the end of the degradation
    D; c → 0 is linear wear, c ≈ 4 is a long quiet defect with a sharp end.
    """
    x = np.clip(t / duration, 0.0, None)
    return np.expm1(curvature * x) / np.expm1(curvature)


def asymptotic_fouling(t: F64, r_star: F64 | float, tau: F64 | float) -> F64:
    """Kern–Seaton fouling R_f(t) = R_f*·(1 − e^{−t/τ}) (Kern & Seaton 1959 [V form])."""
    return r_star * -np.expm1(-np.clip(t, 0.0, None) / tau)


def lognormal_median_draw(median: F64 | float, sigma: float, z: F64) -> F64:
    """A lognormal draw from its median and log-sd: median·e^{σz}, z ~ N(0, 1)."""
    return median * np.exp(sigma * z)


def age_replacement_cost_rate(
    t: float, beta: float, eta: float, cost_preventive: float, cost_failure: float
) -> float:
    """Long-run cost per hour of replacing at age t or at failure (Barlow & Proschan [A, standard]).

    C(T) = [c_p·R(T) + c_f·(1 − R(T))] / ∫₀ᵀ R(t) dt, R(t) = exp(−(t/η)^β).
    """
    from scipy import integrate

    r_t = float(np.exp(-((t / eta) ** beta)))
    mean_cycle = integrate.quad(lambda x: np.exp(-((x / eta) ** beta)), 0.0, t)[0]
    return (cost_preventive * r_t + cost_failure * (1.0 - r_t)) / mean_cycle


def optimal_replacement_age(
    beta: float, eta: float, cost_preventive: float, cost_failure: float
) -> float:
    """Age T* minimising the age-replacement cost rate; inf when preventive work cannot pay.

    Worthwhile only with wear-out (β > 1) and c_f > c_p.
    """
    from scipy import optimize

    if beta <= 1.0 or cost_failure <= cost_preventive or not np.isfinite(eta):
        return float("inf")
    res = optimize.minimize_scalar(
        age_replacement_cost_rate,
        bounds=(0.02 * eta, 3.0 * eta),
        args=(beta, eta, cost_preventive, cost_failure),
        method="bounded",
    )
    run_to_failure = cost_failure / (eta * _gamma_mean(beta))  # cost rate of never replacing
    return float(res.x) if res.fun < run_to_failure else float("inf")


def _gamma_mean(beta: float) -> float:
    """Γ(1 + 1/β): the Weibull mean life over η."""
    from math import gamma

    return gamma(1.0 + 1.0 / beta)
