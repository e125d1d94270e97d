"""Inbox counters (issue 14): per unit, how many matters it holds in 待签收, 办理中, 被退回 and 待审查, moved by the
petition services in each transition's transaction (county_net/petitions/boxes.py). Owned by the unit, so under
row-level security like every unit-owned table. Filled here from the rows as they stand (the same rule as
`flask petitions recount`, written out in SQL as of this revision). With them, a partial index for the archive
list: a county's archived matters of one year. And on PostgreSQL, no JIT compilation for this database: a list
page is now one statement whose capped count makes the planner's estimate large, and compiling it took longer
than running it (docs/performance.md); the service runs short statements only.

Revision ID: 6ec6f629fe50
Revises: 5e2c0b7d41a9
Created: 2026-12-01
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.tenancy import rls_sql

revision = "6ec6f629fe50"
down_revision = "5e2c0b7d41a9"
branch_labels = None
depends_on = None

TABLE = "inbox_counters"
ARCHIVE_INDEX = "ix_petitions_archive_county_year_received"


def _states(*names: str) -> str:
    return "(" + ", ".join(f"'{n}'" for n in names) + ")"


OPEN = _states("registered", "returned", "transferred", "assigned", "signed", "handling", "replied", "reported",
               "reexamination", "final_review", "sub_assigned", "sub_handling", "sub_reported")
VERDICTS = _states("reply", "return_report", "decide_reexamination", "sub_assign", "sub_send_back",
                   "sub_file_report", "sub_approve_report", "sub_return_report")
REWORK = _states("return_report", "sub_return_report", "sub_send_back")
LAST_VERDICT = (f"(SELECT e.kind FROM petition_events e WHERE e.petition_id = p.id AND e.kind IN {VERDICTS} "
                "ORDER BY e.id DESC LIMIT 1)")


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


# A matter counts for its holder unless it accuses the holder or a unit on the holder's path (hidden from it).
FILL = f"""
INSERT INTO {TABLE} (unit_id, to_sign, handling, returned, review)
SELECT p.holder_unit_id,
       {_count("p.state IN " + _states("transferred", "assigned", "sub_assigned"))},
       {_count("p.state IN " + _states("registered", "signed", "handling", "replied", "sub_handling"))},
       {_count(f"p.state = 'returned' OR (p.state IN ('handling', 'sub_handling') AND {LAST_VERDICT} IN {REWORK})")},
       {_count("p.state IN " + _states("reported", "reexamination", "final_review", "sub_reported"))}
FROM petitions p JOIN units h ON h.id = p.holder_unit_id
WHERE p.state IN {OPEN}
  AND (p.accused_unit_id IS NULL OR h.path NOT LIKE '%/' || CAST(p.accused_unit_id AS VARCHAR) || '/%')
GROUP BY p.holder_unit_id
"""


# Only the database's owner may; a database made otherwise keeps JIT (with a notice) rather than failing.
NO_JIT = """
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'jit stays on: only the owner of the database may switch it off';
END
$$"""
KEEP_JIT = """
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  NULL;
END
$$"""


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("to_sign", sa.Integer(), server_default="0", nullable=False),
        sa.Column("handling", sa.Integer(), server_default="0", nullable=False),
        sa.Column("returned", sa.Integer(), server_default="0", nullable=False),
        sa.Column("review", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_inbox_counters_unit_id_units")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_inbox_counters")),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.enable_rls_expression(TABLE, rls_sql.sees("unit_id")):
            op.execute(statement)
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {TABLE} TO {role}")
        op.execute(NO_JIT)
    op.execute(FILL)
    # The archive list (立卷归档) reads a county's archived matters of one year: a small partial index.
    op.create_index(ARCHIVE_INDEX, "petitions", ["county_unit_id", "year", "received_at"], unique=False,
                    sqlite_where=sa.text("is_archived IS 1"), postgresql_where=sa.text("is_archived IS true"))


def downgrade():
    op.drop_index(ARCHIVE_INDEX, table_name="petitions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(KEEP_JIT)
        for statement in rls_sql.disable_rls(TABLE):
            op.execute(statement)
    op.drop_table(TABLE)
