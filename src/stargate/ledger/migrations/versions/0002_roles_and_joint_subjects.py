"""entity roles and joint subjects of claims

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch:
        batch.add_column(
            sa.Column(
                "role",
                sa.String(length=32),
                nullable=True,
                comment="lab, cloud, chips, builder, investor, media, other",
            )
        )
    with op.batch_alter_table("claims") as batch:
        batch.add_column(
            sa.Column(
                "co_subject_ids",
                sa.JSON(),
                nullable=True,
                comment="other organisations acting jointly with the subject",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("co_subject_ids")
    with op.batch_alter_table("entities") as batch:
        batch.drop_column("role")
