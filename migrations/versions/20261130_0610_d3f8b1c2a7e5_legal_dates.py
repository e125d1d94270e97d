"""Legal dates: how and when each opinion was delivered (the review windows count from it), the 暂定 mark on
a stored limit, and the imported holiday schedules (national, so no RLS; the app role may read and write).

Revision ID: d3f8b1c2a7e5
Revises: c7d2a9e41f10
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime

revision = "d3f8b1c2a7e5"
down_revision = "d3a8c5f1b702"
branch_labels = None
depends_on = None

DELIVERY_COLUMNS = ("reply", "reexamination", "final_review")


def upgrade():
    op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("off", sa.Text(), nullable=False),
        sa.Column("work", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_holiday_years")),
    )
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        for name in DELIVERY_COLUMNS:
            batch_op.add_column(sa.Column(f"{name}_delivery", sa.String(length=12), nullable=True))
            batch_op.add_column(sa.Column(f"{name}_delivered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_provisional", sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON holiday_years TO {role}")


def downgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_column("due_provisional")
        for name in reversed(DELIVERY_COLUMNS):
            batch_op.drop_column(f"{name}_delivered_on")
            batch_op.drop_column(f"{name}_delivery")
    op.drop_table("holiday_years")
