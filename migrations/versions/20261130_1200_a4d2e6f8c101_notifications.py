"""Notifications: one row per recipient and cause, owned by the recipient's unit (RLS like every tenant table).

Revision ID: a4d2e6f8c101
Revises: f5c1a9d3e207
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

revision = "a4d2e6f8c101"
down_revision = "f5c1a9d3e207"
branch_labels = None
depends_on = None

TABLE = "notifications"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("event_key", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("object_type", sa.String(length=24), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_notifications_unit_id_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "event_key", name="uq_notifications_user_event"),
    )
    op.create_index("ix_notifications_user_read", TABLE, ["user_id", "read_at", "id"], unique=False)
    op.create_index(op.f("ix_notifications_unit_id"), TABLE, ["unit_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.enable_rls_expression(TABLE, rls_sql.sees("unit_id")):
            op.execute(statement)
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {TABLE}_id_seq TO {role}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.disable_rls(TABLE):
            op.execute(statement)
    op.drop_index(op.f("ix_notifications_unit_id"), table_name=TABLE)
    op.drop_index("ix_notifications_user_read", table_name=TABLE)
    op.drop_table(TABLE)
