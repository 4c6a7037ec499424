"""Deals and review decisions in the ledger (``store.deals``).

A deal is an agreement's identity (id, kind, name), declared by a curator or created when a
person accepts a candidate agreement. Its figures are never stored on it: judgements attach
claims to it, each saying which field the claim tells (amount, capacity, status, ...), and the
World resolves the attached claims. Review decisions are kept forever; attachments are withdrawn
by stamping ``deleted_at``, never deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from stargate.ledger import tables
from stargate.ledger.clock import now
from stargate.ledger.errors import StoreError
from stargate.ledger.records import (
    Deal,
    DealClaim,
    DealField,
    DealKind,
    ReviewDecision,
)

if TYPE_CHECKING:
    from stargate.ledger.store import Store


class Deals:
    """The deals, their claim attachments and the review decisions of one store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- writes ---------------------------------------------------------------------------

    def declare(self, deals: Iterable[Deal], links: Iterable[DealClaim] = ()) -> tuple[int, int]:
        """Add deals (ids already there are kept as they are) and attach claims (a live
        attachment already there is not repeated), in one transaction. Returns how many deals
        and attachments were added."""
        with self._store.transaction() as connection:
            added_deals = sum(_insert_deal(connection, d) for d in deals)
            added_links = _insert_links(connection, links)
        return added_deals, added_links

    def decide(
        self,
        decision: ReviewDecision,
        deals: Sequence[Deal] = (),
        links: Sequence[DealClaim] = (),
    ) -> int:
        """Record a review decision with the deals and attachments it makes, in one
        transaction; returns the decision's id."""
        with self._store.transaction() as connection:
            for deal in deals:
                _insert_deal(connection, deal)
            _insert_links(connection, links)
            result = connection.execute(
                tables.review_decisions.insert().values(
                    item_id=decision.item_id, item_type=decision.item_type,
                    action=decision.action, reason=decision.reason,
                    payload=dict(decision.payload), user=decision.user, created_at=now(),
                )
            )  # fmt: skip
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

    def detach(self, link_id: int) -> None:
        """Withdraw an attachment (stamp ``deleted_at``)."""
        t = tables.deal_claims
        with self._store.transaction() as connection:
            done = connection.execute(
                t.update()
                .where(t.c.id == link_id, t.c.deleted_at.is_(None))
                .values(deleted_at=now())
            )
            if done.rowcount != 1:
                raise StoreError(f"no live attachment {link_id}")

    # -- reads ----------------------------------------------------------------------------

    def all(self) -> list[Deal]:
        t = tables.deals
        with self._store.engine.connect() as connection:
            rows = connection.execute(select(t).order_by(t.c.id)).all()
        return [
            Deal(row.id, DealKind(row.kind), row.name, row.user, row.origin, row.created_at)
            for row in rows
        ]

    def links(self, *, include_deleted: bool = False) -> list[DealClaim]:
        t = tables.deal_claims
        query = select(t).order_by(t.c.id)
        if not include_deleted:
            query = query.where(t.c.deleted_at.is_(None))
        with self._store.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            DealClaim(row.deal_id, row.claim_id, DealField(row.field), row.user, row.id,
                      row.created_at, row.deleted_at)
            for row in rows
        ]  # fmt: skip

    def decisions(self) -> list[ReviewDecision]:
        t = tables.review_decisions
        with self._store.engine.connect() as connection:
            rows = connection.execute(select(t).order_by(t.c.id)).all()
        return [
            ReviewDecision(row.item_id, row.item_type, row.action, row.user, row.reason,
                           dict(row.payload or {}), row.id, row.created_at)
            for row in rows
        ]  # fmt: skip


def _insert_deal(connection: Connection, deal: Deal) -> int:
    t = tables.deals
    if connection.execute(select(t.c.id).where(t.c.id == deal.id)).first() is not None:
        return 0
    if not deal.id or len(deal.id) > 128:
        raise StoreError(f"a deal id needs 1 to 128 characters, got {deal.id!r}")
    connection.execute(
        t.insert().values(id=deal.id, kind=str(deal.kind), name=deal.name, user=deal.user,
                          origin=deal.origin, created_at=now())
    )  # fmt: skip
    return 1


def _insert_links(connection: Connection, links: Iterable[DealClaim]) -> int:
    t = tables.deal_claims
    live: set[tuple[Any, ...]] = {
        (row.deal_id, row.claim_id, row.field)
        for row in connection.execute(
            select(t.c.deal_id, t.c.claim_id, t.c.field).where(t.c.deleted_at.is_(None))
        )
    }
    added = 0
    for link in links:
        key = (link.deal_id, link.claim_id, str(link.field))
        if key in live:
            continue
        for table, value in ((tables.deals, link.deal_id), (tables.claims, link.claim_id)):
            if connection.execute(select(table.c.id).where(table.c.id == value)).first() is None:
                raise StoreError(f"unknown {table.name[:-1]} {value!r}")
        connection.execute(
            t.insert().values(deal_id=link.deal_id, claim_id=link.claim_id, field=str(link.field),
                              user=link.user, created_at=now())
        )  # fmt: skip
        live.add(key)
        added += 1
    return added
