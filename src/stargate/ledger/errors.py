"""The ledger's errors: a write it refuses, and a store it cannot open."""

from __future__ import annotations

from stargate.errors import StargateError


class StoreError(StargateError, RuntimeError):
    """A write the ledger refuses (unknown entity, bad span, ...); nothing was written."""


class DatabaseError(StargateError, RuntimeError):
    """The store cannot be opened or migrated."""
