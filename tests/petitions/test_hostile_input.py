"""Hostile bodies against every action of a matter the caller can see: a clear 4xx, never a 500, nothing half
written."""
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.actions import ENDPOINTS
from county_net.petitions.models import Petition, PetitionEvent
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api

HOSTILE = [
    {},
    {"version": None},
    {"version": -1},
    {"version": 2**63},
    {"version": 1, "to_unit_id": "东镇"},
    {"version": 1, "to_unit_id": 10**12},
    {"version": 1, "co_unit_ids": "1,2"},
    {"version": 1, "co_unit_ids": [None, {}]},
    {"version": 1, "report_due_on": "2026-02-30"},
    {"version": 1, "days": 1.5, "reason": ["x"]},
    {"version": 1, "outcome": "support", "request": "x" * 5000, "facts": "", "basis": None},
    {"version": 1, "result": "revoke", "opinion": {"a": 1}},
    {"version": 1, "reason": "hearing", "until": "tomorrow"},
    {"version": 1, "satisfaction": "极其满意"},
    {"version": 1, "unknown_field": 1},
    [1, 2, 3],
    "just a string",
]


def _state(app, petition_id):
    with app.app_context(), system_scope("snapshot"):
        row = tuple(db.session.execute(sa.select(Petition.state, Petition.version)
                                       .where(Petition.id == petition_id)).one())
        events = db.session.scalar(sa.select(sa.func.count()).select_from(PetitionEvent)
                                   .where(PetitionEvent.petition_id == petition_id))
        db.session.remove()
    return row, events


def test_every_action_survives_hostile_bodies(app, net, api_token):
    api = Api(app, api_token)
    p = api.register("c_recv")
    before = _state(app, p["id"])
    for endpoint in ENDPOINTS.values():
        for body in HOSTILE:
            resp = api.client.post(f"/api/v1/petitions/{p['id']}/{endpoint.slug}", json=body,
                                   headers=api.headers("c_recv"))
            assert 400 <= resp.status_code < 500, (endpoint.slug, body, resp.status_code, resp.get_json())
            # A 409 also carries the matter as it now is (`current`), so a client can refresh.
            assert set(resp.get_json()["error"]) - {"current"} == {"code", "message", "fields"}
    assert _state(app, p["id"]) == before


def test_registration_survives_hostile_bodies(app, net, api_token):
    api = Api(app, api_token)
    bodies = [
        {"channel": "visit", "petitioners": "张三", "category_id": 1, "nature": "demand", "summary": "测试测试测试"},
        {"channel": "visit", "petitioners": [{"name": "x" * 61}], "category_id": 1, "nature": "demand",
         "summary": "测试测试测试"},
        {"channel": "visit", "petitioners": [{"name": "甲", "phone": "abc"}], "category_id": 10**15,
         "nature": "demand", "summary": "测试测试测试", "head_count": 0},
        {"channel": "visit", "petitioners": [{"name": "甲"}], "category_id": 1, "nature": "demand",
         "summary": "测试测试测试", "received_at": "2099-01-01T00:00:00+08:00"},
        {"channel": "visit", "petitioners": [{"name": "甲"}], "category_id": 1, "nature": "demand",
         "summary": "测试测试测试", "received_at": "2026-01-01T00:00:00"},
        {"channel": "visit", "petitioners": [{"name": "甲"}], "category_id": 1, "nature": "demand",
         "summary": "测试测试测试", "locality_unit_id": net.units["B1"]},
        {"channel": "visit", "petitioners": [{"name": "甲"}], "category_id": 1, "nature": "demand",
         "summary": "测试测试测试", "accused_unit_id": net.units["T1"]},
    ]
    for body in bodies:
        resp = api.post("c_recv", "/api/v1/petitions", body)
        assert resp.status_code == 400, (body, resp.status_code, resp.get_json())
    with app.app_context(), system_scope("count"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Petition)) == 0
        db.session.remove()
