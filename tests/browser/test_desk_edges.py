"""The desk's rough edges (issue 8, points 9–11) in real Chromium: a failed form opens where it failed with
what was typed, a stale tab learns what changed, the inbox's landing box, the limit of people."""
from datetime import datetime, timedelta

import pytest

from tests.browser.conftest import CHROMIUM, FLAGS, login_as
from tests.petitions.helpers import Api, in_days

pytestmark = pytest.mark.browser


def _handling_at_bureau(app, net, api_token):
    api = Api(app, api_token)
    p = api.register("c_recv")
    p = api.act("c_recv", p, "assign", to_unit_id=net.units["B1"], report_due_on=in_days(85))
    b = api.act("b1_recv", api.show("b1_recv", p["id"]), "sign-for")
    return api, api.act("b1_recv", b, "accept")


_IN_VIEWPORT = """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }"""


def _in_viewport(page, selector) -> bool:
    # The browser scrolls to the fragment and focuses the field after load; on a loaded machine that can
    # land a moment after the error message is in the page, so wait for it (up to 5 s) before judging.
    try:
        page.wait_for_function(_IN_VIEWPORT, arg=selector, timeout=5000)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError; the check below reports it
        pass
    return page.evaluate(_IN_VIEWPORT, selector)


def _open_matter(page, username, petition_id):
    login_as(page, username)
    page.wait_for_url(page.base + "/")
    page.goto(f"{page.base}/petitions/{petition_id}")


def test_failed_extension_opens_at_the_form_with_what_was_typed(page, app, net, api_token):
    _, b = _handling_at_bureau(app, net, api_token)
    _open_matter(page, "b1_head", b["id"])
    page.click("summary:text-is('延期')")
    page.fill("#extend-reason", "需赴外地调查取证")
    page.check("#extend-petitioner_told")
    page.fill("#extend-days", "0")
    page.click("form[action$='/do/extend'] button[type=submit]")
    page.wait_for_selector("#extend-days-error")
    assert page.evaluate("document.body.scrollHeight") > page.viewport_size["height"]  # a long page
    assert _in_viewport(page, "#extend-days") and _in_viewport(page, "#extend-days-error")
    assert page.evaluate("window.scrollY") > 0 and page.evaluate("document.activeElement.id") == "extend-days"
    # The message sits in the field's own box, marked red.
    assert page.locator("#extend-days").locator("xpath=..").get_attribute("class") == "field has-error"
    assert page.input_value("#extend-reason") == "需赴外地调查取证" and page.is_checked("#extend-petitioner_told")
    assert page.input_value("#extend-days") == "0"
    # Put right and sent again, it goes through.
    page.fill("#extend-days", "10")
    page.click("form[action$='/do/extend'] button[type=submit]")
    page.wait_for_selector("text=已延期")


def test_failed_reply_keeps_the_outcome_and_texts(page, app, net, api_token):
    _, b = _handling_at_bureau(app, net, api_token)
    _open_matter(page, "b1_recv", b["id"])
    page.click("summary:has-text('出具处理意见书')")
    page.select_option("#reply-outcome", "support")
    page.fill("#reply-basis", "《劳动合同法》第三十条")
    page.click("form[action$='/do/reply'] button[type=submit]")
    page.wait_for_selector("#reply-facts-error")
    assert _in_viewport(page, "#reply-facts") and page.evaluate("document.activeElement.id") == "reply-facts"
    assert page.input_value("#reply-outcome") == "support"
    assert page.input_value("#reply-basis") == "《劳动合同法》第三十条"


def test_future_received_at_is_marked_red(page, app, net):
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/petitions/new")
    page.fill("#received_at_local", (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=name_0]", "张某明")
    page.fill("#summary", "东镇某厂拖欠工资1.2万元，多次讨要未果。")
    page.select_option("#category_id", label="劳动社保")
    page.click("button:has-text('保存登记')")
    page.wait_for_selector("#received_at_local-error")
    field = page.locator("#received_at_local")
    assert "invalid" in field.get_attribute("class")
    assert field.evaluate("el => getComputedStyle(el).borderTopColor") == "rgb(197, 48, 48)"  # --danger
    assert page.inner_text("#received_at_local-error") == "收件时间不能晚于现在"
    assert _in_viewport(page, "#received_at_local")
    assert page.input_value("#summary") == "东镇某厂拖欠工资1.2万元，多次讨要未果。"
    assert page.input_value("input[name=name_0]") == "张某明"


def test_stale_tab_learns_what_changed(live_server, app, net, api_token):
    from playwright.sync_api import sync_playwright

    api = Api(app, api_token)
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tabs = []
        for username in ("b1_recv", "b1_head"):
            tab = browser.new_context(locale="zh-CN").new_page()
            tab.base = live_server
            _open_matter(tab, username, p["id"])
            tabs.append(tab)
        clerk, head = tabs
        head.click("summary:has-text('签收')")
        head.click("form[action$='/do/sign-for'] button[type=submit]")
        head.wait_for_selector("text=已签收")
        # The clerk's tab still shows the old version.
        clerk.click("summary:has-text('签收')")
        clerk.click("form[action$='/do/sign-for'] button[type=submit]")
        clerk.wait_for_selector("#stale-notice")
        notice = clerk.inner_text("#stale-notice")
        assert "该事项已被他人更新" in notice and "已签收待受理" in notice
        assert "b1_head" in notice and "签收" in notice
        # What may be done now is on the page, and it works from here.
        clerk.click("summary:text-is('受理')")
        clerk.click("form[action$='/do/accept'] button[type=submit]")
        clerk.wait_for_selector("text=已受理")
        browser.close()


def test_inbox_opens_on_the_box_with_work(page, app, net, api_token):
    api = Api(app, api_token)
    p = api.register("c_recv")
    api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    login_as(page, "b1_recv")
    page.wait_for_url(page.base + "/")
    page.click("text=收件箱")
    page.wait_for_selector(".tabs a.active")
    assert page.inner_text(".tabs a.active").startswith("待签收")
    assert p["number"] in page.inner_text("main")


def test_add_person_stops_at_the_limit(page, app, net):
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/petitions/new")
    button = page.locator("#add-person")
    for _ in range(4):
        assert button.is_enabled() and not page.is_visible("#add-person-hint")
        button.click()
    assert page.locator("fieldset.person:visible").count() == 5
    assert button.is_disabled() and page.is_visible("#add-person-hint")
    assert "5 人上限" in page.inner_text("#add-person-hint")
