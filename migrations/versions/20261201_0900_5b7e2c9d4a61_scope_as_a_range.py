"""The scope as a range (issue 14): a principal's published scope names its unit's path instead of every unit
of its subtree, and the policies read the subtree from units.path (a byte-wise range on a new index), so the
token and the SQL are the same size for a village and for a county center. A matter's child rows (parties,
events, links, attachments, readings) keep copies of its county and accused unit, so that a county-wide
principal's policy decides on the row alone instead of probing petitions.

Revision ID: 5b7e2c9d4a61
Revises: 6ec6f629fe50
Created: 2026-12-01
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.tenancy import rls_sql

revision = "5b7e2c9d4a61"
down_revision = "6ec6f629fe50"
branch_labels = None
depends_on = None

CHILD_TABLES = rls_sql.PETITION_CHILD_TABLES
# petition_events is append-only by trigger: the copies are written with the trigger off, then it is back.
_SQLITE_EVENTS_TRIGGER = ("CREATE TRIGGER petition_events_no_update BEFORE UPDATE ON petition_events "
                          "BEGIN SELECT RAISE(ABORT, 'petition_events is append-only'); END")


def _role() -> str:
    return os.environ.get("DATABASE_APP_ROLE", "county_net_app")


def upgrade():
    dialect = op.get_bind().dialect.name
    for table in CHILD_TABLES:
        # NOT NULL from the start (a placeholder default, filled just below; PostgreSQL then drops it).
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("county_unit_id", sa.Integer(), nullable=False, server_default="0"))
            batch_op.add_column(sa.Column("accused_unit_id", sa.Integer(), nullable=True))
    if dialect == "postgresql":
        op.execute("ALTER TABLE petition_events DISABLE TRIGGER petition_events_append_only")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS petition_events_no_update")
    for table in CHILD_TABLES:
        op.execute(f"UPDATE {table} SET county_unit_id = p.county_unit_id, accused_unit_id = p.accused_unit_id "
                   f"FROM petitions p WHERE p.id = {table}.petition_id")
    if dialect == "postgresql":
        op.execute("ALTER TABLE petition_events ENABLE TRIGGER petition_events_append_only")
        for table in CHILD_TABLES:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN county_unit_id DROP DEFAULT")
    elif dialect == "sqlite":
        op.execute(_SQLITE_EVENTS_TRIGGER)
    if dialect != "postgresql":
        return
    op.execute(rls_sql.PATH_INDEX)
    for statement in rls_sql.RANGE_FUNCTIONS:
        op.execute(statement)
    for statement in rls_sql.grant_range_functions(_role()):
        op.execute(statement)
    policies = {"units": rls_sql.UNIT_VISIBLE_V3, "petitions": rls_sql.PETITION_VISIBLE_V3,
                **{t: rls_sql.child_visible_v3(t) for t in CHILD_TABLES}}
    for table, expression in policies.items():
        for statement in rls_sql.replace_policy(table, expression):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        policies = {"units": rls_sql.sees("id"), "petitions": rls_sql.PETITION_VISIBLE_V2,
                    **{t: rls_sql.child_visible(t) for t in CHILD_TABLES}}
        for table, expression in policies.items():
            for statement in rls_sql.replace_policy(table, expression):
                op.execute(statement)
        op.execute(rls_sql.SIGNED_WRAPPERS[1])  # back to the one that reads id lists only
        for statement in rls_sql.DROP_RANGE_FUNCTIONS:
            op.execute(statement)
        op.execute(rls_sql.DROP_PATH_INDEX)
    for table in CHILD_TABLES:
        for name in ("accused_unit_id", "county_unit_id"):
            if dialect == "sqlite":  # in place: a batch copy would drop petition_events' triggers
                op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
            else:
                op.drop_column(table, name)
