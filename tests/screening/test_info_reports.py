"""Immediate reports (即时报告) from a unit to the county center, and a dispute's link to a petition matter."""
from datetime import datetime, timedelta, timezone

import pytest

from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, add_user
from tests.screening.info_helpers import (matter_fields, notified, rows, seed_dispute, send, setup_center_head,
                                          step)


@pytest.fixture
def api(app, net, api_token):
    setup_center_head(app, net)
    return Api(app, api_token)


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_the_whole_life_over_the_api_and_the_matter_shows_the_link(app, net, api, login):
    report = send(api)
    assert report["state"] == "sent" and report["number"].startswith("即报〔")
    assert _parse(report["due_at"]) - _parse(report["sent_at"]) == timedelta(hours=4)  # the county's default
    assert report["due_at"].endswith("+08:00")  # shown in Asia/Shanghai
    assert report["actions"] == []  # the liaison only sends
    # The center's head and handler, and the township above the enterprise, hear of it at once.
    assert notified(app, f"info_report:{report['id']}:sent") == ["c_head", "c_recv", "t1_head"]

    center = api.get("c_head", f"/api/v1/info-reports/{report['id']}").get_json()
    assert center["actions"] == ["receive"]
    report = step(api, "c_head", center, "receive")
    assert report["state"] == "received" and report["received_late"] is False
    report = step(api, "c_head", report, "assess", assessment="欠薪人数多，有集体上访风险，建议立案交办。",
                  risk_level="L2")
    assert report["state"] == "assessed" and report["assessed_level"] == "L2"
    assert set(report["actions"]) == {"convert", "link", "close"}
    report = step(api, "c_recv", report, "convert", **matter_fields(app))
    assert report["state"] == "converted" and report["petition_number"]
    assert [e["kind"] for e in report["events"]] == ["send", "receive", "assess", "convert"]
    # The reporter follows each step in its inbox.
    assert "e1_liaison" in notified(app, f"info_report:{report['id']}:convert")

    matter = api.show("c_recv", report["petition_id"])
    assert matter["summary"] == report["content"] and matter["head_count"] == 30
    page = login("c_head").get(f"/petitions/{report['petition_id']}").get_data(as_text=True)
    assert "相关排查/即时报告" in page and f"/screening/info/{report['id']}" in page
    detail = login("c_head").get(f"/screening/info/{report['id']}").get_data(as_text=True)
    assert matter["number"] in detail and "流转记录" in detail
    actions = [r[0] for r in rows(app, "SELECT action FROM audit_records WHERE target_type = 'info_report' "
                                       "ORDER BY seq")]
    assert actions == ["info_report.sent", "info_report.received", "info_report.assessed", "info_report.converted"]


def test_sending_and_steps_through_the_web_forms(app, net, api, login):
    liaison = login("e1_liaison")
    resp = liaison.post("/screening/info/new", {"kind": "early_sign", "title": "甲村土地流转苗头",
                                                "content": "部分村民对土地流转价格不满，酝酿集体上访。",
                                                "people_count": "12", "is_urgent": "1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    report_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    bad = liaison.post("/screening/info/new", {"title": "", "content": "x"}, form_page="/screening/info/new")
    assert bad.status_code == 400 and "error" in bad.get_data(as_text=True)

    head = login("c_head")
    page = head.get(f"/screening/info/{report_id}").get_data(as_text=True)
    assert "action-receive" in page and "签收时限" in page
    resp = head.post(f"/screening/info/{report_id}/receive", {"version": "1"}, form_page=f"/screening/info/{report_id}")
    assert resp.status_code == 302
    shown = api.get("c_head", f"/api/v1/info-reports/{report_id}").get_json()
    assert shown["state"] == "received" and shown["is_urgent"] is True and shown["kind"] == "early_sign"
    # A stale form: 409 answered as a warning and the page again, nothing changed.
    resp = head.post(f"/screening/info/{report_id}/receive", {"version": "1"}, form_page=f"/screening/info/{report_id}")
    assert resp.status_code == 302
    assert api.get("c_head", f"/api/v1/info-reports/{report_id}").get_json()["version"] == shown["version"]
    resp = head.post(f"/screening/info/{report_id}/assess", {"version": str(shown["version"]), "risk_level": "L9",
                                                              "assessment": "研判"},
                     form_page=f"/screening/info/{report_id}")
    assert resp.status_code == 400 and "请选择本县风险等级中的一级" in resp.get_data(as_text=True)
    listing = head.get("/screening/info?state=received").get_data(as_text=True)
    assert "甲村土地流转苗头" in listing


def test_roles_state_version_and_field_messages(app, net, api):
    report = send(api)
    for user in ("e1_liaison", "t1_head"):  # the sender and the unit above it do not sign for it
        step(api, user, report, "receive", expect=403)
    resp = api.post("c_head", "/api/v1/info-reports", {**{"title": "县局自报", "content": "内容"}})
    assert resp.status_code == 403  # the center itself does not send
    step(api, "c_head", {**report, "version": 7}, "receive", expect=409)
    step(api, "c_head", report, "assess", expect=409, assessment="太早", risk_level="L1")  # not signed for yet
    resp = api.post("e1_liaison", "/api/v1/info-reports", {"title": "", "people_count": -1})
    assert resp.status_code == 400
    fields = resp.get_json()["error"]["fields"]
    assert {"title", "content", "people_count"} <= set(fields)
    report = step(api, "c_head", report, "receive")
    resp = api.post("c_head", f"/api/v1/info-reports/{report['id']}/assess",
                    {"version": report["version"], "assessment": "研判", "risk_level": "L9"})
    assert resp.status_code == 400 and "risk_level" in resp.get_json()["error"]["fields"]
    resp = api.post("c_head", f"/api/v1/info-reports/{report['id']}/close", {"version": report["version"]})
    assert resp.status_code == 400
    closed = step(api, "c_head", report, "close", note="经核实已由东镇化解，不构成信访事项。")
    assert closed["state"] == "closed" and closed["actions"] == []
    step(api, "c_head", closed, "close", expect=409, note="再次办结")


def test_a_sibling_never_sees_the_report(app, net, api):
    add_user(app, net, "e2_liaison", "E2", ["liaison"])
    report = send(api)
    for user in ("e2_liaison", "t2_recv", "b1_recv"):
        assert api.get(user, f"/api/v1/info-reports/{report['id']}").status_code == 404
        assert api.get(user, "/api/v1/info-reports").get_json()["meta"]["total"] == 0
    assert api.get("t1_head", f"/api/v1/info-reports/{report['id']}").status_code == 200  # the parent does
    assert api.post("t2_recv", f"/api/v1/info-reports/{report['id']}/receive", {"version": 1}).status_code == 404


def test_the_overdue_sweep_tells_the_center_heads_once(app, net, api):
    from county_net.jobs.schedule import by_name
    from county_net.screening import info
    from county_net.screening.models import InfoReport

    assert by_name("info-report-sweep")[1] == "county_net.screening.jobs.info_report_sweep"
    late = send(api)
    on_time = send(api, title="另一件")
    with app.app_context(), system_scope("test"):
        db.session.get(InfoReport, late["id"]).due_at = datetime.now(timezone.utc) - timedelta(minutes=5)
        db.session.commit()
        first = info.sweep_overdue()
        second = info.sweep_overdue()
        db.session.remove()
    assert first == {"notified": 1} and second == {"notified": 0}
    assert notified(app, f"info_report:{late['id']}:overdue") == ["c_head"]  # heads only, once
    assert notified(app, f"info_report:{on_time['id']}:overdue") == []
    assert rows(app, "SELECT count(*) FROM notifications WHERE kind = 'info_report_overdue'") == [(1,)]
    listed = api.get("c_head", "/api/v1/info-reports?overdue=true").get_json()
    assert [r["id"] for r in listed["items"]] == [late["id"]] and listed["items"][0]["overdue"] is True
    received = step(api, "c_head", api.get("c_head", f"/api/v1/info-reports/{late['id']}").get_json(), "receive")
    assert received["received_late"] is True
    runner = app.test_cli_runner()
    result = runner.invoke(args=["screening", "info-sweep"])
    assert result.exit_code == 0 and "0 件" in result.output


def test_link_to_an_existing_matter_only_if_visible(app, net, api):
    report = send(api)
    report = step(api, "c_head", report, "receive")
    report = step(api, "c_head", report, "assess", assessment="已有在办事项。", risk_level="L1")
    mine = api.register("c_recv")
    resp = api.post("c_head", f"/api/v1/info-reports/{report['id']}/link",
                    {"version": report["version"], "petition_id": 987654})
    assert resp.status_code == 400 and "petition_id" in resp.get_json()["error"]["fields"]
    linked = step(api, "c_head", report, "link", petition_id=mine["id"])
    assert linked["state"] == "converted" and linked["petition_number"] == mine["number"]
    # The liaison may not see the matter: the report names no number to it.
    seen = api.get("e1_liaison", f"/api/v1/info-reports/{report['id']}").get_json()
    assert seen["petition_number"] is None and seen["petition_id"] is None


def test_a_dispute_escalates_into_a_matter_and_both_pages_show_the_link(app, net, api, login):
    d = seed_dispute(app, net)
    body = {"version": d["version"], **matter_fields(app)}
    assert api.post("e1_liaison", f"/api/v1/disputes/{d['id']}/escalate", body).status_code == 404
    assert api.post("t2_recv", f"/api/v1/disputes/{d['id']}/escalate", body).status_code == 404
    assert api.post("b1_recv", f"/api/v1/disputes/{d['id']}/escalate", body).status_code == 404
    resp = api.post("t1_recv", f"/api/v1/disputes/{d['id']}/escalate", {**body, "version": 1})
    assert resp.status_code == 409
    resp = api.post("t1_recv", f"/api/v1/disputes/{d['id']}/escalate", {**body, "channel": "fax"})
    assert resp.status_code == 400 and "channel" in resp.get_json()["error"]["fields"]
    resp = api.post("t1_recv", f"/api/v1/disputes/{d['id']}/escalate", body)
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["petition_number"] and out["report_version"] == d["version"] + 1
    matter = api.show("t1_recv", out["petition_id"])
    assert matter["summary"].startswith("甲村两户") and matter["head_count"] == 12
    assert rows(app, "SELECT kind FROM screening_events WHERE report_id = :r", r=d["report_id"]) == [("escalate",)]
    again = api.post("t1_recv", f"/api/v1/disputes/{d['id']}/escalate", {**body, "version": out["report_version"]})
    assert again.status_code == 409
    web = login("t1_recv")
    page = web.get(f"/petitions/{out['petition_id']}").get_data(as_text=True)
    assert f"/screening/disputes/{d['id']}" in page and "相关排查/即时报告" in page
    dispute_page = web.get(f"/screening/disputes/{d['id']}").get_data(as_text=True)
    assert out["petition_number"] in dispute_page
    assert rows(app, "SELECT action FROM audit_records WHERE target_type = 'dispute'") == [("dispute.escalated",)]


def test_the_center_links_a_dispute_through_the_web_form(app, net, api, login):
    d = seed_dispute(app, net)
    matter = api.register("c_recv")
    assert api.post("t1_head", f"/api/v1/disputes/{d['id']}/link",
                    {"version": d["version"], "petition_id": matter["id"]}).json["error"]["fields"]["petition_id"]
    web = login("c_recv")
    page = f"/screening/disputes/{d['id']}"
    assert "action-link" in web.get(page).get_data(as_text=True)
    resp = web.post(f"/screening/disputes/{d['id']}/link", {"version": str(d["version"]),
                                                             "petition_id": str(matter["id"])}, form_page=page)
    assert resp.status_code == 302
    shown = web.get(page).get_data(as_text=True)
    assert matter["number"] in shown and "action-link" not in shown
    # Seen from the matter: the center sees the line of 东镇's sheet; 西镇 does not see the matter at all.
    assert f"/screening/disputes/{d['id']}" in web.get(f"/petitions/{matter['id']}").get_data(as_text=True)
    assert rows(app, "SELECT kind FROM screening_events WHERE report_id = :r", r=d["report_id"]) == [("link",)]


def test_the_matter_page_lists_only_links_in_the_readers_scope(app, net, api, login):
    """The center's matter, linked to 东镇's dispute, then transferred to 人社局: 人社局 reads the matter but
    not 东镇's sheet, so the section does not name the dispute to it."""
    d = seed_dispute(app, net)
    matter = api.register("c_recv")
    resp = api.post("c_recv", f"/api/v1/disputes/{d['id']}/link", {"version": d["version"], "petition_id": matter["id"]})
    assert resp.status_code == 200
    api.act("c_recv", api.show("c_recv", matter["id"]), "transfer", to_unit_id=net.units["B1"])
    page = login("b1_recv").get(f"/petitions/{matter['id']}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "相关排查/即时报告" not in body and f"/screening/disputes/{d['id']}" not in body
    assert f"/screening/disputes/{d['id']}" in login("c_recv").get(f"/petitions/{matter['id']}").get_data(as_text=True)
