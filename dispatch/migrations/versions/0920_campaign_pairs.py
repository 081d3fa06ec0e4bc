"""campaign walk lists in pairs: campaign.in_pairs, campaign_visit.partner_id

Revision ID: 0920
Revises: 0913
Create Date: 2026-12-06 11:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0920"
down_revision: str | None = "0913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_pairs", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("campaign_visit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_campaign_visit_partner_id_volunteer"),
            "volunteer",
            ["partner_id"],
            ["id"],
        )
        batch_op.create_index("ix_campaign_visit_partner_day", ["partner_id", "day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("campaign_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_visit_partner_day")
        batch_op.drop_constraint(
            batch_op.f("fk_campaign_visit_partner_id_volunteer"), type_="foreignkey"
        )
        batch_op.drop_column("partner_id")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("in_pairs")
