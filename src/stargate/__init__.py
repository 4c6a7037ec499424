"""stargate: an open, sourced, executable model of the AI-infrastructure build-out."""

from stargate.ledger.records import Claim, ClaimKind, ClaimStatus, Entity, Polarity, Rank, Source
from stargate.ledger.store import Store
from stargate.units import Bound, Quantity

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
    "__version__",
]
