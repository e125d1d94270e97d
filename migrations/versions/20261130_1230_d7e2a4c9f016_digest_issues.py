"""摘报: the stored weekly digest issues (figures as JSON), owned by the county center, under RLS.

Revision ID: d7e2a4c9f016
Revises: c94463802381
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

revision = "d7e2a4c9f016"
down_revision = "c94463802381"
branch_labels = None
depends_on = None

TABLE = "digest_issues"
POLICIES = [(f"{TABLE}_scope", "ALL", rls_sql.sees("unit_id"))]


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('weekly')", name=op.f("ck_digest_issues_kind")),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_digest_issues_period")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_digest_issues_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_issues")),
        sa.UniqueConstraint("unit_id", "kind", "period_start", name="uq_digest_issues_unit_kind_start"),
    )
    op.create_index(op.f("ix_digest_issues_unit_id"), TABLE, ["unit_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.enable_rls_policies(TABLE, POLICIES):
            op.execute(statement)
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {TABLE}_id_seq TO {role}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.disable_rls_policies(TABLE, POLICIES):
            op.execute(statement)
    op.drop_index(op.f("ix_digest_issues_unit_id"), table_name=TABLE)
    op.drop_table(TABLE)
