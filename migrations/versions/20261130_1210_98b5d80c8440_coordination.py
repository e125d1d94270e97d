"""协调会 and the center"s other meetings (信息通报例会, 带案下访, 培训): meetings, invitations, attendees,
decisions, matters on the agenda and follow-up tasks, each under row-level security on PostgreSQL. A meeting is
seen by its convening unit"s tree and its invited units; invitations by the convener and the invited unit;
the rest exactly when their meeting is.

Revision ID: 98b5d80c8440
Revises: a4d2e6f8c101
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

revision = "98b5d80c8440"
down_revision = "a4d2e6f8c101"
branch_labels = None
depends_on = None

# The same rules as coordination/models.py `_meeting_criteria`. Invitations are read by their own columns only,
# so the meeting"s policy may look into them without the policies referring to each other in a circle.
MEETING_VISIBLE = (f"{rls_sql.sees('unit_id')} OR EXISTS (SELECT 1 FROM meeting_invitations i "
                   f"WHERE i.meeting_id = coordination_meetings.id AND {rls_sql.sees('i.invited_unit_id')})")
INVITATION_VISIBLE = f"{rls_sql.sees('unit_id')} OR {rls_sql.sees('invited_unit_id')}"
CHILDREN = ("meeting_matters", "meeting_attendees", "meeting_decisions", "meeting_tasks")
TABLES = ("coordination_meetings", "meeting_invitations", *CHILDREN)


def _child_visible(table: str) -> str:
    return f"EXISTS (SELECT 1 FROM coordination_meetings m WHERE m.id = {table}.meeting_id)"


def _role() -> str:
    return os.environ.get("DATABASE_APP_ROLE", "county_net_app")


def upgrade():
    op.create_table("coordination_meetings",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("unit_id", sa.Integer(), nullable=False),
    sa.Column("county_unit_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("title", sa.String(length=120), nullable=False),
    sa.Column("state", sa.String(length=12), nullable=False),
    sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
    sa.Column("place", sa.String(length=120), nullable=False),
    sa.Column("convener_name", sa.String(length=60), nullable=False),
    sa.Column("convener_user_id", sa.Integer(), nullable=False),
    sa.Column("target_unit_id", sa.Integer(), nullable=True),
    sa.Column("recurrence", sa.String(length=10), nullable=True),
    sa.Column("previous_id", sa.Integer(), nullable=True),
    sa.Column("topics", sa.Text(), nullable=False),
    sa.Column("minutes", sa.Text(), nullable=False),
    sa.Column("lead_unit_id", sa.Integer(), nullable=True),
    sa.Column("held_at", UTCDateTime(timezone=True), nullable=True),
    sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True),
    sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
    sa.Column("cancel_reason", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('coordination', 'briefing', 'field_visit', 'training')", name=op.f("ck_coordination_meetings_kind")),
    sa.CheckConstraint("state IN ('planned', 'held', 'closed', 'cancelled')", name=op.f("ck_coordination_meetings_state")),
    sa.ForeignKeyConstraint(["convener_user_id"], ["users.id"], name=op.f("fk_coordination_meetings_convener_user_id_users")),
    sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_coordination_meetings_county_unit_id_units")),
    sa.ForeignKeyConstraint(["lead_unit_id"], ["units.id"], name=op.f("fk_coordination_meetings_lead_unit_id_units")),
    sa.ForeignKeyConstraint(["previous_id"], ["coordination_meetings.id"], name=op.f("fk_coordination_meetings_previous_id_coordination_meetings")),
    sa.ForeignKeyConstraint(["target_unit_id"], ["units.id"], name=op.f("fk_coordination_meetings_target_unit_id_units")),
    sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_coordination_meetings_unit_id_units")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_meetings"))
    )
    with op.batch_alter_table("coordination_meetings", schema=None) as batch_op:
        batch_op.create_index("ix_coordination_meetings_county_starts", ["county_unit_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_coordination_meetings_unit_id"), ["unit_id"], unique=False)

    op.create_table("meeting_attendees",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("name", sa.String(length=60), nullable=False),
    sa.Column("post", sa.String(length=60), nullable=False),
    sa.Column("attendee_unit_id", sa.Integer(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["attendee_unit_id"], ["units.id"], name=op.f("fk_meeting_attendees_attendee_unit_id_units")),
    sa.ForeignKeyConstraint(["meeting_id"], ["coordination_meetings.id"], name=op.f("fk_meeting_attendees_meeting_id_coordination_meetings"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_attendees"))
    )
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_attendees_meeting_id"), ["meeting_id"], unique=False)

    op.create_table("meeting_decisions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["meeting_id"], ["coordination_meetings.id"], name=op.f("fk_meeting_decisions_meeting_id_coordination_meetings"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_decisions"))
    )
    with op.batch_alter_table("meeting_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_decisions_meeting_id"), ["meeting_id"], unique=False)

    op.create_table("meeting_invitations",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.Column("unit_id", sa.Integer(), nullable=False),
    sa.Column("invited_unit_id", sa.Integer(), nullable=False),
    sa.Column("part", sa.String(length=8), nullable=False),
    sa.Column("trained_count", sa.Integer(), nullable=True),
    sa.Column("invited_at", UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("part IN ('invited', 'lead', 'co')", name=op.f("ck_meeting_invitations_part")),
    sa.CheckConstraint("trained_count IS NULL OR trained_count >= 0", name=op.f("ck_meeting_invitations_trained_count")),
    sa.ForeignKeyConstraint(["invited_unit_id"], ["units.id"], name=op.f("fk_meeting_invitations_invited_unit_id_units")),
    sa.ForeignKeyConstraint(["meeting_id"], ["coordination_meetings.id"], name=op.f("fk_meeting_invitations_meeting_id_coordination_meetings"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_meeting_invitations_unit_id_units")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_invitations")),
    sa.UniqueConstraint("meeting_id", "invited_unit_id", name="uq_meeting_invitations_pair")
    )
    with op.batch_alter_table("meeting_invitations", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_invitations_invited_meeting", ["invited_unit_id", "meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_invitations_unit_id"), ["unit_id"], unique=False)

    op.create_table("meeting_matters",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("petition_id", sa.Integer(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["meeting_id"], ["coordination_meetings.id"], name=op.f("fk_meeting_matters_meeting_id_coordination_meetings"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_meeting_matters_petition_id_petitions")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_matters")),
    sa.UniqueConstraint("meeting_id", "petition_id", name="uq_meeting_matters_pair")
    )
    with op.batch_alter_table("meeting_matters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_matters_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_matters_petition_id"), ["petition_id"], unique=False)

    op.create_table("meeting_tasks",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("decision_id", sa.Integer(), nullable=True),
    sa.Column("assignee_unit_id", sa.Integer(), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("state", sa.String(length=10), nullable=False),
    sa.Column("report", sa.Text(), nullable=False),
    sa.Column("reported_at", UTCDateTime(timezone=True), nullable=True),
    sa.Column("reported_by_id", sa.Integer(), nullable=True),
    sa.Column("return_reason", sa.Text(), nullable=True),
    sa.Column("done_at", UTCDateTime(timezone=True), nullable=True),
    sa.Column("overdue_notified", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("meeting_id", sa.Integer(), nullable=False),
    sa.CheckConstraint("state IN ('open', 'reported', 'done')", name=op.f("ck_meeting_tasks_state")),
    sa.ForeignKeyConstraint(["assignee_unit_id"], ["units.id"], name=op.f("fk_meeting_tasks_assignee_unit_id_units")),
    sa.ForeignKeyConstraint(["decision_id"], ["meeting_decisions.id"], name=op.f("fk_meeting_tasks_decision_id_meeting_decisions"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["meeting_id"], ["coordination_meetings.id"], name=op.f("fk_meeting_tasks_meeting_id_coordination_meetings"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["reported_by_id"], ["users.id"], name=op.f("fk_meeting_tasks_reported_by_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_tasks"))
    )
    with op.batch_alter_table("meeting_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_tasks_assignee_state_due", ["assignee_unit_id", "state", "due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_tasks_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index("ix_meeting_tasks_overdue_probe", ["state", "overdue_notified", "due_on"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    policies = {"coordination_meetings": MEETING_VISIBLE, "meeting_invitations": INVITATION_VISIBLE,
                **{t: _child_visible(t) for t in CHILDREN}}
    for table, expression in policies.items():
        for statement in rls_sql.enable_rls_expression(table, expression):
            op.execute(statement)
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {_role()}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO {_role()}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            for statement in rls_sql.disable_rls(table):
                op.execute(statement)
    with op.batch_alter_table("meeting_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_tasks_overdue_probe")
        batch_op.drop_index(batch_op.f("ix_meeting_tasks_meeting_id"))
        batch_op.drop_index("ix_meeting_tasks_assignee_state_due")

    op.drop_table("meeting_tasks")
    with op.batch_alter_table("meeting_matters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_matters_petition_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_matters_meeting_id"))

    op.drop_table("meeting_matters")
    with op.batch_alter_table("meeting_invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_invitations_unit_id"))
        batch_op.drop_index("ix_meeting_invitations_invited_meeting")

    op.drop_table("meeting_invitations")
    with op.batch_alter_table("meeting_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_decisions_meeting_id"))

    op.drop_table("meeting_decisions")
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_attendees_meeting_id"))

    op.drop_table("meeting_attendees")
    with op.batch_alter_table("coordination_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordination_meetings_unit_id"))
        batch_op.drop_index("ix_coordination_meetings_county_starts")

    op.drop_table("coordination_meetings")
