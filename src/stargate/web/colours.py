"""One colour per entity on every chart of every page (the graph, the Sankey, the fan charts,
the time travel, the sites): the entities that carry the most money in the World's agreements
get the distinct colours of the palette, in that order; the rest share a neutral grey."""

from __future__ import annotations

import json
from typing import Final

from stargate.web.snapshot import Snapshot

# Paul Tol's "muted" and "light" qualitative schemes, colour-blind safe
# (https://personal.sron.nl/~pault/#sec:qualitative), then a few darker tones.
PALETTE: Final = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
    "#AA4499", "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33",
    "#1F4E79", "#7F3C8D", "#11A579", "#3969AC", "#E68310", "#008695", "#CF1C90", "#4B4B8F",
)  # fmt: skip
OTHER: Final = "#9AA0A6"
WARNING: Final = "#D55E00"  # denials and scale-backs (Okabe-Ito vermillion), never an entity's


def colours(snapshot: Snapshot) -> dict[str, str]:
    """Entity id -> colour, the same for a World version wherever it is drawn (an entity not
    listed is drawn in :data:`OTHER`)."""
    memo = snapshot.memo.get(("colours",))
    if memo is not None:
        known: dict[str, str] = json.loads(memo)
        return known
    money: dict[str, float] = {}
    for row in snapshot.world.agreements.to_dict("records"):
        amount = float(row["amount_usd"] or 0.0) if row["amount_usd"] == row["amount_usd"] else 0.0
        for party in [*row["payers"], row["payee"]]:
            if party:
                money[party] = money.get(party, 0.0) + amount
    for entity in snapshot.world.finances["entity"]:  # every modelled entity gets its own
        money.setdefault(str(entity), 0.0)
    ranked = sorted(money, key=lambda e: (-money[e], e))
    chosen = {e: PALETTE[i] for i, e in enumerate(ranked[: len(PALETTE)])}
    snapshot.remember(("colours",), json.dumps(chosen).encode())
    return chosen
