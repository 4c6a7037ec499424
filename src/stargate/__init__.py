"""stargate: an open, sourced, executable model of the AI-infrastructure build-out.

The public API is loaded on first use (``stargate.load`` imports pandas; the command line,
which imports this package first, must not pay for it).
"""

from __future__ import annotations

import importlib
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
    "load",
]

if TYPE_CHECKING:
    from stargate.errors import StargateError
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
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'stargate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def load(db: str | None = None) -> World:
    """The World of a store (default: the embedded store); see :mod:`stargate.world.world`."""
    from stargate.world.world import load as _load

    return _load(db)
