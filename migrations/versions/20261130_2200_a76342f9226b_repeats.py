"""Repeat detection (issue 13): a matter's reading, the county's word counts and the retrieval index
(PostgreSQL full-text over a generated tsvector with a GIN index; SQLite FTS5 kept by triggers); a link keeps
the signals that proposed it and the clerk's reason for the decision.

repeat_index and repeat_terms hold keyed hashes and counts only and stay outside row-level security: a GIN
index cannot serve a non-leakproof @@ under a policy. The matters they point at are read under it.

Revision ID: a76342f9226b
Revises: ef99aeebaf9c
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

import county_net.core.models
from county_net.tenancy import rls_sql

revision = "a76342f9226b"
down_revision = "ef99aeebaf9c"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE repeat_index_fts USING fts5(terms, content='repeat_index', content_rowid='petition_id', "
    "detail=none)",
    "CREATE TRIGGER repeat_index_ai AFTER INSERT ON repeat_index BEGIN "
    "INSERT INTO repeat_index_fts(rowid, terms) VALUES (new.petition_id, new.terms); END",
    "CREATE TRIGGER repeat_index_ad AFTER DELETE ON repeat_index BEGIN "
    "INSERT INTO repeat_index_fts(repeat_index_fts, rowid, terms) VALUES ('delete', old.petition_id, old.terms); END",
    "CREATE TRIGGER repeat_index_au AFTER UPDATE ON repeat_index BEGIN "
    "INSERT INTO repeat_index_fts(repeat_index_fts, rowid, terms) VALUES ('delete', old.petition_id, old.terms); "
    "INSERT INTO repeat_index_fts(rowid, terms) VALUES (new.petition_id, new.terms); END",
]


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "petition_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("amounts", sa.Text(), nullable=False),
        sa.Column("objects", sa.Text(), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("reader_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                                name=op.f("fk_petition_readings_petition_id_petitions"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_petition_readings")),
        sa.UniqueConstraint("petition_id", name="uq_petition_readings_petition"),
    )
    op.create_index("ix_petition_readings_petition_id", "petition_readings", ["petition_id"])
    op.create_table(
        "repeat_index",
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("county_unit_id", sa.Integer(), nullable=False),
        sa.Column("received_at", county_net.core.models.UTCDateTime(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petitions.id"],
                                name=op.f("fk_repeat_index_petition_id_petitions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_repeat_index_county_unit_id_units")),
        sa.PrimaryKeyConstraint("petition_id", name=op.f("pk_repeat_index")),
    )
    op.create_index("ix_repeat_index_county_received", "repeat_index", ["county_unit_id", "received_at"])
    op.create_table(
        "repeat_terms",
        sa.Column("county_unit_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=24), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["county_unit_id"], ["units.id"], name=op.f("fk_repeat_terms_county_unit_id_units")),
        sa.PrimaryKeyConstraint("county_unit_id", "term", name=op.f("pk_repeat_terms")),
    )
    with op.batch_alter_table("petition_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signals", sa.Text(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("decision_note", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", county_net.core.models.UTCDateTime(), nullable=True))
    if dialect == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE repeat_index ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED")
        op.execute("CREATE INDEX ix_repeat_index_tsv ON repeat_index USING gin (tsv)")
        for statement in rls_sql.enable_rls_expression("petition_readings",
                                                       rls_sql.child_visible("petition_readings")):
            op.execute(statement)
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON petition_readings, repeat_index, repeat_terms TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE petition_readings_id_seq TO {role}")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("repeat_index_ai", "repeat_index_ad", "repeat_index_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS repeat_index_fts")
    with op.batch_alter_table("petition_links", schema=None) as batch_op:
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("signals")
    op.drop_table("repeat_terms")
    op.drop_index("ix_repeat_index_county_received", table_name="repeat_index")
    op.drop_table("repeat_index")
    op.drop_index("ix_petition_readings_petition_id", table_name="petition_readings")
    op.drop_table("petition_readings")
