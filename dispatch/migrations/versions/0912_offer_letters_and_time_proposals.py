"""offer letters, messages that list offers, time proposals to residents

Revision ID: 0912
Revises: 0900
Create Date: 2027-01-11 09:00:00

Live assignments get their letters here (A, B... per volunteer, oldest first), so a volunteer
with visits from before the upgrade can answer "1B" or "XONG B" too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0912"
down_revision: str | None = "0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As dispatch.models.requests.OFFER_LETTERS when this was written (a migration keeps its own).
_LETTERS = "ABCDEKMNPRSTUVXY"
_LIVE = ("offered", "accepted", "in_progress")


def upgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letter", sa.String(length=2), nullable=True))
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listed", sa.JSON(), nullable=True))
    op.create_table(
        "time_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("plan_run_id", sa.Integer(), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wished", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_run_id"], ["plan_run.id"], name=op.f("fk_time_proposal_plan_run_id_plan_run")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_request.id"],
            name=op.f("fk_time_proposal_request_id_help_request"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_proposal")),
    )
    with op.batch_alter_table("time_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_proposal_request_id"), ["request_id"], unique=False
        )
    _letter_live_assignments()


def _letter_live_assignments() -> None:
    assignment = sa.table(
        "assignment",
        sa.column("id", sa.Integer),
        sa.column("volunteer_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("letter", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(assignment.c.id, assignment.c.volunteer_id)
        .where(assignment.c.status.in_(_LIVE))
        .order_by(assignment.c.id)
    ).all()
    taken: dict[int, int] = defaultdict(int)
    for assignment_id, volunteer_id in rows:
        index = taken[volunteer_id]
        taken[volunteer_id] += 1
        if index >= len(_LETTERS):
            continue  # more live visits than letters: answered on the web instead
        connection.execute(
            sa.update(assignment)
            .where(assignment.c.id == assignment_id)
            .values(letter=_LETTERS[index])
        )


def downgrade() -> None:
    with op.batch_alter_table("time_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_proposal_request_id"))
    op.drop_table("time_proposal")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("listed")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("letter")
