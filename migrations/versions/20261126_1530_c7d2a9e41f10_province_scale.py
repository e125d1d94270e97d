"""Province scale: a matter's number is unique within its county (two counties may share a pattern); the
indexes the inbox, the county-wide search and the grant probes use; RLS policies that parse the scope once per
statement rather than once per row.

Revision ID: c7d2a9e41f10
Revises: b5ee575ee332
Created: 2026-11-26
"""
import os

from alembic import op

from county_net.tenancy import rls_sql

revision = "c7d2a9e41f10"
down_revision = "b5ee575ee332"
branch_labels = None
depends_on = None

CHILD_TABLES = ("petition_parties", "petition_events", "petition_links", "petition_attachments")


def _policies(version: int) -> dict[str, str]:
    if version == 2:
        policies = {"units": rls_sql.sees("id"), "users": rls_sql.sees("unit_id"),
                    "windows": rls_sql.sees("unit_id"), "petitions": rls_sql.PETITION_VISIBLE_V2,
                    "petition_access": rls_sql.GRANT_VISIBLE_V2, "petitioners": rls_sql.PETITIONER_VISIBLE_V2}
    else:
        policies = {"units": "county_net_may_see(id)", "users": "county_net_may_see(unit_id)",
                    "windows": "county_net_may_see(unit_id)", "petitions": rls_sql.PETITION_VISIBLE,
                    "petition_access": rls_sql.GRANT_VISIBLE, "petitioners": rls_sql.PETITIONER_VISIBLE}
    policies.update({t: rls_sql.child_visible(t) for t in CHILD_TABLES})
    return policies


def upgrade():
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_petitions_number", type_="unique")
        batch_op.create_unique_constraint("uq_petitions_number_county", ["number", "county_unit_id"])
        batch_op.create_index("ix_petitions_county_received", ["county_unit_id", "received_at", "accused_unit_id"])
        batch_op.create_index("ix_petitions_county_state_due", ["county_unit_id", "state", "due_on"])
        batch_op.create_index("ix_petitions_county_category_received", ["county_unit_id", "category_id", "received_at"])
        batch_op.drop_index("ix_petitions_holder_state_due")
        batch_op.create_index("ix_petitions_inbox", ["holder_unit_id", "state", "due_on", "county_unit_id",
                                                     "accused_unit_id"])
    with op.batch_alter_table("petition_access", schema=None) as batch_op:
        batch_op.create_index("ix_petition_access_petition_grantee", ["petition_id", "grantee_unit_id"])
        batch_op.drop_index("ix_petition_access_petition_id")
    if op.get_bind().dialect.name == "postgresql":
        for statement in rls_sql.SCOPE_FUNCTIONS:
            op.execute(statement)
        for statement in rls_sql.grant_functions(os.environ.get("DATABASE_APP_ROLE", "county_net_app")):
            op.execute(statement)
        for table, expression in _policies(2).items():
            for statement in rls_sql.replace_policy(table, expression):
                op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table, expression in _policies(1).items():
            for statement in rls_sql.replace_policy(table, expression):
                op.execute(statement)
        for statement in rls_sql.DROP_SCOPE_FUNCTIONS:
            op.execute(statement)
    with op.batch_alter_table("petition_access", schema=None) as batch_op:
        batch_op.create_index("ix_petition_access_petition_id", ["petition_id"])
        batch_op.drop_index("ix_petition_access_petition_grantee")
    with op.batch_alter_table("petitions", schema=None) as batch_op:
        batch_op.drop_index("ix_petitions_inbox")
        batch_op.create_index("ix_petitions_holder_state_due", ["holder_unit_id", "state", "due_on"])
        batch_op.drop_index("ix_petitions_county_category_received")
        batch_op.drop_index("ix_petitions_county_state_due")
        batch_op.drop_index("ix_petitions_county_received")
        batch_op.drop_constraint("uq_petitions_number_county", type_="unique")
        batch_op.create_unique_constraint("uq_petitions_number", ["number"])
