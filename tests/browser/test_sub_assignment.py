"""交办下级 in the demo county, through the screens: 城关镇 hands its matter in handling down to 河湾村, which signs
for it and reports; the township returns the report once, approves the second, and answers the petitioner."""
from datetime import timedelta

import pytest

from county_net.core.timeutil import local_today
from tests.browser.conftest import login_as as _login
from tests.browser.test_demo_county import DEMO_PASSWORD, demo_page  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

VILLAGE = "清溪县城关镇河湾村村民委员会"


def _open(page, user, box, text):
    page.click("text=退出")
    _login(page, user, DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.goto(page.base + f"/inbox?box={box}")
    page.click(f"tr:has-text('{text}') td.mono a")


def _submit(page, action, slug, done):
    page.click(f"form[action$='/do/{slug}'] button[type=submit]")
    page.wait_for_selector(f".flash:has-text('{done}')")


def test_township_hands_a_matter_down_to_its_village(demo_page):  # noqa: F811
    page = demo_page
    _login(page, "township_reception", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/inbox?box=handling")
    page.click("tr:has-text('电梯') td.mono a")
    own_limit = page.inner_text(".deadline")
    page.click("summary:text-is('交办下级')")
    choices = page.inner_text("#sub_assign-to_unit_id")
    assert VILLAGE in choices and "青石镇" not in choices  # its own villages and enterprises only
    page.select_option("#sub_assign-to_unit_id", label=VILLAGE)
    page.fill("#sub_assign-report_due_on", (local_today() + timedelta(days=10)).isoformat())
    page.fill("#sub_assign-note", "请村委会协调物业公司修复电梯")
    _submit(page, "sub_assign", "sub-assign", "已交办下级")
    assert "已交办下级待签收" in page.inner_text(".state")
    assert "交办事项报送办结报告" in page.inner_text(".deadline")  # the village's date is the current limit
    page.click(".doc-list >> text=交办单")
    assert "河湾村" in page.inner_text("article")
    page.go_back()

    _open(page, "village_reception", "to_sign", "电梯")
    page.click("summary:text-is('签收')")
    _submit(page, "sub_sign_for", "sub-sign-for", "已签收")
    page.click("summary:text-is('报送办结报告')")
    page.fill("#sub_file_report-report", "村委会已约谈物业公司，电梯维修方案已定。")
    _submit(page, "sub_file_report", "sub-report", "已报送办结报告")
    assert page.locator("summary").count() <= 1  # only 重大紧急事项上报 is left to the village

    _open(page, "township_reception", "review", "电梯")
    page.click("summary:text-is('退回重办')")
    page.fill("#sub_return_report-reason", "请附维修完成后的验收记录")
    _submit(page, "sub_return_report", "sub-return-report", "已退回重办")

    _open(page, "village_reception", "handling", "电梯")
    page.click("summary:text-is('报送办结报告')")
    page.fill("#sub_file_report-report", "电梯已修复并经验收，附验收记录。")
    _submit(page, "sub_file_report", "sub-report", "已报送办结报告")

    _open(page, "township_reception", "review", "电梯")
    page.click("summary:text-is('审查通过')")
    _submit(page, "sub_approve_report", "sub-approve-report", "已审查通过")
    assert page.inner_text(".state") == "办理中"
    assert page.inner_text(".deadline").split("·")[0] == own_limit.split("·")[0]  # the township's clock ran on
    page.click("summary:has-text('出具处理意见书')")
    page.select_option("#reply-outcome", "support")
    page.fill("#reply-request", "修复电梯")
    page.fill("#reply-facts", "经河湾村协调，物业公司已修复电梯并经验收")
    page.fill("#reply-basis", "《物业管理条例》第三十五条")
    _submit(page, "reply", "reply", "已出具处理意见书")
    timeline = page.inner_text(".timeline")
    assert "交办下级" in timeline and "退回重办" in timeline and "审查通过" in timeline
