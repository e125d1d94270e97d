"""RLS alone, over every table under it: with the ORM criteria switched off, a principal sees no row that
belongs to another unit or another county, in any table the database enumerates. Every table is seeded
first, through the services; a table added under RLS without a rule here fails until it gets one."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import orm_criteria_disabled, scope_for_user, system_scope
from county_net.tenancy.context import set_request_scope
from tests.petitions.helpers import Api, id_number
from tests.tenancy.seed import neighbour_county
from tests.tenancy.test_rls import rls_tables

pytestmark = pytest.mark.postgres_only

_FOREIGN_MATTERS = """
SELECT p.id FROM petitions p
WHERE NOT (p.unit_id = ANY(:tree) OR p.holder_unit_id = ANY(:tree) OR EXISTS (
             SELECT 1 FROM petition_access a WHERE a.petition_id = p.id AND a.is_active AND a.grantee_unit_id = ANY(:tree)))
   OR p.accused_unit_id = ANY(:selfs)"""
_FOREIGN_PEOPLE = f"""
SELECT pe.id FROM petitioners pe
WHERE NOT pe.unit_id = ANY(:tree)
  AND NOT EXISTS (SELECT 1 FROM petition_parties pp WHERE pp.petitioner_id = pe.id
                  AND pp.petition_id NOT IN ({_FOREIGN_MATTERS}))"""

_FOREIGN_MEETINGS = """
SELECT m.id FROM coordination_meetings m
WHERE NOT (m.unit_id = ANY(:tree) OR EXISTS (SELECT 1 FROM meeting_invitations i WHERE i.meeting_id = m.id
                                             AND i.invited_unit_id = ANY(:tree)))"""

_FOREIGN_SUPERVISIONS = """
SELECT s.id FROM supervisions s
WHERE NOT (s.unit_id = ANY(:tree) OR (s.target_unit_id = ANY(:tree) AND s.issued_at IS NOT NULL))"""

# Which rows of each table a principal (its subtree :tree, its unit and ancestors :selfs) must not see,
# written from the data model, read by the owner. (key column, SQL of the foreign keys)
FOREIGN = {
    "units": ("id", "SELECT id FROM units WHERE NOT id = ANY(:tree)"),
    "users": ("id", "SELECT id FROM users WHERE NOT unit_id = ANY(:tree)"),
    "windows": ("id", "SELECT id FROM windows WHERE NOT unit_id = ANY(:tree)"),
    "window_stations": ("id", "SELECT s.id FROM window_stations s JOIN windows w ON w.id = s.window_id "
                              "WHERE NOT w.unit_id = ANY(:tree)"),
    "petitions": ("id", _FOREIGN_MATTERS),
    "petition_access": ("id", "SELECT id FROM petition_access WHERE NOT (unit_id = ANY(:tree) "
                              "OR grantee_unit_id = ANY(:tree))"),
    **{t: ("id", f"SELECT id FROM {t} WHERE petition_id IN ({_FOREIGN_MATTERS})")
       for t in ("petition_parties", "petition_events", "petition_links", "petition_attachments",
                 "petition_readings")},
    "petitioners": ("id", _FOREIGN_PEOPLE),
    "petitioner_contact_changes": ("id", f"SELECT id FROM petitioner_contact_changes "
                                         f"WHERE petitioner_id IN ({_FOREIGN_PEOPLE})"),
    # Acts of users outside the subtree, and acts with no unit (the command line, unknown names).
    "audit_records": ("id", "SELECT id FROM audit_records WHERE actor_unit_id IS NULL "
                            "OR NOT actor_unit_id = ANY(:tree)"),
    # Login sessions belong to system work only: even the principal's own are not its to read.
    "auth_sessions": ("id", "SELECT id FROM auth_sessions"),
    # Another county's numbering.
    "petition_counters": ("county_unit_id::text || '/' || year",
                          "SELECT county_unit_id::text || '/' || year FROM petition_counters "
                          "WHERE NOT county_unit_id = ANY(:tree || :selfs)"),
    # Follow-up tasks (desk): the unit that closed the matter owns its task.
    "follow_ups": ("id", "SELECT id FROM follow_ups WHERE NOT unit_id = ANY(:tree)"),
    # One list for every county: nothing in it is another unit's (writes: test_categories_writes below).
    "categories": ("id", "SELECT id FROM categories WHERE false"),
    # Meetings: convened by the subtree or inviting it; invitations: the convener's or the invited unit's own.
    "coordination_meetings": ("id", _FOREIGN_MEETINGS),
    "meeting_invitations": ("id", "SELECT id FROM meeting_invitations WHERE NOT (unit_id = ANY(:tree) "
                                  "OR invited_unit_id = ANY(:tree))"),
    **{t: ("id", f"SELECT id FROM {t} WHERE meeting_id IN ({_FOREIGN_MEETINGS})")
       for t in ("meeting_matters", "meeting_attendees", "meeting_decisions", "meeting_tasks")},
    # A county's stored digest issues: its county center's (and nobody's below it).
    "digest_issues": ("id", "SELECT id FROM digest_issues WHERE NOT unit_id = ANY(:tree)"),
    # Another unit's people's inboxes.
    "notifications": ("id", "SELECT id FROM notifications WHERE NOT unit_id = ANY(:tree)"),
    # Another unit's inbox counters (petitions/boxes.py).
    "inbox_counters": ("unit_id", "SELECT unit_id FROM inbox_counters WHERE NOT unit_id = ANY(:tree)"),
    # 督办: the issuer's tree sees its records; the target's tree sees the issued ones aimed at it.
    "supervisions": ("id", _FOREIGN_SUPERVISIONS),
    **{t: ("id", f"SELECT id FROM {t} WHERE supervision_id IN ({_FOREIGN_SUPERVISIONS})")
       for t in ("supervision_petitions", "supervision_events")},
    **{t: ("id", f"SELECT id FROM {t} WHERE NOT unit_id = ANY(:tree)")
       for t in ("supervision_clocks", "supervision_scores")},
    # 矛盾纠纷排查: every row is the reporting unit's, seen by it and the units above it.
    **{t: ("id", f"SELECT id FROM {t} WHERE NOT unit_id = ANY(:tree)")
       for t in ("screening_reports", "disputes", "screening_events", "screening_exemptions", "info_reports",
                 "info_report_events")},
    # 联合接待中心: every row is the hall's county center's (a reception day: the unit that holds it).
    **{t: ("id", f"SELECT id FROM {t} WHERE NOT unit_id = ANY(:tree)")
       for t in ("hall_rooms", "hall_stations", "hall_station_rotas", "hall_ticket_counters", "hall_visits",
                 "hall_visit_people", "hall_visit_events", "hall_incidents", "hall_reception_days",
                 "hall_reception_items")},
}
# Tables where the principal must also see something of its own (the sweep is not vacuous).
OWN_ROWS = {"units", "users", "petitions", "petitioners", "petition_parties", "petition_events", "audit_records",
            "petition_counters", "categories"}


@pytest.fixture
def province(app, net, api_token):
    """Two counties with matters, grants, files, contact changes, sessions and audit records in each."""
    neighbour = neighbour_county(app, [("k_recv", "K0", ["receptionist"])], window=True)
    town = neighbour["K1"]
    _digest_issues(app, [net.units["C0"], neighbour["K0"]])
    _screening_rows(app, [net.units["E1"], net.units["E2"], net.units["V1"], town])
    from tests.hall.seed import seed_hall

    seed_hall(app, net.units["C0"], net.units["T2"])
    seed_hall(app, neighbour["K0"], town)
    api = Api(app, api_token)
    mine = api.register("t1_recv", petitioners=[{"name": "东镇甲", "phone": "13700001111"}])
    api.register("t2_recv")
    # The same person again with a new phone: a repeat link and a contact change; then a grant to B1 and a file.
    second = api.register("t2_recv", petitioners=[{"name": "张某明", "id_number": id_number(1),
                                                   "phone": "13800002222"}])
    api.act("t2_recv", second, "transfer", to_unit_id=net.units["B1"])
    api.upload("t2_recv", second["id"])
    api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部违纪问题。")
    api.register("k_recv", petitioners=[{"name": "邻县甲", "id_number": id_number(5), "phone": "13600001111"}])
    theirs = api.register("k_recv", petitioners=[{"name": "邻县甲", "id_number": id_number(5),
                                                  "phone": "13600002222"}])
    api.act("k_recv", theirs, "transfer", to_unit_id=town)
    api.upload("k_recv", theirs["id"])
    for user in ("t2_recv", "k_recv"):  # a closed matter in each county: a follow-up task each
        closed = api.act(user, api.register(user), "handle-self")
        closed = api.act(user, closed, "reply", outcome="support", request="诉求", facts="事实", basis="依据")
        api.act(user, closed, "close")
    from tests.coordination.helpers import seed_meeting

    seed_meeting(api, net, invited=("T2", "B1"))  # meetings in both counties, each with all its rows
    seed_meeting(api, net, matter=theirs, invited=("K1",), convener="k_recv", units={"K1": town})
    t2_matter = api.act("c_recv", api.register("c_recv"), "transfer", to_unit_id=net.units["T2"])  # T2's inbox
    # 督办 in both counties: a yellow card on T2 (a record, its matter, its timeline, a ledger line); the
    # transfers above started the clocks.
    due = (date.today() + timedelta(days=7)).isoformat()
    for user, matter, target in (("c_recv", t2_matter, net.units["T2"]), ("k_recv", theirs, town)):
        resp = api.post(user, "/api/v1/supervisions", {
            "petition_ids": [matter["id"]], "target_unit_id": target, "level": "yellow", "method": "document",
            "problem": "overdue", "content": "逾期。", "required_action": "办理。", "feedback_due_on": due})
        assert resp.status_code == 201, resp.get_json()
    with app.app_context(), system_scope("test seed"):  # an inbox in the other county
        from county_net.notifications.services import notify

        k0 = db.session.scalar(sa.text("SELECT unit_id FROM users WHERE username = 'k_recv'"))
        notify(kind="supervision_issued", event_key="seed", unit_id=k0, title="邻县通知", link="/",
               object_type="supervision", object_id=None, audience="handlers")
        db.session.commit()
        db.session.remove()
    api.headers("b1_recv")  # a login: an audit record of B1's own
    # A failed login of a name no account has: an audit record with no unit.
    assert app.test_client().post("/api/v1/auth/token", json={"username": "nobody", "password": "x" * 12}) \
        .status_code == 401
    return mine


def _digest_issues(app, county_ids):
    from datetime import date

    from county_net.digest.models import DigestIssue

    with app.app_context(), system_scope("stored digest issues of both counties"):
        for county in county_ids:
            db.session.add(DigestIssue(unit_id=county, label="2026-W47", period_start=date(2026, 11, 16),
                                       period_end=date(2026, 11, 22), figures="{}"))
        db.session.commit()
        db.session.remove()


def _screening_rows(app, unit_ids):
    from tests.screening.helpers import seed_rows

    for unit_id in unit_ids:
        seed_rows(app, unit_id)


def _principal(app, username):
    from county_net.accounts.models import User

    with app.app_context(), system_scope("test"):
        user = db.session.scalar(sa.select(User).where(User.username == username))
        scope = scope_for_user(user)
        db.session.remove()
    return scope


@pytest.mark.parametrize("username", ["t1_recv", "t2_recv", "b1_recv", "c_recv", "k_recv"])
def test_rls_alone_shows_no_row_of_another_unit_in_any_table(app, province, username):
    scope = _principal(app, username)
    params = {"tree": sorted(scope.unit_ids), "selfs": sorted(scope.self_ids)}
    with app.app_context(), system_scope("ground truth"):
        tables = rls_tables(db.session.connection())
        assert tables - FOREIGN.keys() == set(), "a table under RLS with no rule in FOREIGN"
        assert FOREIGN.keys() - tables == set(), f"outside RLS: {sorted(FOREIGN.keys() - tables)}"
        foreign = {t: set(db.session.scalars(sa.text(FOREIGN[t][1]), params)) for t in tables}
        everything = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}
        db.session.rollback()
    assert all(everything.values()), f"the sweep needs rows in every table: {everything}"
    assert all(foreign[t] for t in tables if t != "categories"), \
        f"the sweep needs another unit's rows in every table: {[t for t in tables if not foreign[t]]}"
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(scope)
        seen = {t: set(db.session.scalars(sa.text(f"SELECT {FOREIGN[t][0]} FROM {t}"))) for t in tables}
        db.session.rollback()
    leaks = {t: seen[t] & foreign[t] for t in tables if seen[t] & foreign[t]}
    assert not leaks, f"{username} sees another unit's rows: {leaks}"
    assert all(seen[t] for t in OWN_ROWS), {t: len(seen[t]) for t in OWN_ROWS}


def test_categories_are_read_by_any_principal_and_changed_only_at_a_county_center(app, net):
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(_principal(app, "t1_recv"))
        assert db.session.scalar(sa.text("SELECT count(*) FROM categories")) == 20
        with pytest.raises(sa.exc.ProgrammingError):
            db.session.execute(sa.text("INSERT INTO categories (code, name, sort_order, is_active) "
                                       "VALUES ('X1', '插入', 0, true)"))
        db.session.rollback()
        changed = db.session.execute(sa.text("UPDATE categories SET name = name || '改'")).rowcount
        db.session.rollback()
        assert changed == 0
        set_request_scope(_principal(app, "admin"))
        db.session.execute(sa.text("INSERT INTO categories (code, name, sort_order, is_active) "
                                   "VALUES ('X1', '插入', 0, true)"))
        db.session.rollback()


def test_the_number_counter_refuses_another_county(app, province):
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(_principal(app, "t1_recv"))
        counters = db.session.execute(sa.text("SELECT county_unit_id FROM petition_counters")).all()
        assert len(counters) == 1  # its own county's
        with pytest.raises(sa.exc.ProgrammingError):
            db.session.execute(sa.text("INSERT INTO petition_counters (county_unit_id, year, last_seq) "
                                       "VALUES (:k, 1999, 0)"), {"k": _principal(app, "k_recv").county_id})
        db.session.rollback()
