"""The people of a hall visit keep their name and masked ID and phone as the desk registered them, so the
queue and the window read one table instead of probing the petitioner files' visibility; rows already there
take them from their files.

Revision ID: ef99aeebaf9c
Revises: b1599496bf95
Created: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = "ef99aeebaf9c"
down_revision = "b1599496bf95"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("hall_visit_people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=60), server_default="", nullable=False))
        batch_op.add_column(sa.Column("id_number_masked", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("phone_masked", sa.String(length=24), nullable=True))
    op.execute("""
        UPDATE hall_visit_people SET
            name = (SELECT p.name FROM petitioners p WHERE p.id = hall_visit_people.petitioner_id),
            id_number_masked = (SELECT p.id_number_masked FROM petitioners p
                                WHERE p.id = hall_visit_people.petitioner_id),
            phone_masked = (SELECT p.phone_masked FROM petitioners p WHERE p.id = hall_visit_people.petitioner_id)
    """)


def downgrade():
    with op.batch_alter_table("hall_visit_people", schema=None) as batch_op:
        batch_op.drop_column("phone_masked")
        batch_op.drop_column("id_number_masked")
        batch_op.drop_column("name")
