"""API tokens and stress runs kept by the web app

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "name", sa.Text(), nullable=False, comment="who holds the token; recorded as the user"
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="SHA-256 hex"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "stress_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column(
            "scenario", sa.Text(), nullable=False, comment="the scenario as validated (JSON)"
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False, comment="scenarios finished"),
        sa.Column("total", sa.Integer(), nullable=False, comment="scenarios asked for"),
        sa.Column("user", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "result", sa.JSON(), nullable=True, comment="the `stargate stress --json` object"
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_stress_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stress_runs")),
    )


def downgrade() -> None:
    op.drop_table("stress_runs")
    op.drop_table("api_tokens")
