"""The capital market and debt: a funding climate shared by every entity, new money raised in
proportion to need within access that follows it, debt tranches and their service.

- **Climate.** Each period ``f_t = shift + ρ z + sqrt(1 − ρ²) η_t``: ``z`` is the scenario's
  demand level in units of its spread (a bust in demand is a bust in funding), ``η`` an AR(1)
  with yearly persistence ``φ`` that starts neutral at the as-of date. Access to new money and
  the value of holdings an entity can sell are multiplied by ``exp(κ f_t)`` (``κ`` the
  scenario's ``sensitivity``): access shrinks in a bust and grows in a boom. Assumption: the
  parameters are set so that one standard deviation of climate moves access by about half
  (``κ`` 0.6), in line with the swing of data-centre funding in 2025–26 (Blue Owl's retreat
  from Saline, the Oracle and CoreWeave spread moves; figures-for-model §5).
- **Raising.** The means an entity may draw on in a period are its cash, its operating cash
  flow, asset sales (``asset_sale_rate`` of what is left of its holdings a year, at the
  climate's value), and new money up to its access; what it draws is what it needs after
  clearing, sales first, then equity and debt in its ``new_debt_share``. New debt is serviced
  in equal principal parts over the scenario's ``new_debt_years`` with interest at the drawn
  base rate plus the entity's spread on what is outstanding; builders' project debt the same
  over the build's ``debt_years``.
- **Debt tranches** in the World (bonds, loans, bridges) are serviced on their own schedule
  (:func:`stargate.world.curated.tranche_schedule`). Lenders refinance ``rollover`` of the
  principal falling due on them and on new debt (90% in the baseline, assumption: maturing
  investment-grade and bank debt is routinely rolled) times the climate's multiplier, at most
  all of it, as new debt; the rest must be paid from the means above, which is where a closing
  market bites.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stargate.world.curated import DebtTranche, tranche_schedule

Array = NDArray[np.float64]


def tranches(
    debts: pd.DataFrame, nodes: tuple[str, ...], years: tuple[int, ...], per_year: int
) -> tuple[Array, Array, Array]:
    """(service, principal, outstanding), each (P, n): what the World's debt tranches cost each
    period, the principal part of it, and what is outstanding at the period's start; the
    horizon's first year is the opening."""
    index = {name: i for i, name in enumerate(nodes)}
    T = len(years)
    service, outstanding = np.zeros((T, len(nodes))), np.zeros((T, len(nodes)))
    principal_due = np.zeros((T, len(nodes)))
    for row in debts.to_dict("records"):
        if row["entity"] not in index:
            continue
        drawn = row["drawn"]
        tranche = DebtTranche(
            name=str(row["name"]), amount_usd=float(row["amount_usd"]), rate=float(row["rate"]),
            drawn=None if drawn is None or drawn != drawn else int(drawn),
            matures=int(row["matures"]), amortising=bool(row["amortising"]),
        )  # fmt: skip
        left, interest, principal = tranche_schedule(tranche, years[0], years[-1])
        i = index[row["entity"]]
        service[:, i] += np.add(interest, principal)
        principal_due[:, i] += principal
        outstanding[:, i] += left
    return (np.repeat(service / per_year, per_year, axis=0),
            np.repeat(principal_due / per_year, per_year, axis=0),
            np.repeat(outstanding, per_year, axis=0))  # fmt: skip


def climate(
    demand_z: Array, shocks: Array, history: int, persistence: float, correlation: float,
    shift: float, dt: float,
) -> Array:  # fmt: skip
    """(S, P) funding climate: zero (neutral) in history, then the AR(1) described above.
    ``shocks`` are (S, P) standard normals (only those from ``history`` on are used)."""
    S, P = shocks.shape
    out = np.zeros((S, P))
    phi = persistence**dt
    scale = np.sqrt(max(1.0 - phi**2, 0.0))
    eta = np.zeros(S)
    rho = float(np.clip(correlation, -1.0, 1.0))
    for t in range(history, P):
        eta = phi * eta + scale * shocks[:, t]
        out[:, t] = shift + rho * demand_z + np.sqrt(1.0 - rho**2) * eta
    return out


def add_debt(
    service: Array, principal: Array, amount: Array, rate: Array, t: int, periods: int,
    dt: float, column: int | None = None,
) -> None:  # fmt: skip
    """Add a tranche of ``amount`` drawn in period ``t``: equal principal parts over the next
    ``periods`` periods, interest at ``rate`` per year on what is outstanding. ``amount`` and
    ``rate`` are (S, n), or (S,) for one ``column`` (entity) of the (S, n, P) schedules."""
    if not np.any(amount):
        return
    weights = 1.0 - np.arange(periods) / periods
    end = t + 1 + periods
    if column is None:
        service[:, :, t + 1 : end] += amount[:, :, None] * (
            1.0 / periods + rate[:, :, None] * dt * weights[None, None, :]
        )
        principal[:, :, t + 1 : end] += amount[:, :, None] / periods
    else:
        service[:, column, t + 1 : end] += amount[:, None] * (
            1.0 / periods + rate[:, None] * dt * weights[None, :]
        )
        principal[:, column, t + 1 : end] += amount[:, None] / periods


def attribute(used: Array, sales: Array, equity: Array, debt: Array) -> tuple[Array, Array, Array]:
    """Split the new money ``used`` into asset sales (first), then equity and debt in proportion
    to what each could have provided."""
    sold = np.minimum(used, sales)
    rest = np.maximum(used - sold, 0.0)
    market = equity + debt
    safe = np.where(market > 0, market, 1.0)
    raised_equity = np.where(market > 0, rest * equity / safe, 0.0)
    return sold, raised_equity, rest - raised_equity
