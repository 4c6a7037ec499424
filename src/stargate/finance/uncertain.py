"""Every uncertain agreement amount in the World, as a distribution the run draws from.

Two places say an amount is uncertain:

- the ledger: a resolved claim about the same payers, payee and kind of money (USD, a total)
  whose state is ``range`` or ``disputed``, or whose interval is wider than 10% of its value (an
  "up to" figure, an estimate): its mixture (:mod:`stargate.finance.secured`), divided by its
  display value, scales the payments of the agreement it is about (the one between those
  parties whose amount is closest to the claim's value, within a factor 1.5);
- the curated ``estimates`` (an amount the sources give as an estimate or a range): uniform
  between its low and high ends, as a share of the curated amount.

The ledger's evidence wins over a curated estimate of the same agreement. Each amount is one
parameter, ``amount:AGREEMENT``, drawn from its own stream (see :mod:`stargate.finance.draws`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from stargate.finance.contracts import payers_of
from stargate.finance.secured import Figure, Piece, median, pieces_of
from stargate.world.world import World

AMOUNT_KINDS = frozenset({"investment", "contract", "purchase", "lease", "loan", "commitment"})
WIDE = 0.10  # an interval wider than this share of its value is an uncertain figure
SAME = 1.5  # a claim is about an agreement whose amount is within this factor of its value


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


def amounts(world: World) -> tuple[Amount, ...]:
    """The uncertain amounts of the World's agreements (curated file order)."""
    found: dict[str, Amount] = {}
    for row in world.estimates.to_dict("records"):
        agreement = str(row["agreement_id"])
        amount = _amount(world, agreement)
        if amount <= 0:
            continue
        piece = Piece(float(row["low_usd"]) / amount, float(row["high_usd"]) / amount, 1.0)
        found[agreement] = Amount(f"amount:{agreement}", agreement, (piece,),
                                  f"curated estimate ({row['sources']})")  # fmt: skip
    agreements = world.agreements.to_dict("records")
    for r in world.resolved_values:
        p = r.proposition
        if p.unit != "USD" or p.kind not in AMOUNT_KINDS or p.period not in (None, "total"):
            continue
        pieces = pieces_of(r)
        if not pieces:
            continue
        total = sum(x.weight for x in pieces)
        figure = tuple(Piece(x.low, x.high, x.weight / total) for x in pieces)
        display = float(r.value) if r.value is not None else median((figure,))
        low, high = min(x.low for x in figure), max(x.high for x in figure)
        if display <= 0 or (r.state not in ("range", "disputed") and
                            high - low <= WIDE * display):  # fmt: skip
            continue
        about = [a for a in agreements
                 if set(payers_of(a["payers"])) == set(p.subjects) and a["payee"] == p.object_id
                 and 1 / SAME <= float(a["amount_usd"]) / display <= SAME]  # fmt: skip
        if not about:
            continue
        a = min(about, key=lambda x: abs(math.log(float(x["amount_usd"]) / display)))
        scaled = tuple(Piece(x.low / display, x.high / display, x.weight) for x in figure)
        claims = ",".join(r.supporting + r.dissenting)
        found[str(a["id"])] = Amount(f"amount:{a['id']}", str(a["id"]), scaled,
                                     f"resolved claims ({claims}), {r.state}")  # fmt: skip
    order = {str(a): k for k, a in enumerate(world.agreements["id"])}
    return tuple(sorted(found.values(), key=lambda x: order.get(x.agreement, len(order))))


def _amount(world: World, agreement: str) -> float:
    rows = world.agreements[world.agreements["id"] == agreement]
    return float(rows["amount_usd"].iloc[0]) if len(rows) else 0.0
