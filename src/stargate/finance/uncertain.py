"""Every uncertain agreement amount in the World, as a distribution the run draws from.

Two places say an amount is uncertain:

- the World's agreement itself: its amount resolved from the ledger's claims comes with a low
  and a high end (``amount_low_usd``, ``amount_high_usd``) and a state; a ``range`` or a
  ``disputed`` figure, or any interval wider than 10% of the amount (an "up to", an estimate),
  is drawn uniformly within it, as a share of the amount, and the agreement's payments scaled
  alike;
- the curated ``estimates`` (an amount the sources give as an estimate or a range, that the
  ledger states as one figure): uniform between its low and high ends, likewise.

The ledger's evidence wins over a curated estimate of the same agreement. Each amount is one
parameter, ``amount:AGREEMENT``, drawn from its own stream (see :mod:`stargate.finance.draws`).
"""

from __future__ import annotations

from dataclasses import dataclass

from stargate.finance.contracts import keys
from stargate.finance.secured import Figure, Piece
from stargate.world.world import World

WIDE = 0.10  # an interval wider than this share of its value is an uncertain figure


@dataclass(frozen=True)
class Amount:
    """An agreement's amount as a multiple of the World's figure: a mixture of uniform pieces."""

    param: str
    agreement: str
    figure: Figure
    source: str

    @property
    def low(self) -> float:
        return min(p.low for p in self.figure)

    @property
    def high(self) -> float:
        return max(p.high for p in self.figure)


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number


def amounts(world: World) -> tuple[Amount, ...]:
    """The uncertain amounts of the World's agreements (in the World's order)."""
    found: dict[str, Amount] = {}
    agreements = world.agreements.to_dict("records")
    amount_of = {str(a["id"]): float(a["amount_usd"]) for a in agreements}
    for row in world.estimates.to_dict("records"):
        agreement = str(row["agreement_id"])
        amount = amount_of.get(agreement, 0.0)
        if amount <= 0:
            continue
        piece = Piece(float(row["low_usd"]) / amount, float(row["high_usd"]) / amount, 1.0)
        found[agreement] = Amount(f"amount:{agreement}", agreement, (piece,),
                                  f"curated estimate ({keys(row['sources'])})")  # fmt: skip
    for a in agreements:
        amount = float(a["amount_usd"])
        low, high = _number(a.get("amount_low_usd")), _number(a.get("amount_high_usd"))
        state = str(a.get("amount_state") or "")
        if amount <= 0 or low is None or high is None or high <= low:
            continue
        if state not in ("range", "disputed") and high - low <= WIDE * amount:
            continue
        agreement = str(a["id"])
        found[agreement] = Amount(
            f"amount:{agreement}",
            agreement,
            (Piece(low / amount, high / amount, 1.0),),
            f"the World's amount, {state or 'a range'} {low:,.0f}-{high:,.0f} USD (ledger claims)",
        )
    order = {str(a): k for k, a in enumerate(world.agreements["id"])}
    return tuple(sorted(found.values(), key=lambda x: order.get(x.agreement, len(order))))
