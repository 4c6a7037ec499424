"""SQLAlchemy 2 tables of the ledger (the schema that Alembic migrations create).

Money is exact: :class:`ExactDecimal` stores NUMERIC(38, 9) on PostgreSQL and a decimal string on
SQLite (whose NUMERIC affinity would round through a float). Nothing is updated in place except
the soft-delete and retraction stamps; corrections are new rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator, TypeEngine

from stargate.ledger.records import (
    ClaimKind,
    ClaimStatus,
    DealField,
    DealKind,
    EntityType,
    Polarity,
    Rank,
    Relation,
    SourceKind,
    SourceType,
    Verdict,
)
from stargate.units import DOMAINS, UNITS, Bound, Dimension, unit_bounds, unit_info


class ExactDecimal(TypeDecorator[Decimal]):
    """A Decimal column that never passes through a float."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(38, 9, asdecimal=True))
        return dialect.type_descriptor(String(64))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return value
        return format(Decimal(value), "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).normalize() if value != 0 else Decimal(0)


def amount_domain_sql() -> str:
    """The CHECK that keeps every live claim's amount and upper end inside its unit's domain
    (:data:`stargate.units.DOMAINS`), on SQLite (decimal text) and PostgreSQL (NUMERIC) alike.

    It compares as double precision, so it is a backstop: the exact check (bounds to the last
    digit, at most 9 decimal places) is :func:`stargate.units.domain_error`, run before every
    write. Retracted claims are exempt, so that a store written before the domain existed keeps
    its rows (migration 0006 retracts those outside it). A unit missing from the list is held to
    the widest bound, ±1e15."""
    groups: dict[tuple[Any, Any], list[str]] = {}
    for code in sorted(UNITS):
        if unit_info(code).dimension is not Dimension.UNIT_PRICE:
            groups.setdefault(unit_bounds(code), []).append(code)
    cases = sorted(groups.items(), key=lambda group: group[1][0])

    def within(column: str) -> str:
        value = f"CAST({column} AS DOUBLE PRECISION)"
        whens = [
            f"WHEN unit IN ({', '.join(repr(c) for c in codes)}) "
            f"THEN {value} BETWEEN {low:f} AND {high:f}"
            for (low, high), codes in cases
        ]
        price = DOMAINS[Dimension.UNIT_PRICE]
        whens.append(f"WHEN unit LIKE '%/%' THEN {value} BETWEEN {price.low:f} AND {price.high:f}")
        return f"CASE {' '.join(whens)} ELSE {value} BETWEEN -1e15 AND 1e15 END"

    return (
        f"retracted_at IS NOT NULL OR ((amount IS NULL OR ({within('amount')})) "
        f"AND (amount_max IS NULL OR ({within('amount_max')})))"
    )


def _one_of(column: str, values: type[Any]) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

metadata = MetaData(naming_convention=NAMING)

UTC_NOW = DateTime(timezone=True)

sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True, comment="SHA-256 of the normalised text"),
    Column("title", Text),
    Column("url", Text),
    Column("publisher", Text),
    Column("published_at", String(32), comment="prefix date: YYYY, YYYY-MM or YYYY-MM-DD"),
    Column("published_text", Text, comment="the date as written when it could not be parsed"),
    Column("language", String(16)),
    Column("kind", String(32), nullable=False),
    Column("source_type", String(32), nullable=False),
    Column("path", Text, comment="where the document was read from"),
    Column("license", Text),
    Column("metadata", JSON, nullable=False),
    Column("text", Text, nullable=False),
    Column("retrieved_at", UTC_NOW),
    Column("ingested_at", UTC_NOW, nullable=False),
    _one_of("kind", SourceKind),
    _one_of("source_type", SourceType),
)

excerpts = Table(
    "excerpts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("speaker", Text),
    CheckConstraint('"start" >= 0 AND "end" >= "start"', name="span"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("parent_id", ForeignKey("entities.id"), comment="the organisation a person speaks for"),
    Column("role", String(32), comment="lab, cloud, chips, builder, investor, media, other"),
    Column("origin", Text, nullable=False, comment="gazetteer, ner:<model>, or a person"),
    Column("created_at", UTC_NOW, nullable=False),
    _one_of("type", EntityType),
)

aliases = Table(
    "aliases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", ForeignKey("entities.id"), nullable=False, index=True),
    Column("alias", Text, nullable=False),
    Column("normalised", Text, nullable=False, index=True, comment="casefolded, accents kept"),
    Column("created_at", UTC_NOW, nullable=False),
    UniqueConstraint("entity_id", "normalised", name="uq_aliases_entity_alias"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", String(64), primary_key=True, comment="hash of content + origin"),
    Column("source_id", ForeignKey("sources.id"), nullable=False, index=True),
    Column("excerpt_id", ForeignKey("excerpts.id"), nullable=False, index=True),
    Column("subject_id", ForeignKey("entities.id"), index=True),
    Column("object_id", ForeignKey("entities.id"), index=True),
    Column("co_subject_ids", JSON, comment="other organisations acting jointly with the subject"),
    Column("kind", String(32), nullable=False, index=True),
    Column("amount", ExactDecimal, comment="null for coded claims (a status, a site)"),
    Column("amount_max", ExactDecimal),
    Column("bound", String(16)),
    Column("unit", String(16)),
    Column("value", Text, comment="coded value: a deal status, a site id, a condition rule"),
    Column("stated_at", String(32), comment="when it was said (prefix date), if not published"),
    Column("period", String(32), comment="total, per_year, over_N_years, ..."),
    Column("valid_from", String(32)),
    Column("valid_to", String(32)),
    Column("status", String(16), nullable=False),
    Column("polarity", String(16), nullable=False),
    Column("speaker", Text),
    Column("quote", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("original_value", Text),
    Column("origin", Text, nullable=False, comment="extractor name + version, or a person"),
    Column("confidence", Float, nullable=False),
    Column("rank", String(16), nullable=False),
    Column("rank_reason", Text),
    Column("created_at", UTC_NOW, nullable=False),
    Column("retracted_at", UTC_NOW),
    _one_of("kind", ClaimKind),
    _one_of("bound", Bound),
    _one_of("status", ClaimStatus),
    _one_of("polarity", Polarity),
    _one_of("rank", Rank),
    CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
    CheckConstraint('"start" >= 0 AND "end" >= "start"', name="span"),
    CheckConstraint(
        "(amount IS NOT NULL AND unit IS NOT NULL AND bound IS NOT NULL) OR value IS NOT NULL",
        name="quantity_or_value",
    ),
    CheckConstraint(amount_domain_sql(), name="amount_domain"),
)
Index("ix_claims_origin", claims.c.origin)

claim_reviews = Table(
    "claim_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", ForeignKey("claims.id"), nullable=False, index=True),
    Column("rank", String(16), nullable=False),
    Column("reason", Text),
    Column("user", Text, nullable=False),
    Column("created_at", UTC_NOW, nullable=False),
    _one_of("rank", Rank),
)

claim_links = Table(
    "claim_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_claim", ForeignKey("claims.id"), nullable=False, index=True),
    Column("right_claim", ForeignKey("claims.id"), nullable=False, index=True),
    Column("relation", String(16), nullable=False),
    Column("user", Text, nullable=False),
    Column("note", Text),
    Column("created_at", UTC_NOW, nullable=False),
    Column("deleted_at", UTC_NOW),
    _one_of("relation", Relation),
)

judgements = Table(
    "judgements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", ForeignKey("entities.id"), nullable=False, index=True),
    Column("right_id", ForeignKey("entities.id"), nullable=False, index=True),
    Column("verdict", String(16), nullable=False),
    Column("score", Float),
    Column("user", Text, nullable=False),
    Column("created_at", UTC_NOW, nullable=False),
    Column("deleted_at", UTC_NOW),
    _one_of("verdict", Verdict),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, comment="who holds the token; recorded as the user"),
    Column("token_hash", String(64), nullable=False, unique=True, comment="SHA-256 hex"),
    Column("created_at", UTC_NOW, nullable=False),
    Column("revoked_at", UTC_NOW),
)

stress_runs = Table(
    "stress_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("scenario", Text, nullable=False, comment="the scenario as validated (JSON)"),
    Column("status", String(16), nullable=False),
    Column("done", Integer, nullable=False, comment="scenarios finished"),
    Column("total", Integer, nullable=False, comment="scenarios asked for"),
    Column("user", Text, nullable=False),
    Column("created_at", UTC_NOW, nullable=False),
    Column("finished_at", UTC_NOW),
    Column("error", Text),
    Column("result", JSON, comment="the `stargate stress --json` object"),
    CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", String(128), primary_key=True, comment="curated id, or minted on acceptance"),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("user", Text, nullable=False, comment="the curator or reviewer who declared it"),
    Column("origin", Text, nullable=False, comment="curated file and version, or review item"),
    Column("created_at", UTC_NOW, nullable=False),
    _one_of("kind", DealKind),
    comment="agreements' identities; their figures come from the claims attached to them",
)

deal_claims = Table(
    "deal_claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deal_id", ForeignKey("deals.id"), nullable=False, index=True),
    Column("claim_id", ForeignKey("claims.id"), nullable=False, index=True),
    Column("field", String(32), nullable=False, comment="what the claim tells about the deal"),
    Column("user", Text, nullable=False),
    Column("created_at", UTC_NOW, nullable=False),
    Column("deleted_at", UTC_NOW),
    _one_of("field", DealField),
    comment="judgements attaching claims to deals (soft-deleted, never edited)",
)

review_decisions = Table(
    "review_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", String(64), nullable=False, index=True),
    Column("item_type", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("reason", Text),
    Column("payload", JSON, nullable=False, comment="what was decided (deal, claims, edits)"),
    Column("user", Text, nullable=False),
    Column("created_at", UTC_NOW, nullable=False),
    CheckConstraint("item_type IN ('candidate', 'revision', 'status')", name="item_type"),
    CheckConstraint("action IN ('accept', 'reject', 'edit')", name="action"),
    comment="people's decisions on review items, append-only",
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "session_hash", String(64), nullable=False, unique=True,
        comment="SHA-256 hex of the session identifier the cookie carries",
    ),
    Column("token_id", ForeignKey("api_tokens.id"), nullable=False, index=True,
           comment="the token that logged in; its revocation ends the session"),
    Column("created_at", UTC_NOW, nullable=False),
    Column("expires_at", UTC_NOW, nullable=False),
    Column("revoked_at", UTC_NOW, comment="logged out or ended by `stargate token revoke`"),
)  # fmt: skip
