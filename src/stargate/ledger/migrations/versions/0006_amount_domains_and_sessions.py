"""amount domains as CHECK constraints (live claims outside them retracted first), sessions

Revision ID: 0006
Revises: 0005

Claims written before the amount domain existed (``stargate.units.DOMAINS``) may hold amounts
outside it (a 4,500-digit figure, 1e999999): such a live claim is retracted, never deleted or
edited, with a review row (rank deprecated) by ``migration 0006`` that gives the reason. Then the
claims table gets the CHECK (retracted rows exempt) and the sessions table is created.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

USER = "migration 0006"

# tables.amount_domain_sql() as of this revision (a test holds the two equal; a change of the
# domains needs a new migration).
AMOUNT_DOMAIN = (
    "retracted_at IS NOT NULL OR ((amount IS NULL OR (CASE WHEN unit IN ('AED', 'CAD', "
    "'CHF', 'CNY', 'EUR', 'GBP', 'JPY', 'SAR', 'USD') THEN CAST(amount AS DOUBLE PRECISION) "
    "BETWEEN -1000000000000000 AND 1000000000000000 WHEN unit IN ('GPU', 'chips', 'count', "
    "'shares') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 1000000000000 WHEN unit "
    "IN ('GW') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 10000 WHEN unit IN "
    "('GWh') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 100000000 WHEN unit IN "
    "('MW') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 10000000 WHEN unit IN "
    "('MWh') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 100000000000 WHEN unit IN "
    "('TWh') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 100000 WHEN unit IN ('W') "
    "THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 10000000000000 WHEN unit IN ('Wh') "
    "THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 100000000000000000 WHEN unit IN "
    "('days') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 365000 WHEN unit IN ('kW') "
    "THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 10000000000 WHEN unit IN ('kWh') "
    "THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 100000000000000 WHEN unit IN "
    "('months') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 12000 WHEN unit IN "
    "('percent') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN -10000 AND 10000 WHEN unit IN "
    "('ratio') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN -100 AND 100 WHEN unit IN "
    "('years') THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 1000 WHEN unit LIKE '%/%' "
    "THEN CAST(amount AS DOUBLE PRECISION) BETWEEN 0 AND 1000000000000000 ELSE CAST(amount "
    "AS DOUBLE PRECISION) BETWEEN -1e15 AND 1e15 END)) AND (amount_max IS NULL OR (CASE WHEN "
    "unit IN ('AED', 'CAD', 'CHF', 'CNY', 'EUR', 'GBP', 'JPY', 'SAR', 'USD') THEN "
    "CAST(amount_max AS DOUBLE PRECISION) BETWEEN -1000000000000000 AND 1000000000000000 "
    "WHEN unit IN ('GPU', 'chips', 'count', 'shares') THEN CAST(amount_max AS DOUBLE "
    "PRECISION) BETWEEN 0 AND 1000000000000 WHEN unit IN ('GW') THEN CAST(amount_max AS "
    "DOUBLE PRECISION) BETWEEN 0 AND 10000 WHEN unit IN ('GWh') THEN CAST(amount_max AS "
    "DOUBLE PRECISION) BETWEEN 0 AND 100000000 WHEN unit IN ('MW') THEN CAST(amount_max AS "
    "DOUBLE PRECISION) BETWEEN 0 AND 10000000 WHEN unit IN ('MWh') THEN CAST(amount_max AS "
    "DOUBLE PRECISION) BETWEEN 0 AND 100000000000 WHEN unit IN ('TWh') THEN CAST(amount_max "
    "AS DOUBLE PRECISION) BETWEEN 0 AND 100000 WHEN unit IN ('W') THEN CAST(amount_max AS "
    "DOUBLE PRECISION) BETWEEN 0 AND 10000000000000 WHEN unit IN ('Wh') THEN CAST(amount_max "
    "AS DOUBLE PRECISION) BETWEEN 0 AND 100000000000000000 WHEN unit IN ('days') THEN "
    "CAST(amount_max AS DOUBLE PRECISION) BETWEEN 0 AND 365000 WHEN unit IN ('kW') THEN "
    "CAST(amount_max AS DOUBLE PRECISION) BETWEEN 0 AND 10000000000 WHEN unit IN ('kWh') "
    "THEN CAST(amount_max AS DOUBLE PRECISION) BETWEEN 0 AND 100000000000000 WHEN unit IN "
    "('months') THEN CAST(amount_max AS DOUBLE PRECISION) BETWEEN 0 AND 12000 WHEN unit IN "
    "('percent') THEN CAST(amount_max AS DOUBLE PRECISION) BETWEEN -10000 AND 10000 WHEN "
    "unit IN ('ratio') THEN CAST(amount_max AS DOUBLE PRECISION) BETWEEN -100 AND 100 WHEN "
    "unit IN ('years') THEN CAST(amount_max AS DOUBLE PRECISION) BETWEEN 0 AND 1000 WHEN "
    "unit LIKE '%/%' THEN CAST(amount_max AS DOUBLE PRECISION) BETWEEN 0 AND "
    "1000000000000000 ELSE CAST(amount_max AS DOUBLE PRECISION) BETWEEN -1e15 AND 1e15 END)))"
)


def _reason(amount: object, unit: str, what: str) -> str | None:
    from stargate.units import UNITS, domain_error

    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"{what} is not a number"
    if not value.is_finite():
        return f"{what} is not finite"
    if unit not in UNITS:
        return None  # held to the CHECK's widest bound only
    return domain_error(value, unit, what)


def _retract_out_of_domain() -> int:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT id, unit, amount, amount_max FROM claims "
            "WHERE retracted_at IS NULL AND amount IS NOT NULL"
        )
    ).all()
    stamp = datetime.now(UTC)
    retracted = 0
    for claim_id, unit, amount, amount_max in rows:
        reason = _reason(amount, unit, "amount") or (
            None if amount_max is None else _reason(amount_max, unit, "upper end")
        )
        if reason is None:
            continue
        bind.execute(
            sa.text("UPDATE claims SET retracted_at = :stamp WHERE id = :id"),
            {"stamp": stamp, "id": claim_id},
        )
        bind.execute(
            sa.text(
                'INSERT INTO claim_reviews (claim_id, rank, reason, "user", created_at) '
                "VALUES (:id, 'deprecated', :reason, :user, :stamp)"
            ),
            {"id": claim_id, "reason": f"retracted: {reason}", "user": USER, "stamp": stamp},
        )
        retracted += 1
    return retracted


def upgrade() -> None:
    _retract_out_of_domain()
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")  # the rebuild, as in 0004
    with op.batch_alter_table("claims") as batch:
        batch.create_check_constraint("amount_domain", AMOUNT_DOMAIN)
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "session_hash", sa.String(length=64), nullable=False,
            comment="SHA-256 hex of the session identifier the cookie carries",
        ),
        sa.Column(
            "token_id", sa.Integer(), nullable=False,
            comment="the token that logged in; its revocation ends the session",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "revoked_at", sa.DateTime(timezone=True), nullable=True,
            comment="logged out or ended by `stargate token revoke`",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_sessions_token_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_sessions_session_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_sessions_token_id"), "sessions", ["token_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sessions")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_amount_domain"), type_="check")
