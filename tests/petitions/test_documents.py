"""The ten documents, printed through the web route for matters walked through the real services: who issues
them, what they cite, the windows they name, their dates (never ISO) and the issuing unit's contact."""
import copy
import re
from datetime import date

import pytest

from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.network_file import NetworkFileError, parse_network
from county_net.units.services import sync_units
from tests.conftest import NETWORK
from tests.petitions.helpers import Api, in_days

CONTACTS = {"C0": {"contact_person": "陈晓燕", "contact_phone": "0570-6612345", "address": "测试县人民路88号"},
            "T1": {"contact_person": "李海峰", "contact_phone": "0570-6600001"},
            "B1": {"contact_person": "高丽华", "contact_phone": "0570-6600017转801"}}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture
def api(app, net, api_token):
    """The test network with contacts for C0, T1 and B1 (T2 has none) and a county-set 复核 window."""
    network = copy.deepcopy(NETWORK)
    for unit in network["units"]:
        unit.update(CONTACTS.get(unit["code"], {}))
    network["settings"] = {"deadline_rules": [{"step": "final_review_request", "days": 25}]}
    with app.app_context(), system_scope("test"):
        sync_units(parse_network(network))
        db.session.remove()
    return Api(app, api_token)


def cn(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def doc(login, user, petition_id, kind):
    resp = login(user).get(f"/petitions/{petition_id}/documents/{kind}")
    assert resp.status_code == 200, (kind, resp.status_code)
    return resp.get_data(as_text=True)


def header(page: str) -> str:
    return page.split("<header>")[1].split("</header>")[0]


def assigned_to_final_review(api, hearing=True):
    """交办 to the bureau, extended, replied, report approved, 复查 upheld, 复核 decided (after a hearing)."""
    p = api.register("c_recv")
    p = api.act("c_recv", p, "assign", to_unit_id=api.net.units["B1"], report_due_on=in_days(40))
    b = api.act("b1_recv", api.show("b1_recv", p["id"]), "sign-for")
    b = api.act("b1_recv", b, "accept")
    b = api.act("b1_head", api.show("b1_head", p["id"]), "extend", days=10, reason="情况复杂。", petitioner_told=True)
    b = api.act("b1_recv", api.show("b1_recv", p["id"]), "reply", outcome="support", request="支付工资",
                facts="经查属实", basis="依据《劳动合同法》第三十条")
    b = api.act("b1_recv", b, "report", report="已督促企业支付")
    c = api.act("c_recv", api.show("c_recv", p["id"]), "approve-report")
    c = api.act("c_recv", c, "reexamination", note="请求撤销原处理意见")
    c = api.act("c_recv", c, "reexamination-decision", result="uphold", opinion="原处理意见事实清楚。")
    c = api.act("c_recv", c, "final-review")
    if hearing:
        c = api.act("c_recv", c, "pause", reason="hearing", note="组织听证")
        c = api.act("c_recv", c, "resume")
    c = api.act("c_recv", c, "final-review-decision", result="uphold", opinion="维持。", hearing_held=hearing)
    assert c["state"] == "concluded"
    return p["id"]


def transferred_and_declined(api, upload=True, **ground):
    p = api.register("c_recv", channel="letter")
    if upload:
        api.upload("c_recv", p["id"], [("来信扫描件.pdf", b"%PDF-1.4\n%%EOF\n")])
        p = api.show("c_recv", p["id"])
    p = api.act("c_recv", p, "transfer", to_unit_id=api.net.units["T2"])
    due_on = p["deadline"]["due_on"]
    t = api.act("t2_recv", api.show("t2_recv", p["id"]), "sign-for")
    api.act("t2_recv", t, "decline", reason="已进入劳动仲裁程序。", channel="向县劳动人事争议仲裁委员会申请仲裁",
            **ground)
    return p["id"], due_on


def redirected(api, **contact):
    p = api.register("c_recv", nature="appeal", summary="不服县法院（2025）民初字第12号判决，要求改判。")
    api.act("c_recv", p, "redirect", channel="political_legal", organ="测试县人民法院",
            reason="涉诉事项应通过审判监督程序解决", **contact)
    return p["id"]


@pytest.fixture
def walk(api, net):
    api.net = net
    return api


# ---- point 3: the review opinions ------------------------------------------------------------------

def test_review_opinions_are_issued_by_the_deciding_organ(walk, login):
    pid = assigned_to_final_review(walk)
    reexam = doc(login, "c_recv", pid, "reexamination_opinion")
    assert "测试县人民政府" in header(reexam) and "人社局" not in header(reexam)
    final = doc(login, "c_recv", pid, "final_review_opinion")
    assert "上级人民政府信访工作机构" in header(final) and "人社局" not in header(final)


def test_reexamination_opinion_names_the_final_review_organ_and_window(walk, login):
    pid = assigned_to_final_review(walk)
    page = doc(login, "c_recv", pid, "reexamination_opinion")
    # The county set 25 days for 复核 requests; the organ is the one above the county government.
    assert "自收到本意见书之日起25日内向上级人民政府信访工作机构请求复核" in page
    assert "测试县人社局" in page and "《信访事项处理意见书》" in page  # the opinion it reviews
    assert "请求事项：请求撤销原处理意见。" in page


def test_final_review_opinion_concludes_and_refuses_the_same_request(walk, login):
    pid = assigned_to_final_review(walk)
    page = doc(login, "c_recv", pid, "final_review_opinion")
    assert "办理终结" in page and "同一事实和理由" in page and "不再受理" in page and "第三十六条第三款" in page
    assert "维持复查意见" in page and "复查意见（原处理意见" in page
    assert "的处理意见不服" not in page


def test_final_review_opinion_records_the_hearing(walk, login):
    with_hearing = assigned_to_final_review(walk)
    assert "经听证" in doc(login, "c_recv", with_hearing, "final_review_opinion")
    without = assigned_to_final_review(walk, hearing=False)
    assert "听证" not in doc(login, "c_recv", without, "final_review_opinion")


def test_the_number_is_not_followed_by_another_hao(walk, login):
    pid = assigned_to_final_review(walk)
    for kind in ("reexamination_opinion", "final_review_opinion", "extension_notice", "reply_letter"):
        page = doc(login, "c_recv", pid, kind)
        assert not re.search(r"号\s*号", page), kind


# ---- point 4: every notice ---------------------------------------------------------------------------

def all_ten(walk, login) -> dict[str, str]:
    pid = assigned_to_final_review(walk)
    declined, _ = transferred_and_declined(walk)
    pages = {kind: doc(login, "c_recv", pid, kind) for kind in (
        "registration_form", "assignment_slip", "acceptance_notice", "extension_notice", "reply_letter",
        "reexamination_opinion", "final_review_opinion")}
    pages["transfer_slip"] = doc(login, "c_recv", declined, "transfer_slip")
    pages["decline_notice"] = doc(login, "t2_recv", declined, "decline_notice")
    pages["redirect_notice"] = doc(login, "c_recv", redirected(walk), "redirect_notice")
    return pages


def test_no_iso_date_on_any_document(walk, login):
    pages = all_ten(walk, login)
    assert len(pages) == 10
    for kind, page in pages.items():
        assert not ISO_DATE.search(page), (kind, ISO_DATE.search(page).group(0))
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", page), kind


def test_every_document_carries_the_issuers_contact(walk, login):
    pages = all_ten(walk, login)
    for kind, page in pages.items():
        assert "联系人：" in page and "联系电话：" in page, kind
        assert "None" not in page, kind
    assert "联系人：陈晓燕　联系电话：0570-6612345" in pages["registration_form"]
    assert "0570-6600017转801" in pages["reply_letter"]  # the bureau replied
    # The township has no contact on file: a line to fill in by hand.
    assert "联系人：＿＿＿＿＿＿＿＿　联系电话：＿＿＿＿＿＿＿＿＿＿" in pages["decline_notice"]


def test_decline_notice_cites_its_articles(walk, login):
    declined, _ = transferred_and_declined(walk, upload=False, ground="in_progress")
    page = doc(login, "t2_recv", declined, "decline_notice")
    assert "《信访工作条例》第二十三条" in page and "第十九条第三款" in page
    assert "已经受理或者正在办理" in page  # the ground chosen from the list
    assert page.count("《信访工作条例》") == 1  # the statute named once for both articles


def test_redirect_notice_says_where_to_go(walk, login):
    pid = redirected(walk, organ_contact="测试县人民路1号立案大厅，电话0570-6609999")
    page = doc(login, "c_recv", pid, "redirect_notice")
    assert "请向测试县人民法院提出（地址或联系方式：测试县人民路1号立案大厅，电话0570-6609999）" in page


def test_redirect_form_offers_the_address_field(walk, login):
    p = walk.register("c_recv")
    page = login("c_recv").get(f"/petitions/{p['id']}").get_data(as_text=True)
    assert "地址或联系方式" in page and 'name="organ_contact"' in page


def test_transfer_slip_lists_attachments_and_the_reply_by_date(walk, login):
    declined, due_on = transferred_and_declined(walk)
    page = doc(login, "c_recv", declined, "transfer_slip")
    assert "来信扫描件.pdf" in page
    # The receiving unit's acceptance limit, as the deadlines module computed it for the matter.
    assert f"（{cn(due_on)}前）决定是否受理并书面告知信访人" in page
    plain, _ = transferred_and_declined(walk, upload=False)
    assert "<th>附件</th><td colspan=\"3\">无</td>" in doc(login, "c_recv", plain, "transfer_slip")


def test_assignment_slip_sets_the_report_date_and_supervising_contact(walk, login):
    pid = assigned_to_final_review(walk)
    page = doc(login, "c_recv", pid, "assignment_slip")
    assert f"请于{cn(in_days(40))}前办结，并向本机关报送办结报告" in page
    assert "督办联系人：陈晓燕　联系电话：0570-6612345" in page
    assert "<th>附件</th><td colspan=\"3\">无</td>" in page


def test_no_doubled_punctuation_or_label(walk, login):
    pid = assigned_to_final_review(walk)
    extension = doc(login, "c_recv", pid, "extension_notice")
    assert "因情况复杂，经本机关负责人" in extension and "。，" not in extension
    reply = doc(login, "c_recv", pid, "reply_letter")
    assert "依据《劳动合同法》第三十条。" in reply and "依据：依据" not in reply
    person = walk.show("c_recv", pid)["parties"][0]["petitioner_id"]
    file_page = login("c_recv").get(f"/petitioners/{person}").get_data(as_text=True)
    assert "依据《劳动合同法》第三十条" in file_page and "依据：依据" not in file_page


def test_extension_notice_moves_the_handling_limit(walk, login):
    # An assigned matter whose report date comes first: the notice still names the handling limit.
    page = doc(login, "c_recv", assigned_to_final_review(walk), "extension_notice")
    found = re.search(r"由(\d{4})年(\d{1,2})月(\d{1,2})日延至(\d{4})年(\d{1,2})月(\d{1,2})日", page)
    old, new = date(*map(int, found.groups()[:3])), date(*map(int, found.groups()[3:]))
    assert new > old


def test_a_letter_prints_a_letter_registration_form(walk, login):
    letter = walk.register("c_recv", channel="letter")
    page = doc(login, "c_recv", letter["id"], "registration_form")
    assert "<h1>来信登记表</h1>" in page and "来信时间" in page and "来访" not in page
    phone = walk.register("c_recv", channel="phone", petitioners=[{"name": "王某", "phone": "13900002222"}])
    assert "<h1>来电登记表</h1>" in doc(login, "c_recv", phone["id"], "registration_form")


def test_pdf_route_still_renders(walk, login, app):
    from county_net.petitions import pdf

    pid, _ = transferred_and_declined(walk)
    resp = login("c_recv").get(f"/petitions/{pid}/documents/transfer_slip/pdf")
    with app.app_context():
        available = pdf.browser() is not None
    if not available:
        assert resp.status_code == 409
    else:
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF")


def test_network_file_checks_contact_fields():
    network = copy.deepcopy(NETWORK)
    network["units"][1]["contact_phone"] = "call me"
    with pytest.raises(NetworkFileError, match="联系电话"):
        parse_network(network)
    network["units"][1]["contact_phone"] = "0570-6600001"
    network["units"][1]["address"] = "路" * 201
    with pytest.raises(NetworkFileError, match="address 超过 200"):
        parse_network(network)
