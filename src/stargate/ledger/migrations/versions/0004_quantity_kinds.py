"""claim kinds for stakes, shares of, changes, share prices, unit costs, terms and share counts

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BEFORE = (
    "investment", "commitment", "contract", "purchase", "lease", "loan", "capex", "revenue",
    "loss", "valuation", "capacity", "funding_secured", "training_cost", "other",
)  # fmt: skip
_AFTER = (*_BEFORE, "stake", "share_of", "change", "share_price", "unit_cost", "term", "shares")


def _check(kinds: tuple[str, ...]) -> str:
    return "kind IN ({})".format(", ".join(f"'{k}'" for k in kinds))


def _replace(kinds: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite rebuilds the table (copy, drop, rename): other tables' foreign keys to it are
        # checked at commit, when the rebuilt table is in place, not at the drop.
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_kind"), type_="check")
        batch.create_check_constraint("kind", _check(kinds))


def upgrade() -> None:
    _replace(_AFTER)


def downgrade() -> None:
    _replace(_BEFORE)
