"""Who is late on the 21st, the reminders before and after the due day (once each), exemptions, the export."""
from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api
from tests.screening.helpers import Sheets, clock, line, staff  # noqa: F401

pytestmark = pytest.mark.usefixtures("net")


@pytest.fixture
def sheets(app, net, api_token):
    staff(app, net)
    return Sheets(Api(app, api_token))


def _sweep(app, day):
    from county_net.screening import lateness

    with app.app_context(), system_scope("test sweep"):
        sent = lateness.sweep_reminders(day)
        db.session.commit()
        db.session.remove()
    return sent


def _notices(app, username, kind):
    with app.app_context(), system_scope("test read"):
        rows = db.session.execute(sa.text(
            "SELECT n.title FROM notifications n JOIN users u ON u.id = n.user_id "
            "WHERE u.username = :u AND n.kind = :k ORDER BY n.id"), {"u": username, "k": kind}).scalars().all()
        db.session.remove()
    return rows


def _late(sheets, user, month="2026-11", **extra):
    query = f"/api/v1/screening/late?month={month}" + "".join(f"&{k}={v}" for k, v in extra.items())
    resp = sheets.api.get(user, query)
    assert resp.status_code == 200, resp.get_json()
    return [(r["unit_name"], r["period"], r["status"]) for r in resp.get_json()["items"]]


def test_reminders_before_and_after_the_due_day_are_sent_once(app, sheets, clock):
    _sweep(app, date(2026, 11, 16))  # four days before the 20th: too early for the monthly sheets
    assert _notices(app, "e1_liaison", "screening_due") == []
    for _ in range(2):
        _sweep(app, date(2026, 11, 18))
    assert _notices(app, "e1_liaison", "screening_due") == ["2026年11月矛盾纠纷排查表请于11月20日前报送"]
    assert len(_notices(app, "e1_head", "screening_due")) == 1
    assert len(_notices(app, "e2_liaison", "screening_due")) == 1
    # The village's first half was due on Monday the 16th (the 15th is a Sunday): late from the 17th.
    assert _notices(app, "v1_liaison", "screening_late") == [
        "2026年11月上半月矛盾纠纷排查表已过截止日（2026-11-16），请尽快报送"]
    clock(2026, 11, 19)
    sheets.file("e1_liaison", "e1_head", sheets.open("e1_liaison"), line())
    for _ in range(2):
        _sweep(app, date(2026, 11, 21))
    assert _notices(app, "e1_liaison", "screening_late") == []  # E1 filed
    assert len(_notices(app, "e2_liaison", "screening_late")) == 1
    assert len(_notices(app, "e2_head", "screening_late")) == 1
    assert _notices(app, "t2_recv", "screening_late") == []  # the reminder goes to liaisons and heads


def test_the_late_list_on_the_21st(app, sheets, clock):
    clock(2026, 11, 19)
    sheets.file("e1_liaison", "e1_head", sheets.open("e1_liaison"), line())
    clock(2026, 11, 21, 9)
    e2 = sheets.file("e2_liaison", "e2_head", sheets.open("e2_liaison"))  # a day late, nil
    assert e2["late"] and e2["is_nil"]
    assert _late(sheets, "t1_recv") == [("东镇甲村", "2026-11-1", "missing")]  # the 2nd half is not due yet
    assert _late(sheets, "t2_recv") == [("西镇某厂", "2026-11", "late")]
    county = _late(sheets, "c_recv")
    assert set(county) == {("东镇人民政府", "2026-11", "missing"), ("西镇人民政府", "2026-11", "missing"),
                           ("测试县人社局", "2026-11", "missing"), ("东镇甲村", "2026-11-1", "missing"),
                           ("西镇某厂", "2026-11", "late")}
    assert county[:4] == sorted(county[:4], key=lambda r: r[2] != "missing")  # the missing first
    everyone = _late(sheets, "t1_recv", all="true")
    assert ("东镇某厂", "2026-11", "on_time") in everyone and ("东镇甲村", "2026-11-2", "pending") in everyone
    assert _late(sheets, "e1_liaison") == []  # a liaison's unit has nothing below it
    resp = sheets.api.get("c_recv", "/api/v1/screening/late?month=2026-1")
    assert resp.status_code == 400 and "month" in resp.get_json()["error"]["fields"]


def test_an_exempt_unit_is_not_expected(app, sheets, clock, login):
    clock(2026, 11, 21)
    resp = sheets.api.post("c_recv", "/api/v1/screening/exemptions", {
        "unit_id": sheets_unit(app, "E2"), "reason": "企业已停产",
        "starts_on": "2026-11-01"})
    assert resp.status_code == 403  # a clerk of the center may not
    resp = sheets.api.post("c_head", "/api/v1/screening/exemptions", {
        "unit_id": sheets_unit(app, "E2"), "reason": "", "starts_on": "2026-11-01"})
    assert resp.status_code == 400 and "reason" in resp.get_json()["error"]["fields"]
    resp = sheets.api.post("c_head", "/api/v1/screening/exemptions", {
        "unit_id": sheets_unit(app, "E2"), "reason": "企业已停产", "starts_on": "2026-11-01"})
    assert resp.status_code == 201, resp.get_json()
    exemption = resp.get_json()
    assert ("西镇某厂", "2026-11", "missing") not in _late(sheets, "c_recv")
    assert ("西镇某厂", "2026-11", "exempt") in _late(sheets, "c_recv", all="true")
    sheets.open("e2_liaison", expect=409)
    task = sheets.api.get("e2_liaison", "/api/v1/screening/current").get_json()
    assert task["files"] is False and task["exempt_reason"] == "企业已停产"
    assert sheets.api.post("e2_liaison", f"/api/v1/screening/exemptions/{exemption['id']}/revoke",
                           {"version": exemption["version"]}).status_code == 403
    resp = sheets.api.post("c_head", f"/api/v1/screening/exemptions/{exemption['id']}/revoke",
                           {"version": exemption["version"]})
    assert resp.status_code == 200 and resp.get_json()["revoked_at"]
    assert ("西镇某厂", "2026-11", "missing") in _late(sheets, "c_recv")
    page = login("c_head").get("/screening/exemptions")
    assert page.status_code == 200 and "企业已停产" in page.get_data(as_text=True)


def sheets_unit(app, code):
    with app.app_context(), system_scope("test read"):
        unit_id = db.session.scalar(sa.text("SELECT id FROM units WHERE code = :c"), {"c": code})
        db.session.remove()
    return unit_id


def test_the_late_list_exports_to_excel(app, sheets, clock, login):
    clock(2026, 11, 21)
    browser = login("c_recv")
    page = browser.get("/screening/late?month=2026-11")
    assert page.status_code == 200 and "东镇甲村" in page.get_data(as_text=True)
    resp = browser.get("/screening/late.xlsx?month=2026-11")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    book = load_workbook(BytesIO(resp.data))
    sheet = book.active
    assert "2026年11月" in sheet["A1"].value
    names = {sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)}
    assert {"东镇人民政府", "东镇甲村", "西镇某厂"} <= names
    assert sheet.page_setup.orientation == "landscape" and sheet.print_area
