"""Throttling counters shared by every process (login attempts, the public query page): one row per counter
and fixed window. The key is an HMAC of what is counted, so the table holds neither tenant nor personal data:
no unit_id and no row-level security; the app role reads, writes and purges it.

Revision ID: f1a7c3d9b2e4
Revises: f1c3a5e7b902
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime

revision = "f1a7c3d9b2e4"
down_revision = "f1c3a5e7b902"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "throttle_counters",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("window_start", UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", "window_start", name=op.f("pk_throttle_counters")),
    )
    op.create_index(op.f("ix_throttle_counters_expires_at"), "throttle_counters", ["expires_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON throttle_counters TO {role}")


def downgrade():
    op.drop_index(op.f("ix_throttle_counters_expires_at"), table_name="throttle_counters")
    op.drop_table("throttle_counters")
