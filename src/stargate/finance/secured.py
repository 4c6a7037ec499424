"""A backer's secured funding, drawn from its resolved ``funding_secured`` claims.

Secured funding is money a backer has arranged for its equity pledges (bridge loans, limited
partners' commitments). The simulator keeps it as a ring-fenced pot that pays the backer's pledges
before its general cash does. Its size is the ledger's resolved figure under a policy:

- ``mixture``: a component is drawn with its weight (the resolution rule's weights), then a value
  uniformly within the component's interval; a denial component (a denied figure, no value of its
  own) is taken at the largest figure the other components allow: the denial says the sceptics'
  ceiling is wrong, and nothing supports more than it;
- ``low`` / ``high``: the lowest / highest figure any component allows (an open lower end is 0);
- ``display``: the resolved display value.

Several resolved figures about one backer (say, for different projects) are drawn separately and
added up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stargate.world.resolve import Resolved

POLICIES = ("mixture", "low", "high", "display")


@dataclass(frozen=True, slots=True)
class Piece:
    """A uniform interval ``[low, high]`` (a point when equal) with its weight."""

    low: float
    high: float
    weight: float


Figure = tuple[Piece, ...]


def pieces_of(resolved: Resolved) -> list[Piece]:
    """A resolved figure's components as weighted uniform pieces (a denial at the ceiling)."""
    numeric = []
    for c in resolved.components:
        if c.denial or (c.low is None and c.high is None):
            continue
        low = float(c.low) if c.low is not None else 0.0
        high = float(c.high) if c.high is not None else low
        numeric.append(Piece(low, high, c.weight))
    if not numeric:
        return []
    ceiling = max(p.high for p in numeric)
    denials = [Piece(ceiling, ceiling, c.weight) for c in resolved.components if c.denial]
    return numeric + denials


def figures(resolved: Iterable[Resolved], entity: str, policy: str) -> tuple[Figure, ...]:
    """The entity's secured-funding figures under ``policy``, as weighted pieces."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
    out = []
    for r in resolved:
        p = r.proposition
        if p.kind != "funding_secured" or p.unit != "USD" or entity not in p.subjects:
            continue
        pieces = pieces_of(r)
        if not pieces:
            continue
        if policy == "low":
            low = min(x.low for x in pieces)
            pieces = [Piece(low, low, 1.0)]
        elif policy == "high":
            high = max(x.high for x in pieces)
            pieces = [Piece(high, high, 1.0)]
        elif policy == "display":
            value = float(r.value) if r.value is not None else median((tuple(pieces),))
            pieces = [Piece(value, value, 1.0)]
        total = sum(x.weight for x in pieces)
        out.append(tuple(Piece(x.low, x.high, x.weight / total) for x in pieces))
    return tuple(out)


def draw(figs: tuple[Figure, ...], scenarios: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """One value per scenario: the sum over figures of a draw from each mixture."""
    total = np.zeros(scenarios)
    for fig in figs:
        total += quantile(fig, rng.random(scenarios))
    return total


def quantile(fig: Figure, u: NDArray[np.float64]) -> NDArray[np.float64]:
    """A draw from the mixture at ``u`` (uniforms in [0, 1]): the pieces in order of position,
    each taking its weight's share of [0, 1] (uniform within it, a point mass a step). This is
    the mixture's distribution exactly, and its inverse CDF when pieces do not overlap, so that
    ``u = 0.5`` is the median and common random numbers compare like with like."""
    pieces = sorted(fig, key=lambda p: (p.low, p.high))
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    out = np.full(u.shape, pieces[-1].high)
    start = 0.0
    placed = np.zeros(u.shape, dtype=bool)
    for p in pieces:
        end = start + p.weight
        here = ~placed & (u <= end + 1e-15)
        within = np.clip((u - start) / p.weight, 0.0, 1.0) if p.weight > 0 else 0.0
        out = np.where(here, p.low + within * (p.high - p.low), out)
        placed |= here
        start = end
    return out


def _cdf(fig: Figure, x: float) -> float:
    mass = 0.0
    for p in fig:
        if p.high > p.low:
            mass += p.weight * min(max((x - p.low) / (p.high - p.low), 0.0), 1.0)
        elif x >= p.low:
            mass += p.weight
    return mass


def median(figs: tuple[Figure, ...]) -> float:
    """The sum of each figure's median (the reference run's value), by bisection on its CDF."""
    total = 0.0
    for fig in figs:
        lo, hi = min(p.low for p in fig), max(p.high for p in fig)
        for _ in range(200):
            mid = (lo + hi) / 2
            if _cdf(fig, mid) >= 0.5:
                hi = mid
            else:
                lo = mid
        total += hi
    return total
