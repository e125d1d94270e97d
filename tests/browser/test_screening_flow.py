"""A liaison with no training, from login to a submitted screening sheet, in real Chromium; the head signs."""
import pytest

from tests.browser.conftest import login_as
from tests.screening.helpers import clock, staff  # noqa: F401

pytestmark = pytest.mark.browser


def test_liaison_files_this_months_sheet(page, app, net, clock):
    staff(app, net)
    clock(2026, 11, 12)
    login_as(page, "e1_liaison")
    page.wait_for_url(page.base + "/")
    nav = page.inner_text("nav.mainnav")
    assert "矛盾纠纷排查" in nav and "收件箱" not in nav and "登记" not in nav  # nothing a liaison cannot use
    card = page.inner_text("#screening-task")
    assert "2026年11月" in card and "2026年11月20日" in card and "还有 8 天" in card
    page.click("#screening-file")
    page.wait_for_selector("#add-line")
    # A first attempt with the head count forgotten: the field says what is wrong, nothing else is lost.
    page.select_option("#add-dispute_type", "劳资")
    page.fill("#add-parties", "东镇某厂与职工张某等12人")
    page.fill("#add-place", "东镇某厂车间")
    page.fill("#add-summary", "企业订单减少，拖欠12名职工两个月工资。")
    page.fill("#add-responsible_unit", "东镇人民政府")
    page.fill("#add-responsible_leader", "李某")
    page.click("#add-line-submit")
    page.wait_for_selector("#people_count-error")
    assert page.input_value("#add-parties") == "东镇某厂与职工张某等12人"
    page.console_errors.clear()  # the 400 of that attempt was the answer expected
    page.fill("#add-people_count", "12")
    page.select_option("#add-status", "mediating")
    page.click("#add-line-submit")
    page.wait_for_selector("#line-1")
    assert "劳资" in page.inner_text("#line-1") and "L2" in page.inner_text("#line-1")
    page.click("#submit-sheet")
    page.wait_for_selector("text=已提交一把手签发")
    assert page.inner_text("#sheet-state") == "待一把手签发"
    assert page.console_errors == []

    page.context.clear_cookies()
    login_as(page, "e1_head")
    page.wait_for_url(page.base + "/")
    page.click("#screening-open")
    page.click("#sign-sheet")
    page.wait_for_selector("text=已签发，报送上级单位")
    assert page.inner_text("#sheet-state") == "已上报待接收"
    assert "过期录入" not in page.inner_text("#sheet-head")
