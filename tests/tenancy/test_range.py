"""The scope as a range: a principal's subtree is read from `units.path` at the time of each statement (no id
list anywhere in the SQL), so moving a unit changes what it and its old and new ancestors see on their very
next request; column selects get the ORM's predicates through tenancy.visible(); and a matter's child rows
carry correct copies of its county and accused unit."""
import copy
import re

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import (EscapedCriteria, Scope, Scoped, orm_criteria_disabled, scope_for_user, scoped,
                                system_scope, visible)
from county_net.tenancy.context import set_request_scope
from tests.conftest import NETWORK, ON_POSTGRES
from tests.petitions.helpers import Api


def _units_seen(client, headers) -> set[str]:
    return {u["code"] for u in client.get("/api/v1/units?page_size=100", headers=headers).get_json()["items"]}


def _scope_of(app, username) -> Scope:
    from county_net.accounts.models import User

    with app.app_context(), system_scope("test"):
        scope = scope_for_user(db.session.scalar(sa.select(User).where(User.username == username)))
        db.session.remove()
    return scope


def _move(app, code, new_parent):
    from county_net.units.network_file import parse_network
    from county_net.units.services import sync_units

    moved = copy.deepcopy(NETWORK)
    for unit in moved["units"]:
        if unit["code"] == code:
            unit["parent"] = new_parent
    with app.app_context(), system_scope("test: a unit moves"):
        report = sync_units(parse_network(moved))
        db.session.remove()
    assert code in report.updated


def _matter_of(app, api, unit_id) -> int:
    """A matter registered, then re-homed in system scope to `unit_id` (its owner and holder)."""
    from county_net.petitions.models import Petition

    matter = api.register("t1_recv")
    with app.app_context(), system_scope("test: a matter of the unit"):
        petition = db.session.get(Petition, matter["id"])
        petition.unit_id = petition.holder_unit_id = unit_id
        db.session.commit()
        db.session.remove()
    return matter["id"]


def test_moving_a_unit_changes_what_it_and_its_old_and_new_ancestors_see_at_once(app, net, api_token):
    client, api = app.test_client(), Api(app, api_token)
    heads = {u: api_token(u) for u in ("t1_recv", "t2_recv", "c_recv", "e1_liaison")}
    e1 = net.units["E1"]
    matter = _matter_of(app, api, e1)
    before_t1 = _scope_of(app, "t1_recv")  # what a per-process cache of the principal would hold
    assert _units_seen(client, heads["t1_recv"]) == {"T1", "E1", "V1"}
    assert _units_seen(client, heads["t2_recv"]) == {"T2", "E2"}
    assert api.get("t1_recv", f"/api/v1/petitions/{matter}").status_code == 200
    assert api.get("t2_recv", f"/api/v1/petitions/{matter}").status_code == 404
    assert _scope_of(app, "e1_liaison").self_ids == {net.units["C0"], net.units["T1"], e1}

    _move(app, "E1", "T2")

    # Next request: the old ancestor has lost it, the new one has it, the county center still sees all.
    assert _units_seen(client, heads["t1_recv"]) == {"T1", "V1"}
    assert _units_seen(client, heads["t2_recv"]) == {"T2", "E2", "E1"}
    assert _units_seen(client, heads["c_recv"]) == set(net.units)
    assert _units_seen(client, heads["e1_liaison"]) == {"E1"}
    assert client.get(f"/api/v1/units/{e1}", headers=heads["t1_recv"]).status_code == 404
    assert client.get(f"/api/v1/units/{e1}", headers=heads["t2_recv"]).status_code == 200
    assert api.get("t1_recv", f"/api/v1/petitions/{matter}").status_code == 404
    assert api.get("t2_recv", f"/api/v1/petitions/{matter}").status_code == 200
    # The moved unit's own users: their path and ancestors (what an accusation hides from them) follow.
    moved = _scope_of(app, "e1_liaison")
    assert moved.self_ids == {net.units["C0"], net.units["T2"], e1} and moved.path.endswith(f"/{net.units['T2']}/{e1}/")
    assert moved.unit_ids == {e1}
    # A scope object made before the move reads the tree as it is now: the SQL holds a path, not the ids.
    with app.test_request_context():
        set_request_scope(before_t1)
        from county_net.units.models import Unit

        assert set(db.session.scalars(sa.select(Unit.code))) == {"T1", "V1"}
        assert before_t1.unit_ids == {net.units["T1"], net.units["V1"]}
        assert not before_t1.may_see(e1)
        db.session.rollback()
    if ON_POSTGRES:  # and the database's own line, with the ORM criteria off
        with app.test_request_context(), orm_criteria_disabled():
            set_request_scope(_scope_of(app, "t2_recv"))
            assert set(db.session.scalars(sa.text("SELECT code FROM units"))) == {"T2", "E2", "E1"}
            assert db.session.scalar(sa.text("SELECT count(*) FROM petitions WHERE id = :i"), {"i": matter}) == 1
            db.session.rollback()


def test_the_sql_is_the_same_for_a_small_and_a_large_subtree(app, net, api_token):
    """T1 has three units and T2 two; the county center seven: the statements of the same list carry the same
    text and parameter count for both townships, and no parameter names the subtree's units."""
    captured = {}
    with app.app_context():
        engine = db.engine

    def run(username):
        seen = []

        def keep(conn, cursor, statement, parameters, *args):
            seen.append((statement, parameters))

        headers = api_token(username)
        for path in ("/api/v1/petitions", "/api/v1/units", "/api/v1/notifications"):
            app.test_client().get(path, headers=headers)  # warm: the process's reference data is read once
        sa.event.listen(engine, "before_cursor_execute", keep)
        try:
            for path in ("/api/v1/petitions", "/api/v1/units", "/api/v1/notifications"):
                assert app.test_client().get(path, headers=headers).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", keep)
        captured[username] = [(s, p) for s, p in seen if "set_config" not in s]

    for username in ("t1_recv", "t2_recv", "c_recv"):
        run(username)

    def shape(statements):
        return [(re.sub(r"\s+", " ", s), len(p) if hasattr(p, "__len__") else 0) for s, p in statements]

    t1, t2 = shape(captured["t1_recv"]), shape(captured["t2_recv"])
    tenant = [s for s, _ in t1 if "units" in s or "petitions" in s]
    assert tenant and tenant == [s for s, _ in t2 if "units" in s or "petitions" in s]
    assert [n for _, n in t1] == [n for _, n in t2]
    tree = {net.units[c] for c in ("T1", "E1", "V1")}
    for _, parameters in captured["t1_recv"]:
        values = parameters.values() if isinstance(parameters, dict) else parameters or ()
        assert not any(isinstance(v, (list, tuple)) and set(v) >= tree for v in values), parameters
        assert not any(isinstance(v, str) and v.strip("{}") == ",".join(map(str, sorted(tree))) for v in values)


def _models():
    return sorted((m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, Scoped)),
                  key=lambda c: c.__name__)


@pytest.mark.parametrize("username", ["t1_recv", "t2_recv", "b1_recv", "e1_liaison", "c_recv"])
def test_a_column_select_with_visible_reads_exactly_what_the_orm_reads(app, net, api_token, username):
    """Model sweep for the column-select helper: for every tenant model, the rows a column select with
    visible() returns are the rows the ORM criteria return, through the table and through an alias."""
    api = Api(app, api_token)
    api.register("t2_recv")
    second = api.register("t1_recv")
    api.act("t1_recv", second, "transfer", to_unit_id=net.units["B1"])
    api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部违纪问题。")
    from tests.coordination.helpers import seed_meeting

    seed_meeting(api, net, invited=("T2", "B1"))
    scope = _scope_of(app, username)
    with app.test_request_context():
        set_request_scope(scope)
        for model in _models():
            key = model.__mapper__.primary_key[0]
            table = model.__table__
            orm = set(db.session.scalars(sa.select(getattr(model, key.key))))
            core = set(db.session.scalars(sa.select(table.c[key.key]).where(visible(table))))
            alias = table.alias("probe_of_test")
            aliased_rows = set(db.session.scalars(sa.select(alias.c[key.key]).where(visible(alias))))
            helper = set(db.session.scalars(scoped(sa.select(table.c[key.key]))))
            assert core == orm == aliased_rows == helper, (model.__name__, orm, core)
        db.session.rollback()


def test_a_column_select_that_escapes_the_criteria_fails(app, net, api_token):
    from county_net.petitions.models import Petition, PetitionEvent

    Api(app, api_token).register("t2_recv")
    matters, events = Petition.__table__, PetitionEvent.__table__
    with app.test_request_context():
        set_request_scope(_scope_of(app, "t1_recv"))
        escaping = [
            sa.select(matters.c.id, matters.c.number),
            sa.select(Petition.id).join(events, events.c.petition_id == Petition.id),
            sa.select(Petition.id).where(Petition.id.in_(sa.select(events.c.petition_id))),
            sa.select(matters.c.id).join(events, events.c.petition_id == matters.c.id).where(visible(matters)),
        ]
        for statement in escaping:
            with pytest.raises(EscapedCriteria):
                db.session.execute(statement)
            db.session.rollback()
        allowed = [
            sa.select(matters.c.id, matters.c.number).where(visible(matters)),
            scoped(sa.select(matters.c.id).join(events, events.c.petition_id == matters.c.id)),
            sa.select(Petition.id).join(events, sa.and_(events.c.petition_id == Petition.id, visible(events))),
            sa.select(Petition.id, matters.c.number),  # the model itself is in the statement
        ]
        for statement in allowed:
            assert db.session.execute(statement).all() == []  # T2's matter stays unseen
        db.session.rollback()
    with app.test_request_context(), system_scope("system work reads what it needs"):
        assert len(db.session.execute(sa.select(matters.c.id)).all()) == 1
        db.session.rollback()


def test_child_rows_carry_their_matters_county_and_accused_unit(app, net, api_token):
    """The copies are made in one place (PetitionChild's before_insert) and recomputed here from the matters."""
    from county_net.petitions.models import Petition, PetitionChild

    api = Api(app, api_token)
    accusation = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"],
                              summary="反映东镇干部违纪问题。")
    plain = api.register("t2_recv")
    api.act("t2_recv", plain, "transfer", to_unit_id=net.units["B1"])
    api.upload("t2_recv", plain["id"])
    api.register("t2_recv")  # a repeat link to the first
    children = [m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, PetitionChild)]
    with app.app_context(), system_scope("check the copies"):
        matters = {p.id: (p.county_unit_id, p.accused_unit_id) for p in db.session.scalars(sa.select(Petition))}
        counted = {}
        for model in children:
            rows = db.session.execute(sa.select(model.petition_id, model.county_unit_id, model.accused_unit_id)).all()
            counted[model.__name__] = len(rows)
            assert all(matters[r.petition_id] == (r.county_unit_id, r.accused_unit_id) for r in rows), model
        db.session.remove()
    assert matters[accusation["id"]] == (net.units["C0"], net.units["T1"])
    assert all(counted[name] for name in ("PetitionParty", "PetitionEvent", "PetitionLink", "PetitionAttachment"))


def test_a_county_centers_child_rows_need_no_probe_into_matters(app, net, api_token):
    """The county-wide rule reads the child row's copies, the accused-unit test included."""
    from county_net.petitions.models import PetitionEvent

    api = Api(app, api_token)
    api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部违纪问题。")
    other = api.register("t1_recv")
    center = _scope_of(app, "c_recv")
    # The center's scope, as if T1 were among its own units (so the accusation must stay hidden from it).
    scope = Scope(None, self_ids=center.self_ids | {net.units["T1"]}, unit_id=center.unit_id,
                  county_id=center.county_id, whole_county=True, path=center.path)
    statements = []

    def keep(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context():
        set_request_scope(scope)
        sa.event.listen(db.engine, "before_cursor_execute", keep)
        try:
            seen = set(db.session.scalars(sa.select(PetitionEvent.petition_id)))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", keep)
        db.session.rollback()
    assert seen == {other["id"]}
    query = next(s for s in statements if "petition_events" in s)
    assert "petitions" not in query.replace("petition_events", "")
    if ON_POSTGRES:
        with app.test_request_context(), orm_criteria_disabled():
            set_request_scope(scope)
            assert set(db.session.scalars(sa.text("SELECT petition_id FROM petition_events"))) == {other["id"]}
            db.session.rollback()


def test_scope_objects_are_values(app, net):
    one, same = _scope_of(app, "t1_recv"), _scope_of(app, "t1_recv")
    assert one == same and hash(one) == hash(same) and len({one, same}) == 1
    assert one.is_range and one.listed is None and one.path_range == (one.path, one.path[:-1] + "0")
    with pytest.raises(AttributeError):
        one.path = "/"
    center = _scope_of(app, "c_recv")
    assert center.whole_county and center.unit_ids == set(net.units.values())
    assert center.rls_value() == center.path and len(center.rls_value()) < 8  # the path, not the county's ids
    listed = Scope(frozenset({net.units["T1"]}))
    assert listed.unit_ids == {net.units["T1"]} and listed.rls_value() == str(net.units["T1"])
    inactive = Scope.of_unit(net.units["T1"], one.path, active=False)
    assert inactive.unit_ids == frozenset() and not inactive.may_see(net.units["T1"])


@pytest.mark.postgres_only
def test_a_path_token_is_signed_like_an_id_list(app, net):
    """The published token names the path; altering it (a wider path) reads as nothing, and the unit table's
    own policy compares its path (no recursion into itself)."""
    scope = _scope_of(app, "t1_recv")
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(scope)
        token = db.session.scalar(sa.text("SELECT current_setting('county_net.scope', true)"))
        assert token.split("|")[3] == scope.path
        assert set(db.session.scalars(sa.text("SELECT code FROM units"))) == {"T1", "E1", "V1"}
        assert sorted(db.session.scalars(sa.text("SELECT unnest(county_net_scope_ids())"))) == \
            sorted(net.units[c] for c in ("T1", "E1", "V1"))
        assert db.session.scalar(sa.text("SELECT county_net_whole_county()")) is None
        payload, mac = token.rsplit("|", 1)
        version, pid, expires, _, selfs = payload.split("|")
        root = f"/{net.units['C0']}/"
        db.session.execute(sa.text("SELECT set_config('county_net.scope', :t, true)"),
                           {"t": f"{version}|{pid}|{expires}|{root}|{selfs}|{mac}"})
        assert set(db.session.scalars(sa.text("SELECT code FROM units"))) == set()
        assert db.session.scalar(sa.text("SELECT count(*) FROM petitions")) == 0
        db.session.rollback()
        set_request_scope(_scope_of(app, "c_recv"))
        assert db.session.scalar(sa.text("SELECT county_net_whole_county()")) == net.units["C0"]
        db.session.rollback()


def test_every_tenant_model_has_a_visibility_rule(app):
    """The one loader criterion reads each model's rules: a tenant model without one would be read unfiltered."""
    from county_net.tenancy.criteria import _rules_of

    missing = [m.__name__ for m in _models() if not _rules_of(m)]
    assert not missing, missing


@pytest.mark.postgres_only
def test_a_temporary_unit_table_does_not_widen_a_path_token(app, net):
    """The subtree is read from public.units by name: a temporary `units` first on the search path is ignored."""
    scope = _scope_of(app, "t1_recv")
    tree = sorted(net.units[c] for c in ("T1", "E1", "V1"))
    with app.test_request_context(), orm_criteria_disabled():
        set_request_scope(scope)
        db.session.execute(sa.text("CREATE TEMP TABLE units (id integer, path text)"))
        db.session.execute(sa.text("INSERT INTO pg_temp.units VALUES (:i, :p)"),
                           {"i": net.units["T2"], "p": scope.path + "999/"})
        db.session.execute(sa.text("SET LOCAL search_path = pg_temp, public"))
        assert sorted(db.session.scalars(sa.text("SELECT unnest(public.county_net_scope_ids())"))) == tree
        assert sorted(db.session.scalars(sa.text("SELECT id FROM public.units"))) == tree
        db.session.rollback()
