"""Petitioners' contact changes: the file's version (optimistic concurrency for corrections), an append-only
history of earlier phones and addresses (row-level security like the file itself), and each matter's own
phone for /query (encrypted, keyed hash, last four digits).

Revision ID: e4b7c2d91a05
Revises: c7d2a9e41f10
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

revision = "e4b7c2d91a05"
down_revision = "d3f8b1c2a7e5"
branch_labels = None
depends_on = None

TABLE = "petitioner_contact_changes"


def upgrade():
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("petition_parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_enc", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("phone_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_last4", sa.String(length=4), nullable=True))
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petitioner_id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=60), nullable=False),
        sa.Column("actor_unit_id", sa.Integer(), nullable=True),
        sa.Column("old_phone_enc", sa.String(length=200), nullable=True),
        sa.Column("old_phone_masked", sa.String(length=24), nullable=True),
        sa.Column("new_phone_masked", sa.String(length=24), nullable=True),
        sa.Column("old_address", sa.String(length=200), nullable=True),
        sa.Column("new_address", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["petitioner_id"], ["petitioners.id"],
                                name=op.f("fk_petitioner_contact_changes_petitioner_id_petitioners")),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                                name=op.f("fk_petitioner_contact_changes_petition_id_petitions")),
        sa.ForeignKeyConstraint(["actor_unit_id"], ["units.id"],
                                name=op.f("fk_petitioner_contact_changes_actor_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petitioner_contact_changes")),
    )
    op.create_index(op.f("ix_petitioner_contact_changes_petitioner_id"), TABLE, ["petitioner_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END")
    elif dialect == "postgresql":
        op.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                   "FOR EACH ROW EXECUTE FUNCTION county_net_append_only()")
        for statement in rls_sql.enable_rls_expression(TABLE, rls_sql.CONTACT_CHANGE_VISIBLE):
            op.execute(statement)
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT ON {TABLE} TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {TABLE}_id_seq TO {role}")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in rls_sql.disable_rls(TABLE):
            op.execute(statement)
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
    elif dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")
    op.drop_index(op.f("ix_petitioner_contact_changes_petitioner_id"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("petition_parties", schema=None) as batch_op:
        batch_op.drop_column("phone_last4")
        batch_op.drop_column("phone_hash")
        batch_op.drop_column("phone_enc")
    with op.batch_alter_table("petitioners", schema=None) as batch_op:
        batch_op.drop_column("version")
