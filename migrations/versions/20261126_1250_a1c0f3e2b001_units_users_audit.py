"""Units (tenants), windows, users, login sessions, the audit chain; RLS and append-only guards.

Revision ID: a1c0f3e2b001
Revises:
Created: 2026-11-26
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

revision = "a1c0f3e2b001"
down_revision = None
branch_labels = None
depends_on = None

RLS_TABLES = {"units": "id", "users": "unit_id", "windows": "unit_id"}
APPEND_ONLY = ("UPDATE", "DELETE")


def _app_role() -> str:
    return os.environ.get("DATABASE_APP_ROLE", "county_net_app")


def _ts(name, nullable=False):
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def upgrade():
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("short_name", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.CheckConstraint("kind IN ('county_center', 'township', 'bureau', 'enterprise', 'village')",
                           name=op.f("ck_units_kind")),
        sa.ForeignKeyConstraint(["parent_id"], ["units.id"], name=op.f("fk_units_parent_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("code", name=op.f("uq_units_code")),
    )
    op.create_index(op.f("ix_units_parent_id"), "units", ["parent_id"])
    op.create_index(op.f("ix_units_path"), "units", ["path"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("roles", sa.String(64), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("password_changed_at"),
        _ts("last_login_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_users_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_index(op.f("ix_users_unit_id"), "users", ["unit_id"])

    op.create_table(
        "windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_windows_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_windows")),
        sa.UniqueConstraint("unit_id", "number", name="uq_windows_unit_number"),
    )
    op.create_index(op.f("ix_windows_unit_id"), "windows", ["unit_id"])

    op.create_table(
        "window_stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("stationed_unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["stationed_unit_id"], ["units.id"],
                                name=op.f("fk_window_stations_stationed_unit_id_units")),
        sa.ForeignKeyConstraint(["window_id"], ["windows.id"], name=op.f("fk_window_stations_window_id_windows"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_window_stations")),
        sa.UniqueConstraint("window_id", "stationed_unit_id", name="uq_window_stations_window_unit"),
    )
    op.create_index(op.f("ix_window_stations_stationed_unit_id"), "window_stations", ["stationed_unit_id"])
    op.create_index(op.f("ix_window_stations_window_id"), "window_stations", ["window_id"])

    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        _ts("created_at"),
        _ts("last_seen_at"),
        _ts("expires_at"),
        sa.Column("client_addr", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(200), nullable=True),
        _ts("revoked_at", nullable=True),
        sa.Column("revoke_reason", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_auth_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_auth_sessions_token_hash")),
    )
    op.create_index(op.f("ix_auth_sessions_user_id"), "auth_sessions", ["user_id"])

    op.create_table(
        "audit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        _ts("occurred_at"),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(64), nullable=False),
        sa.Column("actor_unit_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=True),
        sa.Column("target_id", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("client_addr", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_records_seq")),
    )
    op.create_index(op.f("ix_audit_records_action"), "audit_records", ["action"])
    op.create_index(op.f("ix_audit_records_actor_unit_id"), "audit_records", ["actor_unit_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER audit_records_no_{verb.lower()} BEFORE {verb} ON audit_records "
                f"BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION county_net_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records "
            "FOR EACH ROW EXECUTE FUNCTION county_net_append_only()"
        )
        op.execute(rls_sql.MAY_SEE_FUNCTION)
        for table, column in RLS_TABLES.items():
            for statement in rls_sql.enable_rls(table, column):
                op.execute(statement)
        role = _app_role()
        op.execute(rls_sql.ensure_app_role(role))
        for statement in rls_sql.grant_app_role(role):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in RLS_TABLES:
            for statement in rls_sql.disable_rls(table):
                op.execute(statement)
        op.execute("DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS county_net_append_only()")
    elif dialect == "sqlite":
        for verb in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS audit_records_no_{verb.lower()}")
    for table in ("audit_records", "auth_sessions", "window_stations", "windows", "users", "units"):
        op.drop_table(table)
    if dialect == "postgresql":
        op.execute(rls_sql.DROP_MAY_SEE_FUNCTION)
