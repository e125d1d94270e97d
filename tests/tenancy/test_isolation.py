"""Siblings see nothing of each other; a parent sees its subtree; the county center sees its county."""
import pytest
import sqlalchemy as sa

from county_net.accounts.models import User
from county_net.extensions import db
from county_net.tenancy import NoScope, Scope, Scoped, system_scope
from county_net.tenancy.context import set_request_scope
from county_net.units.models import Unit


def _visible_codes(client, headers):
    body = client.get("/api/v1/units?page_size=100", headers=headers).get_json()
    return {u["code"] for u in body["items"]}


def test_unit_visibility_follows_the_tree(app, net, api_token):
    client = app.test_client()
    assert _visible_codes(client, api_token("t1_recv")) == {"T1", "E1", "V1"}
    assert _visible_codes(client, api_token("t2_recv")) == {"T2", "E2"}
    assert _visible_codes(client, api_token("e1_liaison")) == {"E1"}
    assert _visible_codes(client, api_token("b1_recv")) == {"B1"}
    assert _visible_codes(client, api_token("c_recv")) == {"C0", "T1", "T2", "B1", "E1", "V1", "E2"}


def test_user_lists_follow_the_tree(app, net, api_token):
    client = app.test_client()
    names = {u["username"] for u in client.get("/api/v1/users?page_size=100", headers=api_token("admin"))
             .get_json()["items"]}
    assert names == {u for u in net.users}
    # A head of T1 sees the units of its subtree on the web, and never T2.
    resp = client.get(f"/api/v1/units/{net.units['T2']}", headers=api_token("t1_head"))
    assert resp.status_code == 404


def test_query_without_scope_fails_loudly(app, net):
    with app.app_context():
        with pytest.raises(NoScope):
            db.session.scalars(sa.select(Unit)).all()
        with pytest.raises(NoScope):
            db.session.scalars(sa.select(User)).all()
        with system_scope("test"):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 7


def test_scope_applies_to_every_scoped_model(app, net, api_token):
    """Model sweep: with rows of every Scoped model existing for T2, a T1 scope sees none of them."""
    from tests.petitions.helpers import Api, id_number

    api = Api(app, api_token)
    api.register("t2_recv")
    # A second matter of the same person with a new phone: a repeat link and a contact change exist too.
    second = api.register("t2_recv", petitioners=[{"name": "张某明", "id_number": id_number(1),
                                                   "phone": "13800002222"}])
    api.act("t2_recv", second, "transfer", to_unit_id=net.units["B1"])  # and a grant to T1's sibling
    api.upload("t2_recv", second["id"])
    # A matter T2 handled itself and closed: its follow-up task (desk) exists too.
    third = api.act("t2_recv", api.register("t2_recv"), "handle-self")
    third = api.act("t2_recv", third, "reply", outcome="support", request="诉求", facts="事实", basis="依据")
    api.act("t2_recv", third, "close")
    from tests.coordination.helpers import seed_meeting

    seed_meeting(api, net, invited=("T2", "B1"))
    _digest_issue_of(app, net.units["T2"])
    # A yellow 督办 on T2 (record, matter link, timeline, ledger line; the transfer started the clocks).
    from datetime import date, timedelta

    assert api.post("c_recv", "/api/v1/supervisions", {
        "petition_ids": [second["id"]], "target_unit_id": net.units["T2"], "level": "yellow", "method": "document",
        "problem": "overdue", "content": "逾期。", "required_action": "办理。",
        "feedback_due_on": (date.today() + timedelta(days=7)).isoformat()}).status_code == 201
    from tests.screening.helpers import seed_rows

    seed_rows(app, net.units["T2"])  # a screening sheet, its line, timeline, exemption and immediate report
    from tests.hall.seed import seed_hall

    seed_hall(app, net.units["C0"], net.units["T2"])  # the center's hall; a reception day of T2
    models = sorted((m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, Scoped)),
                    key=lambda c: c.__name__)
    assert len(models) >= 8, models
    t1_tree = {net.units[c] for c in ("T1", "E1", "V1")}
    with app.app_context(), system_scope("count"):
        existing = {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in models}
        db.session.remove()
    assert all(existing.values()), f"the sweep needs a row of each model: {existing}"
    with app.test_request_context():
        set_request_scope(Scope(frozenset(t1_tree)))
        for model in models:
            rows = db.session.scalars(sa.select(model)).all()
            owners = {model.scope_owner_id(r) for r in rows}
            assert None not in owners and owners <= t1_tree, f"{model.__name__} leaks {owners - t1_tree}"
        db.session.remove()


def _digest_issue_of(app, unit_id):
    from datetime import date

    from county_net.digest.models import DigestIssue

    with app.app_context(), system_scope("a stored digest issue owned by the sibling"):
        db.session.add(DigestIssue(unit_id=unit_id, label="2026-W47", period_start=date(2026, 11, 16),
                                   period_end=date(2026, 11, 22), figures="{}"))
        db.session.commit()
        db.session.remove()


def _points_at_a_tenant_or_person(column) -> bool:
    """`unit_id`, `actor_unit_id`, `county_unit_id`, `stationed_unit_id` …, or a foreign key to units or users."""
    return column.name.endswith("unit_id") or any(fk.column.table.name in ("units", "users")
                                                  for fk in column.foreign_keys)


def test_every_table_with_unit_id_is_scoped():
    """Not only a column named unit_id: any column naming a unit (the audit log's actor unit, a counter's county,
    a window's stationed unit) or a user (login sessions) makes the model tenant data."""
    offenders = [m.class_.__name__ for m in db.Model.registry.mappers
                 if any(_points_at_a_tenant_or_person(c) for c in m.columns) and not issubclass(m.class_, Scoped)]
    assert not offenders
    found = {m.class_.__name__ for m in db.Model.registry.mappers
             if any(_points_at_a_tenant_or_person(c) for c in m.columns)}
    assert {"AuditRecord", "AuthSession", "PetitionCounter", "WindowStation", "User", "Petition"} <= found


def test_writes_outside_the_scope_are_refused(app, net):
    from county_net.tenancy import OutOfScope

    with app.test_request_context():
        set_request_scope(Scope(frozenset({net.units["T1"]})))
        user = db.session.scalar(sa.select(User).where(User.username == "t1_recv"))
        user.unit_id = net.units["T2"]  # forged move into a sibling
        with pytest.raises(OutOfScope):
            db.session.flush()
        db.session.rollback()
        with system_scope("check"):
            assert db.session.scalar(sa.select(User.unit_id).where(User.username == "t1_recv")) == net.units["T1"]
        db.session.remove()


def test_bulk_update_is_scoped(app, net):
    with app.test_request_context(method="POST"):
        set_request_scope(Scope(frozenset({net.units["T1"]})))
        db.session.execute(sa.update(User).values(name="改"))
        db.session.commit()
        with system_scope("check"):
            changed = set(db.session.scalars(sa.select(User.username).where(User.name == "改")))
        assert changed == {"t1_head", "t1_recv"}
        db.session.remove()
