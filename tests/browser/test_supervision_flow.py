"""督办 through the screens: the county center issues a 黄牌督办 from the matter's page; the township head finds it
in its own list the moment it logs in, signs for it and answers; the center accepts the answer."""
from datetime import timedelta

import pytest

from county_net.core.timeutil import local_today
from tests.browser.conftest import login_as
from tests.supervision.helpers import Api, transferred

pytestmark = pytest.mark.browser


def _switch(page, user):
    page.click("text=退出")
    login_as(page, user)
    page.wait_for_url(page.base + "/")


def test_issue_answer_and_accept_a_yellow_card(app, net, api_token, page):
    matter = transferred(Api(app, api_token), net, "T1")
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.goto(page.base + f"/petitions/{matter['id']}")
    page.click("#issue-supervision")
    page.select_option("#target_unit_id", label="东镇人民政府")
    page.select_option("#level", "yellow")
    page.fill("#content", "该事项转送后逾期未签收。")
    page.fill("#required_action", "请立即签收办理，并报送办理情况。")
    page.fill("#feedback_due_on", (local_today() + timedelta(days=5)).isoformat())
    page.click("#issue-form button[type=submit]")
    page.wait_for_selector(".flash:has-text('已下发')")
    assert "黄牌督办" in page.inner_text(".flags")

    _switch(page, "t1_head")
    page.click("nav.mainnav >> text=督办")
    page.wait_for_selector("h1:has-text('督办本单位的事项')")
    page.click("table.supervision-rows td.mono a")
    page.click("#action-receive button[type=submit]")
    page.wait_for_selector(".flash:has-text('已签收')")
    page.fill("#feedback", "已约谈企业负责人，工资本周内支付。")
    page.click("#action-feedback button[type=submit]")
    page.wait_for_selector(".flash:has-text('已报送反馈')")
    record_url = page.url

    _switch(page, "c_recv")
    page.goto(record_url)
    page.click("#action-accept button[type=submit]")
    page.wait_for_selector(".flash:has-text('已认可反馈')")
    assert "反馈已认可" in page.inner_text(".state")
    page.click(".doc-list >> text=督办单")
    assert "东镇人民政府" in page.inner_text("article") and "黄牌督办" in page.inner_text("article")
    assert page.console_errors == []
