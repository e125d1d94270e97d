"""矛盾纠纷排查: screening sheets and their lines, the sheets' timeline, exemptions, immediate reports and their
timeline; every table is owned by the reporting unit and under RLS like any unit-owned table. The timelines
are append-only for the application role (no UPDATE or DELETE granted).

Revision ID: 3440b06fa148
Revises: 49c0fa162ebb
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

import county_net.core.models
from county_net.tenancy import rls_sql

revision = "3440b06fa148"
down_revision = "49c0fa162ebb"
branch_labels = None
depends_on = None

TABLES = {  # table -> what the application role may do
    "screening_reports": "SELECT, INSERT, UPDATE, DELETE",
    "disputes": "SELECT, INSERT, UPDATE, DELETE",
    "screening_events": "SELECT, INSERT",
    "screening_exemptions": "SELECT, INSERT, UPDATE",
    "info_reports": "SELECT, INSERT, UPDATE",
    "info_report_events": "SELECT, INSERT",
}


def _policies(table):
    return [(f"{table}_scope", "ALL", rls_sql.sees("unit_id"))]


def _rls_on():
    role = os.environ.get("DATABASE_APP_ROLE", "county_net_app")
    for table, grants in TABLES.items():
        for statement in rls_sql.enable_rls_policies(table, _policies(table)):
            op.execute(statement)
        op.execute(f"GRANT {grants} ON {table} TO {role}")
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {table}_id_seq TO {role}")


def _rls_off():
    for table in TABLES:
        for statement in rls_sql.disable_rls_policies(table, _policies(table)):
            op.execute(statement)


def upgrade():
    op.create_table('screening_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_unit_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_name', sa.String(length=60), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['county_unit_id'], ['units.id'], name=op.f('fk_screening_exemptions_county_unit_id_units')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_screening_exemptions_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_screening_exemptions_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_exemptions'))
    )
    with op.batch_alter_table('screening_exemptions', schema=None) as batch_op:
        batch_op.create_index('ix_screening_exemptions_county', ['county_unit_id', 'starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_exemptions_unit_id'), ['unit_id'], unique=False)

    op.create_table('screening_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_unit_id', sa.Integer(), nullable=False),
    sa.Column('period_kind', sa.String(length=10), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('period_code', sa.String(length=10), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('is_nil', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('filled_by_id', sa.Integer(), nullable=True),
    sa.Column('filled_by_name', sa.String(length=60), nullable=False),
    sa.Column('submitted_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_by_name', sa.String(length=60), nullable=True),
    sa.Column('filed_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_by_name', sa.String(length=60), nullable=True),
    sa.Column('accepted_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_by_name', sa.String(length=60), nullable=True),
    sa.Column('return_stage', sa.String(length=8), nullable=True),
    sa.Column('return_note', sa.Text(), nullable=True),
    sa.Column('created_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("period_kind IN ('half_month', 'month', 'quarter')", name=op.f('ck_screening_reports_period_kind')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'filed', 'accepted', 'returned', 'superseded')", name=op.f('ck_screening_reports_state')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_screening_reports_revision')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_screening_reports_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['county_unit_id'], ['units.id'], name=op.f('fk_screening_reports_county_unit_id_units')),
    sa.ForeignKeyConstraint(['filled_by_id'], ['users.id'], name=op.f('fk_screening_reports_filled_by_id_users')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_screening_reports_signed_by_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['screening_reports.id'], name=op.f('fk_screening_reports_supersedes_id_screening_reports')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_screening_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_reports')),
    sa.UniqueConstraint('unit_id', 'period_kind', 'period_start', 'revision', name='uq_screening_reports_revision')
    )
    with op.batch_alter_table('screening_reports', schema=None) as batch_op:
        batch_op.create_index('ix_screening_reports_county_period', ['county_unit_id', 'period_start', 'counted'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_reports_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_screening_reports_counted', ['unit_id', 'period_kind', 'period_start'], unique=True, sqlite_where=sa.text('counted IS 1'), postgresql_where=sa.text('counted IS true'))

    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('county_unit_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('origin_key', sa.String(length=32), nullable=False),
    sa.Column('carried', sa.Boolean(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('dispute_type', sa.String(length=20), nullable=False),
    sa.Column('parties', sa.Text(), nullable=False),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('scale_band', sa.String(length=8), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=False),
    sa.Column('is_major', sa.Boolean(), nullable=False),
    sa.Column('collective_risk', sa.Boolean(), nullable=False),
    sa.Column('skip_level_risk', sa.Boolean(), nullable=False),
    sa.Column('measures', sa.Text(), nullable=False),
    sa.Column('responsible_unit', sa.String(length=100), nullable=False),
    sa.Column('responsible_leader', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('superseded_on', sa.Date(), nullable=True),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("scale_band IN ('lt50', '50_100', '100_500', 'gt500')", name=op.f('ck_disputes_scale_band')),
    sa.CheckConstraint("status IN ('screened', 'mediating', 'resolved', 'escalated')", name=op.f('ck_disputes_status')),
    sa.CheckConstraint('people_count >= 1', name=op.f('ck_disputes_people_count')),
    sa.ForeignKeyConstraint(['county_unit_id'], ['units.id'], name=op.f('fk_disputes_county_unit_id_units')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_disputes_petition_id_petitions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['screening_reports.id'], name=op.f('fk_disputes_report_id_screening_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_disputes_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes')),
    sa.UniqueConstraint('report_id', 'seq', name='uq_disputes_report_seq')
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index('ix_disputes_county_origin', ['county_unit_id', 'origin_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disputes_unit_id'), ['unit_id'], unique=False)

    op.create_table('info_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('collective_risk', sa.Boolean(), nullable=False),
    sa.Column('skip_level_risk', sa.Boolean(), nullable=False),
    sa.Column('is_urgent', sa.Boolean(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reporter_name', sa.String(length=60), nullable=False),
    sa.Column('sent_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_by_name', sa.String(length=60), nullable=True),
    sa.Column('overdue_notified_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assessment', sa.Text(), nullable=True),
    sa.Column('assessed_level', sa.String(length=8), nullable=True),
    sa.Column('assessed_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('assessed_by_name', sa.String(length=60), nullable=True),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('immediate', 'early_sign', 'special')", name=op.f('ck_info_reports_kind')),
    sa.CheckConstraint("state IN ('sent', 'received', 'assessed', 'converted', 'closed')", name=op.f('ck_info_reports_state')),
    sa.CheckConstraint('people_count >= 0', name=op.f('ck_info_reports_people_count')),
    sa.ForeignKeyConstraint(['county_unit_id'], ['units.id'], name=op.f('fk_info_reports_county_unit_id_units')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_info_reports_petition_id_petitions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_info_reports_reporter_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_info_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_reports'))
    )
    with op.batch_alter_table('info_reports', schema=None) as batch_op:
        batch_op.create_index('ix_info_reports_county_state_due', ['county_unit_id', 'state', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_info_reports_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_info_reports_unit_id'), ['unit_id'], unique=False)

    op.create_table('screening_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('actor_unit_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_unit_id'], ['units.id'], name=op.f('fk_screening_events_actor_unit_id_units')),
    sa.ForeignKeyConstraint(['report_id'], ['screening_reports.id'], name=op.f('fk_screening_events_report_id_screening_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_screening_events_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_events'))
    )
    with op.batch_alter_table('screening_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_events_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_events_unit_id'), ['unit_id'], unique=False)

    op.create_table('info_report_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('info_report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('from_state', sa.String(length=10), nullable=True),
    sa.Column('to_state', sa.String(length=10), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('actor_unit_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_unit_id'], ['units.id'], name=op.f('fk_info_report_events_actor_unit_id_units')),
    sa.ForeignKeyConstraint(['info_report_id'], ['info_reports.id'], name=op.f('fk_info_report_events_info_report_id_info_reports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_info_report_events_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_info_report_events'))
    )
    with op.batch_alter_table('info_report_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_info_report_events_info_report_id'), ['info_report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_info_report_events_unit_id'), ['unit_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        _rls_on()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _rls_off()
    with op.batch_alter_table('info_report_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_report_events_unit_id'))
        batch_op.drop_index(batch_op.f('ix_info_report_events_info_report_id'))

    op.drop_table('info_report_events')
    with op.batch_alter_table('screening_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_events_unit_id'))
        batch_op.drop_index(batch_op.f('ix_screening_events_report_id'))

    op.drop_table('screening_events')
    with op.batch_alter_table('info_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_info_reports_unit_id'))
        batch_op.drop_index(batch_op.f('ix_info_reports_petition_id'))
        batch_op.drop_index('ix_info_reports_county_state_due')

    op.drop_table('info_reports')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disputes_unit_id'))
        batch_op.drop_index(batch_op.f('ix_disputes_report_id'))
        batch_op.drop_index(batch_op.f('ix_disputes_petition_id'))
        batch_op.drop_index('ix_disputes_county_origin')

    op.drop_table('disputes')
    with op.batch_alter_table('screening_reports', schema=None) as batch_op:
        batch_op.drop_index('uq_screening_reports_counted', sqlite_where=sa.text('counted IS 1'), postgresql_where=sa.text('counted IS true'))
        batch_op.drop_index(batch_op.f('ix_screening_reports_unit_id'))
        batch_op.drop_index('ix_screening_reports_county_period')

    op.drop_table('screening_reports')
    with op.batch_alter_table('screening_exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_exemptions_unit_id'))
        batch_op.drop_index('ix_screening_exemptions_county')

    op.drop_table('screening_exemptions')
