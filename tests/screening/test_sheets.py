"""A sheet's course over the API: draft, lines, submit, sign, accept or return, correct; nil returns; lateness;
carrying open disputes forward; who may do what; bad input."""
from datetime import date

import pytest

from county_net.deadlines.periods import parse_period, screening_due_on
from county_net.deadlines import national_calendar
from tests.petitions.helpers import Api
from tests.screening.helpers import Sheets, clock, line, staff  # noqa: F401

pytestmark = pytest.mark.usefixtures("net")


@pytest.fixture
def sheets(app, net, api_token):
    staff(app, net)
    return Sheets(Api(app, api_token))


def test_due_days_roll_over_weekends_and_holidays():
    cal = national_calendar()
    assert screening_due_on(parse_period("2026-11"), 20, cal) == date(2026, 11, 20)  # a Friday
    assert screening_due_on(parse_period("2026-12"), 20, cal) == date(2026, 12, 21)  # Sunday → Monday
    assert screening_due_on(parse_period("2026-02"), 20, cal) == date(2026, 2, 24)  # Spring Festival
    assert screening_due_on(parse_period("2026-11-1"), [15, "end"], cal) == date(2026, 11, 16)  # Sunday 15th
    assert screening_due_on(parse_period("2026-11-2"), [15, "end"], cal) == date(2026, 11, 30)
    assert screening_due_on(parse_period("2026-Q4"), 20, cal) == date(2026, 12, 21)


def test_a_sheet_from_draft_to_accepted_and_corrected(sheets, clock):
    clock(2026, 11, 10)
    sheet = sheets.open("e1_liaison")
    assert (sheet["period"], sheet["due_on"], sheet["state"], sheet["revision"]) == ("2026-11", "2026-11-20", "draft", 1)
    assert sheets.open("e1_liaison")["id"] == sheet["id"]  # the period's sheet, not a second one
    sheet = sheets.add("e1_liaison", sheet, people_count=35, risk_level="L3")
    sheet = sheets.add("e1_liaison", sheet, dispute_type="家庭", people_count=2, status="resolved")
    assert [(d["seq"], d["scale_band"], d["is_major"], d["risk_level"]) for d in sheet["lines"]] == [
        (1, "lt50", True, "L3"), (2, "lt50", False, "L0")]  # L0 suggested from the head count
    sheets.step("e1_liaison", sheet, "sign", expect=403)  # a liaison does not sign
    sheet = sheets.step("e1_liaison", sheet, "submit")
    assert sheet["state"] == "submitted" and sheet["actions"] == []
    sheets.add("e1_liaison", sheet, expect=409)  # no edits once submitted
    clock(2026, 11, 20, 23, 50)  # the due day itself is on time
    sheet = sheets.step("e1_head", sheet, "sign")
    assert (sheet["state"], sheet["late"], sheet["counted"], sheet["signed_by_name"]) == ("filed", False, True, "e1_head")
    sheets.step("e1_head", sheet, "accept", expect=409)  # not the parent
    sheet = sheets.step("t1_recv", sheet, "accept")
    assert sheet["state"] == "accepted"
    sheets.add("e1_liaison", sheet, expect=409)  # locked
    sheets.step("e1_liaison", sheet, "correct", expect=400, note="")
    fixed = sheets.step("e1_liaison", sheet, "correct", expect=201, note="第1条人数有误")
    assert (fixed["revision"], fixed["state"], fixed["supersedes_id"], len(fixed["lines"])) == (2, "draft", sheet["id"], 2)
    old = sheets.show("e1_liaison", sheet["id"])
    assert old["counted"] and old["state"] == "accepted" and old["superseded_by_id"] == fixed["id"]
    first = fixed["lines"][0]
    resp = sheets.put("e1_liaison", f"/api/v1/screening/disputes/{first['id']}",
                      {"version": fixed["version"], **line(people_count=60, risk_level="L3")})
    assert resp.status_code == 200, resp.get_json()
    fixed = resp.get_json()
    assert fixed["lines"][0]["scale_band"] == "50_100"
    clock(2026, 11, 25)
    fixed = sheets.step("e1_liaison", fixed, "submit")
    fixed = sheets.step("e1_head", fixed, "sign")
    assert fixed["counted"] and fixed["late"] is False  # a correction keeps the first filing's timeliness
    old = sheets.show("e1_liaison", sheet["id"])
    assert (old["state"], old["counted"]) == ("superseded", False)
    assert len(old["lines"]) == 2 and old["lines"][0]["people_count"] == 35  # the old revision stays readable


def test_late_filing_is_accepted_and_marked(sheets, clock):
    clock(2026, 11, 21, 8)
    sheet = sheets.open("e1_liaison")
    sheet = sheets.file("e1_liaison", "e1_head", sheet, line())
    assert (sheet["state"], sheet["late"]) == ("filed", True)
    listed = sheets.api.get("t1_recv", "/api/v1/screening/reports?late=true").get_json()
    assert [r["id"] for r in listed["items"]] == [sheet["id"]]


def test_a_nil_report_is_explicit_and_signed(sheets, clock):
    clock(2026, 11, 12)
    sheet = sheets.open("e1_liaison")
    sheets.step("e1_liaison", sheet, "submit", expect=409)  # neither lines nor a nil return
    with_line = sheets.add("e1_liaison", sheet)
    sheets.step("e1_liaison", with_line, "nil", expect=409, is_nil=True)  # lines exist
    resp = sheets.api.post("e1_liaison", f"/api/v1/screening/disputes/{with_line['lines'][0]['id']}/delete",
                           {"version": with_line["version"]})
    assert resp.status_code == 200
    sheet = resp.get_json()
    sheet = sheets.file("e1_liaison", "e1_head", sheet)
    assert sheet["is_nil"] and sheet["state"] == "filed" and sheet["lines"] == []


def test_open_disputes_are_carried_into_the_next_draft(sheets, clock):
    clock(2026, 10, 15)
    october = sheets.open("e1_liaison")
    october = sheets.file("e1_liaison", "e1_head", october, line(summary="甲纠纷", status="mediating"),
                          line(summary="乙纠纷", status="resolved"), line(summary="丙纠纷", status="screened"))
    clock(2026, 11, 2)
    task = sheets.api.get("e1_liaison", "/api/v1/screening/current").get_json()
    assert task["files"] and task["period"] == "2026-11" and task["report_id"] is None
    assert [d["summary"] for d in task["open_disputes"]] == ["甲纠纷", "丙纠纷"]
    november = sheets.open("e1_liaison")
    assert [(d["summary"], d["carried"]) for d in november["lines"]] == [("甲纠纷", True), ("丙纠纷", True)]
    task = sheets.api.get("e1_liaison", "/api/v1/screening/current").get_json()
    assert task["report_id"] == november["id"] and task["state"] == "draft"


def test_returned_by_the_head_and_by_the_parent(sheets, clock):
    clock(2026, 11, 5)
    sheet = sheets.add("e1_liaison", sheets.open("e1_liaison"))
    sheet = sheets.step("e1_liaison", sheet, "submit")
    sheets.step("e1_head", sheet, "return", expect=400, note="")
    sheet = sheets.step("e1_head", sheet, "return", note="请补充措施")
    assert (sheet["state"], sheet["return_stage"], sheet["return_note"]) == ("returned", "head", "请补充措施")
    sheet = sheets.step("e1_head", sheet, "sign")  # a head may sign a returned sheet directly
    sheets.step("t2_recv", sheet, "return", expect=404, note="x")  # another township cannot even see it
    sheet = sheets.step("t1_head", sheet, "return", note="人数与上月不符")
    assert (sheet["state"], sheet["counted"], sheet["return_stage"]) == ("returned", False, "parent")
    sheet = sheets.step("e1_head", sheet, "sign")
    assert sheet["state"] == "filed" and sheet["counted"]


def test_who_sees_a_sheet(sheets, clock):
    clock(2026, 11, 5)
    sheet = sheets.add("e1_liaison", sheets.open("e1_liaison"))
    for user in ("e2_liaison", "t2_recv", "b1_recv"):
        sheets.show(user, sheet["id"], expect=404)
        sheets.step(user, sheet, "submit", expect=404)
    for user in ("t1_recv", "c_recv"):
        assert sheets.show(user, sheet["id"])["actions"] == []
    assert sheets.api.get("e2_liaison", "/api/v1/screening/reports").get_json()["items"] == []


def test_bad_lines_are_named_by_row_and_nothing_is_saved(sheets, clock):
    clock(2026, 11, 5)
    sheet = sheets.open("e1_liaison")
    resp = sheets.put("e1_liaison", f"/api/v1/screening/reports/{sheet['id']}/lines", {
        "version": sheet["version"], "lines": [line(), line(dispute_type="外星人"), line(people_count=0),
                                               line(risk_level="L9", status="resolved", measures="")]})
    assert resp.status_code == 400
    fields = resp.get_json()["error"]["fields"]
    assert "lines" in fields and "2" in fields["lines"]  # the schema names row 2's head count
    resp = sheets.put("e1_liaison", f"/api/v1/screening/reports/{sheet['id']}/lines", {
        "version": sheet["version"], "lines": [line(), line(dispute_type="外星人"),
                                               line(risk_level="L9", status="resolved", measures="")]})
    assert resp.status_code == 400
    fields = resp.get_json()["error"]["fields"]
    assert set(fields) == {"lines.1.dispute_type", "lines.2.risk_level", "lines.2.measures"}
    assert sheets.show("e1_liaison", sheet["id"])["lines"] == []
    stale = sheets.lines("e1_liaison", sheet, [line()])
    sheets.lines("e1_liaison", sheet, [line()], expect=409)  # the version the client saw is old
    assert len(stale["lines"]) == 1


def test_periods_outside_the_window_are_refused(sheets, clock):
    clock(2026, 11, 5)
    sheets.open("e1_liaison", "2026-12", expect=400)  # not begun
    sheets.open("e1_liaison", "2026-11-1", expect=400)  # an enterprise files monthly
    sheets.open("e1_liaison", "2026-13", expect=400)
    assert sheets.open("v1_liaison", "2026-11-1")["due_on"] == "2026-11-16"  # villages: half months
    sheets.open("c_recv", expect=409)  # the county center files no sheet


def test_every_step_is_in_the_audit_log(app, sheets, clock):
    import sqlalchemy as sa

    from county_net.extensions import db
    from county_net.tenancy import system_scope

    clock(2026, 11, 12)
    sheet = sheets.add("e1_liaison", sheets.open("e1_liaison"))
    sheet = sheets.step("e1_liaison", sheet, "submit")
    sheet = sheets.step("e1_head", sheet, "return", note="补充")
    sheet = sheets.step("e1_head", sheet, "sign")
    sheet = sheets.step("t1_head", sheet, "accept")
    sheets.step("e1_liaison", sheet, "correct", expect=201, note="更正")
    with app.app_context(), system_scope("test read"):
        actions = db.session.execute(sa.text(
            "SELECT action FROM audit_records WHERE target_type = 'screening_report' ORDER BY seq")).scalars().all()
        db.session.remove()
    assert actions == ["screening.drafted", "screening.edited", "screening.submitted", "screening.returned",
                       "screening.signed", "screening.accepted", "screening.corrected"]
