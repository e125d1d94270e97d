"""Reference stamps (issue 14): one row whose columns change whenever units, categories or the imported
holiday schedules change, in the same transaction, by trigger on both engines, so that every process may keep
the county directory, county settings, categories and the calendar in memory and notice a change on its next
request. A stamp is a fresh random number, not a counter: a value seen inside a transaction that rolled back
never comes back to stand for other data.

The row holds three random numbers and no tenant data, so it stays outside row-level security: a writer of any
scope must be able to bump it, and a trigger that silently updated no row under a policy would leave every
process on stale data.

Revision ID: 5e2c0b7d41a9
Revises: a76342f9226b
Created: 2026-12-01
"""
import os

import sqlalchemy as sa
from alembic import op

revision = "5e2c0b7d41a9"
down_revision = "a76342f9226b"
branch_labels = None
depends_on = None

WATCHED = {"units": "units", "categories": "categories", "holiday_years": "calendar"}


def _upsert(column: str, fresh: str) -> str:
    # An upsert, not an UPDATE: the row comes back if it was ever emptied out (a truncated table).
    return (f"INSERT INTO reference_stamps (id, units, categories, calendar) VALUES (1, {fresh}, {fresh}, {fresh}) "
            f"ON CONFLICT (id) DO UPDATE SET {column} = excluded.{column}")


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "reference_stamps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("categories", sa.BigInteger(), nullable=False),
        sa.Column("calendar", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_reference_stamps_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_stamps")),
    )
    op.execute("INSERT INTO reference_stamps (id, units, categories, calendar) VALUES (1, 1, 1, 1)")
    if dialect == "sqlite":
        for table, column in WATCHED.items():
            for verb in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_stamp_{verb.lower()} AFTER {verb} ON {table} BEGIN "
                           f"{_upsert(column, 'abs(random())')}; END")
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION county_net_bump_reference() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "EXECUTE format('" + _upsert("%I", "(random() * 9.0e18)::bigint") + "', TG_ARGV[0], TG_ARGV[0]); "
            "RETURN NULL; END $$"
        )
        for table, column in WATCHED.items():
            # Once per statement: a bulk load of 2,000 units bumps the row once.
            op.execute(f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION county_net_bump_reference('{column}')")
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON reference_stamps TO {role}")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in WATCHED:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp_{verb}")
    elif dialect == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_stamp ON {table}")
        op.execute("DROP FUNCTION IF EXISTS county_net_bump_reference()")
    op.drop_table("reference_stamps")
