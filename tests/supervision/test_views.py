"""The screens: the issue form from the matter page, the record page's actions, the center's list with its
filters and the late units, the target unit's list."""
import re
from datetime import timedelta

import pytest

from county_net.core.timeutil import local_today

from tests.supervision.helpers import Api, count, issue, rows, setup_center_head, transferred


@pytest.fixture
def api(app, net, api_token):
    setup_center_head(app, net)
    return Api(app, api_token)


def test_issue_from_the_matter_page_and_answer_on_the_record_page(app, net, api, login):
    matter = transferred(api, net, "T1")
    center = login("c_recv")
    page = center.get(f"/petitions/{matter['id']}").get_data(as_text=True)
    assert f"/supervision/new?petition_id={matter['id']}" in page and "督办此事项" in page
    assert "督办此事项" not in login("t1_head").get(f"/petitions/{matter['id']}").get_data(as_text=True)
    form = f"/supervision/new?petition_id={matter['id']}"
    bad = center.post(form, {"petition_ids": matter["id"], "target_unit_id": net.units["T1"], "level": "yellow",
                             "method": "onsite", "problem": "overdue", "content": "逾期。",
                             "required_action": "办理。", "feedback_due_on": "2099-01-01"}, form_page=form)
    assert bad.status_code in (400, 403)
    assert count(app, "SELECT count(*) FROM supervisions") == 0
    ok = center.post(form, {"petition_ids": matter["id"], "target_unit_id": net.units["T1"], "level": "yellow",
                            "method": "document", "problem": "overdue", "content": "逾期未办结。",
                            "required_action": "立即办理。",
                            "feedback_due_on": (local_today() + timedelta(days=5)).isoformat()}, form_page=form)
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    record_url = ok.headers["Location"]
    sid = int(re.search(r"/supervision/(\d+)", record_url).group(1))
    head = login("t1_head")
    assert head.get("/supervision").headers["Location"].endswith("/supervision/mine")  # a unit's own list
    assert "督办本单位的事项" in head.get("/supervision/mine").get_data(as_text=True)
    page = head.get(f"/supervision/{sid}").get_data(as_text=True)
    assert "签收" in page and "黄牌督办" in page
    version = int(re.search(r'name="version" value="(\d+)"', page).group(1))
    assert head.post(f"/supervision/{sid}/receive", {"version": version},
                     form_page=f"/supervision/{sid}").status_code == 302
    empty = head.post(f"/supervision/{sid}/feedback", {"version": version + 1, "feedback": "  "},
                      form_page=f"/supervision/{sid}")
    assert empty.status_code == 400
    assert head.post(f"/supervision/{sid}/feedback", {"version": version + 1, "feedback": "已办理完毕。"},
                     form_page=f"/supervision/{sid}").status_code == 302
    assert rows(app, "SELECT state, feedback FROM supervisions") == [("feedback_submitted", "已办理完毕。")]
    stale = head.post(f"/supervision/{sid}/feedback", {"version": version, "feedback": "再次。"},
                      form_page=f"/supervision/{sid}", follow_redirects=True)
    assert "不能" in stale.get_data(as_text=True)


def test_the_center_list_filters_and_shows_late_units(app, net, api, login):
    a = transferred(api, net, "T1")
    b = transferred(api, net, "B1")
    issue(api, net, [a["id"]], level="red")
    issue(api, net, [b["id"]], target_unit_id=net.units["B1"], level="urge")
    center = login("c_recv")
    page = center.get("/supervision").get_data(as_text=True)
    assert "应予督办的单位" in page and "督办计分台账" in page and page.count("class=\"mono\"><a href=\"/supervision/") == 2
    reds = center.get("/supervision?level=red").get_data(as_text=True)
    assert "红牌督办" in reds and "测试县人社局" not in reds.split("督办记录")[1].split("督办计分台账")[0]
    by_unit = center.get(f"/supervision?target_unit_id={net.units['B1']}").get_data(as_text=True)
    assert "催办" in by_unit
    assert center.get("/supervision?level=purple").status_code == 400
    t2 = login("t2_recv").get("/supervision/mine").get_data(as_text=True)
    assert "没有督办记录" in t2


def test_a_units_late_matters_go_out_on_one_supervision(app, net, api, login):
    """From the late list, several matters of one unit are ticked and issued on one 督办单."""
    a, b = transferred(api, net, "T1"), transferred(api, net, "T1")
    center = login("c_recv")
    assert center.get(f"/supervision/late?unit_id={net.units['T1']}").status_code == 200
    form = f"/supervision/new?petition_ids={a['id']}&petition_ids={b['id']}"
    page = center.get(form).get_data(as_text=True)
    assert a["number"] in page and b["number"] in page
    ok = center.post(form, {"target_unit_id": net.units["T1"], "level": "normal", "method": "document",
                            "problem": "overdue", "content": "两件事项逾期未签收。", "required_action": "立即签收办理。",
                            "feedback_due_on": (local_today() + timedelta(days=5)).isoformat()}, form_page=form)
    assert ok.status_code == 302, ok.get_data(as_text=True)[:1500]
    assert rows(app, "SELECT count(*) FROM supervision_petitions") == [(2,)]
    assert count(app, "SELECT count(*) FROM supervisions") == 1
