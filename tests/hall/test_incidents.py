"""Hall incidents: recorded by the county center's receptionists and heads (403 for other roles, 404 for a unit
that runs no hall or a visit of another hall), checked field by field (400, nothing written), the heads told at
once of illness or a police call and no one else, the outcome written with its version (409 when stale)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from county_net.core.models import utcnow
from county_net.core.timeutil import local_today, to_local
from county_net.extensions import db
from tests.hall.figures_helpers import make_visits
from tests.hall.seed_incident import seed_incident
from tests.petitions.helpers import add_user
from tests.tenancy.seed import neighbour_county

URL = "/api/v1/hall/incidents"


@pytest.fixture
def hall(app, net):
    for username, roles in (("c_head", ["head"]), ("c_head2", ["head"]), ("c_liaison", ["liaison"])):
        add_user(app, net, username, "C0", roles)
    today = local_today()
    net.visit_id = make_visits(app, net.units["C0"], [
        {"day": today, "ticket_no": 7, "state": "waiting", "head_count": 1, "checked_in_at": utcnow()}])[0]
    return net


def _body(**overrides) -> dict:
    body = {"kind": "disorder", "occurred_at": (utcnow() - timedelta(minutes=5)).isoformat(), "who": "来访人张某",
            "what": "在候访室大声喧哗，工作人员劝导后平静。", "responders": ["staff"], "outcome": ""}
    body.update(overrides)
    return body


def _rows(app, model, *where):
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test"):
        rows = db.session.scalars(sa.select(model).where(*where)).all()
        db.session.expunge_all()
        db.session.remove()
    return rows


def _incidents(app):
    from county_net.hall.models import Incident

    return _rows(app, Incident)


def _notified(app) -> set[int]:
    from county_net.notifications.models import Notification

    return {n.user_id for n in _rows(app, Notification, Notification.kind == "hall_incident")}


def test_a_receptionist_records_against_a_visit_and_it_is_audited(app, hall, api_token):
    from county_net.audit.models import AuditRecord

    client = app.test_client()
    resp = client.post(URL, json=_body(visit_id=hall.visit_id, outcome="已劝离"), headers=api_token("c_recv"))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["visit_id"] == hall.visit_id and body["ticket_no"] == 7
    assert body["kind_label"] == "其他扰乱公共秩序" and body["responder_labels"] == ["工作人员劝导"]
    assert body["version"] == 1 and body["recorded_by_name"] == "c_recv"
    [row] = _incidents(app)
    assert row.unit_id == hall.units["C0"] and row.day == to_local(row.occurred_at).date()
    records = _rows(app, AuditRecord, AuditRecord.action == "hall_incident.recorded")
    assert [r.target_id for r in records] == [str(row.id)]
    assert _notified(app) == set()  # neither illness nor police: no one is alerted
    got = client.get(f"{URL}/{row.id}", headers=api_token("c_head"))
    assert got.status_code == 200 and got.get_json()["who"] == "来访人张某"


@pytest.mark.parametrize("overrides", [{"kind": "medical", "responders": ["medical", "hospital"]},
                                       {"kind": "violence", "responders": ["police", "staff"]}])
def test_illness_or_a_police_call_reaches_the_heads_and_no_one_else(app, hall, api_token, overrides):
    resp = app.test_client().post(URL, json=_body(**overrides), headers=api_token("c_recv"))
    assert resp.status_code == 201, resp.get_json()
    assert _notified(app) == {hall.users["c_head"], hall.users["c_head2"]}
    from county_net.notifications.models import Notification

    [first, _] = _rows(app, Notification, Notification.kind == "hall_incident")
    assert first.link.endswith(f"/hall/incidents/{resp.get_json()['id']}")
    assert first.unit_id == hall.units["C0"]


def test_roles_and_units_without_a_hall(app, hall, api_token):
    client = app.test_client()
    for user, status in (("c_liaison", 403), ("admin", 403), ("t1_recv", 404), ("t1_head", 404), ("b1_head", 404)):
        resp = client.post(URL, json=_body(), headers=api_token(user))
        assert resp.status_code == status, (user, resp.get_json())
        assert client.get(URL, headers=api_token(user)).status_code == status, user
    assert _incidents(app) == []
    assert client.post(URL, json=_body(), headers=api_token("c_head")).status_code == 201


def test_a_visit_of_another_hall_is_404(app, hall, api_token):
    ids = neighbour_county(app, [("k_recv", "K0", ["receptionist"])])
    theirs = make_visits(app, ids["K0"], [{"day": local_today(), "ticket_no": 1, "state": "waiting",
                                            "head_count": 1, "checked_in_at": utcnow()}])[0]
    client = app.test_client()
    for visit_id in (theirs, 987654):
        resp = client.post(URL, json=_body(visit_id=visit_id), headers=api_token("c_recv"))
        assert resp.status_code == 404, resp.get_json()
    assert _incidents(app) == []
    # Their own receptionist may record against it; ours does not see it.
    assert client.post(URL, json=_body(visit_id=theirs), headers=api_token("k_recv")).status_code == 201
    [theirs_row] = _incidents(app)
    assert client.get(f"{URL}/{theirs_row.id}", headers=api_token("c_recv")).status_code == 404
    assert client.get(URL, headers=api_token("c_recv")).get_json()["items"] == []


@pytest.mark.parametrize("overrides, field", [
    ({"kind": "fight"}, "kind"),
    ({"kind": None}, "kind"),
    ({"occurred_at": (utcnow() + timedelta(hours=2)).isoformat()}, "occurred_at"),
    ({"occurred_at": "2026-01-05T10:00:00"}, "occurred_at"),  # no time zone
    ({"occurred_at": "1999-01-05T10:00:00+08:00"}, "occurred_at"),
    ({"occurred_at": "0001-01-01T00:00:00+14:00"}, "occurred_at"),
    ({"who": ""}, "who"),
    ({"who": "张" * 201}, "who"),
    ({"what": "  "}, "what"),
    ({"responders": ["army"]}, "responders"),
    ({"responders": "police"}, "responders"),
    ({"visit_id": 0}, "visit_id"),
    ({"visit_id": "7"}, "visit_id"),
])
def test_bad_fields_are_400_and_nothing_is_written(app, hall, api_token, overrides, field):
    resp = app.test_client().post(URL, json=_body(**overrides), headers=api_token("c_recv"))
    assert resp.status_code == 400, resp.get_json()
    assert field in resp.get_json()["error"]["fields"]
    assert _incidents(app) == []


def test_the_service_checks_every_field_itself(app, hall):
    """The web form and the API share the service; its own checks hold whoever calls it."""
    from county_net.accounts.models import User
    from county_net.core.errors import InvalidInput
    from county_net.hall.incident_services import record_incident
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test"):
        actor = db.session.get(User, hall.users["c_recv"])
        with pytest.raises(InvalidInput) as caught:
            record_incident(actor, kind="x", occurred_at=utcnow() + timedelta(days=1), who="", what="",
                            responders=["army"], outcome=None)
        assert set(caught.value.fields) == {"kind", "occurred_at", "who", "what", "responders"}
        db.session.remove()


def test_a_day_list_and_the_outcome_with_its_version(app, hall, api_token):
    client = app.test_client()
    recv = api_token("c_recv")
    earlier = seed_incident(app, hall.units["C0"])["incident_id"]
    made = client.post(URL, json=_body(kind="medical", responders=["medical"]), headers=recv).get_json()
    items = client.get(URL, headers=api_token("c_head")).get_json()["items"]
    assert {i["id"] for i in items} == {earlier, made["id"]}
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    listed = client.get(f"{URL}?day={yesterday}", headers=recv).get_json()
    assert listed["day"] == yesterday and all(i["day"] == yesterday for i in listed["items"])
    assert client.get(f"{URL}?day=2026-02-30", headers=recv).status_code == 400

    resp = client.patch(f"{URL}/{made['id']}", json={"version": 1, "outcome": "120 送县医院，已无大碍。"}, headers=recv)
    assert resp.status_code == 200 and resp.get_json()["version"] == 2
    stale = client.patch(f"{URL}/{made['id']}", json={"version": 1, "outcome": "另一说法"}, headers=recv)
    assert stale.status_code == 409 and stale.get_json()["error"]["current"]["version"] == 2
    assert client.patch(f"{URL}/{made['id']}", json={"version": 2, "outcome": ""}, headers=recv).status_code == 400
    assert client.patch(f"{URL}/{made['id']}", json={"version": 2, "outcome": "x"},
                        headers=api_token("c_liaison")).status_code == 403
    assert client.patch(f"{URL}/{made['id']}", json={"version": 2, "outcome": "x"},
                        headers=api_token("t1_head")).status_code == 404
    [row] = [r for r in _incidents(app) if r.id == made["id"]]
    assert row.outcome == "120 送县医院，已无大碍。" and row.version == 2


def test_the_web_form_from_a_visit_the_list_and_the_outcome(app, hall, login):
    web = login("c_recv")
    assert web.get("/hall/incidents/new?visit_id=9999999999").status_code == 200  # out of range: no lookup
    page = web.get(f"/hall/incidents/new?visit_id={hall.visit_id}")
    assert page.status_code == 200 and "候谈号" in page.get_data(as_text=True)
    local = to_local(utcnow() - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M")
    bad = web.post("/hall/incidents/new", {"visit_id": str(hall.visit_id), "kind": "medical",
                                           "occurred_at_local": local, "who": "", "what": "晕倒"},
                   form_page=f"/hall/incidents/new?visit_id={hall.visit_id}")
    assert bad.status_code == 400 and 'id="who-error"' in bad.get_data(as_text=True)
    assert _incidents(app) == []
    done = web.client.post("/hall/incidents/new", data={
        "csrf_token": _token(web, "/hall/incidents/new"), "visit_id": str(hall.visit_id), "kind": "medical",
        "occurred_at_local": local, "who": "来访老人李某", "what": "候谈时晕倒。", "responders": ["medical", "hospital"]})
    assert done.status_code == 302, done.get_data(as_text=True)[:400]
    [row] = _incidents(app)
    assert row.visit_id == hall.visit_id and row.responders == "medical,hospital"
    assert _notified(app) == {hall.users["c_head"], hall.users["c_head2"]}
    listing = login("c_head").get("/hall/incidents").get_data(as_text=True)
    assert "今日突发情况" in listing and "来访老人李某" in listing and "突发疾病" in listing
    other_day = login("c_head").get("/hall/incidents?day=2026-01-05").get_data(as_text=True)
    assert "来访老人李某" not in other_day
    saved = web.post(f"/hall/incidents/{row.id}/outcome", {"version": "1", "outcome": "已送医。"},
                     form_page=f"/hall/incidents/{row.id}")
    assert saved.status_code == 302
    assert "已送医。" in web.get(f"/hall/incidents/{row.id}").get_data(as_text=True)
    stale = web.post(f"/hall/incidents/{row.id}/outcome", {"version": "1", "outcome": "又改"},
                     form_page=f"/hall/incidents/{row.id}")
    assert stale.status_code == 302 and _incidents(app)[0].outcome == "已送医。"


def _token(web, path):
    from tests.conftest import csrf_from

    return csrf_from(web.client, path)


def test_other_units_see_no_incident_pages(app, hall, login):
    incident_id = seed_incident(app, hall.units["C0"])["incident_id"]
    for user in ("t1_head", "t2_recv", "b1_head"):
        web = login(user)
        for path in ("/hall/incidents", "/hall/incidents/new", f"/hall/incidents/{incident_id}"):
            assert web.get(path).status_code == 404, (user, path)
    web = login("c_liaison")
    assert web.get("/hall/incidents").status_code == 403
    assert web.get(f"/hall/incidents/{incident_id}").status_code == 403
