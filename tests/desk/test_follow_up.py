"""回访: a closure opens one follow-up task due after the county's days; the unit records satisfied, persists,
not reached, or re-opens the problem as a new matter linked to the old one."""
from datetime import date

import pytest
import sqlalchemy as sa

from county_net.deadlines import PRACTICE_RULES, compute_due, national_calendar, resolve_rules
from county_net.extensions import db
from county_net.petitions.models import PetitionEvent, PetitionLink
from county_net.tenancy import system_scope
from tests.desk.helpers import closed_by_township, follow_ups_of, reported
from tests.petitions.helpers import Api


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def test_follow_up_day_is_the_counties_rule():
    rule = PRACTICE_RULES["follow_up"]
    assert (rule.days, rule.unit) == (15, "calendar")
    cal = national_calendar()
    assert compute_due(rule, date(2026, 12, 1), cal) == date(2026, 12, 16)  # a Wednesday
    assert compute_due(rule, date(2026, 12, 5), cal) == date(2026, 12, 21)  # Sunday the 20th rolls to Monday
    own = resolve_rules([{"step": "follow_up", "days": 7}])["follow_up"]
    assert compute_due(own, date(2026, 12, 1), cal) == date(2026, 12, 8)


def test_closing_opens_one_task_for_the_closing_unit(api, net, app):
    p = closed_by_township(api, net)
    rows = follow_ups_of(app, p["id"])
    assert len(rows) == 1
    task = rows[0]
    assert task.unit_id == net.units["T1"] and task.state == "pending"
    assert task.due_on == compute_due(PRACTICE_RULES["follow_up"], task.closed_on, national_calendar())
    # The signal again for the same closing event writes nothing (idempotent).
    from county_net.desk.services import open_follow_up
    from county_net.petitions.models import Petition

    with app.app_context(), system_scope("test"):
        petition = db.session.get(Petition, p["id"])
        event = db.session.scalars(sa.select(PetitionEvent).where(PetitionEvent.petition_id == p["id"],
                                                                 PetitionEvent.kind == "close")).one()
        assert open_follow_up(petition, event) is None
        db.session.commit()
        db.session.remove()
    assert len(follow_ups_of(app, p["id"])) == 1
    # An approved 交办 report closes too: the task is the county center's, which closed it.
    r = reported(api, net)
    api.post("c_recv", f"/api/v1/desk/review-queue/{r['id']}/approve", {"version": r["version"]})
    assert [row.unit_id for row in follow_ups_of(app, r["id"])] == [net.units["C0"]]
    # Open matters and refusals get none.
    assert follow_ups_of(app, api.register("t1_recv")["id"]) == []


def _task(api, user, petition_id):
    items = api.get(user, "/api/v1/desk/follow-ups").get_json()["items"]
    return next(t for t in items if t["petition_id"] == petition_id)


def test_outcomes_are_recorded(api, net, app):
    p = closed_by_township(api, net)
    task = _task(api, "t1_recv", p["id"])
    url = f"/api/v1/desk/follow-ups/{task['id']}"
    # Bad input: no method, a result while not reached; then a stale version.
    assert api.post("t1_recv", url, {"version": task["version"], "result": "satisfied"}).status_code == 400
    bad = api.post("t1_recv", url, {"version": task["version"], "method": "phone", "could_not_reach": True,
                                    "result": "satisfied"})
    assert bad.status_code == 400 and "result" in bad.get_json()["error"]["fields"]
    assert api.post("t1_recv", url, {"version": task["version"], "method": "phone"}).status_code == 400
    # Not reached: one attempt counted, the task stays open.
    tried = api.post("t1_recv", url, {"version": task["version"], "method": "phone", "could_not_reach": True})
    assert tried.status_code == 200
    tried = tried.get_json()
    assert (tried["state"], tried["attempts"], tried["could_not_reach"]) == ("pending", 1, True)
    assert api.post("t1_recv", url, {"version": task["version"], "method": "phone",
                                     "result": "satisfied"}).status_code == 409  # stale
    # Another unit may not record it (西镇 does not even see it).
    assert api.post("t2_recv", url, {"version": tried["version"], "method": "phone",
                                     "result": "satisfied"}).status_code == 404
    done = api.post("t1_recv", url, {"version": tried["version"], "method": "visit", "person": "张某明",
                                     "result": "persists", "note": "企业仍欠 2000 元"}).get_json()
    assert (done["state"], done["result"], done["attempts"], done["could_not_reach"]) == ("done", "persists", 2, False)
    assert api.post("t1_recv", url, {"version": done["version"], "method": "phone",
                                     "result": "satisfied"}).status_code == 409  # already done
    events = api.get("t1_recv", f"/api/v1/petitions/{p['id']}/events").get_json()
    notes = [e["note"] for e in events if e["kind"] == "follow_up"]
    assert notes == ["电话回访，未能联系上信访人", "上门回访（张某明）：问题仍未解决。企业仍欠 2000 元"]


def test_satisfied(api, net):
    p = closed_by_township(api, net)
    task = _task(api, "t1_recv", p["id"])
    done = api.post("t1_recv", f"/api/v1/desk/follow-ups/{task['id']}",
                    {"version": task["version"], "method": "sms", "result": "satisfied"})
    assert done.status_code == 200 and done.get_json()["result_label"] == "满意，问题已解决"
    assert api.get("t1_recv", "/api/v1/desk/follow-ups?state=pending").get_json()["items"] == []


def test_reopening_registers_a_linked_new_matter(api, net, app):
    p = closed_by_township(api, net)
    task = _task(api, "t1_recv", p["id"])
    url = f"/api/v1/desk/follow-ups/{task['id']}"
    assert api.post("t1_recv", url, {"version": task["version"], "method": "phone",
                                     "result": "reopened"}).status_code == 400  # what is the new problem?
    done = api.post("t1_recv", url, {"version": task["version"], "method": "phone", "result": "reopened",
                                     "new_summary": "企业承诺的剩余工资至今未付，要求继续督促。"})
    assert done.status_code == 200, done.get_json()
    done = done.get_json()
    new = api.show("t1_recv", done["new_petition_id"])
    assert new["state"] == "registered" and new["channel"] == "phone" and new["is_repeat"]
    assert [(l["earlier_id"], l["status"]) for l in new["links"]] == [(p["id"], "confirmed")]
    assert new["parties"][0]["name"] == "张某明"
    with app.app_context(), system_scope("test"):
        assert db.session.scalar(sa.select(sa.func.count(PetitionLink.id))
                                 .where(PetitionLink.petition_id == new["id"])) == 1
        db.session.remove()
    old = api.show("t1_recv", p["id"])
    assert old["state"] == "closed"  # the old matter stays closed; its timeline says what happened
    events = api.get("t1_recv", f"/api/v1/petitions/{new['id']}/events").get_json()
    assert [e["kind"] for e in events] == ["register", "link_confirmed"] and new["version"] == 2


def test_web_follow_up_page(api, net, login):
    p = closed_by_township(api, net)
    task = _task(api, "t1_recv", p["id"])
    web = login("t1_recv")
    page = web.get(f"/desk/follow-ups/{task['id']}")
    assert page.status_code == 200 and "记录回访" in page.get_data(as_text=True)
    bad = web.post(f"/desk/follow-ups/{task['id']}", {"version": str(task["version"]), "method": "phone"})
    assert bad.status_code == 400 and "请选择回访结果" in bad.get_data(as_text=True)
    ok = web.post(f"/desk/follow-ups/{task['id']}", {"version": str(task["version"]), "method": "phone",
                                                     "result": "satisfied", "person": "张某明"})
    assert ok.status_code == 302
    assert "满意，问题已解决" in web.get(f"/desk/follow-ups/{task['id']}").get_data(as_text=True)
    assert "记录回访" not in web.get(f"/desk/follow-ups/{task['id']}").get_data(as_text=True)
    # The county center sees its township's tasks with the matter, but may not record them.
    assert login("c_recv").get(f"/desk/follow-ups/{task['id']}").status_code == 200
