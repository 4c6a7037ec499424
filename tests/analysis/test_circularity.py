"""Money cycles and circular shares of contracted revenue over the curated World."""

from __future__ import annotations

import pytest

from stargate.analysis.circularity import circular_shares, cycles
from stargate.world.world import curated_world


def test_circularity() -> None:
    world = curated_world()
    loops = {c.nodes: c for c in cycles(world.agreements)}
    assert ("nvidia", "openai", "oracle") in loops
    assert loops[("nvidia", "openai", "oracle")].bottleneck_usd == pytest.approx(40e9)
    shares = circular_shares(world.agreements)
    assert shares["microsoft"]["share"] == pytest.approx(1.0)
    assert shares["nvidia"]["funded_customers"] == ["coreweave", "oracle"]
    assert all(0 <= s["share"] <= 1 for s in shares.values())
