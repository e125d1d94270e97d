"""Units carry the contact printed on their notices: a contact person, a phone and an address.

Revision ID: d3a8c5f1b702
Revises: c7d2a9e41f10
Created: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "d3a8c5f1b702"
down_revision = "c7d2a9e41f10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_person", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_person")
