"""Each entity's revenue, margin and cost paths, and the common AI-demand factor.

Outside revenue (what the World's agreements do not already pay an entity) follows a Gompertz
path in logs from today's figure towards a long-run level (Gompertz, *Phil. Trans. R. Soc.* 115,
1825; Winsor, *PNAS* 18(1):1, 1932, for its use as a growth curve):

    ℓ(e) = ℓ∞ + (ℓ₀ − ℓ∞) exp(−e / τ),   revenue = exp(ℓ)

``e`` in years since the middle of the entity's ``revenue_year``, ``τ`` its ``approach_years``.
Growth is fastest at first and fades, the shape of the companies' own plans (OpenAI: ×2.3, ×2,
×1.6 in 2026–2028). The prior is on the revenue of a target year (2030: what plans and analysts
state); the long-run level ℓ∞ is the one whose path passes through it. The drawn target is

    log R_T = μ + β · d + σ_idio · u,   σ_idio = sqrt(max(σ² − (0.3 β)², 0))

``μ, σ`` the entity's prior, ``β`` its ``demand_beta``, ``d`` the common log AI-demand level
(the scenario's ``demand.level``) and ``u`` the entity's own draw: every AI seller moves with one
demand factor, so outcomes are correlated. The entity's own spread is what its sourced spread
leaves beyond a common one of 0.3 (the baseline's demand spread), the same in every scenario,
so that in the baseline each entity keeps about its sourced spread. From the as-of date on, the
path continues from where the median path
stands then (history is not drawn) towards the drawn level.

The cash margin on outside revenue (excluding what the model pays explicitly: agreements,
capex, debt) moves the same way from today's figure to a drawn long-run margin, clipped to
[0, 1]; fixed costs (staff, research outside the agreements) move from today's level to a
long-run one on the same time constant. Operating cash flow is ``m · R − F``: it rises with
revenue, so more demand never hurts an entity.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from stargate.units import Z90

Array = NDArray[np.float64]


def normal(p5: float, p95: float) -> tuple[float, float]:
    """(mean, sd) of the normal with this 90% interval."""
    return (p5 + p95) / 2, (p95 - p5) / (2 * Z90)


def lognormal(p5: float, p95: float) -> tuple[float, float]:
    """(mu, sigma) of the lognormal with this 90% interval (a positive figure)."""
    return (np.log(p5) + np.log(p95)) / 2, (np.log(p95) - np.log(p5)) / (2 * Z90)


def decay(elapsed: Array | float, tau: Array | float) -> Array:
    """``exp(−elapsed / τ)``: how much of the gap to the long-run level is left."""
    left: Array = np.exp(-np.asarray(elapsed, dtype=float) / np.asarray(tau, dtype=float))
    return left


def long_run(target: Array, start: Array, gap: Array, tau: Array) -> Array:
    """The level ℓ∞ whose path from ``start`` passes through ``target`` ``gap`` years later
    (``target`` itself when the target year is less than half a year away)."""
    k = decay(np.maximum(gap, 0.0), tau)
    near = gap < 0.5
    safe = np.where(near, 0.0, k)
    return np.where(near, target, (target - start * safe) / (1.0 - safe))


def along(level: Array, start: Array, left: Array) -> Array:
    """A path value: ``level + (start − level) × left``, ``left`` from :func:`decay`."""
    return level + (start - level) * left


def target_spread(sigma: Array, beta: Array, demand_sigma: float) -> Array:
    """The entity's own spread once the common demand factor takes its share."""
    return np.sqrt(np.maximum(sigma**2 - (beta * demand_sigma) ** 2, 0.0))


def operating(revenue: Array, margin: Array, fixed: Array) -> Array:
    """Operating cash flow per year: ``m · R − F``."""
    return margin * revenue - fixed
