"""stargate: an open, sourced, executable model of the AI-infrastructure build-out."""

from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, Entity, Polarity, Rank, Source
from stargate.ledger.store import Store
from stargate.units import Bound, Quantity
from stargate.world.world import World

__version__ = "0.1.0"

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
    "Store",
    "World",
    "__version__",
    "load",
]


def load(db: str | None = None) -> World:
    """The World of a store (default: the embedded store); see :mod:`stargate.world.world`."""
    from stargate.world.world import load as _load

    return _load(db)
