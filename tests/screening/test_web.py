"""The sheet's web forms: they call the same services as the API and answer bad input on the page."""
import re

import pytest

from tests.petitions.helpers import Api
from tests.screening.helpers import Sheets, clock, staff  # noqa: F401

pytestmark = pytest.mark.usefixtures("net")

FORM_LINE = {"dispute_type": "劳资", "parties": "某厂与职工", "people_count": "12", "place": "东镇", "summary": "欠薪。",
             "responsible_unit": "东镇人民政府", "responsible_leader": "李某", "status": "mediating",
             "measures": "约谈", "collective_risk": "1"}


@pytest.fixture
def sheets(app, net, api_token):
    staff(app, net)
    return Sheets(Api(app, api_token))


def _version(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True)).group(1)


def test_filing_through_the_forms(sheets, clock, login):
    clock(2026, 11, 12)
    web = login("e1_liaison")
    home = web.get("/").get_data(as_text=True)
    assert "填报本期排查表" in home and "收件箱" not in home
    resp = web.post("/screening/reports/new", {"period": "2026-11"}, form_page="/")
    assert resp.status_code == 302
    url = resp.headers["Location"]
    report_id = int(url.rstrip("/").split("/")[-1])
    page = web.get(url)
    bad = web.post(f"/screening/reports/{report_id}/do/add", {**FORM_LINE, "people_count": "0",
                                                             "version": _version(page)}, form_page=url)
    assert bad.status_code == 400 and 'id="people_count-error"' in bad.get_data(as_text=True)
    assert "某厂与职工" in bad.get_data(as_text=True)  # what was typed is kept
    ok = web.post(f"/screening/reports/{report_id}/do/add", {**FORM_LINE, "version": _version(page)}, form_page=url)
    assert ok.status_code == 302
    page = web.get(url)
    stale = web.post(f"/screening/reports/{report_id}/do/submit", {"version": "1"}, form_page=url)
    assert stale.status_code == 409 and "已被他人修改" in stale.get_data(as_text=True)
    done = web.post(f"/screening/reports/{report_id}/do/submit", {"version": _version(page)}, form_page=url)
    assert done.status_code == 302
    sheet = sheets.show("e1_liaison", report_id)
    assert sheet["state"] == "submitted" and sheet["lines"][0]["collective_risk"] is True
    head = login("e1_head")
    page = head.get(url)
    assert 'id="sign-sheet"' in page.get_data(as_text=True)
    assert head.post(f"/screening/reports/{report_id}/do/sign", {"version": _version(page)},
                     form_page=url).status_code == 302
    township = login("t1_recv")
    waiting = township.get("/screening").get_data(as_text=True)
    assert 'id="screening-waiting"' in waiting and "东镇某厂" in waiting
    page = township.get(url)
    back = township.post(f"/screening/reports/{report_id}/do/return", {"version": _version(page), "note": ""},
                         form_page=url)
    assert back.status_code == 400 and 'id="note-error"' in back.get_data(as_text=True)
    assert township.post(f"/screening/reports/{report_id}/do/accept", {"version": _version(page)},
                         form_page=url).status_code == 302
    assert sheets.show("t1_recv", report_id)["state"] == "accepted"
    assert login("t2_recv").get(url).status_code == 404


def test_editing_and_deleting_a_line(sheets, clock, login):
    clock(2026, 11, 12)
    sheet = sheets.add("e1_liaison", sheets.open("e1_liaison"))
    sheet = sheets.add("e1_liaison", sheet, dispute_type="家庭")
    web = login("e1_liaison")
    first, second = sheet["lines"]
    edit = web.get(f"/screening/disputes/{first['id']}/edit")
    assert edit.status_code == 200 and "selected>劳资" in edit.get_data(as_text=True)
    resp = web.post(f"/screening/disputes/{first['id']}/edit", {**FORM_LINE, "people_count": "80",
                                                                "version": str(sheet["version"])},
                    form_page=f"/screening/disputes/{first['id']}/edit")
    assert resp.status_code == 302
    sheet = sheets.show("e1_liaison", sheet["id"])
    assert sheet["lines"][0]["scale_band"] == "50_100"
    resp = web.post(f"/screening/disputes/{first['id']}/delete", {"version": str(sheet["version"])},
                    form_page=f"/screening/reports/{sheet['id']}")
    assert resp.status_code == 302
    sheet = sheets.show("e1_liaison", sheet["id"])
    assert [(d["seq"], d["dispute_type"]) for d in sheet["lines"]] == [(1, "家庭")]
    assert second["id"] == sheet["lines"][0]["id"]
    assert login("e2_liaison").get(f"/screening/disputes/{second['id']}/edit").status_code == 404


def test_the_liaisons_pages(sheets, clock, login, net):
    clock(2026, 11, 12)
    web = login("e1_liaison")
    home = web.get("/").get_data(as_text=True)
    assert 'id="info-report-new"' in home and 'id="screening-file"' in home
    assert "督办" not in home and "事项检索" not in home  # nothing a liaison cannot use
    screening = web.get("/screening").get_data(as_text=True)
    assert 'id="link-history"' in screening and 'id="link-rollup"' not in screening
    assert web.get(f"/screening/history/{net.units['E1']}").status_code == 200
    assert web.get(f"/screening/history/{net.units['E2']}").status_code == 404
    township = login("t1_head").get("/screening").get_data(as_text=True)
    assert 'id="link-rollup"' in township and 'id="link-late"' in township


def test_a_past_period_is_filed_late_from_the_screening_page(sheets, clock, login):
    clock(2026, 12, 3)
    web = login("e1_liaison")
    page = web.get("/screening").get_data(as_text=True)
    assert 'id="other-period"' in page
    resp = web.post("/screening/reports/new", {"period": "2026-11"}, form_page="/screening")
    assert resp.status_code == 302
    sheet = sheets.show("e1_liaison", int(resp.headers["Location"].rstrip("/").split("/")[-1]))
    assert sheet["period"] == "2026-11" and sheet["due_on"] == "2026-11-20"
    sheet = sheets.file("e1_liaison", "e1_head", sheet)
    assert sheet["late"] and sheet["state"] == "filed"
    bad = web.post("/screening/reports/new", {"period": "2027-01"}, form_page="/screening")
    assert bad.status_code == 302 and "/screening" in bad.headers["Location"]  # refused with a message
