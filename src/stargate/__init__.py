"""stargate: an open, sourced, executable model of the AI-infrastructure build-out.

The public API is loaded on first use (``stargate.load`` imports pandas; the command line,
which imports this package first, must not pay for it).
"""

from __future__ import annotations

import importlib
from datetime import date
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Bound": "stargate.units",
    "Quantity": "stargate.units",
    "Claim": "stargate.ledger.records",
    "ClaimKind": "stargate.ledger.records",
    "ClaimStatus": "stargate.ledger.records",
    "Entity": "stargate.ledger.records",
    "Polarity": "stargate.ledger.records",
    "Rank": "stargate.ledger.records",
    "Source": "stargate.ledger.records",
    "Store": "stargate.ledger.store",
    "World": "stargate.world.world",
    "StargateError": "stargate.errors",
}

__all__ = [
    "Bound",
    "Claim",
    "ClaimKind",
    "ClaimStatus",
    "Entity",
    "Polarity",
    "Quantity",
    "Rank",
    "Source",
    "StargateError",
    "Store",
    "World",
    "__version__",
    "analysis",
    "load",
    "stress",
]

if TYPE_CHECKING:
    from stargate.errors import StargateError
    from stargate.finance.montecarlo import StressResult
    from stargate.ledger.records import (
        Claim,
        ClaimKind,
        ClaimStatus,
        Entity,
        Polarity,
        Rank,
        Source,
    )
    from stargate.ledger.store import Store
    from stargate.units import Bound, Quantity
    from stargate.world.world import World


def __getattr__(name: str) -> Any:
    if name == "analysis":
        value = importlib.import_module("stargate.analysis")
        globals()[name] = value
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stargate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def load(db: str | None = None, *, as_of: date | None = None) -> World:
    """The World of a store (default: the embedded store) as of a date (default: today); see
    :mod:`stargate.world.world`."""
    from stargate.world.world import load as _load

    return _load(db, as_of=as_of)


def stress(
    scenario: str = "baseline",
    *,
    world: World | None = None,
    db: str | None = None,
    as_of: date | None = None,
    scenarios: int | None = None,
    seed: int | None = None,
) -> StressResult:
    """Run a stress scenario (a built-in name or a scenario file) on the World and return its
    tidy results, the same numbers as ``stargate stress NAME --scenarios N --seed S``.

    The result's tables are pandas DataFrames: ``entities`` (one row per entity:
    ``p_default``, ``p_default_5y``, losses, funding...), ``default_by_year`` (entity, year,
    ``p_default_in_year``, ``p_default_by_year``), ``totals`` (stranded GW, unpaid obligations,
    total losses: mean and quantiles) and ``circular``; ``to_json()`` gives the CLI's object.

    >>> import stargate
    >>> result = stargate.stress("bubble-bursts", scenarios=2_000)
    >>> result.entities.sort_values("p_default", ascending=False).head()
    """
    from stargate.finance.model import build_model
    from stargate.finance.montecarlo import run
    from stargate.finance.scenarios import load_scenario

    chosen = load_scenario(scenario)
    world = world if world is not None else load(db, as_of=as_of)
    model = build_model(world, chosen)
    return run(model, world.agreements, name=chosen.name,
               scenarios=scenarios or chosen.scenarios,
               seed=chosen.seed if seed is None else seed)  # fmt: skip
