"""Row-level security on every table with tenant or personal data (the audit log, login sessions, window
stations, categories, the number counters), and a scope the database can trust: the service signs what it
publishes (HMAC-SHA256 over the unit ids, the self ids, the backend pid and an expiry) and the policy functions
verify it once per statement, with a key the service's role cannot read. The service's role loses CREATE on
the public schema.

Revision ID: f5c1a9d3e207
Revises: f1a7c3d9b2e4
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import context, op

from county_net.tenancy import rls_sql

revision = "f5c1a9d3e207"
down_revision = "f1a7c3d9b2e4"
branch_labels = None
depends_on = None


def _role() -> str:
    return os.environ.get("DATABASE_APP_ROLE", "county_net_app")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite has no roles and no RLS: the ORM criteria are the only line there
    for statement in rls_sql.PRIVATE_SETUP:
        op.execute(statement)
    crypto = bind.execute(sa.text(rls_sql.CRYPTO_SCHEMA)).scalar_one()
    # migrations/env.py hands over the service's key, so that later revisions in this same run can read
    # under a signed system scope; env.py installs it again on every `flask db upgrade` (key rotation).
    key = context.config.attributes.get(rls_sql.KEY_ATTRIBUTE)
    if key:
        bind.execute(sa.text(rls_sql.INSTALL_KEY), {"key": key})
    for statement in rls_sql.signed_scope_functions(crypto):
        op.execute(statement)
    for statement in rls_sql.grant_scope_functions(_role()):
        op.execute(statement)
    for statement in rls_sql.lock_down_public(_role()):
        op.execute(statement)
    for table, policies in rls_sql.NEW_RLS_POLICIES.items():
        for statement in rls_sql.enable_rls_policies(table, policies):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, policies in rls_sql.NEW_RLS_POLICIES.items():
        for statement in rls_sql.disable_rls_policies(table, policies):
            op.execute(statement)
    for statement in rls_sql.unsigned_scope_functions(_role()):
        op.execute(statement)
    for statement in rls_sql.PRIVATE_TEARDOWN:
        op.execute(statement)
