"""The desk: follow-up tasks (回访) on closed matters, under RLS like any unit-owned table; and the board's
indexes, so that open matters counted by holding unit, and recent collective visits, are answered from an
index alone.

Revision ID: 49c0fa162ebb
Revises: d7e2a4c9f016
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

revision = "49c0fa162ebb"
down_revision = "d7e2a4c9f016"
branch_labels = None
depends_on = None

TABLE = "follow_ups"
POLICIES = [(f"{TABLE}_scope", "ALL", rls_sql.sees("unit_id"))]


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("county_unit_id", sa.Integer(), nullable=False),
        sa.Column("close_event_id", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("person", sa.String(length=60), nullable=True),
        sa.Column("result", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("could_not_reach", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_name", sa.String(length=60), nullable=True),
        sa.Column("new_petition_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("state IN ('pending', 'done')", name=op.f("ck_follow_ups_state")),
        sa.CheckConstraint("method IS NULL OR method IN ('phone', 'visit', 'sms')", name=op.f("ck_follow_ups_method")),
        sa.CheckConstraint("result IS NULL OR result IN ('satisfied', 'persists', 'reopened')",
                           name=op.f("ck_follow_ups_result")),
        sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_follow_ups_county_unit_id_units")),
        sa.ForeignKeyConstraint(["new_petition_id"], ["petitions.id"],
                                name=op.f("fk_follow_ups_new_petition_id_petitions")),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"], name=op.f("fk_follow_ups_petition_id_petitions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_follow_ups_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
        sa.UniqueConstraint("petition_id", "close_event_id", name="uq_follow_ups_petition_close"),
    )
    op.create_index(op.f("ix_follow_ups_petition_id"), TABLE, ["petition_id"], unique=False)
    op.create_index(op.f("ix_follow_ups_unit_id"), TABLE, ["unit_id"], unique=False)
    op.create_index("ix_follow_ups_unit_state_due", TABLE, ["unit_id", "state", "due_on"], unique=False)
    op.create_index("ix_follow_ups_state_due", TABLE, ["state", "due_on"], unique=False)
    op.create_index("ix_petitions_county_state_holder_due", "petitions",
                    ["county_unit_id", "state", "holder_unit_id", "due_on", "accused_unit_id"], unique=False,
                    postgresql_include=["unit_id", "id"])
    op.create_index("ix_petitions_collective_county_received", "petitions",
                    ["county_unit_id", "received_at", "accused_unit_id"], unique=False,
                    sqlite_where=sa.text("is_collective IS 1"), postgresql_where=sa.text("is_collective IS true"),
                    postgresql_include=["unit_id", "holder_unit_id", "id"])
    if op.get_bind().dialect.name == "postgresql":
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        for statement in rls_sql.enable_rls_policies(TABLE, POLICIES):
            op.execute(statement)
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {TABLE} TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {TABLE}_id_seq TO {role}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.disable_rls_policies(TABLE, POLICIES):
            op.execute(statement)
    op.drop_index("ix_petitions_collective_county_received", table_name="petitions")
    op.drop_index("ix_petitions_county_state_holder_due", table_name="petitions")
    op.drop_index("ix_follow_ups_state_due", table_name=TABLE)
    op.drop_index("ix_follow_ups_unit_state_due", table_name=TABLE)
    op.drop_index(op.f("ix_follow_ups_unit_id"), table_name=TABLE)
    op.drop_index(op.f("ix_follow_ups_petition_id"), table_name=TABLE)
    op.drop_table(TABLE)
