"""审查回告: the reports waiting for a unit's verdict, oldest first, approved or returned in one step from the
list, through the petition services (web and API alike)."""
import re

import pytest

from tests.desk.helpers import reported
from tests.petitions.helpers import Api, add_user, in_days


@pytest.fixture
def api(app, net, api_token):
    add_user(app, net, "v1_recv", "V1", ["receptionist"])
    return Api(app, api_token)


def _queue(api, user):
    body = api.get(user, "/api/v1/desk/review-queue").get_json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_queue_oldest_first_and_one_step_verdicts(api, net, app):
    first = reported(api, net)
    second = reported(api, net, unit="B1", user="b1_recv")
    queue = _queue(api, "c_recv")
    assert [r["id"] for r in queue] == [first["id"], second["id"]]
    assert queue[0]["report"] == "已督促企业支付，附支付凭证" and queue[0]["reported_by_unit"] == "东镇人民政府"
    assert not queue[0]["is_sub"]
    assert _queue(api, "t1_recv") == []  # waiting for the county, not for the township

    # A verdict drawn from an older version is refused, with the matter as it now is.
    stale = api.post("c_recv", f"/api/v1/desk/review-queue/{first['id']}/approve", {"version": first["version"] - 1})
    assert stale.status_code == 409 and stale.get_json()["error"]["current"]["version"] == first["version"]
    missing = api.post("c_recv", f"/api/v1/desk/review-queue/{second['id']}/return", {"version": second["version"]})
    assert missing.status_code == 400 and "reason" in missing.get_json()["error"]["fields"]

    done = api.post("c_recv", f"/api/v1/desk/review-queue/{first['id']}/approve",
                    {"version": first["version"], "note": "同意"})
    assert done.status_code == 200 and done.get_json()["state"] == "closed"
    back = api.post("c_recv", f"/api/v1/desk/review-queue/{second['id']}/return",
                    {"version": second["version"], "reason": "未附支付凭证"})
    assert back.status_code == 200 and back.get_json()["state"] == "handling"
    assert _queue(api, "c_recv") == []
    # Twice is once: the matter has left the queue.
    again = api.post("c_recv", f"/api/v1/desk/review-queue/{first['id']}/approve", {"version": done.get_json()["version"]})
    assert again.status_code == 409


def test_the_township_reviews_its_villages_reports(api, net):
    p = api.register("c_recv")
    api.act("c_recv", p, "assign", to_unit_id=net.units["T1"], report_due_on=in_days(40))
    t = api.act("t1_recv", api.show("t1_recv", p["id"]), "sign-for")
    t = api.act("t1_recv", t, "accept")
    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(10))
    v = api.act("v1_recv", api.show("v1_recv", p["id"]), "sub-sign-for")
    api.act("v1_recv", v, "sub-report", report="村委会已协调企业支付")
    queue = _queue(api, "t1_recv")
    assert [r["id"] for r in queue] == [p["id"]] and queue[0]["is_sub"] and queue[0]["reported_by_unit"] == "东镇甲村"
    assert _queue(api, "c_recv") == []
    current = api.show("t1_recv", p["id"])
    done = api.post("t1_recv", f"/api/v1/desk/review-queue/{p['id']}/approve", {"version": current["version"]})
    assert done.status_code == 200 and done.get_json()["state"] == "handling"


def test_other_units_cannot_decide(api, net):
    first = reported(api, net)
    # 西镇 does not see the matter at all; 东镇 sees it but the verdict is the county's.
    assert api.post("t2_recv", f"/api/v1/desk/review-queue/{first['id']}/approve",
                    {"version": first["version"]}).status_code == 404
    assert api.post("t1_recv", f"/api/v1/desk/review-queue/{first['id']}/approve",
                    {"version": first["version"]}).status_code == 409
    assert api.post("t1_recv", f"/api/v1/desk/review-queue/{first['id']}/bogus",
                    {"version": first["version"]}).status_code in (404, 405)


def test_web_queue_approve_and_stale_form(api, net, login):
    first = reported(api, net)
    second = reported(api, net)
    web = login("c_recv")
    page = web.get("/desk/review").get_data(as_text=True)
    assert page.index(first["number"]) < page.index(second["number"])
    # Someone else approved the first in the meantime: the stale form gets a 409 and the refreshed queue.
    api.post("c_recv", f"/api/v1/desk/review-queue/{first['id']}/approve", {"version": first["version"]})
    stale = web.post(f"/desk/review/{first['id']}/approve", {"version": str(first["version"])},
                     form_page="/desk/review")
    assert stale.status_code == 409
    assert first["number"] not in stale.get_data(as_text=True).split("review-queue")[1]
    blank = web.post(f"/desk/review/{second['id']}/return", {"version": str(second["version"]), "reason": " "},
                     form_page="/desk/review")
    assert blank.status_code == 400
    ok = web.post(f"/desk/review/{second['id']}/return", {"version": str(second["version"]), "reason": "请补充凭证"},
                  form_page="/desk/review")
    assert ok.status_code == 302
    assert api.show("c_recv", second["id"])["state"] == "handling"
    assert re.search("没有待审查的办结报告", web.get("/desk/review").get_data(as_text=True))
