"""交办下级 (issue 8, point 13): a township that handles a matter hands it down to one of its own villages or
enterprises, which signs for it, works it and reports back; the township reviews the report and finishes the
course itself. Through the JSON API (the web twin is at the end)."""
import re
from datetime import date

import pytest

from tests.petitions.helpers import Api, add_user, in_days


@pytest.fixture
def api(app, net, api_token):
    add_user(app, net, "v1_recv", "V1", ["receptionist"])  # 东镇甲村
    add_user(app, net, "e1_recv", "E1", ["receptionist"])  # 东镇某厂: a sibling of the village
    add_user(app, net, "e2_recv", "E2", ["receptionist"])  # 西镇某厂: another township's enterprise
    return Api(app, api_token)


def _at_township(api, net, route="assign", **fields):
    """A matter the county sent to 东镇, signed for and accepted there."""
    p = api.register("c_recv", **fields)
    extra = {"report_due_on": in_days(40)} if route == "assign" else {}
    api.act("c_recv", p, route, to_unit_id=net.units["T1"], **extra)
    t = api.act("t1_recv", api.show("t1_recv", p["id"]), "sign-for")
    return api.act("t1_recv", t, "accept")


def _box(api, user, box):
    return [r["id"] for r in api.get(user, f"/api/v1/petitions?box={box}").get_json()["items"]]


def test_township_hands_down_reviews_and_reports_up(api, net, app):
    t = _at_township(api, net)
    own_limit = t["deadline"]
    assert own_limit["step"] == "report_back" and own_limit["due_on"] == in_days(40)
    assert "sub_assign" in t["actions"]

    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(10),
                note="请村委会调查核实")
    assert t["state"] == "sub_assigned" and t["holder_unit"]["id"] == net.units["V1"]
    assert t["handling_unit"]["id"] == net.units["T1"] and t["sub_unit"]["id"] == net.units["V1"]
    assert t["deadline"]["step"] == "report_back" and t["deadline"]["due_on"] == in_days(10)
    assert t["actions"] == ["report_up"]  # the township waits

    v = api.show("v1_recv", t["id"])
    assert {"sub_sign_for", "sub_send_back"} <= set(v["actions"])
    assert _box(api, "v1_recv", "to_sign") == [t["id"]]
    v = api.act("v1_recv", v, "sub-sign-for")
    assert v["state"] == "sub_handling" and _box(api, "v1_recv", "handling") == [t["id"]]
    v = api.act("v1_recv", v, "sub-report", report="经村委会调查，情况属实，已协调企业分期支付")
    assert v["state"] == "sub_reported" and v["holder_unit"]["id"] == net.units["T1"]
    assert _box(api, "t1_recv", "review") == [t["id"]] and _box(api, "v1_recv", "handling") == []

    t = api.show("t1_recv", t["id"])
    assert {"sub_approve_report", "sub_return_report"} <= set(t["actions"])
    assert t["deadline"]["due_on"] == own_limit["due_on"]  # the township's own limit while it reviews
    t = api.act("t1_recv", t, "sub-return-report", reason="未附企业支付凭证")
    assert t["state"] == "sub_handling" and t["holder_unit"]["id"] == net.units["V1"]
    v = api.act("v1_recv", api.show("v1_recv", t["id"]), "sub-report", report="已补充支付凭证")
    t = api.act("t1_recv", api.show("t1_recv", t["id"]), "sub-approve-report", note="同意")
    assert t["state"] == "handling" and t["holder_unit"]["id"] == net.units["T1"]
    # The sub-assignment never reset the township's clock.
    assert t["deadline"] == own_limit

    t = api.act("t1_recv", t, "reply", outcome="support", request="支付工资", facts="已支付", basis="依据")
    t = api.act("t1_recv", t, "report", report="已办结，附村委会办结报告")
    assert t["state"] == "reported" and t["holder_unit"]["id"] == net.units["C0"]
    c = api.act("c_recv", api.show("c_recv", t["id"]), "approve-report")
    assert c["state"] == "closed"

    events = api.get("c_recv", f"/api/v1/petitions/{t['id']}/events").get_json()
    kinds = [e["kind"] for e in events]
    assert kinds.count("sub_file_report") == 2 and "sub_return_report" in kinds
    handed = [e for e in events if e["kind"] == "sub_assign"][0]
    assert handed["label"] == "交办下级" and handed["target_unit"] == "东镇甲村"
    assert handed["payload"]["report_due_on"] == in_days(10)
    # Afterwards the village keeps sight of the matter it worked on, as any assignee or co-unit does (回访 only).
    assert api.show("v1_recv", t["id"])["actions"] == ["follow_up"]


def test_transferred_matter_handed_down_then_closed_by_the_township(api, net):
    t = _at_township(api, net, route="transfer")
    assert t["deadline"]["step"] == "handling"
    limit = t["deadline"]["due_on"]
    # Never later than the township's own 60-day limit, as computed by the deadlines module.
    api.act("t1_recv", t, "sub-assign", expect=400, to_unit_id=net.units["E1"], report_due_on=in_days(75))
    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["E1"], report_due_on=limit)
    e = api.act("e1_recv", api.show("e1_recv", t["id"]), "sub-sign-for")
    e = api.act("e1_recv", e, "sub-report", report="已整改")
    t = api.act("t1_recv", api.show("t1_recv", t["id"]), "sub-approve-report")
    assert t["deadline"]["step"] == "handling" and t["deadline"]["due_on"] == limit
    t = api.act("t1_recv", t, "reply", outcome="explain", request="诉求", facts="事实", basis="依据")
    t = api.act("t1_recv", t, "close", satisfaction="satisfied")
    assert t["state"] == "closed"


def test_refusals(api, net):
    t = _at_township(api, net)
    bad = lambda **kw: api.act("t1_recv", t, "sub-assign", expect=400, **kw)  # noqa: E731
    # Another township's enterprise, the township itself, an unknown unit, the county center.
    for unit in ("E2", "T1", "T2", "C0"):
        body = bad(to_unit_id=net.units[unit], report_due_on=in_days(5))
        assert "to_unit_id" in body["error"]["fields"]
    bad(to_unit_id=987654, report_due_on=in_days(5))
    # Not after the township's own limit (the county's report date here); not today.
    body = bad(to_unit_id=net.units["V1"], report_due_on=in_days(41))
    assert "不能晚于本单位的办理期限" in body["error"]["fields"]["report_due_on"][0]
    bad(to_unit_id=net.units["V1"], report_due_on=in_days(0))
    # Wrong role (a liaison), wrong unit (the sibling township), stale version.
    add_user(api.app, net, "t1_liaison", "T1", ["liaison"])
    api.act("t1_liaison", t, "sub-assign", expect=403, to_unit_id=net.units["V1"], report_due_on=in_days(5))
    api.act("t2_recv", t, "sub-assign", expect=404, to_unit_id=net.units["V1"], report_due_on=in_days(5))
    stale = dict(t, version=t["version"] - 1)
    api.act("t1_recv", stale, "sub-assign", expect=409, to_unit_id=net.units["V1"], report_due_on=in_days(5))
    assert api.show("t1_recv", t["id"])["version"] == t["version"]  # nothing written

    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(5))
    # Only the village signs, reports; only the township reviews.
    api.act("t1_recv", t, "sub-sign-for", expect=409)
    api.act("e1_recv", t, "sub-sign-for", expect=404)
    v = api.act("v1_recv", api.show("v1_recv", t["id"]), "sub-sign-for")
    api.act("v1_recv", v, "sub-approve-report", expect=409)
    v = api.act("v1_recv", v, "sub-report", report="办结")
    api.act("v1_recv", api.show("v1_recv", t["id"]), "sub-approve-report", expect=409)


def test_county_center_never_skips_its_townships(api, net):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "handle-self")
    assert "sub_assign" not in p["actions"]
    api.act("c_recv", p, "sub-assign", expect=400, to_unit_id=net.units["V1"], report_due_on=in_days(5))
    # A bureau with no enterprises under it has nothing to hand down.
    b = api.register("c_recv")
    api.act("c_recv", b, "transfer", to_unit_id=net.units["B1"])
    b = api.act("b1_recv", api.act("b1_recv", api.show("b1_recv", b["id"]), "sign-for"), "accept")
    assert b["state"] == "handling" and "sub_assign" not in b["actions"]


def test_accused_unit_is_never_handed_the_accusation(api, net):
    t = _at_township(api, net, route="transfer", nature="accusation", accused_unit_id=net.units["V1"],
                     accused_description="村委会主任")
    body = api.act("t1_recv", t, "sub-assign", expect=400, to_unit_id=net.units["V1"], report_due_on=in_days(5))
    assert "检举控告" in body["error"]["fields"]["to_unit_id"][0]
    api.show("v1_recv", t["id"], expect=404)
    # Another of its units may work it, and still never learns who accused.
    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["E1"], report_due_on=in_days(5))
    seen = api.show("e1_recv", t["id"])
    assert seen["parties"][0]["name"] == "（保密）" and seen["query_code"] is None


def test_village_sends_it_back_and_loses_sight_of_it(api, net):
    t = _at_township(api, net)
    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(5))
    v = api.show("v1_recv", t["id"])
    api.act("v1_recv", v, "sub-send-back", expect=400, reason="")
    v = api.act("v1_recv", v, "sub-send-back", reason="不属本村事务")
    assert v["state"] == "handling" and v["holder_unit"]["id"] == net.units["T1"] and v["sub_unit"] is None
    api.show("v1_recv", t["id"], expect=404)  # the grant ended, as with any 退回
    t = api.show("t1_recv", t["id"])
    assert t["deadline"]["step"] == "report_back" and t["deadline"]["due_on"] == in_days(40)
    assert "sub_assign" in t["actions"]


def test_village_sees_only_this_matter_and_a_sibling_nothing(api, net):
    other = _at_township(api, net)  # also at 东镇, never handed down
    t = _at_township(api, net)
    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(5))
    listed = lambda user: [r["id"] for r in api.get(user, "/api/v1/petitions").get_json()["items"]]  # noqa: E731
    assert listed("v1_recv") == [t["id"]]
    api.show("v1_recv", other["id"], expect=404)
    for user in ("e1_recv", "e2_recv", "t2_recv"):
        assert listed(user) == []
        api.show(user, t["id"], expect=404)


def test_sweep_keeps_the_limits_of_a_matter_handed_down(api, net, app):
    t = _at_township(api, net)
    t = api.act("t1_recv", t, "sub-assign", to_unit_id=net.units["V1"], report_due_on=in_days(7))
    result = app.test_cli_runner().invoke(args=["petitions", "sweep"])
    assert result.exit_code == 0, result.output
    after = api.show("v1_recv", t["id"])
    assert after["deadline"]["due_on"] == in_days(7) and after["version"] == t["version"]


def test_the_same_loop_on_the_web_and_its_slip(app, net, api, login):
    t = _at_township(api, net)
    township = login("t1_recv")
    page = township.get(f"/petitions/{t['id']}").get_data(as_text=True)
    form = re.search(r'<select id="sub_assign-to_unit_id".*?</select>', page, re.S).group(0)
    assert "东镇甲村" in form and "东镇某厂" in form and "西镇某厂" not in form and "西镇人民政府" not in form
    data = {"version": str(t["version"]), "to_unit_id": str(net.units["E2"]), "report_due_on": in_days(5)}
    resp = township.post(f"/petitions/{t['id']}/do/sub-assign", data=data, form_page=f"/petitions/{t['id']}")
    assert resp.status_code == 400 and "只能交办本单位所属的村（社区）或企业" in resp.get_data(as_text=True)
    data["to_unit_id"] = str(net.units["V1"])
    resp = township.post(f"/petitions/{t['id']}/do/sub-assign", data=data, form_page=f"/petitions/{t['id']}")
    assert resp.status_code == 302
    slip = township.get(f"/petitions/{t['id']}/documents/assignment_slip").get_data(as_text=True)
    due = date.fromisoformat(in_days(5))  # ISO today, 2026年12月21日 once documents write dates in words
    assert "东镇甲村" in slip and (due.isoformat() in slip or f"{due.year}年{due.month}月{due.day}日" in slip)

    village = login("v1_recv")
    assert str(t["id"]) in village.get("/inbox?box=to_sign").get_data(as_text=True)
    page = village.get(f"/petitions/{t['id']}").get_data(as_text=True)
    assert "交办下级" in page and "东镇甲村" in page
    version = lambda web: re.search(r'name="version" value="(\d+)"', web.get(f"/petitions/{t['id']}")  # noqa: E731
                                    .get_data(as_text=True)).group(1)
    for slug, fields in (("sub-sign-for", {}), ("sub-report", {"report": "已调解"})):
        resp = village.post(f"/petitions/{t['id']}/do/{slug}", data={"version": version(village), **fields},
                            form_page=f"/petitions/{t['id']}")
        assert resp.status_code == 302, slug
    resp = township.post(f"/petitions/{t['id']}/do/sub-approve-report", data={"version": version(township)},
                         form_page=f"/petitions/{t['id']}")
    assert resp.status_code == 302
    assert api.show("t1_recv", t["id"])["state"] == "handling"
