"""Read-only analyses of the World: money cycles and circular revenue, funding gaps, exposures.

>>> import stargate
>>> world = stargate.load()
>>> stargate.analysis.cycles(world.agreements)        # money loops with their bottleneck
>>> stargate.analysis.circular_shares(world.agreements)
>>> stargate.analysis.gaps(world, "stargate")         # announced / committed / secured / required
>>> stargate.analysis.exposures(world, "oracle")      # who owes whom, by year
"""

from __future__ import annotations

from stargate.analysis.circularity import (
    Cycle,
    circular_shares,
    cycles,
    funded_customers,
    money_graph,
)
from stargate.analysis.exposures import exposures
from stargate.analysis.gap import gaps, project_gap, site_gaps

__all__ = [
    "Cycle",
    "circular_shares",
    "cycles",
    "exposures",
    "funded_customers",
    "gaps",
    "money_graph",
    "project_gap",
    "site_gaps",
]
