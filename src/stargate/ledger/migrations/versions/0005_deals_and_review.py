"""coded claims (deal status, site, condition), statement dates, deals, the judgements that
attach claims to deals, and review decisions

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import stargate.ledger.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_KINDS_0004 = (
    "investment", "commitment", "contract", "purchase", "lease", "loan", "capex", "revenue",
    "loss", "valuation", "capacity", "funding_secured", "training_cost", "other", "stake",
    "share_of", "change", "share_price", "unit_cost", "term", "shares",
)  # fmt: skip
_KINDS_0005 = (*_KINDS_0004, "status", "site", "condition")
_DEAL_KINDS = ("equity", "contract", "lease", "loan", "purchase", "capex_programme")
_FIELDS = (
    "amount", "amount_added", "annual", "term", "payment", "part", "capacity", "capacity_added",
    "site", "condition", "status", "evidence",
)  # fmt: skip


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


def _defer_foreign_keys() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")


def upgrade() -> None:
    _defer_foreign_keys()
    with op.batch_alter_table("claims") as batch:
        batch.alter_column(
            "amount", existing_type=stargate.ledger.tables.ExactDecimal(length=64), nullable=True
        )
        batch.alter_column("bound", existing_type=sa.String(length=16), nullable=True)
        batch.alter_column("unit", existing_type=sa.String(length=16), nullable=True)
        batch.add_column(sa.Column("value", sa.Text(), nullable=True,
                                   comment="coded value: a deal status, a site id, a condition "
                                   "rule"))  # fmt: skip
        batch.add_column(sa.Column("stated_at", sa.String(length=32), nullable=True,
                                   comment="when it was said (prefix date), if not published"))  # fmt: skip
        batch.drop_constraint(op.f("ck_claims_kind"), type_="check")
        batch.create_check_constraint("kind", _one_of("kind", _KINDS_0005))
        batch.create_check_constraint(
            "quantity_or_value",
            "(amount IS NOT NULL AND unit IS NOT NULL AND bound IS NOT NULL) OR value IS NOT NULL",
        )
    op.create_table(
        "deals",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("user", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_one_of("kind", _DEAL_KINDS), name=op.f("ck_deals_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        comment="agreements' identities; their figures come from the claims attached to them",
    )
    op.create_table(
        "deal_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("deal_id", sa.String(length=128), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("user", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(_one_of("field", _FIELDS), name=op.f("ck_deal_claims_field")),
        sa.ForeignKeyConstraint(["deal_id"], ["deals.id"], name=op.f("fk_deal_claims_deal_id")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], name=op.f("fk_deal_claims_claim_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_claims")),
        comment="judgements attaching claims to deals (soft-deleted, never edited)",
    )
    op.create_index(op.f("ix_deal_claims_deal_id"), "deal_claims", ["deal_id"])
    op.create_index(op.f("ix_deal_claims_claim_id"), "deal_claims", ["claim_id"])
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("item_type", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("user", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "item_type IN ('candidate', 'revision', 'status')",
            name=op.f("ck_review_decisions_item_type"),
        ),
        sa.CheckConstraint(
            "action IN ('accept', 'reject', 'edit')", name=op.f("ck_review_decisions_action")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
        comment="people's decisions on review items, append-only",
    )
    op.create_index(op.f("ix_review_decisions_item_id"), "review_decisions", ["item_id"])


def downgrade() -> None:
    op.drop_table("review_decisions")
    op.drop_table("deal_claims")
    op.drop_table("deals")
    _defer_foreign_keys()
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_quantity_or_value"), type_="check")
        batch.drop_constraint(op.f("ck_claims_kind"), type_="check")
        batch.create_check_constraint("kind", _one_of("kind", _KINDS_0004))
        batch.drop_column("stated_at")
        batch.drop_column("value")
        batch.alter_column("unit", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("bound", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column(
            "amount", existing_type=stargate.ledger.tables.ExactDecimal(length=64), nullable=False
        )
