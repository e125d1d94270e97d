"""The second line holds against injected SQL: a session of the service's role, running whatever SQL it likes,
sees only the scope the service signed for it. Every attempt to widen it (a bare '*', a longer list, a copied
signature on other ids, a token from another connection or one that has expired, the checking function called
by hand, the key table, a function of its own) ends with its own rows or nothing, or is refused."""
import time

import psycopg
import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import Scope, system_scope
from county_net.tenancy.context import set_request_scope

pytestmark = pytest.mark.postgres_only

# Every name a scope was ever published under: widening attempts write all of them.
SETTINGS = ("county_net.scope", "county_net.unit_ids", "county_net.self_ids")


def _t1(net) -> Scope:
    return Scope(frozenset(net.units[c] for c in ("T1", "E1", "V1")),
                 self_ids=frozenset({net.units["C0"], net.units["T1"]}))


def _units(run) -> set[str]:
    return set(run("SELECT code FROM units"))


class RawSession:
    """A DB-API connection of the service's role with no SQLAlchemy hook on it: the SQL an injection runs."""

    def __init__(self, app):
        self.engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], poolclass=sa.pool.NullPool)
        self.conn = self.engine.raw_connection()
        self.pid = self.conn.driver_connection.info.backend_pid

    def rows(self, sql, params=None):
        cur = self.conn.cursor()
        cur.execute(sql, params)
        return [r[0] for r in cur.fetchall()] if cur.description else []

    def publish(self, **values):
        for name in SETTINGS:
            if name in values:
                self.rows("SELECT set_config(%s, %s, true)", (name, values[name]))

    def close(self):
        self.conn.rollback()
        self.conn.close()
        self.engine.dispose()


@pytest.fixture
def raw(app):
    sessions = []

    def _open():
        sessions.append(RawSession(app))
        return sessions[-1]

    yield _open
    for s in sessions:
        s.close()


def scope_key(app) -> bytes:
    from county_net.tenancy.rls import scope_key as key  # here, so that the module also runs on the old main

    return key(app)


def sign_scope(*args) -> str:
    from county_net.tenancy.rls import sign_scope as sign

    return sign(*args)


def _token(app, pid, scope: Scope, expires_in=60) -> str:
    return sign_scope(scope_key(app), pid, int(time.time()) + expires_in, scope.rls_value(), scope.rls_self_value())


def test_a_bare_star_sees_nothing(app, net, raw):
    s = raw()
    assert _units(s.rows) == set()
    s.publish(**{"county_net.scope": "*", "county_net.unit_ids": "*", "county_net.self_ids": ""})
    assert _units(s.rows) == set()
    assert s.rows("SELECT count(*) FROM users") == [0]
    assert s.rows("SELECT county_net_sees_all()") == [False]


def test_a_signed_token_works_and_every_alteration_of_it_sees_nothing(app, net, raw):
    s = raw()
    t1 = _t1(net)
    good = _token(app, s.pid, t1)
    s.publish(**{"county_net.scope": good})
    assert _units(s.rows) == {"T1", "E1", "V1"}  # the positive control: the test signs as the service does
    payload, mac = good.rsplit("|", 1)
    version, pid, expires, units, selfs = payload.split("|")
    everything = ",".join(str(i) for i in sorted(net.units.values()))
    forgeries = {
        "star with the signature": f"{version}|{pid}|{expires}|*|{selfs}|{mac}",
        "a longer list": f"{version}|{pid}|{expires}|{units},{net.units['T2']}|{selfs}|{mac}",
        "other ids": f"{version}|{pid}|{expires}|{everything}|{selfs}|{mac}",
        "fewer self ids": f"{version}|{pid}|{expires}|{units}||{mac}",
        "a later expiry": f"{version}|{pid}|{int(expires) + 3600}|{units}|{selfs}|{mac}",
        "upper-case signature": f"{payload}|{mac.upper()}",
        "no signature": payload,
    }
    for name, token in forgeries.items():
        s.publish(**{"county_net.scope": token, "county_net.unit_ids": "*"})
        assert _units(s.rows) == set(), name
        assert s.rows("SELECT count(*) FROM petitions") == [0], name


def test_a_token_from_another_connection_sees_nothing(app, net, raw):
    first, second = raw(), raw()
    assert first.pid != second.pid
    center = Scope(frozenset(net.units.values()), self_ids=frozenset({net.units["C0"]}))
    captured = _token(app, first.pid, center)
    first.publish(**{"county_net.scope": captured})
    assert len(_units(first.rows)) == 7
    second.publish(**{"county_net.scope": captured})
    assert _units(second.rows) == set()


def test_an_expired_token_sees_nothing(app, net, raw):
    s = raw()
    s.publish(**{"county_net.scope": _token(app, s.pid, _t1(net), expires_in=-1)})
    assert _units(s.rows) == set()


def test_a_token_signed_with_another_key_sees_nothing(app, net, raw):
    s = raw()
    t1 = _t1(net)
    forged = sign_scope(b"not the key" * 3, s.pid, int(time.time()) + 60, "*", "")
    s.publish(**{"county_net.scope": forged})
    assert _units(s.rows) == set()
    forged = sign_scope(b"", s.pid, int(time.time()) + 60, t1.rls_value(), t1.rls_self_value())
    s.publish(**{"county_net.scope": forged})
    assert _units(s.rows) == set()


def test_injected_sql_inside_a_request_keeps_the_requests_scope(app, net):
    """An injection runs in the request's own transaction, after the service has published its scope."""
    with app.test_request_context():
        set_request_scope(_t1(net))
        session = db.session
        assert set(session.scalars(sa.text("SELECT code FROM units"))) == {"T1", "E1", "V1"}
        published = session.scalar(sa.text("SELECT current_setting('county_net.scope', true)"))
        payload, mac = published.rsplit("|", 1)
        version, pid, expires, _, selfs = payload.split("|")
        for widened in ("*", ",".join(str(i) for i in sorted(net.units.values()))):
            session.execute(sa.text("SELECT set_config('county_net.unit_ids', :v, true), "
                                    "set_config('county_net.scope', :t, true)"),
                            {"v": widened, "t": f"{version}|{pid}|{expires}|{widened}|{selfs}|{mac}"})
            assert set(session.scalars(sa.text("SELECT code FROM units"))) == set()
        # Putting the published token back is all an injection can do: its own scope again.
        session.execute(sa.text("SELECT set_config('county_net.scope', :t, true)"), {"t": published})
        assert set(session.scalars(sa.text("SELECT code FROM units"))) == {"T1", "E1", "V1"}
        session.rollback()


def test_calling_the_checking_functions_by_hand_widens_nothing(app, net, raw):
    s = raw()
    t1 = _t1(net)
    assert s.rows("SELECT county_net_verified_scope()") == [None]
    s.publish(**{"county_net.scope": _token(app, s.pid, t1)})
    assert s.rows("SELECT county_net_verified_scope()") == [f"{t1.rls_value()}|{t1.rls_self_value()}"]
    assert s.rows("SELECT county_net_sees_all()") == [False]
    assert sorted(s.rows("SELECT unnest(county_net_scope_ids())")) == sorted(t1.unit_ids)
    assert s.rows("SELECT count(*) FROM units WHERE county_net_may_see(id)") == [3]


@pytest.mark.parametrize("sql", [
    "SELECT key FROM county_net_private.scope_key",
    "INSERT INTO county_net_private.scope_key (id, key) VALUES (1, 'attacker-chosen-key-0123456789')",
    "UPDATE county_net_private.scope_key SET key = 'attacker-chosen-key-0123456789'",
    "CREATE FUNCTION public.county_net_sees_all_too() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OR REPLACE FUNCTION public.county_net_sees_all() RETURNS boolean LANGUAGE sql AS 'SELECT true'",
    "CREATE OR REPLACE FUNCTION public.county_net_verified_scope() RETURNS text LANGUAGE sql AS $$SELECT '*|'$$",
    "ALTER FUNCTION county_net_verified_scope() SECURITY INVOKER",
    "ALTER TABLE units NO FORCE ROW LEVEL SECURITY",
    "DROP POLICY units_scope ON units",
    "CREATE SCHEMA attacker",
    "SET ROLE postgres",
    "SELECT county_net_private.hmac('x'::bytea, 'y'::bytea, 'sha256')",
])
def test_what_an_injection_would_need_is_refused(app, net, raw, sql):
    s = raw()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        s.rows(sql)


def test_a_function_of_its_own_changes_nothing(app, net, raw):
    """Temporary objects never stand in for the policies' functions: those are bound when the policy is made,
    and the checker runs with a fixed search_path."""
    s = raw()
    s.rows("CREATE FUNCTION pg_temp.county_net_sees_all() RETURNS boolean LANGUAGE sql AS 'SELECT true'")
    s.rows("CREATE FUNCTION pg_temp.county_net_verified_scope() RETURNS text LANGUAGE sql AS $$SELECT '*|'$$")
    s.rows("CREATE TEMP TABLE scope_key (id smallint, key bytea)")
    s.rows("INSERT INTO pg_temp.scope_key VALUES (1, 'attacker-chosen-key-0123456789')")
    s.rows("SET search_path = pg_temp, public")
    forged = sign_scope(b"attacker-chosen-key-0123456789", s.pid, int(time.time()) + 60, "*", "")
    s.publish(**{"county_net.scope": forged, "county_net.unit_ids": "*"})
    assert _units(s.rows) == set()
    assert s.rows("SELECT count(*) FROM public.users") == [0]


def test_the_service_role_has_no_way_to_the_key(app):
    with app.app_context():
        row = db.session.execute(sa.text(
            "SELECT has_schema_privilege('county_net_private', 'USAGE'), "
            "has_schema_privilege('public', 'CREATE'), "
            "has_function_privilege('county_net_verified_scope()', 'EXECUTE')")).one()
        owner_is_definer = db.session.execute(sa.text(
            "SELECT p.prosecdef, pg_get_userbyid(p.proowner) <> current_user, "
            "p.proconfig::text FROM pg_proc p WHERE p.proname = 'county_net_verified_scope'")).one()
        public_may_run = db.session.scalar(sa.text(
            "SELECT count(*) FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a "
            "WHERE p.proname IN ('county_net_verified_scope', 'county_net_sees_all', 'county_net_scope_ids', "
            "'county_net_self_ids', 'county_net_may_see', 'county_net_is_self') "
            "AND a.grantee = 0 AND a.privilege_type = 'EXECUTE'"))
        db.session.rollback()
    assert tuple(row) == (False, False, True)
    assert owner_is_definer[0] and owner_is_definer[1]
    assert owner_is_definer[2] == '{"search_path=pg_catalog, pg_temp"}'
    assert public_may_run == 0


def test_the_database_holds_the_services_key(app, database):
    """migrations/env.py installed the key the service signs with; the owner sees it, the service cannot."""
    engine = database.owner_engine()
    with engine.connect() as conn:
        stored = conn.scalar(sa.text("SELECT key FROM county_net_private.scope_key WHERE id = 1"))
    engine.dispose()
    assert bytes(stored) == scope_key(app)


def test_system_scope_is_signed_too(app, net):
    with app.app_context(), system_scope("check"):
        token = db.session.scalar(sa.text("SELECT current_setting('county_net.scope', true)"))
        assert db.session.scalar(sa.text("SELECT count(*) FROM units")) == 7
        db.session.rollback()
    version, _pid, _expires, units, _selfs, mac = token.split("|")
    assert (version, units, len(mac)) == ("v1", "*", 64)


def test_check_key_tells_whether_the_database_accepts_the_services_scopes(app, database):
    from tests.conftest import make_app

    assert app.test_cli_runner().invoke(args=["tenancy", "check-key"]).exit_code == 0
    other = make_app(database, RLS_SCOPE_KEY="a-key-the-database-never-got")
    result = other.test_cli_runner().invoke(args=["tenancy", "check-key"])
    with other.app_context():
        db.engine.dispose()
    assert result.exit_code == 1 and "RLS_SCOPE_KEY" in result.output


def test_production_on_postgresql_needs_its_own_scope_key(monkeypatch):
    import config
    from county_net import create_app

    for name, value in (("SECRET_KEY", "s" * 32), ("AUDIT_HMAC_KEY", "a" * 32), ("DATA_ENCRYPTION_KEY", "d" * 32),
                        ("LOOKUP_HMAC_KEY", "l" * 32),
                        ("SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://county_net_app@127.0.0.1/nowhere")):
        monkeypatch.setattr(config.ProductionConfig, name, value)
    for weak in (None, "short"):
        monkeypatch.setattr(config.ProductionConfig, "RLS_SCOPE_KEY", weak)
        with pytest.raises(RuntimeError, match="RLS_SCOPE_KEY"):
            create_app(config.ProductionConfig)
    monkeypatch.setattr(config.ProductionConfig, "RLS_SCOPE_KEY", "k" * 32)
    assert create_app(config.ProductionConfig).extensions["county_net_rls_scope_key"] != b"k" * 32


def test_a_long_transaction_gets_a_fresh_token_before_the_old_one_lapses(app, net, monkeypatch):
    """A token lives RLS_SCOPE_TTL seconds; past half of it the next statement republishes, so a long
    transaction never runs on a lapsed token (which would read as "sees nothing")."""
    import county_net.tenancy.rls as rls

    with app.test_request_context():
        set_request_scope(_t1(net))
        first = db.session.scalar(sa.text("SELECT current_setting('county_net.scope', true)"))
        now = time.time()
        monkeypatch.setattr(rls, "_now", lambda: now + app.config["RLS_SCOPE_TTL"] / 2 + 1)
        second = db.session.scalar(sa.text("SELECT current_setting('county_net.scope', true)"))
        assert set(db.session.scalars(sa.text("SELECT code FROM units"))) == {"T1", "E1", "V1"}
        db.session.rollback()
    assert first != second
    assert int(second.split("|")[2]) > int(first.split("|")[2])
