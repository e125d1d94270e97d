"""The desk to the bureau, in real Chromium: a walk-in who came before, transferred, answered, printed."""
import pytest

from tests.browser.conftest import login_as as _login
from tests.browser.conftest import reply_through_the_form
from tests.petitions.helpers import Api, id_number, in_days

pytestmark = pytest.mark.browser


def _earlier_matter_with_reply(app, net, api_token):
    api = Api(app, api_token)
    p = api.register("c_recv", locality_unit_id=net.units["T1"])
    p = api.act("c_recv", p, "assign", to_unit_id=net.units["B1"], report_due_on=in_days(30))
    for slug, fields in (("sign-for", {}), ("accept", {}),
                         ("reply", {"outcome": "explain", "request": "支付工资",
                                    "facts": "该厂已进入破产程序，工资债权已申报", "basis": "《企业破产法》第一百一十三条"}),
                         ("report", {"report": "已答复"})):
        p = api.act("b1_recv", api.show("b1_recv", p["id"]), slug, **fields)
    api.act("c_recv", api.show("c_recv", p["id"]), "approve-report")
    return p


def _choose(page, action, field, value):
    page.click(f"summary:has-text('{action}')")
    page.select_option(f"#{field}", value)


def test_walk_in_to_reply_letter(page, app, net, api_token):
    earlier = _earlier_matter_with_reply(app, net, api_token)
    _login(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.click("text=登记")
    page.fill("input[name=name_0]", "张某明")
    page.fill("input[name=id_number_0]", id_number(1))
    # The earlier visit and the answer given appear while typing, before anything is saved.
    page.wait_for_selector("#history .box")
    history = page.inner_text("#history")
    assert earlier["number"] in history and "解释说明" in history and "破产" in history
    page.fill("input[name=phone_0]", "13800001111")
    page.select_option("#category_id", label="劳动社保")
    page.select_option("#locality_unit_id", label="东镇")
    page.fill("#summary", "张某明再次反映东镇某厂拖欠工资1.2万元的问题，要求尽快解决。")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=已登记")
    assert "可能重复" in page.inner_text("main") and "本人其他事项" in page.inner_text("main")
    page.click("button:has-text('是重复信访')")
    assert "重复信访" in page.inner_text(".flags")
    page.click("summary:has-text('转送')")
    page.select_option("#transfer-to_unit_id", str(net.units["B1"]))
    page.click("form[action$='/do/transfer'] button[type=submit]")
    page.wait_for_selector("text=已转送")
    page.click("text=退出")

    _login(page, "b1_recv")
    page.wait_for_url(page.base + "/")
    page.click("text=收件箱")
    page.click("text=待签收")
    page.click("td.mono a")
    deadline = reply_through_the_form(page, "explain", "支付拖欠工资", "该厂已进入破产程序，工资债权已申报，按法定顺序清偿",
                                      "《企业破产法》第一百一十三条")
    assert "办理并出具处理意见书" in deadline and "剩余" in deadline
    page.click("text=信访事项处理意见书")
    letter = page.inner_text("article")
    assert "信访事项处理意见书" in letter and "解释说明" in letter and "请求复查" in letter
    pdf = page.pdf(format="A4")  # the print stylesheet yields a real A4 page
    assert pdf[:4] == b"%PDF"


def test_documents_download_as_pdf(app, net, api_token, login):
    api = Api(app, api_token)
    p = api.register("c_recv")
    web = login("c_recv")
    page = web.get(f"/petitions/{p['id']}/documents/registration_form").get_data(as_text=True)
    assert "下载 PDF" in page
    resp = web.get(f"/petitions/{p['id']}/documents/registration_form/pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf" and resp.data[:5] == b"%PDF-"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert login("t2_recv").get(f"/petitions/{p['id']}/documents/registration_form/pdf").status_code == 404


def test_pdf_switched_off_says_so(app, net, api_token, login, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_BROWSER", "")
    api = Api(app, api_token)
    p = api.register("c_recv")
    web = login("c_recv")
    assert "下载 PDF" not in web.get(f"/petitions/{p['id']}/documents/registration_form").get_data(as_text=True)
    resp = web.get(f"/petitions/{p['id']}/documents/registration_form/pdf")
    assert resp.status_code == 409 and "浏览器" in resp.get_data(as_text=True)
