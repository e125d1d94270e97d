"""Petition matters: categories, petitioners, matters, grants, parties, timeline, repeat links, numbering;
row-level security for all of them; the timeline is append-only; county settings on units.

Revision ID: b5ee575ee332
Revises: a1c0f3e2b001
Created: 2026-11-26
"""
import os

import sqlalchemy as sa
from alembic import op

from county_net.core.models import UTCDateTime
from county_net.tenancy import rls_sql

CATEGORIES = [
    ("01", "土地征收"), ("02", "房屋拆迁"), ("03", "劳动社保"), ("04", "企业改制"), ("05", "涉法涉诉"),
    ("06", "城乡建设"), ("07", "农村农业"), ("08", "教育"), ("09", "卫生健康"), ("10", "生态环境"),
    ("11", "民政"), ("12", "党纪政纪"), ("13", "物业管理"), ("14", "交通运输"), ("15", "市场监管"),
    ("16", "自然资源"), ("17", "退役军人"), ("18", "公安"), ("19", "水利"), ("99", "其他"),
]
CHILD_TABLES = ("petition_parties", "petition_events", "petition_links", "petition_attachments")


revision = 'b5ee575ee332'
down_revision = 'a1c0f3e2b001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('petition_counters',
    sa.Column('county_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_unit_id'], ['units.id'], name=op.f('fk_petition_counters_county_unit_id_units')),
    sa.PrimaryKeyConstraint('county_unit_id', 'year', name=op.f('pk_petition_counters'))
    )
    op.create_table('petitioners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('id_number_enc', sa.String(length=200), nullable=True),
    sa.Column('id_number_hash', sa.String(length=64), nullable=True),
    sa.Column('id_number_masked', sa.String(length=24), nullable=True),
    sa.Column('phone_enc', sa.String(length=200), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('phone_masked', sa.String(length=24), nullable=True),
    sa.Column('phone_last4', sa.String(length=4), nullable=True),
    sa.Column('name_phone_hash', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_petitioners_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitioners'))
    )
    with op.batch_alter_table('petitioners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petitioners_id_number_hash'), ['id_number_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitioners_name_phone_hash'), ['name_phone_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitioners_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitioners_unit_id'), ['unit_id'], unique=False)

    op.create_table('petitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('county_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('query_code', sa.String(length=16), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('registered_at', UTCDateTime(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('head_count', sa.Integer(), nullable=False),
    sa.Column('is_collective', sa.Boolean(), nullable=False),
    sa.Column('locality_unit_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('nature', sa.String(length=12), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('demands', sa.Text(), nullable=False),
    sa.Column('accused_unit_id', sa.Integer(), nullable=True),
    sa.Column('accused_description', sa.String(length=200), nullable=True),
    sa.Column('is_repeat', sa.Boolean(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('is_no_longer_accepted', sa.Boolean(), nullable=False),
    sa.Column('is_major', sa.Boolean(), nullable=False),
    sa.Column('is_simple', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('holder_unit_id', sa.Integer(), nullable=False),
    sa.Column('handling_unit_id', sa.Integer(), nullable=True),
    sa.Column('sender_unit_id', sa.Integer(), nullable=True),
    sa.Column('route', sa.String(length=10), nullable=True),
    sa.Column('received_by_unit_at', UTCDateTime(), nullable=True),
    sa.Column('report_due_on', sa.Date(), nullable=True),
    sa.Column('accepted_at', UTCDateTime(), nullable=True),
    sa.Column('replied_at', UTCDateTime(), nullable=True),
    sa.Column('reply_outcome', sa.String(length=12), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('extension_days', sa.Integer(), nullable=False),
    sa.Column('paused_days', sa.Integer(), nullable=False),
    sa.Column('paused_since', UTCDateTime(), nullable=True),
    sa.Column('pause_reason', sa.String(length=20), nullable=True),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('review_unit_id', sa.Integer(), nullable=True),
    sa.Column('review_organ', sa.String(length=120), nullable=True),
    sa.Column('reexamination_requested_at', UTCDateTime(), nullable=True),
    sa.Column('reexamination_decided_at', UTCDateTime(), nullable=True),
    sa.Column('reexamination_result', sa.String(length=8), nullable=True),
    sa.Column('final_review_requested_at', UTCDateTime(), nullable=True),
    sa.Column('final_review_decided_at', UTCDateTime(), nullable=True),
    sa.Column('final_review_result', sa.String(length=8), nullable=True),
    sa.Column('concluded_at', UTCDateTime(), nullable=True),
    sa.Column('satisfaction', sa.String(length=20), nullable=True),
    sa.Column('satisfaction_at', UTCDateTime(), nullable=True),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.Column('archived_at', UTCDateTime(), nullable=True),
    sa.Column('due_step', sa.String(length=24), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('visit', 'letter', 'phone', 'online', 'other')", name=op.f('ck_petitions_channel')),
    sa.CheckConstraint("nature IN ('demand', 'suggestion', 'inquiry', 'accusation', 'appeal')", name=op.f('ck_petitions_nature')),
    sa.CheckConstraint('head_count >= 1', name=op.f('ck_petitions_head_count')),
    sa.ForeignKeyConstraint(['accused_unit_id'], ['units.id'], name=op.f('fk_petitions_accused_unit_id_units')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_petitions_category_id_categories')),
    sa.ForeignKeyConstraint(['county_unit_id'], ['units.id'], name=op.f('fk_petitions_county_unit_id_units')),
    sa.ForeignKeyConstraint(['handling_unit_id'], ['units.id'], name=op.f('fk_petitions_handling_unit_id_units')),
    sa.ForeignKeyConstraint(['holder_unit_id'], ['units.id'], name=op.f('fk_petitions_holder_unit_id_units')),
    sa.ForeignKeyConstraint(['locality_unit_id'], ['units.id'], name=op.f('fk_petitions_locality_unit_id_units')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_petitions_registered_by_id_users')),
    sa.ForeignKeyConstraint(['review_unit_id'], ['units.id'], name=op.f('fk_petitions_review_unit_id_units')),
    sa.ForeignKeyConstraint(['sender_unit_id'], ['units.id'], name=op.f('fk_petitions_sender_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_petitions_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petitions')),
    sa.UniqueConstraint('county_unit_id', 'year', 'seq', name='uq_petitions_county_year_seq'),
    sa.UniqueConstraint('number', name=op.f('uq_petitions_number')),
    sa.UniqueConstraint('query_code', name=op.f('uq_petitions_query_code'))
    )
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petitions_accused_unit_id'), ['accused_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_handling_unit_id'), ['handling_unit_id'], unique=False)
        batch_op.create_index('ix_petitions_holder_state_due', ['holder_unit_id', 'state', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_locality_unit_id'), ['locality_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petitions_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('ix_petitions_unit_received', ['unit_id', 'received_at'], unique=False)

    op.create_table('petition_access',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('grantee_unit_id', sa.Integer(), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('ended_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['grantee_unit_id'], ['units.id'], name=op.f('fk_petition_access_grantee_unit_id_units')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_access_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_petition_access_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_access'))
    )
    with op.batch_alter_table('petition_access', schema=None) as batch_op:
        batch_op.create_index('ix_petition_access_grantee_petition', ['grantee_unit_id', 'petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petition_access_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petition_access_unit_id'), ['unit_id'], unique=False)

    op.create_table('petition_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('actor_unit_id', sa.Integer(), nullable=True),
    sa.Column('target_unit_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_unit_id'], ['units.id'], name=op.f('fk_petition_events_actor_unit_id_units')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_events_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_unit_id'], ['units.id'], name=op.f('fk_petition_events_target_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_events'))
    )
    with op.batch_alter_table('petition_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_events_petition_id'), ['petition_id'], unique=False)

    op.create_table('petition_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('earlier_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['earlier_id'], ['petitions.id'], name=op.f('fk_petition_links_earlier_id_petitions')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_links_petition_id_petitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_links')),
    sa.UniqueConstraint('petition_id', 'earlier_id', name='uq_petition_links_pair')
    )
    with op.batch_alter_table('petition_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_links_earlier_id'), ['earlier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petition_links_petition_id'), ['petition_id'], unique=False)

    op.create_table('petition_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.Column('petitioner_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_representative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_parties_petition_id_petitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['petitioner_id'], ['petitioners.id'], name=op.f('fk_petition_parties_petitioner_id_petitioners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_parties')),
    sa.UniqueConstraint('petition_id', 'petitioner_id', name='uq_petition_parties_pair')
    )
    with op.batch_alter_table('petition_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_petition_parties_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_petition_parties_petitioner_id'), ['petitioner_id'], unique=False)

    op.create_table('petition_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_by_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_petition_attachments_petition_id_petitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_petition_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_petition_attachments_storage_key'))
    )
    op.create_index(op.f('ix_petition_attachments_petition_id'), 'petition_attachments', ['petition_id'])

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.Text(), nullable=False, server_default='{}'))

    categories = sa.table("categories", sa.column("code", sa.String), sa.column("name", sa.String),
                          sa.column("sort_order", sa.Integer), sa.column("is_active", sa.Boolean))
    op.bulk_insert(categories, [{"code": c, "name": n, "sort_order": i, "is_active": True}
                                for i, (c, n) in enumerate(CATEGORIES)])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER petition_events_no_{verb.lower()} BEFORE {verb} ON petition_events "
                       f"BEGIN SELECT RAISE(ABORT, 'petition_events is append-only'); END")
    elif dialect == "postgresql":
        op.execute("CREATE TRIGGER petition_events_append_only BEFORE UPDATE OR DELETE ON petition_events "
                   "FOR EACH ROW EXECUTE FUNCTION county_net_append_only()")
        op.execute(rls_sql.IS_SELF_FUNCTION)
        policies = {"petitions": rls_sql.PETITION_VISIBLE, "petition_access": rls_sql.GRANT_VISIBLE,
                    "petitioners": rls_sql.PETITIONER_VISIBLE}
        policies.update({t: rls_sql.child_visible(t) for t in CHILD_TABLES})
        for table, expression in policies.items():
            for statement in rls_sql.enable_rls_expression(table, expression):
                op.execute(statement)
        role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
        for statement in rls_sql.grant_app_role(role):
            op.execute(statement)
        op.execute(f"GRANT EXECUTE ON FUNCTION county_net_is_self(bigint) TO {role}")
        op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON petition_events FROM {role}")



def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in ("petitions", "petition_access", "petitioners", *CHILD_TABLES):
            for statement in rls_sql.disable_rls(table):
                op.execute(statement)
        op.execute("DROP TRIGGER IF EXISTS petition_events_append_only ON petition_events")
    elif dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS petition_events_no_{verb}")
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('settings')

    with op.batch_alter_table('petition_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_parties_petitioner_id'))
        batch_op.drop_index(batch_op.f('ix_petition_parties_petition_id'))

    op.drop_table('petition_attachments')
    op.drop_table('petition_parties')
    with op.batch_alter_table('petition_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_links_petition_id'))
        batch_op.drop_index(batch_op.f('ix_petition_links_earlier_id'))

    op.drop_table('petition_links')
    with op.batch_alter_table('petition_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_events_petition_id'))

    op.drop_table('petition_events')
    with op.batch_alter_table('petition_access', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petition_access_unit_id'))
        batch_op.drop_index(batch_op.f('ix_petition_access_petition_id'))
        batch_op.drop_index('ix_petition_access_grantee_petition')

    op.drop_table('petition_access')
    with op.batch_alter_table('petitions', schema=None) as batch_op:
        batch_op.drop_index('ix_petitions_unit_received')
        batch_op.drop_index(batch_op.f('ix_petitions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_thread_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_state'))
        batch_op.drop_index(batch_op.f('ix_petitions_locality_unit_id'))
        batch_op.drop_index('ix_petitions_holder_state_due')
        batch_op.drop_index(batch_op.f('ix_petitions_handling_unit_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_due_on'))
        batch_op.drop_index(batch_op.f('ix_petitions_category_id'))
        batch_op.drop_index(batch_op.f('ix_petitions_accused_unit_id'))

    op.drop_table('petitions')
    with op.batch_alter_table('petitioners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_petitioners_unit_id'))
        batch_op.drop_index(batch_op.f('ix_petitioners_phone_hash'))
        batch_op.drop_index(batch_op.f('ix_petitioners_name_phone_hash'))
        batch_op.drop_index(batch_op.f('ix_petitioners_id_number_hash'))

    op.drop_table('petitioners')
    op.drop_table('petition_counters')
    op.drop_table('categories')
    if dialect == "postgresql":
        op.execute(rls_sql.DROP_IS_SELF_FUNCTION)
