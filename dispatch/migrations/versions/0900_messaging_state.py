"""messaging state: per-phone SMS dialogue and opt-out

Revision ID: 0900
Revises: 0001
Create Date: 2026-11-28 18:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0900"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_dialogue",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("asked", sa.String(length=32), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_inbound_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_dialogue")),
    )
    op.create_table(
        "phone_opt_out",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_phone_opt_out")),
    )


def downgrade() -> None:
    op.drop_table("phone_opt_out")
    op.drop_table("sms_dialogue")
