"""PostgreSQL row-level security, the second line: it holds with the ORM criteria switched off."""
import pytest
import sqlalchemy as sa

from county_net.accounts.models import User
from county_net.extensions import db
from county_net.tenancy import Scope, orm_criteria_disabled, system_scope
from county_net.tenancy.context import set_request_scope
from county_net.units.models import Unit

pytestmark = pytest.mark.postgres_only

# Tables outside RLS hold neither tenant nor personal data; each says why. Nothing else may be outside.
OUTSIDE_RLS = {
    "public.alembic_version": "the migration revision",
    "public.holiday_years": "the State Council's published holiday schedules: national and public",
    "public.throttle_counters": "login throttling: HMAC'd keys and counts, no name or address in clear",
    "public.reference_stamps": "three random numbers that change with units, categories and holidays",
    "public.repeat_index": "repeat retrieval: a matter id, its county and day, and HMAC'd terms; a GIN index cannot "
                           "serve a non-leakproof @@ under a policy; read in system scope only, and the matters it "
                           "points at are read under RLS",
    "public.repeat_terms": "repeat detection's word counts: HMAC'd terms and counts per county",
    "county_net_private.scope_key": "the key that signs published scopes; the service's role has no right to "
                                    "its schema at all (test_rls_forgery.py)",
}

TABLES_SQL = """
SELECT n.nspname || '.' || c.relname AS name, c.relrowsecurity AND c.relforcerowsecurity AS forced,
       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
"""


def rls_tables(conn) -> set[str]:
    return {r.name.split(".", 1)[1] for r in conn.execute(sa.text(TABLES_SQL)) if r.forced}


def test_every_table_is_under_rls_or_says_why_not(app):
    """Enumerates the database itself: a table added later without RLS fails here until it gets ENABLE +
    FORCE + a policy, or a line in OUTSIDE_RLS saying why it holds no tenant or personal data."""
    with app.app_context():
        row = db.session.execute(sa.text(
            "SELECT rolsuper, rolbypassrls, current_user FROM pg_roles WHERE rolname = current_user")).one()
        assert row.rolsuper is False and row.rolbypassrls is False
        owned = db.session.scalar(sa.text(
            "SELECT count(*) FROM pg_class c WHERE c.relkind IN ('r', 'p') "
            "AND pg_get_userbyid(c.relowner) = current_user"))
        assert owned == 0
        tables = db.session.execute(sa.text(TABLES_SQL)).all()
        db.session.rollback()
    names = {t.name for t in tables}
    assert {f"public.{t}" for t in db.metadata.tables} <= names
    unprotected = sorted(t.name for t in tables if not (t.forced and t.has_policy) and t.name not in OUTSIDE_RLS)
    assert not unprotected, f"without RLS + FORCE + a policy, and not in OUTSIDE_RLS: {unprotected}"
    # The list, by name: these held every tenant's data outside RLS before.
    for table in ("audit_records", "auth_sessions", "window_stations", "categories", "petition_counters",
                  "petition_attachments"):
        assert f"public.{table}" in names and f"public.{table}" not in OUTSIDE_RLS
    assert not any(t.forced for t in tables if t.name in OUTSIDE_RLS), "an allow-listed table under RLS: drop its line"


def test_rls_alone_hides_siblings(app, net):
    t1_tree = frozenset(net.units[c] for c in ("T1", "E1", "V1"))
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(Scope(t1_tree))
        units = set(db.session.scalars(sa.select(Unit.code)))
        users = set(db.session.scalars(sa.select(User.username)))
        raw = db.session.scalar(sa.text("SELECT count(*) FROM users"))
        db.session.rollback()
    assert units == {"T1", "E1", "V1"}
    assert users == {"t1_head", "t1_recv", "e1_liaison"}
    assert raw == 3


def test_rls_alone_holds_through_http(app, net, login, api_token):
    web = login("t1_recv")
    headers = api_token("t1_recv")
    with orm_criteria_disabled():
        assert web.get(f"/units/{net.units['T2']}").status_code == 404
        assert web.get(f"/api/v1/units/{net.units['T2']}", headers=headers).status_code == 404
        codes = {u["code"] for u in web.get("/api/v1/units", headers=headers).get_json()["items"]}
    assert codes == {"T1", "E1", "V1"}


def test_rls_refuses_writes_into_a_sibling(app, net):
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(Scope(frozenset({net.units["T1"]})))
        with pytest.raises(sa.exc.ProgrammingError):
            # Core statement: below the ORM guard, only RLS stands in the way.
            db.session.execute(sa.text(
                "INSERT INTO users (username, name, password_hash, roles, is_enabled, must_change_password, "
                "created_at, updated_at, password_changed_at, version, unit_id) VALUES "
                "('intruder', 'x', 'x', 'head', true, false, now(), now(), now(), 1, :u)"),
                {"u": net.units["T2"]})
        db.session.rollback()


def test_no_scope_means_no_rows(app, net, api_token):
    """A session of the service's role that publishes nothing reads no row of any table under RLS: the audit
    log, login sessions, categories and the number counters included."""
    from tests.petitions.helpers import Api

    Api(app, api_token).register("t2_recv")  # a matter, its counter, sessions and audit records exist
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        tables = rls_tables(conn)
        counts = {t: conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in sorted(tables)}
    engine.dispose()
    assert {"audit_records", "auth_sessions", "categories", "petition_counters", "window_stations"} <= tables
    assert counts == {t: 0 for t in tables}


def test_scope_does_not_outlive_its_transaction(app, net):
    """set_config(..., true) is per transaction: the pooled connection goes back with no scope on it."""
    with app.test_request_context():
        set_request_scope(Scope(frozenset({net.units["T1"]})))
        pid = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
        assert db.session.scalar(sa.text("SELECT count(*) FROM units")) == 1
        db.session.commit()
        db.session.remove()
        raw = db.engine.raw_connection()  # the DBAPI connection itself: no SQLAlchemy hook publishes anything
        try:
            cursor = raw.cursor()
            cursor.execute("SELECT pg_backend_pid(), coalesce(current_setting('county_net.scope', true), ''), "
                           "(SELECT count(*) FROM units)")
            again, setting, count = cursor.fetchone()
            raw.rollback()
        finally:
            raw.close()
    assert again == pid  # the very same pooled connection
    assert setting == "" and count == 0


def test_core_statements_follow_the_scope_too(app, net):
    with app.test_request_context():
        set_request_scope(Scope(frozenset({net.units["T2"]})))
        with db.engine.connect() as conn:  # below the ORM: only the published scope applies
            assert conn.scalar(sa.text("SELECT count(*) FROM units")) == 1
        with system_scope("check"), db.engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM units")) == 7


def test_system_scope_inside_a_request_does_not_leak(app, net, login):
    """The user loader opens the request's transaction in system scope; what follows sees only the user's tree."""
    from flask_login import current_user

    web = login("t2_recv")
    cookie = web.client.get_cookie("session")
    with app.test_request_context(headers={"Cookie": f"session={cookie.value}"}):
        app.preprocess_request()  # runs the loader and the scope resolver as a real request would
        assert current_user.is_authenticated and current_user.username == "t2_recv"
        count = db.session.scalar(sa.text("SELECT count(*) FROM units"))
        db.session.rollback()
    assert count == 2  # T2 and E2, not '*'
    with app.app_context(), system_scope("check"):
        assert db.session.scalar(sa.text("SELECT count(*) FROM units")) == 7
        db.session.rollback()


def test_rls_alone_hides_sibling_matters_and_people(app, net, api_token):
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    p = api.register("t2_recv")
    api.register("t2_recv")
    transferred = api.register("c_recv")
    api.act("c_recv", transferred, "transfer", to_unit_id=net.units["T1"])
    t1_tree = frozenset(net.units[c] for c in ("T1", "E1", "V1"))
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(Scope(t1_tree, self_ids=frozenset({net.units["C0"], net.units["T1"]})))
        counts = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
                  for t in ("petitions", "petitioners", "petition_parties", "petition_events", "petition_links",
                            "petition_access")}
        numbers = set(db.session.scalars(sa.text("SELECT number FROM petitions")))
        db.session.rollback()
    # Only the matter transferred to T1 is there: its grant, its petitioner, its two events, and its two
    # proposed links to T2's matters (the links are T1's to see; the matters they point at stay hidden).
    assert numbers == {transferred["number"]} and p["number"] not in numbers
    assert counts == {"petitions": 1, "petitioners": 1, "petition_parties": 1, "petition_events": 2,
                      "petition_links": 2, "petition_access": 1}


def test_rls_hides_an_accusation_from_the_accused(app, net, api_token):
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部违纪问题。")
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(Scope(frozenset({net.units["T1"]}), self_ids=frozenset({net.units["C0"], net.units["T1"]})))
        assert db.session.scalar(sa.text("SELECT count(*) FROM petitions")) == 0
        db.session.rollback()
        center = frozenset(net.units.values())
        set_request_scope(Scope(center, self_ids=frozenset({net.units["C0"]})))
        assert db.session.scalar(sa.text("SELECT count(*) FROM petitions")) == 1
        db.session.rollback()


def test_rls_alone_hides_a_siblings_contact_history(app, net, api_token):
    from tests.petitions.helpers import Api, id_number

    api = Api(app, api_token)
    api.register("t2_recv")
    api.register("t2_recv", petitioners=[{"name": "张某明", "id_number": id_number(1), "phone": "13800002222"}])
    count = "SELECT count(*) FROM petitioner_contact_changes"
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(Scope(frozenset({net.units["T1"]}), self_ids=frozenset({net.units["C0"], net.units["T1"]})))
        assert db.session.scalar(sa.text(count)) == 0
        db.session.rollback()
        set_request_scope(Scope(frozenset({net.units["T2"]}), self_ids=frozenset({net.units["C0"], net.units["T2"]})))
        assert db.session.scalar(sa.text(count)) == 1
        # Append-only for the service: the grant has no UPDATE.
        with pytest.raises(sa.exc.ProgrammingError):
            db.session.execute(sa.text("UPDATE petitioner_contact_changes SET old_address = 'x'"))
        db.session.rollback()
