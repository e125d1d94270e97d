"""The desk's rough edges (issue 8, points 9–11) through the Flask test client: failed forms keep what was
typed, a stale tab gets the matter as it now is, the inbox's boxes, the stage banner, co-units, the accused."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from tests.petitions.helpers import Api, category_id, id_number, in_days


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _handling_at_bureau(api, net, **route):
    """Assigned to 人社局 (report due after the handling limit), signed for and accepted there: in 办理中."""
    p = api.register("c_recv")
    p = api.act("c_recv", p, "assign", to_unit_id=net.units["B1"], report_due_on=in_days(85), **route)
    b = api.act("b1_recv", api.show("b1_recv", p["id"]), "sign-for")
    return api.act("b1_recv", b, "accept")


def _post(web, pid, slug, **fields):
    return web.post(f"/petitions/{pid}/do/{slug}", data=fields, form_page=f"/petitions/{pid}")


def _tag(page, element_id):
    """The opening tag of the element with this id."""
    match = re.search(rf'<[a-z]+[^>]*\bid="{element_id}"[^>]*>', page)
    assert match, element_id
    return match.group(0)


# ---- point 9: a failed form keeps its values, its errors by its fields, and the page opens there ------------

def test_failed_extension_keeps_typed_values_and_opens_at_the_form(app, net, api, login):
    b = _handling_at_bureau(api, net)
    head = login("b1_head")
    resp = _post(head, b["id"], "extend", version=str(b["version"]), days="", reason="需赴外地调查取证",
                 petitioner_told="1")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="action-extend" open' in page
    days = _tag(page, "extend-days")
    assert "autofocus" in days and 'aria-invalid="true"' in days  # the page opens at the field in error
    field = re.search(r'<div class="field has-error">\s*<label for="extend-days">.*?</div>\s*</div>', page, re.S)
    assert field and 'id="extend-days-error"' in field.group(0)  # the message is inside the field's box
    assert "需赴外地调查取证</textarea>" in page
    assert "checked" in _tag(page, "extend-petitioner_told")
    # Only the failed form is drawn back; no other form is open or has a field marked.
    assert page.count(" open>") == 1 and page.count("autofocus") == 1


def test_failed_reply_keeps_the_chosen_outcome_and_the_texts(app, net, api, login):
    b = _handling_at_bureau(api, net)
    clerk = login("b1_recv")
    resp = _post(clerk, b["id"], "reply", version=str(b["version"]), outcome="support", request="支付工资",
                 facts="", basis="《劳动合同法》第三十条")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="reply-facts-error"' in page
    assert re.search(r'<option value="support" selected>', page)
    assert "《劳动合同法》第三十条</textarea>" in page and ">支付工资</textarea>" in page
    assert "autofocus" in _tag(page, "reply-facts")


def test_failed_transfer_keeps_the_chosen_co_units(app, net, api, login):
    p = api.register("c_recv")
    desk = login("c_recv")
    resp = _post(desk, p["id"], "transfer", version=str(p["version"]), to_unit_id="",
                 co_unit_ids=[str(net.units["T1"]), str(net.units["T2"])], note="请协同处理")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="transfer-to_unit_id-error"' in page
    co = re.search(r'<select id="transfer-co_unit_ids".*?</select>', page, re.S).group(0)
    assert f'value="{net.units["T1"]}" selected' in co and f'value="{net.units["T2"]}" selected' in co
    assert f'value="{net.units["B1"]}" selected' not in co
    assert "请协同处理</textarea>" in page


def test_every_widget_kind_keeps_its_value(app, net, api, login):
    """Unit picker, co-unit picker, date, textarea (交办), then a choice list, date and text (暂停计时)."""
    p = api.register("c_recv")
    desk = login("c_recv")
    late = in_days(200)
    resp = _post(desk, p["id"], "assign", version=str(p["version"]), to_unit_id=str(net.units["B1"]),
                 co_unit_ids=[str(net.units["T1"])], report_due_on=late, note="请于期限内报送")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="assign-report_due_on-error"' in page
    to_unit = re.search(r'<select id="assign-to_unit_id".*?</select>', page, re.S).group(0)
    assert f'value="{net.units["B1"]}" selected' in to_unit
    co = re.search(r'<select id="assign-co_unit_ids".*?</select>', page, re.S).group(0)
    assert f'value="{net.units["T1"]}" selected' in co
    assert f'value="{late}"' in _tag(page, "assign-report_due_on") and "请于期限内报送</textarea>" in page

    b = _handling_at_bureau(api, net)
    resp = _post(login("b1_recv"), b["id"], "pause", version=str(b["version"]), reason="nonsense",
                 until=in_days(5), note="等待鉴定结论")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="pause-reason-error"' in page
    assert f'value="{in_days(5)}"' in _tag(page, "pause-until") and "等待鉴定结论" in page


def test_service_error_is_kept_by_its_field_too(app, net, api, login):
    """An error found by the service (not the schema) lands by its field the same way."""
    b = _handling_at_bureau(api, net)
    head = login("b1_head")
    resp = _post(head, b["id"], "extend", version=str(b["version"]), days="31", reason="情况复杂")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "延长合计不得超过" in page
    assert 'value="31"' in _tag(page, "extend-days") and "情况复杂</textarea>" in page


def test_future_received_at_is_marked_by_its_field(app, net, login):
    desk = login("c_recv")
    tomorrow = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    resp = desk.post("/petitions/new", data={
        "channel": "letter", "received_at_local": tomorrow, "head_count": "1", "category_id": str(category_id(app)),
        "nature": "demand", "summary": "东镇某厂拖欠工资1.2万元。", "demands": "支付工资", "is_major": "1",
        "name_0": "张某明", "id_number_0": id_number(1), "phone_0": "13800001111"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    field = _tag(page, "received_at_local")
    assert 'class="invalid"' in field and "autofocus" in field and f'value="{tomorrow}"' in field
    assert re.search(r'<div class="error" id="received_at_local-error">收件时间不能晚于现在</div>', page)
    assert '<option value="letter" selected>' in page and "东镇某厂拖欠工资1.2万元。</textarea>" in page
    assert 'name="is_major" value="1" checked' in page and f'value="{id_number(1)}"' in page


# ---- point 10: a stale tab gets the matter as it now is and what changed ------------------------------------

def test_stale_tab_gets_the_current_state_and_the_changes(app, net, api, login):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    clerk = login("b1_recv")
    seen = p["version"]
    api.act("b1_head", api.show("b1_head", p["id"]), "sign-for")  # another hand, meanwhile
    resp = _post(clerk, p["id"], "sign-for", version=str(seen))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409
    notice = re.search(r'<section class="card stale-notice".*?</section>', page, re.S).group(0)
    assert "该事项已被他人更新" in notice and "已签收" in notice
    assert "b1_head" in notice and "签收" in notice and "测试县人社局" in notice
    assert "当前状态下已不能“签收”" in notice
    # The page is the matter page with what may be done now.
    assert 'action="/petitions/%d/do/accept"' % p["id"] in page


def test_stale_form_keeps_what_was_typed_and_can_be_sent_again(app, net, api, login):
    b = _handling_at_bureau(api, net)
    head = login("b1_head")
    seen = b["version"]
    api.act("b1_recv", b, "pause", reason="materials", note="等待信访人补充材料")
    resp = _post(head, b["id"], "extend", version=str(seen), days="10", reason="需赴外地调查", petitioner_told="1")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "该事项已被他人更新" in page and "暂停计时" in page
    assert 'href="#action-extend">保留在下方' in page and 'id="action-extend" open' in page
    assert 'value="10"' in _tag(page, "extend-days") and "需赴外地调查</textarea>" in page
    current = re.search(r'action="/petitions/\d+/do/extend".*?name="version" value="(\d+)"', page, re.S).group(1)
    assert int(current) == seen + 1
    again = _post(head, b["id"], "extend", version=current, days="10", reason="需赴外地调查", petitioner_told="1")
    assert again.status_code == 302


def test_stale_form_with_a_slip_still_shows_what_changed(app, net, api, login):
    b = _handling_at_bureau(api, net)
    api.act("b1_recv", b, "pause", reason="materials", note="等待信访人补充材料")
    resp = _post(login("b1_head"), b["id"], "extend", version=str(b["version"]), days="", reason="需调查")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "该事项已被他人更新" in page and "暂停计时" in page
    assert 'id="extend-days-error"' in page and "需调查</textarea>" in page


def test_api_conflict_carries_the_current_version_state_and_changes(app, net, api):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    api.act("b1_head", api.show("b1_head", p["id"]), "sign-for")
    for slug in ("sign-for", "accept"):  # the state moved on / only the version did
        resp = api.post("b1_recv", f"/api/v1/petitions/{p['id']}/{slug}", {"version": p["version"]})
        error = resp.get_json()["error"]
        assert resp.status_code == 409 and error["code"] in ("stale_version", "illegal_transition")
        current = error["current"]
        assert current["version"] == p["version"] + 1 and current["state"] == "signed"
        assert current["state_label"] == "已签收待受理" and "accept" in current["actions"]
        assert [(c["kind"], c["actor_name"]) for c in current["changes"]] == [("sign_for", "b1_head")]


# ---- point 11 ------------------------------------------------------------------------------------------------

def test_inbox_opens_on_the_first_box_with_something_in_it(app, net, api, login):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    page = login("b1_recv").get("/inbox").get_data(as_text=True)
    active = re.search(r'<a href="/inbox\?box=(\w+)" class="active', page).group(1)
    assert active == "to_sign" and p["number"] in page
    empty = login("t2_recv").get("/inbox").get_data(as_text=True)
    assert re.search(r'<a href="/inbox\?box=(\w+)" class="active', empty).group(1) == "handling"


def test_matter_returned_for_rework_counts_under_returned(app, net, api, login):
    b = _handling_at_bureau(api, net)
    other = _handling_at_bureau(api, net)  # an ordinary matter in handling: not in 被退回
    b = api.act("b1_recv", b, "reply", outcome="support", request="支付工资", facts="经查属实", basis="依据")
    b = api.act("b1_recv", b, "report", report="已督促企业支付")
    api.act("c_recv", api.show("c_recv", b["id"]), "return-report", reason="未附支付凭证")

    def returned():
        web = login("b1_recv")
        page = web.get("/inbox?box=returned").get_data(as_text=True)
        count = int(re.search(r'box=returned"[^>]*>被退回 <strong>(\d+)</strong>', page).group(1))
        listed = api.get("b1_recv", "/api/v1/petitions?box=returned").get_json()
        numbers = {row["number"] for row in listed["items"]}
        assert count == listed["meta"]["total"] == len(numbers)
        assert (b["number"] in page) == (b["number"] in numbers) and other["number"] not in page
        return numbers

    assert returned() == {b["number"]}
    b = api.show("b1_recv", b["id"])
    b = api.act("b1_recv", b, "pause", reason="materials", note="等待凭证")  # still to be redone
    b = api.act("b1_recv", b, "resume")
    assert returned() == {b["number"]}
    api.act("b1_recv", b, "reply", outcome="support", request="支付工资", facts="已支付", basis="依据")
    assert returned() == set()  # answered again: no longer waiting for rework


def test_stage_banner_shows_the_current_stage_only(app, net, api, login):
    b = _handling_at_bureau(api, net)
    b = api.act("b1_head", api.show("b1_head", b["id"]), "extend", days=10, reason="需调查", petitioner_told=True)
    banner = re.search(r'<div class="deadline.*?</div>', login("b1_recv").get(f"/petitions/{b['id']}")
                       .get_data(as_text=True), re.S).group(0)
    assert "期限 60日" in banner and "已延期 10 日" in banner
    b = api.act("b1_recv", b, "reply", outcome="support", request="支付工资", facts="经查属实", basis="依据")
    api.act("b1_recv", b, "report", report="已支付")
    c = api.act("c_recv", api.show("c_recv", b["id"]), "approve-report")
    c = api.act("c_recv", c, "reexamination")
    banner = re.search(r'<div class="deadline.*?</div>', login("c_recv").get(f"/petitions/{c['id']}")
                       .get_data(as_text=True), re.S).group(0)
    assert "复查" in banner and "期限 30日" in banner
    assert "延期" not in banner and "60" not in banner


def test_co_units_show_on_the_page_and_in_the_timeline(app, net, api, login):
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"], co_unit_ids=[net.units["T1"], net.units["T2"]])
    for user in ("c_recv", "b1_recv", "t1_recv"):
        page = login(user).get(f"/petitions/{p['id']}").get_data(as_text=True)
        assert re.search(r'<dt>协办单位</dt><dd class="co-units">东镇人民政府、西镇人民政府</dd>', page), user
        timeline = page[page.index("流转记录"):]
        assert "（协办：东镇人民政府、西镇人民政府）" in timeline


def _audited_views(app) -> int:
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test"):
        count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord)
                                  .where(AuditRecord.action == "petition.confidential_viewed"))
        db.session.remove()
    return count


def test_accused_unit_and_person_shown_to_those_allowed(app, net, api, login):
    p = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T2"],
                     accused_description="西镇某站站长王某", category_id=category_id(app, "党纪政纪"),
                     summary="反映西镇某站站长在低保审核中优亲厚友。")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    api.act("b1_head", api.show("b1_head", p["id"]), "sign-for")
    for user, sees in (("c_recv", True), ("b1_head", True), ("b1_recv", False)):
        before = _audited_views(app)
        page = login(user).get(f"/petitions/{p['id']}").get_data(as_text=True)
        shown = re.search(r'<dd class="accused">西镇人民政府 / 西镇某站站长王某</dd>', page) is not None
        assert shown == sees, user
        assert "西镇某站站长王某" in page if sees else "西镇某站站长王某" not in page
        assert _audited_views(app) == before + (1 if sees else 0), user  # every view that shows it, audited
    assert api.show("b1_head", p["id"])["accused"] == {"unit": "西镇人民政府", "description": "西镇某站站长王某"}
    assert api.show("b1_recv", p["id"])["accused"] is None
    ordinary = api.register("c_recv")
    assert 'class="accused"' not in login("c_recv").get(f"/petitions/{ordinary['id']}").get_data(as_text=True)


def test_registration_page_carries_the_county_limit_of_people(app, net, login):
    page = login("c_recv").get("/petitions/new").get_data(as_text=True)
    assert page.count('class="person"') == 5 and 'id="add-person-hint" hidden' in page
    assert "已达 5 人上限" in page


def test_a_county_with_fewer_representatives_gets_fewer_places(app, net, login):
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit

    with app.app_context(), system_scope("test"):
        db.session.execute(sa.update(Unit).where(Unit.id == net.units["C0"])
                           .values(settings='{"max_representatives": 3}'))
        db.session.commit()
        db.session.remove()
    page = login("c_recv").get("/petitions/new").get_data(as_text=True)
    assert page.count('class="person"') == 3 and "已达 3 人上限" in page and "最多 3 人" in page
