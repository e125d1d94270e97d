"""The other roads a matter takes: 告知, 不予受理, 上报, simple procedure, co-units, mediation, the rating."""
import pytest

from tests.conftest import csrf_from
from tests.petitions.helpers import Api, in_days


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def test_redirect_to_a_statutory_channel(api, net, login):
    p = api.register("c_recv", nature="appeal", summary="不服县法院（2025）清民初字第12号判决，要求改判。")
    p = api.act("c_recv", p, "redirect", channel="political_legal", organ="清溪县人民法院",
                reason="涉诉事项应通过审判监督程序解决")
    assert p["state"] == "redirected" and p["deadline"] is None
    page = login("c_recv").get(f"/petitions/{p['id']}/documents/redirect_notice").get_data(as_text=True)
    assert "告知单" in page and "清溪县人民法院" in page


def test_decline_with_reason_and_channel(api, net, login):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["T1"])
    p = api.act("t1_recv", api.show("t1_recv", p["id"]), "sign-for")
    missing = api.post("t1_recv", f"/api/v1/petitions/{p['id']}/decline", {"version": p["version"], "reason": "x"})
    assert missing.status_code == 400 and "channel" in missing.get_json()["error"]["fields"]
    p = api.act("t1_recv", p, "decline", reason="已进入劳动仲裁程序", channel="向县劳动人事争议仲裁委员会申请仲裁")
    assert p["state"] == "declined"
    doc = login("t1_recv").get(f"/petitions/{p['id']}/documents/decline_notice").get_data(as_text=True)
    assert "不予受理告知书" in doc and "劳动人事争议仲裁委员会" in doc


def test_report_up_marks_major(api, net):
    p = api.register("c_recv", head_count=30, summary="某小区三十余户业主集体反映房屋质量问题，情绪激动。")
    assert p["is_collective"]
    p = api.act("c_recv", p, "report-up", note="集体访，已报县委、县政府")
    assert p["is_major"] and p["state"] == "registered"


def test_simple_procedure_only_for_first_plain_matters(api, net):
    p = api.register("c_recv", nature="inquiry", summary="咨询城乡居民医保缴费时间和标准。")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    b = api.act("b1_recv", api.show("b1_recv", p["id"]), "sign-for")
    b = api.act("b1_recv", b, "accept", simple=True)
    assert b["is_simple"] and b["deadline"]["step"] == "simple_handling" and "简易" in b["deadline"]["article"]
    assert api.post("b1_head", f"/api/v1/petitions/{b['id']}/extend",
                    {"version": b["version"], "days": 5, "reason": "x", "petitioner_told": True}).status_code == 409
    assigned = api.register("c_recv", petitioners=[{"name": "另一人", "phone": "13500005555"}])
    assigned = api.act("c_recv", assigned, "assign", to_unit_id=net.units["B1"], report_due_on=in_days(20))
    assigned = api.act("b1_recv", api.show("b1_recv", assigned["id"]), "sign-for")
    refused = api.post("b1_recv", f"/api/v1/petitions/{assigned['id']}/accept",
                       {"version": assigned["version"], "simple": True})
    assert refused.status_code == 409 and "简易办理" in refused.get_json()["error"]["message"]


def test_co_units_contribute_and_the_lead_replies(api, net):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["T1"], co_unit_ids=[net.units["B1"]])
    assert api.show("b1_recv", p["id"])["state"] == "transferred"  # the co-unit sees the matter
    t = api.act("t1_recv", api.show("t1_recv", p["id"]), "sign-for")
    t = api.act("t1_recv", t, "accept")
    b = api.show("b1_recv", p["id"])
    assert "co_opinion" in b["actions"] and "reply" not in b["actions"]
    api.act("b1_recv", b, "co-opinion", opinion="经核查，该厂欠缴社保的情况属实，建议一并督促")
    t = api.act("t1_recv", api.show("t1_recv", p["id"]), "mediation", kind="mediation",
                terms="企业同意分两期支付欠薪，信访人同意")
    t = api.act("t1_recv", t, "reply", outcome="support", request="支付工资", facts="调解达成协议", basis="调解协议")
    t = api.act("t1_recv", t, "close", satisfaction="satisfied")
    events = [e["kind"] for e in api.get("c_recv", f"/api/v1/petitions/{p['id']}/events").get_json()]
    assert events == ["register", "transfer", "sign_for", "accept", "co_opinion", "record_mediation", "reply", "close"]


def test_petitioner_rates_once_on_the_public_page(app, api, net):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "handle-self")
    p = api.act("c_recv", p, "reply", outcome="explain", request="r", facts="f", basis="b")
    p = api.act("c_recv", p, "close")
    public = app.test_client()
    form = {"query_code": p["query_code"], "phone_last4": "1111", "csrf_token": csrf_from(public, "/query")}
    page = public.post("/query", data=form).get_data(as_text=True)
    assert "请对办理结果评价" in page
    resp = public.post("/query/rate", data={**form, "rating": "satisfied"})
    assert resp.status_code == 302
    again = public.post("/query/rate", data={**form, "rating": "unsatisfied", "csrf_token": csrf_from(public, "/query")})
    assert again.status_code == 409
    assert api.show("c_recv", p["id"])["satisfaction"] == "satisfied"


def test_public_page_is_rate_limited(app, net, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_QUERY_LIMIT", "3 per minute")
    public = app.test_client()
    token = csrf_from(public, "/query")
    codes = [public.post("/query", data={"query_code": f"X{i}", "phone_last4": "0000", "csrf_token": token}).status_code
             for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]
