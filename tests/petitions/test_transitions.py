"""Illegal transitions and stale versions: 409 with the reason, and nothing changes."""
import threading

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import Petition, PetitionEvent
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, in_days


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _snapshot(app, petition_id):
    with app.app_context(), system_scope("snapshot"):
        row = db.session.execute(sa.select(Petition.state, Petition.version, Petition.holder_unit_id,
                                           Petition.due_on).where(Petition.id == petition_id)).one()
        events = db.session.scalar(sa.select(sa.func.count()).select_from(PetitionEvent)
                                   .where(PetitionEvent.petition_id == petition_id))
        db.session.remove()
    return tuple(row), events


ILLEGAL = [
    # (state-making steps, actor, action, body, expected code)
    ([], "c_recv", "accept", {}, "illegal_transition"),             # not signed for
    ([], "c_recv", "reply", {"outcome": "support", "request": "x", "facts": "x", "basis": "x"}, "illegal_transition"),
    ([], "c_recv", "sign-for", {}, "illegal_transition"),           # nothing was sent to it
    ([], "c_recv", "approve-report", {}, "illegal_transition"),
    ([], "c_recv", "reexamination", {}, "illegal_transition"),
    ([("c_recv", "transfer", "B1")], "c_recv", "transfer", {"to_unit_id": "T1"}, "illegal_transition"),  # twice
    ([("c_recv", "transfer", "B1")], "c_recv", "accept", {}, "illegal_transition"),  # the receiver's move
    ([("c_recv", "transfer", "B1")], "b1_recv", "accept", {}, "illegal_transition"),  # sign first
    ([("c_recv", "transfer", "B1"), ("b1_recv", "sign-for", None)], "b1_recv", "close", {}, "illegal_transition"),
    ([("c_recv", "transfer", "B1"), ("b1_recv", "sign-for", None), ("b1_recv", "accept", None)],
     "b1_recv", "report", {"report": "x"}, "illegal_transition"),  # transferred matters have no report
    ([("c_recv", "transfer", "B1"), ("b1_recv", "sign-for", None), ("b1_recv", "accept", None)],
     "b1_recv", "extend", {"days": 5, "reason": "x", "petitioner_told": True}, "forbidden"),  # head only
]


def _walk(api, net, p, steps):
    for user, slug, unit in steps:
        fields = {"to_unit_id": net.units[unit]} if unit else {}
        p = api.act(user, api.show(user, p["id"]), slug, **fields)
    return p


@pytest.mark.parametrize("steps, actor, slug, body, code", ILLEGAL)
def test_illegal_transitions_change_nothing(app, api, net, steps, actor, slug, body, code):
    p = _walk(api, net, api.register("c_recv"), steps)
    seen = api.show(actor, p["id"])
    before = _snapshot(app, p["id"])
    if "to_unit_id" in body:
        body = {**body, "to_unit_id": net.units[body["to_unit_id"]]}
    resp = api.post(actor, f"/api/v1/petitions/{p['id']}/{slug}", {"version": seen["version"], **body})
    assert resp.status_code == (403 if code == "forbidden" else 409), resp.get_json()
    error = resp.get_json()["error"]
    assert error["code"] == code and error["message"]
    assert _snapshot(app, p["id"]) == before


def test_stale_version_is_409(app, api, net):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    resp = api.post("c_recv", f"/api/v1/petitions/{p['id']}/assign",
                    {"version": p["version"], "to_unit_id": net.units["T1"], "report_due_on": in_days(20)})
    assert resp.status_code == 409 and resp.get_json()["error"]["code"] in ("stale_version", "illegal_transition")


def test_bad_input_is_400_with_fields(app, api, net):
    p = api.register("c_recv")
    resp = api.post("c_recv", f"/api/v1/petitions/{p['id']}/assign",
                    {"version": p["version"], "to_unit_id": net.units["B1"], "report_due_on": "2020-01-01"})
    assert resp.status_code == 400 and "report_due_on" in resp.get_json()["error"]["fields"]
    resp = api.post("c_recv", "/api/v1/petitions", {"channel": "fax", "petitioners": [], "nature": "x"})
    fields = resp.get_json()["error"]["fields"]
    assert resp.status_code == 400 and {"channel", "petitioners", "nature", "category_id", "summary"} <= set(fields)
    six = [{"name": f"代表{i}"} for i in range(6)]
    resp = api.post("c_recv", "/api/v1/petitions", {"channel": "visit", "petitioners": six, "category_id": 1,
                                                     "nature": "demand", "summary": "五人以上集体反映问题", "head_count": 30})
    assert resp.status_code == 400 and "不超过 5 名代表" in str(resp.get_json()["error"]["fields"])
    bad_id = api.post("c_recv", "/api/v1/petitions", {"channel": "visit", "category_id": 1, "nature": "demand",
                                                       "summary": "身份证号写错了的登记", "petitioners": [
                                                           {"name": "李某", "id_number": "339901198001010011"}]})
    assert bad_id.status_code == 400 and "校验位" in str(bad_id.get_json()["error"]["fields"])


def test_extension_limits(app, api, net, api_token):
    p = _walk(api, net, api.register("c_recv"),
              [("c_recv", "transfer", "T1"), ("t1_recv", "sign-for", None), ("t1_recv", "accept", None)])
    p = api.show("t1_head", p["id"])
    due = p["deadline"]["due_on"]
    over = api.post("t1_head", f"/api/v1/petitions/{p['id']}/extend",
                    {"version": p["version"], "days": 31, "reason": "复杂", "petitioner_told": True})
    assert over.status_code == 400 and "30" in str(over.get_json()["error"]["fields"])
    untold = api.post("t1_head", f"/api/v1/petitions/{p['id']}/extend",
                      {"version": p["version"], "days": 10, "reason": "复杂"})
    assert untold.status_code == 400
    p = api.act("t1_head", p, "extend", days=30, reason="需多部门核查", petitioner_told=True)
    assert p["extension_days"] == 30 and p["deadline"]["due_on"] > due
    again = api.post("t1_head", f"/api/v1/petitions/{p['id']}/extend",
                     {"version": p["version"], "days": 1, "reason": "再延", "petitioner_told": True})
    assert again.status_code == 400


def test_two_handlers_same_version_one_wins(app, database, net, api_token):
    """Two clerks act at once on the same version: exactly one succeeds, the other gets 409, no event lost."""
    api = Api(app, api_token)
    p = api.register("c_recv")
    h = api.headers("c_recv")
    results = []
    barrier = threading.Barrier(2)

    def act(body):
        client = app.test_client()
        barrier.wait()
        results.append(client.post(f"/api/v1/petitions/{p['id']}/{body.pop('slug')}", json=body, headers=h))

    bodies = [{"slug": "transfer", "version": p["version"], "to_unit_id": net.units["B1"]},
              {"slug": "transfer", "version": p["version"], "to_unit_id": net.units["T1"]}]
    threads = [threading.Thread(target=act, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.get_json() for r in results]
    with app.app_context(), system_scope("check"):
        kinds = list(db.session.scalars(sa.select(PetitionEvent.kind).where(PetitionEvent.petition_id == p["id"])))
        version = db.session.scalar(sa.select(Petition.version).where(Petition.id == p["id"]))
        db.session.remove()
    assert kinds == ["register", "transfer"] and version == p["version"] + 1
