"""Leaders' reception days: the day rule, the rota's refusals, publishing, the leader's notice and briefing
(once each), the session's record with 交办 through the petition services, and the scoping of every route."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from county_net.core.timeutil import COUNTY_TZ
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, add_user, category_id

BASE = "/api/v1/hall/reception-days"


@pytest.fixture
def clock(monkeypatch):
    """The services' clock at a Beijing-time moment: `clock(2026, 12, 1)`."""
    def set_to(year, month, day, hour=10, minute=0):
        moment = datetime(year, month, day, hour, minute, tzinfo=COUNTY_TZ).astimezone(timezone.utc)
        monkeypatch.setattr("county_net.core.timeutil.utcnow", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def api(app, net, api_token):
    for name, unit, roles in (("c_head", "C0", ["head"]), ("c_head2", "C0", ["head"])):
        add_user(app, net, name, unit, roles)
    return Api(app, api_token)


def session(**fields) -> dict:
    body = {"day": "2026-12-15", "starts": "09:00", "ends": "11:30", "form": "fixed", "place": "县联合接待中心",
            "leader_name": "王县长", "leader_post": "副县长", "leader_portfolio": "人社、住建"}
    body.update(fields)
    return body


def create(api, user, expect=201, **fields):
    resp = api.post(user, BASE, session(**fields))
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def step(api, user, row, slug, expect=200, **fields):
    resp = api.post(user, f"{BASE}/{row['id']}/{slug}", {"version": row["version"], **fields})
    assert resp.status_code == expect, (slug, resp.status_code, resp.get_json())
    return resp.get_json()


def count(app, model_name: str) -> int:
    from county_net.hall import models

    with app.app_context(), system_scope("test"):
        n = db.session.scalar(sa.select(sa.func.count()).select_from(getattr(models, model_name)))
        db.session.remove()
    return n


def notices(app, user_id: int, kind: str) -> list:
    from county_net.notifications.models import Notification

    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(Notification.title, Notification.body).where(
            Notification.user_id == user_id, Notification.kind == kind)).all()
        db.session.remove()
    return rows


def sweep(app):
    from county_net.hall.rota_jobs import daily_sweep

    with app.app_context():
        out = daily_sweep()
        db.session.remove()
    return out


# ---- the day rule -----------------------------------------------------------------------------------

def test_day_rule_moves_to_the_next_working_day(app, net):
    from county_net.deadlines.hall import reception_day
    from county_net.hall.settings import hall_settings

    with app.app_context():
        _, county = hall_settings(net.units["C0"])
        calendar = county.calendar()
        # 2026-02-15 is a Sunday and the first day of the Spring Festival break (15th–23rd): the 24th.
        assert not calendar.is_workday(date(2026, 2, 15))
        assert reception_day(2026, 2, 15, calendar) == date(2026, 2, 24)
        assert reception_day(2026, 3, 15, calendar) == date(2026, 3, 16)  # a Sunday: the Monday
        assert reception_day(2026, 12, 15, calendar) == date(2026, 12, 15)  # a Tuesday stays
        assert reception_day(2026, 10, 10, calendar) == date(2026, 10, 10)  # a make-up working Saturday stays
        db.session.remove()


def test_suggest_follows_each_units_rule(api, clock, net):
    clock(2026, 12, 1)
    center = api.get("c_head", f"{BASE}/suggest?months=3").get_json()["items"]
    assert center[0]["day"] == "2026-12-15" and center[1]["day"] == "2027-01-15" and len(center) == 3
    assert center[0]["publish_by"] == "2026-12-13" and center[0]["notice_on"] == "2026-12-10"
    assert center[0]["briefing_on"] == "2026-12-14"
    township = api.get("t1_head", f"{BASE}/suggest?months=2").get_json()["items"]
    assert township[0]["day"] == "2026-12-10" and len(township) == 2
    clock(2026, 12, 11)  # the 10th has passed: January's day comes first
    assert api.get("t1_head", f"{BASE}/suggest").get_json()["items"][0]["day"].startswith("2027-01")


# ---- the rota's refusals -----------------------------------------------------------------------------

def test_bad_sessions_are_refused_and_write_nothing(app, api, clock):
    clock(2026, 12, 1)
    cases = [({"day": "2026-11-30"}, "day"), ({"starts": "11:30", "ends": "09:00"}, "ends"),
             ({"starts": "10:00", "ends": "10:00"}, "ends"), ({"form": "party"}, "form"),
             ({"form": "themed", "topic": ""}, "topic"), ({"starts": "9点"}, "starts"),
             ({"sitting_unit_ids": [987654]}, "sitting_unit_ids"),
             ({"leader_user_id": 987654}, "leader_user_id")]
    for fields, field in cases:
        resp = api.post("c_head", BASE, session(**fields))
        assert resp.status_code == 400, (fields, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], (fields, resp.get_json())
    assert count(app, "ReceptionDay") == 0
    themed = create(api, "c_head", form="themed", topic="拖欠农民工工资")
    assert themed["form_label"] == "专题接访" and themed["state"] == "planned"


def test_leader_account_must_be_a_head_of_the_county(api, clock, net):
    clock(2026, 12, 1)
    resp = api.post("c_head", BASE, session(leader_user_id=net.users["c_recv"]))
    assert resp.status_code == 400 and "leader_user_id" in resp.get_json()["error"]["fields"]
    ok = create(api, "c_head", leader_user_id=net.users["c_head2"])
    assert ok["leader_user_id"] == net.users["c_head2"]


def test_roles_and_scope(app, api, clock, net):
    clock(2026, 12, 1)
    assert api.post("t1_recv", BASE, session(day="2026-12-10")).status_code == 403
    assert api.post("e1_liaison", BASE, session(day="2026-12-10")).status_code == 403
    row = create(api, "t1_head", day="2026-12-10", leader_name="东镇镇长")
    admin = create(api, "admin", leader_name="县长")
    assert admin["unit_id"] == net.units["C0"]
    # 西镇 cannot see 东镇's session at all; the county center sees it but does not keep 东镇's rota.
    for user in ("t2_head", "t2_recv"):
        assert api.get(user, f"{BASE}/{row['id']}").status_code == 404
        assert api.post(user, f"{BASE}/{row['id']}/publish", {"version": row["version"]}).status_code == 404
    assert api.get("c_head", f"{BASE}/{row['id']}").status_code == 200
    assert api.post("c_head", f"{BASE}/{row['id']}/publish", {"version": row["version"]}).status_code == 403
    assert api.post("t1_recv", f"{BASE}/{row['id']}/publish", {"version": row["version"]}).status_code == 403
    listed = api.get("t2_head", f"{BASE}?when=all").get_json()
    assert listed["meta"]["total"] == 0
    assert api.get("c_head", f"{BASE}?when=all").get_json()["meta"]["total"] == 2
    assert api.get("t1_head", BASE).get_json()["meta"]["total"] == 1
    # A stale version is 409 with the session as it now is.
    resp = api.client.put(f"{BASE}/{row['id']}", json={**session(day="2026-12-11"), "version": 99},
                          headers=api.headers("t1_head"))
    assert resp.status_code == 409 and resp.get_json()["error"]["current"]["version"] == 1
    resp = api.client.put(f"{BASE}/{row['id']}", json={**session(day="2026-12-11", leader_name="东镇镇长"),
                                                       "version": 1}, headers=api.headers("t1_head"))
    assert resp.status_code == 200 and resp.get_json()["day"] == "2026-12-11" and resp.get_json()["version"] == 2


def test_publish_at_least_two_days_ahead(app, api, clock, net):
    clock(2026, 12, 1)
    row = create(api, "c_head", sitting_unit_ids=[net.units["B1"], net.units["T1"]])
    clock(2026, 12, 14)
    resp = api.post("c_head", f"{BASE}/{row['id']}/publish", {"version": row["version"]})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["message"] == "接访安排须至少提前 2 天公布"
    assert api.get("c_head", f"{BASE}/{row['id']}").get_json()["state"] == "planned"
    assert notices(app, net.users["b1_head"], "reception_published") == []
    clock(2026, 12, 13)  # the last day it may be published
    assert "publish" in api.get("c_head", f"{BASE}/{row['id']}").get_json()["actions"]
    assert step(api, "c_head", row, "publish", version=99, expect=409)
    done = step(api, "c_head", row, "publish")
    assert done["state"] == "published" and done["version"] == 2
    step(api, "c_head", row, "publish", expect=409)  # stale
    step(api, "c_head", done, "publish", expect=409)  # already published
    # The sitting units' heads are told once; their receptionists are not.
    assert len(notices(app, net.users["b1_head"], "reception_published")) == 1
    assert len(notices(app, net.users["t1_head"], "reception_published")) == 1
    assert notices(app, net.users["b1_recv"], "reception_published") == []


def test_cancel(app, api, clock, net):
    clock(2026, 12, 1)
    row = create(api, "c_head", sitting_unit_ids=[net.units["B1"]])
    row = step(api, "c_head", row, "publish")
    step(api, "c_head", row, "cancel", reason="", expect=400)
    done = step(api, "c_head", row, "cancel", reason="县长临时外出")
    assert done["state"] == "cancelled" and done["actions"] == []
    assert len(notices(app, net.users["b1_head"], "reception_cancelled")) == 1
    step(api, "c_head", done, "publish", expect=409)


# ---- the leader's notice and briefing ----------------------------------------------------------------

def _booking(app, net, reception_day_id: int, purpose: str, head_count: int = 1, petition_id=None):
    from county_net.hall.models import Visit

    with app.app_context(), system_scope("test seed"):
        visit = Visit(unit_id=net.units["C0"], day=date(2026, 12, 15), booked=True, booked_time="09:30",
                      head_count=head_count, purpose=purpose, reception_day_id=reception_day_id, state="registered",
                      queue_rank=1, petition_id=petition_id)
        db.session.add(visit)
        db.session.commit()
        visit_id = visit.id
        db.session.remove()
    return visit_id


def test_notice_five_days_ahead_and_briefing_the_day_before_once(app, api, clock, net):
    clock(2026, 12, 1)
    matter = api.register("c_recv")
    named = create(api, "c_head", leader_user_id=net.users["c_head2"])
    unnamed = create(api, "c_head", starts="14:30", ends="17:00", leader_name="李副县长")
    _booking(app, net, named["id"], "东镇某厂拖欠工资，约见县长", head_count=3, petition_id=matter["id"])
    _booking(app, net, named["id"], "宅基地纠纷")
    clock(2026, 12, 9)
    assert "0 次，送预约名单 0 次" in sweep(app)
    clock(2026, 12, 10)
    sweep(app)
    sweep(app)  # a rerun sends nothing again
    # The named leader is told of their own session once; without a leader account the holding unit's heads
    # are told (each once, the named leader among them as a head of the county center).
    told = [t for t, _ in notices(app, net.users["c_head2"], "reception_notice")]
    assert len([t for t in told if "王县长" in t]) == 1 and len(told) == 2
    assert [t for t, _ in notices(app, net.users["c_head"], "reception_notice") if "王县长" in t] == []
    assert len(notices(app, net.users["c_head"], "reception_notice")) == 1
    assert notices(app, net.users["c_recv"], "reception_notice") == []
    assert notices(app, net.users["c_head2"], "reception_briefing") == []
    clock(2026, 12, 14)
    result = app.test_cli_runner().invoke(args=["hall-reception", "sweep"])
    assert result.exit_code == 0 and "送预约名单 2 次" in result.output
    sweep(app)
    briefing = [n for n in notices(app, net.users["c_head2"], "reception_briefing") if "王县长" in n[0]]
    assert len(briefing) == 1
    title, body = briefing[0]
    assert "东镇某厂拖欠工资" in body and "3 人" in body and matter["number"] in body and "宅基地纠纷" in body
    unnamed_briefing = notices(app, net.users["c_head"], "reception_briefing")
    assert len(unnamed_briefing) == 1 and "暂无预约来访" in unnamed_briefing[0][1]
    shown = api.get("c_head", f"{BASE}/{named['id']}").get_json()
    assert shown["notice_sent_at"] and shown["briefing_sent_at"] and len(shown["bookings"]) == 2
    assert unnamed["id"] != named["id"]


def test_the_job_is_scheduled():
    from county_net.jobs.schedule import by_name

    assert by_name("reception-sweep")[1] == "county_net.hall.rota_jobs.daily_sweep"


# ---- the session's record ----------------------------------------------------------------------------

def test_item_with_assign_becomes_a_matter_in_the_bureaus_inbox(app, api, clock, net):
    clock(2026, 12, 1)
    row = step(api, "c_head", create(api, "c_head"), "publish")
    item = {"whom": "张某明等 3 人", "head_count": 3, "problem": "东镇某厂拖欠 3 人 2026 年工资共 4 万元。",
            "instruction": "请县人社局 15 日内核实处理并报结果。", "responsible_unit_id": net.units["B1"]}
    # Not before the day.
    step(api, "c_recv", row, "items", expect=409, **item)
    clock(2026, 12, 15, 11)
    assert api.post("t1_head", f"{BASE}/{row['id']}/items", {"version": row["version"], **item}).status_code == 404
    assert api.post("e1_liaison", f"{BASE}/{row['id']}/items",
                    {"version": row["version"], **item}).status_code == 404
    admin = api.post("admin", f"{BASE}/{row['id']}/items", {"version": row["version"], **item})
    assert admin.status_code == 403  # the rota's keeper, not a receptionist
    # 交办 without its category, date or instruction: 400, nothing written (no item, no matter).
    bad = step(api, "c_recv", row, "items", expect=400, assign=True, report_due_on="2026-12-30",
               **{**item, "instruction": ""})
    assert "instruction" in bad["error"]["fields"]
    bad = step(api, "c_recv", row, "items", expect=400, assign=True, report_due_on="2026-12-30", **item)
    assert "category_id" in bad["error"]["fields"]
    bad = step(api, "c_recv", row, "items", expect=400, assign=True, report_due_on="2026-12-15",
               matter={"category_id": category_id(app)}, **item)
    assert "report_due_on" in bad["error"]["fields"]
    assert count(app, "ReceptionItem") == 0
    assert api.get("c_recv", "/api/v1/petitions").get_json()["meta"]["total"] == 0
    # A plain item, then one assigned.
    row = step(api, "c_recv", row, "items", whom="李某", problem="咨询社保转移。", expect=201)
    row = step(api, "c_recv", row, "items", assign=True, report_due_on="2026-12-30",
               matter={"category_id": category_id(app), "petitioners": [{"name": "张某明", "phone": "13800001111"}]},
               expect=201, **item)
    assigned = row["items"][1]
    assert assigned["petition_number"] and assigned["responsible_unit_name"] == "人社局"
    assert row["items"][0]["petition_id"] is None
    # The bureau finds the matter in its inbox, with the leader's instruction in the assign note.
    inbox = api.get("b1_recv", "/api/v1/petitions?box=to_sign").get_json()
    assert [p["id"] for p in inbox["items"]] == [assigned["petition_id"]]
    matter = api.show("b1_recv", assigned["petition_id"])
    assert matter["state"] == "assigned" and matter["head_count"] == 3
    events = api.get("b1_recv", f"/api/v1/petitions/{matter['id']}/events").get_json()
    events = events["items"] if isinstance(events, dict) else events
    assert any("领导批示：请县人社局 15 日内核实处理" in (e.get("note") or "") for e in events)
    assert len(notices(app, net.users["b1_recv"], "petition_assigned")) == 1
    # The session is marked held; then it is locked to new edits but takes more items.
    step(api, "c_recv", row, "hold", summary="", expect=400)
    held = step(api, "c_recv", row, "hold", summary="接待群众 2 批 4 人，交办 1 件。")
    assert held["state"] == "held" and "edit" not in held["actions"] and "items" in held["actions"]
    step(api, "c_head", held, "cancel", reason="误操作", expect=409)


def test_a_booking_named_by_an_item_must_be_of_this_session(app, api, clock, net):
    clock(2026, 12, 1)
    one = step(api, "c_head", create(api, "c_head"), "publish")
    other = create(api, "c_head", starts="14:30", ends="17:00")
    visit = _booking(app, net, other["id"], "别的场次")
    clock(2026, 12, 15)
    bad = step(api, "c_recv", one, "items", whom="李某", problem="咨询。", visit_id=visit, expect=400)
    assert "visit_id" in bad["error"]["fields"]


# ---- pages -------------------------------------------------------------------------------------------

def test_pages(app, api, clock, net, login):
    clock(2026, 12, 1)
    web = login("t1_head")
    page = web.get("/hall/reception-days")
    assert page.status_code == 200 and "建议接访日" in page.get_data(as_text=True)
    assert "2026-12-10" in page.get_data(as_text=True)
    assert web.get("/hall/reception-days/new?day=2026-12-10").status_code == 200
    resp = web.post("/hall/reception-days/new", {"day": "2026-12-10", "starts": "09:00", "ends": "08:00",
                                                 "form": "fixed", "leader_name": "东镇镇长"})
    assert resp.status_code == 400 and "结束时间须晚于开始时间" in resp.get_data(as_text=True)
    resp = web.post("/hall/reception-days/new", {"day": "2026-12-10", "starts": "09:00", "ends": "11:30",
                                                 "form": "fixed", "leader_name": "东镇镇长",
                                                 "sitting_unit_ids": [str(net.units["V1"])]})
    assert resp.status_code == 302
    day_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    detail = web.get(f"/hall/reception-days/{day_id}").get_data(as_text=True)
    assert "东镇镇长" in detail and "甲村" in detail and 'id="action-publish"' in detail
    assert web.get(f"/hall/reception-days/{day_id}/edit").status_code == 200
    resp = web.post(f"/hall/reception-days/{day_id}/publish", {"version": "1"},
                    form_page=f"/hall/reception-days/{day_id}")
    assert resp.status_code == 302
    assert "已公布" in web.get(f"/hall/reception-days/{day_id}").get_data(as_text=True)
    assert login("t2_head").get(f"/hall/reception-days/{day_id}").status_code == 404
    assert login("t1_recv").get("/hall/reception-days/new").status_code == 403


def test_openapi_lists_every_operation(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json() or {}
    paths = spec.get("paths") or {}
    assert "/api/v1/hall/reception-days/{reception_day_id}/items" in paths
    assert "409" in paths["/api/v1/hall/reception-days/{reception_day_id}/publish"]["post"]["responses"]
