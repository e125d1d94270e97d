"""The deadline sweep's fingerprint (issue 14): each matter keeps the basis its stored limit was counted under
(reference stamps of the units and the holiday schedules, and the counting code's version), so a sweep with
nothing changed passes over it. Empty on existing rows: the next sweep counts them all and stamps them.

Revision ID: 8c4e1a7b2d93
Revises: 5b7e2c9d4a61
Created: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "8c4e1a7b2d93"
down_revision = "5b7e2c9d4a61"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both engines: the table, its triggers and policies stay as they are.
    op.add_column("petitions", sa.Column("due_basis", sa.BigInteger(), nullable=True))


def downgrade():
    op.drop_column("petitions", "due_basis")
