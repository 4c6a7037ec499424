"""What the store checks before a write and how it inserts rows: every insert is an
insert-or-ignore (``ON CONFLICT DO NOTHING``), so concurrent writers on PostgreSQL wait for each
other instead of failing on a duplicate key, and rows are inserted in key order, so they cannot
deadlock. Used by :mod:`.store` inside its transactions."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.exc import IntegrityError

from stargate.ledger import tables
from stargate.ledger.clock import now
from stargate.ledger.errors import StoreError
from stargate.ledger.records import (
    CODED_KINDS,
    Claim,
    ClaimKind,
    ClaimLink,
    ConditionRule,
    DealStatus,
    Entity,
    SiteStatus,
    Source,
    content_id,
)
from stargate.units import domain_error


def normalise_alias(alias: str) -> str:
    """Aliases match case-insensitively and across Unicode forms and apostrophe styles."""
    text = unicodedata.normalize("NFKC", alias).replace("’", "'").casefold()
    return " ".join(text.split())


def new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every ledger table has an integer key
        raise StoreError("the database returned no key for the new row")
    return int(key[0])


def check_quote(claim: Claim, text: str) -> None:
    if not 0 <= claim.start <= claim.end <= len(text):
        raise StoreError(f"quote span {claim.start}:{claim.end} lies outside the source text")
    if text[claim.start : claim.end] != claim.quote:
        raise StoreError(f"quote is not the source text at {claim.start}:{claim.end}")


def check_claim(claim: Claim, source: Source) -> None:
    if claim.source_id != source.id:
        raise StoreError(f"claim belongs to source {claim.source_id}, not {source.id}")
    check_quote(claim, source.text)
    check_value(claim)
    check_amounts(claim)


def check_value(claim: Claim) -> None:
    """A claim carries a quantity, or a coded value for the coded kinds (a status, a site, a
    condition), from their closed lists."""
    if not 0.0 <= claim.confidence <= 1.0:
        raise StoreError(f"confidence {claim.confidence} is outside [0, 1]")
    coded: dict[ClaimKind, set[str]] = {
        ClaimKind.STATUS: {*DealStatus, *SiteStatus},
        ClaimKind.CONDITION: set(ConditionRule),
    }
    if claim.kind in CODED_KINDS:
        if not claim.value:
            raise StoreError(f"a {claim.kind} claim needs a value")
        allowed = coded.get(claim.kind)
        if allowed is not None and claim.value not in allowed:
            known = ", ".join(sorted(allowed))
            raise StoreError(f"unknown {claim.kind} {claim.value!r}; known: {known}")
    elif claim.quantity is None:
        raise StoreError(f"a {claim.kind} claim needs an amount")


def check_amounts(claim: Claim) -> None:
    """The exact domain check (the database's CHECK is its backstop), and text every backend
    can hold."""
    q = claim.quantity
    if q is not None:
        reason = domain_error(q.amount, q.unit) or (
            None if q.amount_max is None else domain_error(q.amount_max, q.unit, "upper end")
        )
        if reason is not None:
            raise StoreError(f"claim at {claim.start}:{claim.end}: {reason}")
    check_strings("claim", claim.quote, claim.speaker, claim.origin, claim.period, claim.value,
                  claim.stated_at)  # fmt: skip


def check_strings(what: str, *values: str | None) -> None:
    """Text every backend can store: no NUL (PostgreSQL refuses it) and no lone surrogate
    (from an undecodable file name, say), which no UTF-8 column holds."""
    for value in values:
        if value is None:
            continue
        if "\x00" in value:
            raise StoreError(f"{what}: text holds a NUL character at {value.index(chr(0))}")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise StoreError(f"{what}: text is not valid Unicode at {error.start}") from None


def check_source(source: Source) -> None:
    check_strings("source", source.text, source.title, source.url, source.publisher,
                   source.published_at, source.published_text, source.language, source.path,
                   source.license, *source.metadata.keys(), *source.metadata.values())  # fmt: skip


def insert_ignoring(connection: Connection, table: Table, row: dict[str, Any]) -> int:
    """Insert ``row`` unless one with the same key is there: 1 when inserted, else 0.

    PostgreSQL and SQLite use ``INSERT ... ON CONFLICT DO NOTHING``, which on PostgreSQL waits
    for a concurrent transaction inserting the same key and then does nothing, so concurrent
    writers never fail on a duplicate key. Other backends check, then insert in a savepoint.
    """
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = connection.dialect.name
    key = next(iter(table.primary_key.columns))
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(**row).on_conflict_do_nothing().returning(key)
        return int(connection.execute(pg).first() is not None)
    if dialect == "sqlite":
        lite = sqlite.insert(table).values(**row).on_conflict_do_nothing().returning(key)
        return int(connection.execute(lite).first() is not None)
    try:  # pragma: no cover - only PostgreSQL and SQLite are tested
        with connection.begin_nested():
            connection.execute(table.insert().values(**row))
    except IntegrityError:  # pragma: no cover
        return 0
    return 1  # pragma: no cover


def insert_entities(connection: Connection, entities: Iterable[Entity]) -> int:
    """Entities first (parents before the people who speak for them), then aliases, each in
    key order: concurrent writers lock keys in one order, so they cannot deadlock."""
    added = 0
    chosen = sorted(entities, key=lambda e: (e.parent_id is not None, e.id))
    for entity in chosen:
        known = connection.execute(
            select(tables.entities.c.id).where(tables.entities.c.id == entity.id)
        ).first()
        if known is None:
            added += insert_ignoring(connection, tables.entities, {
                "id": entity.id, "name": entity.name, "type": str(entity.type),
                "parent_id": entity.parent_id, "origin": entity.origin, "role": entity.role,
                "created_at": now(),
            })  # fmt: skip
    for entity in sorted(chosen, key=lambda e: e.id):
        _insert_aliases(connection, entity.id, (entity.name, *entity.aliases))
    return added


def insert_link(connection: Connection, link: ClaimLink) -> int:
    result = connection.execute(
        tables.claim_links.insert().values(
            left_claim=link.left_claim,
            right_claim=link.right_claim,
            relation=str(link.relation),
            user=link.user,
            note=link.note,
            created_at=now(),
        )
    )
    return new_id(result)


def _insert_aliases(connection: Connection, entity_id: str, names: Iterable[str]) -> None:
    known = set(
        connection.execute(
            select(tables.aliases.c.normalised).where(tables.aliases.c.entity_id == entity_id)
        ).scalars()
    )
    wanted: dict[str, str] = {}
    for alias in names:
        key = normalise_alias(alias)
        if key and key not in known and key not in wanted:
            wanted[key] = alias
    for key in sorted(wanted):
        insert_ignoring(connection, tables.aliases, {
            "entity_id": entity_id, "alias": wanted[key], "normalised": key, "created_at": now()
        })  # fmt: skip


def insert_claims(connection: Connection, claims: Sequence[Claim]) -> int:
    added = 0
    for claim in claims:
        claim_id = claim.id
        if connection.execute(
            select(tables.claims.c.id).where(tables.claims.c.id == claim_id)
        ).first():
            continue
        excerpt_id = content_id(claim.source_id, claim.start, claim.end, claim.speaker)
        insert_ignoring(connection, tables.excerpts, {
            "id": excerpt_id, "source_id": claim.source_id, "start": claim.start,
            "end": claim.end, "text": claim.quote, "speaker": claim.speaker,
        })  # fmt: skip
        q = claim.quantity
        added += insert_ignoring(
            connection,
            tables.claims,
            {
                "id": claim_id,
                "source_id": claim.source_id,
                "excerpt_id": excerpt_id,
                "subject_id": claim.subject_id,
                "object_id": claim.object_id,
                "co_subject_ids": list(claim.co_subject_ids) or None,
                "kind": str(claim.kind),
                "amount": q.amount if q else None,
                "amount_max": q.amount_max if q else None,
                "bound": str(q.bound) if q else None,
                "unit": q.unit if q else None,
                "value": claim.value,
                "stated_at": claim.stated_at,
                "period": claim.period,
                "valid_from": claim.valid_from,
                "valid_to": claim.valid_to,
                "status": str(claim.status),
                "polarity": str(claim.polarity),
                "speaker": claim.speaker,
                "quote": claim.quote,
                "start": claim.start,
                "end": claim.end,
                "original_value": claim.original_value,
                "origin": claim.origin,
                "confidence": claim.confidence,
                "rank": str(claim.rank),
                "rank_reason": claim.rank_reason,
                "created_at": now(),
            },
        )
    return added


def source_row(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published_at": source.published_at,
        "published_text": source.published_text,
        "language": source.language,
        "kind": str(source.kind),
        "source_type": str(source.source_type),
        "path": source.path,
        "license": source.license,
        "metadata": dict(source.metadata),
        "text": source.text,
        "retrieved_at": source.retrieved_at,
        "ingested_at": now(),
    }
