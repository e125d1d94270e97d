"""联合接待中心: the hall's rooms, stationed units and their rotas, the day's ticket counters, visits with their
people and timeline, incidents, leaders' reception days and what was met there; windows learn the subjects and
townships they take. Every table is owned by a unit and under RLS; the visit timeline is append-only for the
application role.

Revision ID: b1599496bf95
Revises: 3440b06fa148
Created: 2026-11-30
"""
import os

import sqlalchemy as sa
from alembic import op

import county_net.core.models
from county_net.tenancy import rls_sql

revision = "b1599496bf95"
down_revision = "3440b06fa148"
branch_labels = None
depends_on = None

TABLES = {  # table -> what the application role may do
    "hall_rooms": "SELECT, INSERT, UPDATE, DELETE",
    "hall_stations": "SELECT, INSERT, UPDATE, DELETE",
    "hall_station_rotas": "SELECT, INSERT, UPDATE, DELETE",
    "hall_ticket_counters": "SELECT, INSERT, UPDATE",
    "hall_visits": "SELECT, INSERT, UPDATE",
    "hall_visit_people": "SELECT, INSERT, UPDATE, DELETE",
    "hall_visit_events": "SELECT, INSERT",
    "hall_incidents": "SELECT, INSERT, UPDATE",
    "hall_reception_days": "SELECT, INSERT, UPDATE",
    "hall_reception_items": "SELECT, INSERT, UPDATE",
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
    op.create_table('hall_rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('waiting', 'registration', 'leaders', 'department', 'legal', 'hearing', 'police')", name=op.f('ck_hall_rooms_kind')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_rooms_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_rooms')),
    sa.UniqueConstraint('unit_id', 'number', name='uq_hall_rooms_unit_number')
    )
    with op.batch_alter_table('hall_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_rooms_unit_id'), ['unit_id'], unique=False)

    op.create_table('hall_stations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stationed_unit_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('contact_person', sa.String(length=30), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('response_minutes', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("mode IN ('whole', 'resident', 'rotating', 'on_call', 'shared')", name=op.f('ck_hall_stations_mode')),
    sa.ForeignKeyConstraint(['stationed_unit_id'], ['units.id'], name=op.f('fk_hall_stations_stationed_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_stations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_stations')),
    sa.UniqueConstraint('unit_id', 'stationed_unit_id', name='uq_hall_stations_unit_stationed')
    )
    with op.batch_alter_table('hall_stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_stations_stationed_unit_id'), ['stationed_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_stations_unit_id'), ['unit_id'], unique=False)

    op.create_table('hall_ticket_counters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_no', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_ticket_counters_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_ticket_counters')),
    sa.UniqueConstraint('unit_id', 'day', name='uq_hall_ticket_counters_unit_day')
    )
    with op.batch_alter_table('hall_ticket_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_ticket_counters_unit_id'), ['unit_id'], unique=False)

    op.create_table('hall_reception_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.String(length=5), nullable=False),
    sa.Column('ends', sa.String(length=5), nullable=False),
    sa.Column('form', sa.String(length=12), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('leader_name', sa.String(length=60), nullable=False),
    sa.Column('leader_post', sa.String(length=60), nullable=False),
    sa.Column('leader_portfolio', sa.String(length=120), nullable=False),
    sa.Column('leader_user_id', sa.Integer(), nullable=True),
    sa.Column('sitting_unit_ids', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('published_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notice_sent_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('briefing_sent_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_by_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("form IN ('fixed', 'appointment', 'down', 'themed')", name=op.f('ck_hall_reception_days_form')),
    sa.CheckConstraint("state IN ('planned', 'published', 'held', 'cancelled')", name=op.f('ck_hall_reception_days_state')),
    sa.ForeignKeyConstraint(['leader_user_id'], ['users.id'], name=op.f('fk_hall_reception_days_leader_user_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_reception_days_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_reception_days'))
    )
    with op.batch_alter_table('hall_reception_days', schema=None) as batch_op:
        batch_op.create_index('ix_hall_reception_days_unit_day', ['unit_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_reception_days_unit_id'), ['unit_id'], unique=False)

    op.create_table('hall_station_rotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('staff', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['station_id'], ['hall_stations.id'], name=op.f('fk_hall_station_rotas_station_id_hall_stations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_station_rotas_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_station_rotas'))
    )
    with op.batch_alter_table('hall_station_rotas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_station_rotas_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_station_rotas_unit_id'), ['unit_id'], unique=False)

    op.create_table('hall_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ticket_no', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('booked', sa.Boolean(), nullable=False),
    sa.Column('booked_time', sa.String(length=5), nullable=True),
    sa.Column('booking_note', sa.String(length=200), nullable=False),
    sa.Column('queue_rank', sa.Integer(), nullable=False),
    sa.Column('priority_reason', sa.String(length=12), nullable=True),
    sa.Column('priority_note', sa.String(length=200), nullable=False),
    sa.Column('head_count', sa.Integer(), nullable=False),
    sa.Column('is_collective', sa.Boolean(), nullable=False),
    sa.Column('purpose_kind', sa.String(length=12), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('demands', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('locality_unit_id', sa.Integer(), nullable=True),
    sa.Column('complexity', sa.String(length=8), nullable=True),
    sa.Column('route_to', sa.String(length=16), nullable=True),
    sa.Column('is_joint', sa.Boolean(), nullable=False),
    sa.Column('id_checked', sa.Boolean(), nullable=False),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('reception_day_id', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('called_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('call_count', sa.Integer(), nullable=False),
    sa.Column('interview_started_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('interview_ended_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('left_at', county_net.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('interviewer_id', sa.Integer(), nullable=True),
    sa.Column('interviewer_name', sa.String(length=60), nullable=False),
    sa.Column('interview_who', sa.Text(), nullable=False),
    sa.Column('interview_said', sa.Text(), nullable=False),
    sa.Column('interview_agreed', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('outcome_detail', sa.Text(), nullable=False),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('flagged_digest', sa.Boolean(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("complexity IS NULL OR complexity IN ('simple', 'complex', 'hard')", name=op.f('ck_hall_visits_complexity')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('oral', 'phone', 'notice', 'transfer', 'assign', 'digest')", name=op.f('ck_hall_visits_outcome')),
    sa.CheckConstraint("route_to IS NULL OR route_to IN ('petition', 'police', 'court', 'legal_service', 'mediation', 'department', 'other')", name=op.f('ck_hall_visits_route_to')),
    sa.CheckConstraint("state IN ('registered', 'waiting', 'called', 'interviewing', 'done', 'left', 'no_show')", name=op.f('ck_hall_visits_state')),
    sa.CheckConstraint('head_count >= 1', name=op.f('ck_hall_visits_head_count')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_hall_visits_category_id_categories')),
    sa.ForeignKeyConstraint(['interviewer_id'], ['users.id'], name=op.f('fk_hall_visits_interviewer_id_users')),
    sa.ForeignKeyConstraint(['locality_unit_id'], ['units.id'], name=op.f('fk_hall_visits_locality_unit_id_units')),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_hall_visits_petition_id_petitions')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_hall_visits_registered_by_id_users')),
    sa.ForeignKeyConstraint(['room_id'], ['hall_rooms.id'], name=op.f('fk_hall_visits_room_id_hall_rooms')),
    sa.ForeignKeyConstraint(['reception_day_id'], ['hall_reception_days.id'], name=op.f('fk_hall_visits_reception_day_id_hall_reception_days')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_visits_unit_id_units')),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_hall_visits_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_visits')),
    sa.UniqueConstraint('unit_id', 'day', 'ticket_no', name='uq_hall_visits_unit_day_ticket')
    )
    with op.batch_alter_table('hall_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_visits_petition_id'), ['petition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_visits_reception_day_id'), ['reception_day_id'], unique=False)
        batch_op.create_index('ix_hall_visits_queue', ['unit_id', 'day', 'window_id', 'state', 'queue_rank', 'checked_in_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_visits_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_visits_window_id'), ['window_id'], unique=False)

    op.create_table('hall_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('what', sa.Text(), nullable=False),
    sa.Column('responders', sa.String(length=120), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('blocking', 'dangerous_goods', 'violence', 'dependants', 'inciting', 'disorder', 'medical')", name=op.f('ck_hall_incidents_kind')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_hall_incidents_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_incidents_unit_id_units')),
    sa.ForeignKeyConstraint(['visit_id'], ['hall_visits.id'], name=op.f('fk_hall_incidents_visit_id_hall_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_incidents'))
    )
    with op.batch_alter_table('hall_incidents', schema=None) as batch_op:
        batch_op.create_index('ix_hall_incidents_day', ['unit_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_incidents_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_incidents_visit_id'), ['visit_id'], unique=False)

    op.create_table('hall_reception_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reception_day_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('whom', sa.String(length=200), nullable=False),
    sa.Column('head_count', sa.Integer(), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('responsible_unit_id', sa.Integer(), nullable=True),
    sa.Column('petition_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('created_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['petition_id'], ['petitions.id'], name=op.f('fk_hall_reception_items_petition_id_petitions')),
    sa.ForeignKeyConstraint(['reception_day_id'], ['hall_reception_days.id'], name=op.f('fk_hall_reception_items_reception_day_id_hall_reception_days'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_unit_id'], ['units.id'], name=op.f('fk_hall_reception_items_responsible_unit_id_units')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_reception_items_unit_id_units')),
    sa.ForeignKeyConstraint(['visit_id'], ['hall_visits.id'], name=op.f('fk_hall_reception_items_visit_id_hall_visits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_reception_items'))
    )
    with op.batch_alter_table('hall_reception_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_reception_items_reception_day_id'), ['reception_day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_reception_items_unit_id'), ['unit_id'], unique=False)

    op.create_table('hall_visit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=True),
    sa.Column('to_state', sa.String(length=12), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=60), nullable=False),
    sa.Column('occurred_at', county_net.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_hall_visit_events_actor_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_visit_events_unit_id_units')),
    sa.ForeignKeyConstraint(['visit_id'], ['hall_visits.id'], name=op.f('fk_hall_visit_events_visit_id_hall_visits'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], name=op.f('fk_hall_visit_events_window_id_windows')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_visit_events'))
    )
    with op.batch_alter_table('hall_visit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_visit_events_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_visit_events_visit_id'), ['visit_id'], unique=False)

    op.create_table('hall_visit_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('petitioner_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_representative', sa.Boolean(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['petitioner_id'], ['petitioners.id'], name=op.f('fk_hall_visit_people_petitioner_id_petitioners')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_hall_visit_people_unit_id_units')),
    sa.ForeignKeyConstraint(['visit_id'], ['hall_visits.id'], name=op.f('fk_hall_visit_people_visit_id_hall_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_visit_people')),
    sa.UniqueConstraint('visit_id', 'petitioner_id', name='uq_hall_visit_people_visit_petitioner')
    )
    with op.batch_alter_table('hall_visit_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_visit_people_petitioner_id'), ['petitioner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_visit_people_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_visit_people_visit_id'), ['visit_id'], unique=False)

    with op.batch_alter_table('windows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subjects', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('localities', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('room_number', sa.Integer(), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        _rls_on()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _rls_off()
    with op.batch_alter_table('windows', schema=None) as batch_op:
        batch_op.drop_column('room_number')
        batch_op.drop_column('localities')
        batch_op.drop_column('subjects')

    with op.batch_alter_table('hall_visit_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_visit_people_visit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_visit_people_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_visit_people_petitioner_id'))

    op.drop_table('hall_visit_people')
    with op.batch_alter_table('hall_visit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_visit_events_visit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_visit_events_unit_id'))

    op.drop_table('hall_visit_events')
    with op.batch_alter_table('hall_reception_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_reception_items_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_reception_items_reception_day_id'))

    op.drop_table('hall_reception_items')
    with op.batch_alter_table('hall_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_incidents_visit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_incidents_unit_id'))
        batch_op.drop_index('ix_hall_incidents_day')

    op.drop_table('hall_incidents')
    with op.batch_alter_table('hall_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_visits_window_id'))
        batch_op.drop_index(batch_op.f('ix_hall_visits_unit_id'))
        batch_op.drop_index('ix_hall_visits_queue')
        batch_op.drop_index(batch_op.f('ix_hall_visits_reception_day_id'))
        batch_op.drop_index(batch_op.f('ix_hall_visits_petition_id'))

    op.drop_table('hall_visits')
    with op.batch_alter_table('hall_station_rotas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_station_rotas_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_station_rotas_station_id'))

    op.drop_table('hall_station_rotas')
    with op.batch_alter_table('hall_reception_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_reception_days_unit_id'))
        batch_op.drop_index('ix_hall_reception_days_unit_day')

    op.drop_table('hall_reception_days')
    with op.batch_alter_table('hall_ticket_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_ticket_counters_unit_id'))

    op.drop_table('hall_ticket_counters')
    with op.batch_alter_table('hall_stations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_stations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_hall_stations_stationed_unit_id'))

    op.drop_table('hall_stations')
    with op.batch_alter_table('hall_rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_rooms_unit_id'))

    op.drop_table('hall_rooms')
