"""door-to-door campaigns: households, campaigns, walk lists, door outcomes

Revision ID: 0913
Revises: 0915
Create Date: 2026-12-06 08:18:30.158464
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0913"
down_revision: str | None = "0915"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("hamlets", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["commune.code"], name=op.f("fk_campaign_commune_code_commune")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_commune_code"), ["commune_code"], unique=False
        )

    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sa.String(length=16), nullable=False),
        sa.Column("hamlet_code", sa.String(length=24), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("head_name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("location_is_hamlet_centre", sa.Boolean(), nullable=False),
        sa.Column("no_smartphone", sa.Boolean(), nullable=False),
        sa.Column("elderly", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("khmer_speaking", sa.Boolean(), nullable=False),
        sa.Column("at_home", sa.String(length=16), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"], ["commune.code"], name=op.f("fk_household_commune_code_commune")
        ),
        sa.ForeignKeyConstraint(
            ["hamlet_code"], ["hamlet.code"], name=op.f("fk_household_hamlet_code_hamlet")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint("commune_code", "code", name="uq_household_commune_code"),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_commune_code"), ["commune_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_household_hamlet_code"), ["hamlet_code"], unique=False)

    op.create_table(
        "household_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("digital_core", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_member_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_member")),
    )
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_member_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "campaign_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("route_order", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("part_of_day", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_visit_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_campaign_visit_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"],
            ["volunteer.id"],
            name=op.f("fk_campaign_visit_volunteer_id_volunteer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_visit")),
    )
    with op.batch_alter_table("campaign_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_visit_campaign_day", ["campaign_id", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_visit_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            "ix_campaign_visit_volunteer_day", ["volunteer_id", "day"], unique=False
        )

    op.create_table(
        "door_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done_items", sa.JSON(), nullable=False),
        sa.Column("come_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digital_core_member_id", sa.Integer(), nullable=True),
        sa.Column("difficulties", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_via", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["digital_core_member_id"],
            ["household_member.id"],
            name=op.f("fk_door_outcome_digital_core_member_id_household_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_door_outcome_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["campaign_visit.id"],
            name=op.f("fk_door_outcome_visit_id_campaign_visit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_outcome")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_door_outcome_visit_id")),
    )
    with op.batch_alter_table("door_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_door_outcome_household_id"), ["household_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("door_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_door_outcome_household_id"))

    op.drop_table("door_outcome")
    with op.batch_alter_table("campaign_visit", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_visit_volunteer_day")
        batch_op.drop_index(batch_op.f("ix_campaign_visit_household_id"))
        batch_op.drop_index("ix_campaign_visit_campaign_day")

    op.drop_table("campaign_visit")
    with op.batch_alter_table("household_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_member_household_id"))

    op.drop_table("household_member")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_hamlet_code"))
        batch_op.drop_index(batch_op.f("ix_household_commune_code"))

    op.drop_table("household")
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_commune_code"))

    op.drop_table("campaign")
