"""zalo channel: OA tokens, delivery receipts, panel alerts, per-commune channel order

Revision ID: 0915
Revises: 0912
Create Date: 2026-12-06 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0915"
down_revision: str | None = "0912"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_alert")),
        sa.UniqueConstraint("kind", "key", name="uq_channel_alert_kind_key"),
    )
    op.create_table(
        "zalo_account",
        sa.Column("app_id", sa.String(length=32), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refreshes", sa.Integer(), nullable=False),
        sa.Column("quota_out_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_zalo_account")),
    )
    op.create_table(
        "zalo_receipt",
        sa.Column("msg_id", sa.String(length=64), nullable=False),
        sa.Column("tracking_id", sa.String(length=48), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("msg_id", name=op.f("pk_zalo_receipt")),
    )
    with op.batch_alter_table("zalo_receipt") as batch_op:
        batch_op.create_index(batch_op.f("ix_zalo_receipt_tracking_id"), ["tracking_id"])
    with op.batch_alter_table("commune") as batch_op:
        batch_op.add_column(
            sa.Column("channel_order", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("commune") as batch_op:
        batch_op.alter_column("channel_order", server_default=None)
    with op.batch_alter_table("message") as batch_op:
        batch_op.add_column(sa.Column("template_data", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("fallback_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_message_fallback_of_id_message"), "message", ["fallback_of_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("message") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_message_fallback_of_id_message"), type_="foreignkey"
        )
        batch_op.drop_column("fallback_of_id")
        batch_op.drop_column("template_data")
    with op.batch_alter_table("commune") as batch_op:
        batch_op.drop_column("channel_order")
    with op.batch_alter_table("zalo_receipt") as batch_op:
        batch_op.drop_index(batch_op.f("ix_zalo_receipt_tracking_id"))
    op.drop_table("zalo_receipt")
    op.drop_table("zalo_account")
    op.drop_table("channel_alert")
