"""督办: supervision records (one matter or a group), their timeline (append-only), the clocks the escalation
sweep reads through an index on `next_on`, and the per-unit score ledger. Row-level security: a record is seen
by its issuer's tree and, once issued, by its target's tree; links and events exactly when their record is;
clocks and scores by the unit they concern and the units above it.

Revision ID: c94463802381
Revises: 98b5d80c8440
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy.rls_sql import enable_rls_expression, disable_rls, sees

revision = "c94463802381"
down_revision = "98b5d80c8440"
branch_labels = None
depends_on = None

# The same rules as the ORM criteria in county_net/supervision/models.py.
SUPERVISION_VISIBLE = f"{sees('unit_id')} OR ({sees('target_unit_id')} AND issued_at IS NOT NULL)"
CHILD_VISIBLE = "EXISTS (SELECT 1 FROM supervisions s WHERE s.id = {table}.supervision_id)"
POLICIES = {
    "supervisions": SUPERVISION_VISIBLE,
    "supervision_petitions": CHILD_VISIBLE.format(table="supervision_petitions"),
    "supervision_events": CHILD_VISIBLE.format(table="supervision_events"),
    "supervision_clocks": sees("unit_id"),
    "supervision_scores": sees("unit_id"),
}
GRANTS = {
    "supervisions": "SELECT, INSERT, UPDATE",
    "supervision_petitions": "SELECT, INSERT",
    "supervision_events": "SELECT, INSERT",
    "supervision_clocks": "SELECT, INSERT, UPDATE, DELETE",
    "supervision_scores": "SELECT, INSERT",
}
EVENTS = "supervision_events"


def _role() -> str:
    return os.environ.get("DATABASE_APP_ROLE", "county_net_app")


def _secure():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {EVENTS}_no_{verb.lower()} BEFORE {verb} ON {EVENTS} "
                       f"BEGIN SELECT RAISE(ABORT, '{EVENTS} is append-only'); END")
        return
    op.execute(f"CREATE TRIGGER {EVENTS}_append_only BEFORE UPDATE OR DELETE ON {EVENTS} "
               "FOR EACH ROW EXECUTE FUNCTION county_net_append_only()")
    for table, expression in POLICIES.items():
        for statement in enable_rls_expression(table, expression):
            op.execute(statement)
        op.execute(f"GRANT {GRANTS[table]} ON {table} TO {_role()}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO {_role()}")


def _unsecure():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_no_{verb}")
        return
    for table in POLICIES:
        for statement in disable_rls(table):
            op.execute(statement)
    op.execute(f"DROP TRIGGER IF EXISTS {EVENTS}_append_only ON {EVENTS}")


def upgrade():
    op.create_table("supervisions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("unit_id", sa.Integer(), nullable=False),
    sa.Column("county_unit_id", sa.Integer(), nullable=False),
    sa.Column("target_unit_id", sa.Integer(), nullable=False),
    sa.Column("level", sa.String(length=8), nullable=False),
    sa.Column("is_priority", sa.Boolean(), nullable=False),
    sa.Column("is_listed", sa.Boolean(), nullable=False),
    sa.Column("method", sa.String(length=10), nullable=False),
    sa.Column("problem", sa.String(length=20), nullable=False),
    sa.Column("content", sa.Text(), nullable=False),
    sa.Column("required_action", sa.Text(), nullable=False),
    sa.Column("feedback_due_on", sa.Date(), nullable=False),
    sa.Column("state", sa.String(length=20), nullable=False),
    sa.Column("source", sa.String(length=8), nullable=False),
    sa.Column("auto_key", sa.String(length=120), nullable=True),
    sa.Column("created_by_id", sa.Integer(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("issued_by_id", sa.Integer(), nullable=True),
    sa.Column("issued_at", UTCDateTime(), nullable=True),
    sa.Column("approved_by_id", sa.Integer(), nullable=True),
    sa.Column("approved_at", UTCDateTime(), nullable=True),
    sa.Column("received_by_id", sa.Integer(), nullable=True),
    sa.Column("received_at", UTCDateTime(), nullable=True),
    sa.Column("feedback", sa.Text(), nullable=True),
    sa.Column("feedback_by_id", sa.Integer(), nullable=True),
    sa.Column("feedback_at", UTCDateTime(), nullable=True),
    sa.Column("review_note", sa.Text(), nullable=True),
    sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
    sa.Column("reviewed_at", UTCDateTime(), nullable=True),
    sa.Column("rework_count", sa.Integer(), nullable=False),
    sa.Column("escalated_at", UTCDateTime(), nullable=True),
    sa.Column("closed_at", UTCDateTime(), nullable=True),
    sa.Column("cancelled_at", UTCDateTime(), nullable=True),
    sa.Column("cancelled_reason", sa.String(length=500), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('urge', 'normal', 'yellow', 'red')", name=op.f("ck_supervisions_level")),
    sa.CheckConstraint(
        "method IN ('phone', 'document', 'talk', 'onsite', 'joint')",
        name=op.f("ck_supervisions_method")),
    sa.CheckConstraint(
        "problem IN ('overdue', 'not_signed', 'no_feedback', 'wrong_procedure', 'shirking', 'not_executed', 'other')",
        name=op.f("ck_supervisions_problem")),
    sa.CheckConstraint("source IN ('manual', 'sweep')", name=op.f("ck_supervisions_source")),
    sa.CheckConstraint(
        "state IN ('pending_approval', 'issued', 'received', 'feedback_submitted', 'accepted', 'closed', 'cancelled')",
        name=op.f("ck_supervisions_state")),
    sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_supervisions_approved_by_id_users")),
    sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_supervisions_county_unit_id_units")),
    sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_supervisions_created_by_id_users")),
    sa.ForeignKeyConstraint(["feedback_by_id"], ["users.id"], name=op.f("fk_supervisions_feedback_by_id_users")),
    sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_supervisions_issued_by_id_users")),
    sa.ForeignKeyConstraint(["received_by_id"], ["users.id"], name=op.f("fk_supervisions_received_by_id_users")),
    sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"], name=op.f("fk_supervisions_reviewed_by_id_users")),
    sa.ForeignKeyConstraint(["target_unit_id"], ["units.id"], name=op.f("fk_supervisions_target_unit_id_units")),
    sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_supervisions_unit_id_units")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisions")),
    sa.UniqueConstraint("auto_key", name=op.f("uq_supervisions_auto_key"))
    )
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.create_index("ix_supervisions_county_feedback_due", ["county_unit_id", "feedback_due_on"],
                              unique=False)
        batch_op.create_index("ix_supervisions_county_state_level", ["county_unit_id", "state", "level"], unique=False)
        batch_op.create_index("ix_supervisions_target_state", ["target_unit_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervisions_unit_id"), ["unit_id"], unique=False)

    op.create_table("supervision_clocks",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("county_unit_id", sa.Integer(), nullable=False),
    sa.Column("petition_id", sa.Integer(), nullable=False),
    sa.Column("step", sa.String(length=8), nullable=False),
    sa.Column("started_on", sa.Date(), nullable=False),
    sa.Column("extension_days", sa.Integer(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=True),
    sa.Column("warn_on", sa.Date(), nullable=True),
    sa.Column("yellow_on", sa.Date(), nullable=True),
    sa.Column("red_on", sa.Date(), nullable=True),
    sa.Column("overdue_on", sa.Date(), nullable=True),
    sa.Column("reached", sa.String(length=8), nullable=False),
    sa.Column("next_on", sa.Date(), nullable=True),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("unit_id", sa.Integer(), nullable=False),
    sa.CheckConstraint(
        "reached IN ('none', 'warn', 'yellow', 'red', 'overdue')",
        name=op.f("ck_supervision_clocks_reached")),
    sa.CheckConstraint("step IN ('sign', 'handle', 'due')", name=op.f("ck_supervision_clocks_step")),
    sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_supervision_clocks_county_unit_id_units")),
    sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                            name=op.f("fk_supervision_clocks_petition_id_petitions"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_supervision_clocks_unit_id_units")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_clocks")),
    sa.UniqueConstraint("petition_id", "step", name="uq_supervision_clocks_petition_step")
    )
    with op.batch_alter_table("supervision_clocks", schema=None) as batch_op:
        batch_op.create_index("ix_supervision_clocks_county_yellow", ["county_unit_id", "yellow_on"], unique=False)
        batch_op.create_index("ix_supervision_clocks_next_on", ["next_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_clocks_unit_id"), ["unit_id"], unique=False)

    op.create_table("supervision_events",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("from_state", sa.String(length=20), nullable=True),
    sa.Column("to_state", sa.String(length=20), nullable=True),
    sa.Column("from_level", sa.String(length=8), nullable=True),
    sa.Column("to_level", sa.String(length=8), nullable=True),
    sa.Column("actor_id", sa.Integer(), nullable=True),
    sa.Column("actor_name", sa.String(length=60), nullable=False),
    sa.Column("actor_unit_id", sa.Integer(), nullable=True),
    sa.Column("occurred_at", UTCDateTime(), nullable=False),
    sa.Column("note", sa.Text(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("supervision_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["actor_unit_id"], ["units.id"], name=op.f("fk_supervision_events_actor_unit_id_units")),
    sa.ForeignKeyConstraint(["supervision_id"], ["supervisions.id"],
                            name=op.f("fk_supervision_events_supervision_id_supervisions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_events"))
    )
    with op.batch_alter_table("supervision_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_events_supervision_id"), ["supervision_id"], unique=False)

    op.create_table("supervision_petitions",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("petition_id", sa.Integer(), nullable=False),
    sa.Column("supervision_id", sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                            name=op.f("fk_supervision_petitions_petition_id_petitions")),
    sa.ForeignKeyConstraint(["supervision_id"], ["supervisions.id"],
                            name=op.f("fk_supervision_petitions_supervision_id_supervisions"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_petitions")),
    sa.UniqueConstraint("supervision_id", "petition_id", name="uq_supervision_petitions_pair")
    )
    with op.batch_alter_table("supervision_petitions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervision_petitions_petition_id"), ["petition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_petitions_supervision_id"), ["supervision_id"], unique=False)

    op.create_table("supervision_scores",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("county_unit_id", sa.Integer(), nullable=False),
    sa.Column("points", sa.Integer(), nullable=False),
    sa.Column("reason", sa.String(length=16), nullable=False),
    sa.Column("petition_id", sa.Integer(), nullable=True),
    sa.Column("supervision_id", sa.Integer(), nullable=True),
    sa.Column("occurred_on", sa.Date(), nullable=False),
    sa.Column("key", sa.String(length=120), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("unit_id", sa.Integer(), nullable=False),
    sa.CheckConstraint("reason IN ('yellow', 'red', 'on_time_close')", name=op.f("ck_supervision_scores_reason")),
    sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_supervision_scores_county_unit_id_units")),
    sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                            name=op.f("fk_supervision_scores_petition_id_petitions"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["supervision_id"], ["supervisions.id"],
                            name=op.f("fk_supervision_scores_supervision_id_supervisions"), ondelete="SET NULL"),
    sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_supervision_scores_unit_id_units")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_scores")),
    sa.UniqueConstraint("key", name=op.f("uq_supervision_scores_key"))
    )
    with op.batch_alter_table("supervision_scores", schema=None) as batch_op:
        batch_op.create_index("ix_supervision_scores_county_occurred", ["county_unit_id", "occurred_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_scores_petition_id"), ["petition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_supervision_scores_unit_id"), ["unit_id"], unique=False)

    _secure()


def downgrade():
    _unsecure()
    with op.batch_alter_table("supervision_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_scores_unit_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_scores_petition_id"))
        batch_op.drop_index("ix_supervision_scores_county_occurred")

    op.drop_table("supervision_scores")
    with op.batch_alter_table("supervision_petitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_petitions_supervision_id"))
        batch_op.drop_index(batch_op.f("ix_supervision_petitions_petition_id"))

    op.drop_table("supervision_petitions")
    with op.batch_alter_table("supervision_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_events_supervision_id"))

    op.drop_table("supervision_events")
    with op.batch_alter_table("supervision_clocks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_clocks_unit_id"))
        batch_op.drop_index("ix_supervision_clocks_next_on")
        batch_op.drop_index("ix_supervision_clocks_county_yellow")

    op.drop_table("supervision_clocks")
    with op.batch_alter_table("supervisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisions_unit_id"))
        batch_op.drop_index("ix_supervisions_target_state")
        batch_op.drop_index("ix_supervisions_county_state_level")
        batch_op.drop_index("ix_supervisions_county_feedback_due")

    op.drop_table("supervisions")
