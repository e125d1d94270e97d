"""A matter's whole course across units, through the JSON API."""
import pytest

from tests.petitions.helpers import Api, in_days


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def test_transfer_to_wrong_bureau_sent_back_then_right_township(api, net):
    p = api.register("c_recv", locality_unit_id=net.units["T1"])
    assert p["number"].startswith("清信〔") and p["state"] == "registered"
    assert p["deadline"]["step"] == "disposition" and "第二十二条" in p["deadline"]["article"]
    assert p["parties"][0]["id_number"].startswith("3399") and "*" in p["parties"][0]["id_number"]

    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"], note="请依法处理")
    assert p["state"] == "transferred" and p["holder_unit"]["id"] == net.units["B1"]
    # The bureau sees it now and sends it back, naming the competent unit.
    seen = api.show("b1_recv", p["id"])
    assert seen["actions"] == ["report_up", "sign_for", "send_back"] or "sign_for" in seen["actions"]
    seen = api.act("b1_recv", seen, "send-back", reason="工资拖欠属属地乡镇协调处理", competent_unit_id=net.units["T1"])
    assert seen["state"] == "returned"
    api.show("b1_recv", p["id"], expect=404)  # no longer involved
    back = api.show("c_recv", p["id"])
    assert back["state"] == "returned" and back["holder_unit"]["id"] == net.units["C0"]
    events = api.get("c_recv", f"/api/v1/petitions/{p['id']}/events").get_json()
    returned = [e for e in events if e["kind"] == "send_back"][0]
    assert returned["actor_unit"] == "测试县人社局" and returned["payload"]["competent_unit"] == "东镇人民政府"

    p = api.act("c_recv", back, "transfer", to_unit_id=net.units["T1"])
    t1 = api.show("t1_recv", p["id"])
    t1 = api.act("t1_recv", t1, "sign-for")
    assert t1["state"] == "signed" and t1["deadline"]["step"] == "acceptance_notice"
    t1 = api.act("t1_recv", t1, "accept", note="依法受理")
    assert t1["state"] == "handling" and t1["deadline"]["step"] == "handling"
    # Siblings still see nothing.
    api.show("t2_recv", p["id"], expect=404)


def test_assigned_matter_through_review_and_appeals(api, net):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "assign", to_unit_id=net.units["B1"], report_due_on=in_days(40))
    b = api.show("b1_recv", p["id"])
    b = api.act("b1_recv", b, "sign-for")
    b = api.act("b1_recv", b, "accept")
    due_before = b["deadline"]["due_on"]
    api.act("b1_recv", b, "extend", expect=403, days=10, reason="需调查", petitioner_told=True)  # head only
    api.headers("b1_head") if "b1_head" in net.users else None
    b = api.act("b1_recv", b, "reply", outcome="support", request="支付工资", facts="经查属实", basis="《劳动合同法》第三十条")
    assert b["state"] == "replied"
    b = api.act("b1_recv", b, "report", report="已督促企业支付")
    assert b["state"] == "reported" and b["holder_unit"]["id"] == net.units["C0"]
    c = api.act("c_recv", api.show("c_recv", p["id"]), "return-report", reason="未附支付凭证")
    assert c["state"] == "handling"
    b = api.show("b1_recv", p["id"])
    b = api.act("b1_recv", b, "reply", outcome="support", request="支付工资", facts="已支付并附凭证", basis="同上")
    b = api.act("b1_recv", b, "report", report="已支付，附凭证")
    c = api.act("c_recv", api.show("c_recv", p["id"]), "approve-report")
    assert c["state"] == "closed" and due_before
    # 复查 at the unit above the bureau (the county center), revoked once, re-decided, then upheld.
    c = api.act("c_recv", c, "reexamination")
    assert c["state"] == "reexamination" and c["deadline"]["step"] == "reexamination"
    c = api.act("c_recv", c, "reexamination-decision", result="revoke", opinion="事实不清，撤销原处理意见")
    assert c["state"] == "handling" and c["handling_unit"]["id"] == net.units["B1"]
    b = api.act("b1_recv", api.show("b1_recv", p["id"]), "reply", outcome="explain", request="支付工资",
                facts="补充调查", basis="依据")
    b = api.act("b1_recv", b, "report", report="重新办理")
    c = api.act("c_recv", api.show("c_recv", p["id"]), "approve-report")
    c = api.act("c_recv", c, "reexamination")
    c = api.act("c_recv", c, "reexamination-decision", result="uphold", opinion="维持")
    assert c["state"] == "closed"
    c = api.act("c_recv", c, "final-review")
    assert c["state"] == "final_review"
    c = api.act("c_recv", c, "pause", reason="hearing", note="组织听证")
    c = api.act("c_recv", c, "resume")
    c = api.act("c_recv", c, "final-review-decision", result="uphold", opinion="维持", hearing_held=True)
    assert c["state"] == "concluded"
    # The same matter again: linked, and flagged 不再受理.
    again = api.register("c_recv")
    link = [l for l in again["links"] if l["earlier_id"] == p["id"]][0]
    assert link["reason"] == "same_person_text"
    again = api.post("c_recv", f"/api/v1/petitions/{again['id']}/links/{link['id']}/confirm",
                     {"version": again["version"]}).get_json()
    assert again["is_repeat"] and again["is_no_longer_accepted"]


def test_send_back_ends_the_co_units_grant_it_could_not_see(api, net):
    """The county center transfers to 东镇 with 西镇 as co-unit; 东镇 sends it back: 西镇's grant ends too,
    though 东镇's own scope never showed it."""
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["T1"], co_unit_ids=[net.units["T2"]])
    api.show("t2_recv", p["id"])
    seen = api.show("t1_recv", p["id"])
    api.act("t1_recv", seen, "send-back", reason="不属本镇职责")
    api.show("t2_recv", p["id"], expect=404)
    api.show("t1_recv", p["id"], expect=404)
