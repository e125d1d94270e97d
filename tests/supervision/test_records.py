"""Supervision records through the API: issue, answer, review; who is told; the refusals (403, 404, 409, 400)
with nothing written."""
import pytest

from tests.supervision.helpers import (Api, act, count, issue, notified, rows, setup_center_head, transferred)


@pytest.fixture
def api(app, net, api_token):
    setup_center_head(app, net)
    return Api(app, api_token)


def test_yellow_card_reaches_the_target_head_and_no_one_else(app, net, api):
    matter = transferred(api, net, "T1")
    record = issue(api, net, [matter["id"]], level="yellow")
    assert record["state"] == "issued" and record["level_label"] == "黄牌督办"
    assert notified(app, f"supervision:{record['id']}:%") == ["t1_head"]
    # The ledger booked the card on the target unit.
    assert rows(app, "SELECT unit_id, points, reason FROM supervision_scores") == [(net.units["T1"], -5, "yellow")]


def test_the_course_issue_receive_feedback_return_accept_close(app, net, api):
    matter = transferred(api, net, "T1")
    record = issue(api, net, [matter["id"]])
    record = act(api, "t1_recv", record, "receive")
    assert record["state"] == "received"
    act(api, "t1_recv", record, "feedback", expect=403, feedback="已办理。")  # the head signs the answer
    record = act(api, "t1_head", record, "feedback", feedback="已约谈企业负责人，工资本周内支付。")
    assert notified(app, f"supervision:{record['id']}:feedback:%") == ["c_head", "c_recv"]
    act(api, "t1_head", record, "accept", expect=403)  # the center reviews, not the target
    record = act(api, "c_recv", record, "return", reason="未附支付凭证。")
    assert record["state"] == "received" and record["rework_count"] == 1
    record = act(api, "t1_head", record, "feedback", feedback="已支付，附凭证。")
    record = act(api, "c_recv", record, "accept")
    record = act(api, "c_recv", record, "close")
    assert record["state"] == "closed"
    act(api, "t1_head", record, "feedback", expect=409, feedback="补充。")
    kinds = [e["kind"] for e in api.get("c_recv", f"/api/v1/supervisions/{record['id']}/events").get_json()]
    assert kinds == ["issue", "receive", "feedback", "return", "feedback", "accept", "close"]


def test_feedback_on_a_cancelled_record_is_409(app, net, api):
    matter = transferred(api, net, "T1")
    record = issue(api, net, [matter["id"]])
    record = act(api, "t1_head", record, "receive")
    record = act(api, "c_recv", record, "cancel", reason="事项已由县领导包案。")
    resp = api.post("t1_head", f"/api/v1/supervisions/{record['id']}/feedback",
                    {"version": record["version"], "feedback": "已办理。"})
    assert resp.status_code == 409 and "撤销" in resp.get_json()["error"]["message"]
    assert count(app, "SELECT count(*) FROM supervision_events WHERE supervision_id = :i",
                 i=record["id"]) == 3


def test_onsite_without_approval_is_403_and_writes_nothing(app, net, api):
    matter = transferred(api, net, "T1")
    resp = api.post("c_recv", "/api/v1/supervisions", {
        "petition_ids": [matter["id"]], "target_unit_id": net.units["T1"], "level": "red", "method": "onsite",
        "problem": "shirking", "content": "推诿。", "required_action": "整改。", "feedback_due_on": "2099-01-01"})
    assert resp.status_code in (400, 403)
    body = issue(api, net, [matter["id"]], method="onsite", expect=403)
    assert "一把手批准" in body["error"]["message"]
    assert count(app, "SELECT count(*) FROM supervisions") == 0
    assert count(app, "SELECT count(*) FROM notifications WHERE kind LIKE 'supervision%'") == 0


def test_onsite_by_the_head_or_approved_by_the_head(app, net, api):
    matter = transferred(api, net, "T1")
    direct = issue(api, net, [matter["id"]], user="c_head", method="onsite")
    assert direct["state"] == "issued" and direct["approved_by"] == "c_head" and direct["approved_at"]
    draft = issue(api, net, [matter["id"]], method="joint", for_approval=True)
    assert draft["state"] == "pending_approval" and draft["approved_at"] is None
    # Not yet issued: the target does not see it, and was not told.
    assert api.get("t1_head", f"/api/v1/supervisions/{draft['id']}").status_code == 404
    assert notified(app, f"supervision:{draft['id']}:issued") == []
    assert notified(app, f"supervision:{draft['id']}:approval") == ["c_head"]
    act(api, "c_recv", draft, "approve", expect=403)
    approved = act(api, "c_head", draft, "approve")
    assert approved["state"] == "issued" and approved["approved_by"] == "c_head"
    assert api.get("t1_head", f"/api/v1/supervisions/{draft['id']}").status_code == 200
    assert notified(app, f"supervision:{draft['id']}:issued") == ["t1_head"]


def test_a_matter_the_center_cannot_see_is_404_and_a_unit_outside_the_county_400(app, net, api):
    from tests.tenancy.seed import neighbour_county

    town = neighbour_county(app, [("k_recv", "K0", ["receptionist"])])["K1"]
    theirs = api.register("k_recv")
    mine = transferred(api, net, "T1")
    assert issue(api, net, [theirs["id"]], expect=404)["error"]["code"] == "not_found"
    assert issue(api, net, [mine["id"], 987654], expect=404)
    body = issue(api, net, [mine["id"]], target_unit_id=town, expect=400)
    assert "本县" in body["error"]["fields"]["target_unit_id"][0]
    assert count(app, "SELECT count(*) FROM supervisions") == 0


def test_only_the_county_center_issues_and_the_stale_version_is_409(app, net, api):
    matter = transferred(api, net, "T1")
    issue(api, net, [matter["id"]], user="t1_head", expect=403)
    record = issue(api, net, [matter["id"]])
    fresh = act(api, "t1_head", record, "receive")
    act(api, "t1_head", record, "feedback", expect=409, feedback="旧版本。")  # version of before the receipt
    assert fresh["version"] == record["version"] + 1


def test_visibility_center_sees_all_target_its_own_siblings_nothing(app, net, api):
    matter = transferred(api, net, "T1")
    record = issue(api, net, [matter["id"]], level="urge")
    for user, status in (("c_recv", 200), ("t1_recv", 200), ("t1_head", 200), ("t2_recv", 404), ("b1_head", 404),
                         ("e1_liaison", 404)):
        assert api.get(user, f"/api/v1/supervisions/{record['id']}").status_code == status, user
    assert [r["id"] for r in api.get("t1_head", "/api/v1/supervisions").get_json()["items"]] == [record["id"]]
    assert api.get("t2_recv", "/api/v1/supervisions").get_json()["items"] == []
    assert notified(app, f"supervision:{record['id']}:issued") == ["t1_head"]


def test_escalation_only_goes_up(app, net, api):
    matter = transferred(api, net, "T1")
    record = issue(api, net, [matter["id"]], level="yellow")
    resp = api.post("c_recv", f"/api/v1/supervisions/{record['id']}/escalate",
                    {"version": record["version"], "level": "normal"})
    assert resp.status_code == 400
    record = act(api, "c_recv", record, "escalate", level="red", is_listed=True)
    assert record["level"] == "red" and record["is_listed"]
    assert sorted(rows(app, "SELECT reason, points FROM supervision_scores")) == [("red", -10), ("yellow", -5)]


def test_documents_print(app, net, api, login):
    matter = transferred(api, net, "T1")
    record = issue(api, net, [matter["id"]], level="red", user="c_head", method="joint", is_listed=True)
    web = login("c_recv")
    page = web.get(f"/supervision/{record['id']}/documents/supervision_order").get_data(as_text=True)
    assert "督办单" in page and "测试县信访局" in page and matter["number"] in page and "红牌督办" in page
    assert "挂牌督办事项须附整改方案" in page and "c_head" in page
    notice = web.get(f"/supervision/{record['id']}/documents/urge_notice").get_data(as_text=True)
    assert "催办通知书" in notice and "东镇人民政府" in notice
    assert web.get(f"/supervision/{record['id']}/documents/nothing").status_code == 404
