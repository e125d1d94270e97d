"""交办下级: a township or bureau hands its matter down to a village or enterprise of its own, with a
report-back date.

Revision ID: d3e8b1f5a720
Revises: c7d2a9e41f10
Created: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "d3e8b1f5a720"
down_revision = "e4b7c2d91a05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sub_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sub_report_due_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_petitions_sub_unit_id_units"), "units", ["sub_unit_id"], ["id"])


def downgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_petitions_sub_unit_id_units"), type_="foreignkey")
        batch_op.drop_column("sub_report_due_on")
        batch_op.drop_column("sub_unit_id")
