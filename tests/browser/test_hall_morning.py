"""The walk-in morning in real Chromium: a booking, two walk-ins at the desk, the booked visitor arrives later
and is called first; the next ticket is interviewed and transferred, and the bureau finds the matter in its
inbox."""
import pytest

from tests.browser.conftest import login_as
from tests.hall.helpers import clock  # noqa: F401

pytestmark = pytest.mark.browser


def _check_in(page, name, purpose):
    page.goto(page.base + "/hall/check-in")
    page.fill("#people-0-name", name)
    page.fill("#purpose", purpose)
    page.select_option("#category_id", label="劳动社保")
    page.click("#issue-ticket")
    page.wait_for_selector("#ticket")
    return page.inner_text("#ticket")


def test_the_walk_in_morning(page, app, net, clock):
    from county_net.hall import board

    board.forget_counties(app)
    clock(2026, 11, 30, 8, 40)
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.click("#nav-hall")
    page.wait_for_selector("#go-check-in")
    # A visitor booked by phone for 10:00 today.
    page.goto(page.base + "/hall/bookings")
    page.fill("#day", "2026-11-30")
    page.fill("#booked_time", "10:00")
    page.fill("#people-0-name", "预约的钱某")
    page.fill("#purpose", "预约反映公司拖欠工资的问题。")
    page.click("#book")
    page.wait_for_selector("#visit-state")
    booking_url = page.url
    assert page.inner_text("#visit-state") == "已登记"
    # Two walk-ins take tickets first.
    clock(2026, 11, 30, 9, 0)
    first = _check_in(page, "现场的赵某", "反映某厂拖欠两个月工资，要求支付。")
    assert first == "A001"
    assert "第 1 位" in page.inner_text("#queue-position")
    page.click("#print-slip")
    page.wait_for_selector("#slip-ticket")
    assert page.inner_text("#slip-ticket") == "A001"
    second = _check_in(page, "现场的孙某", "反映工伤认定迟迟不办。")
    assert second == "A002"
    # The booked visitor arrives later and is put before both.
    clock(2026, 11, 30, 9, 50)
    page.goto(booking_url)
    page.click("#do-arrive")
    page.wait_for_selector("text=已保存")
    assert page.inner_text("#ticket") == "Y003"
    assert "第 1 位" in page.inner_text("#queue-position")
    # The hall's TV on a second screen: window 1 has three waiting, no names anywhere.
    tv = page.context.new_page()
    tv.goto(page.base + "/hall/board/C0")
    tv.wait_for_selector("#board-windows tr[data-window='1']")
    assert tv.inner_text("#board-windows tr[data-window='1'] .w-waiting") == "3"
    assert "现场的赵某" not in tv.content() and "预约的钱某" not in tv.content()
    page.click("#visit-window a")
    page.wait_for_selector("#window-queue")
    assert [t.get_attribute("data-ticket") for t in page.query_selector_all("#window-queue tbody tr")] == \
        ["Y003", "A001", "A002"]
    polls_before = tv.evaluate("window.hallBoard.polls")
    page.click("#call-next")
    page.wait_for_selector("#current-ticket")
    assert page.inner_text("#current-ticket") == "Y003"
    # The board shows the call at its next poll or the one after (2 s apart: within 3 s of the call), without
    # reloading. Counted in polls, not timed: a loaded machine must not fail it.
    tv.wait_for_selector("#board-windows tr[data-window='1'] .ticket:text-is('Y003')", timeout=15000)
    assert tv.evaluate("window.hallBoard.polls") - polls_before <= 2
    assert tv.inner_text("#board-windows tr[data-window='1'] .w-waiting") == "2"
    page.click("#do-start")
    page.wait_for_selector("#finish-form")
    page.select_option("#outcome", "oral")
    page.fill("#answer", "已向其解释劳动监察投诉的程序。")
    page.click("#finish")
    page.wait_for_selector("text=已保存")
    # The next walk-in: interviewed and transferred to the bureau.
    page.click("#call-next")
    page.wait_for_selector("#current-ticket")
    assert page.inner_text("#current-ticket") == "A001"
    page.click("#do-start")
    page.wait_for_selector("#finish-form")
    page.fill("#interview_who", "赵某本人")
    page.fill("#interview_said", "某厂拖欠赵某 2026 年 9 月至 10 月工资共八千元。")
    page.fill("#interview_agreed", "转县人社局依法处理，七日内联系本人。")
    page.select_option("#outcome", "transfer")
    assert not page.is_visible("#answer") and page.is_visible("#to_unit_id")  # only what 转送单 needs
    # Forgetting the unit: the message stands beside the field and nothing typed is lost.
    page.click("#finish")
    page.wait_for_selector("#finish-to_unit_id-error")
    assert "八千元" in page.input_value("#interview_said")
    assert page.input_value("#outcome") == "transfer"
    page.console_errors.clear()  # the 400 of that attempt was the answer expected
    page.select_option("#to_unit_id", label="测试县人社局")
    page.click("#finish")
    page.wait_for_selector("text=已保存")
    assert "A001" in page.inner_text("#window-done")
    assert page.console_errors == []

    page.context.clear_cookies()
    login_as(page, "b1_recv")
    page.wait_for_url(page.base + "/")
    page.click("nav.mainnav a:text-is('收件箱')")
    page.wait_for_url(page.base + "/inbox*")
    assert "拖欠赵某" in page.content() or "八千元" in page.content()


def test_the_desk_and_the_window_see_what_was_answered_before(page, app, net, api_token, clock):
    from tests.petitions.helpers import Api, id_number

    api = Api(app, api_token)
    earlier = api.register("c_recv", summary="张某明反映东镇某厂拖欠工资，要求支付。")
    clock(2026, 11, 30, 10, 0)
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/hall/check-in")
    page.fill("#people-0-id_number", id_number(1))
    page.wait_for_selector("#history strong")
    assert earlier["number"] in page.inner_text("#history")
    assert page.input_value("#people-0-name") == "张某明"  # the name comes from the file
    page.fill("#purpose", "又来反映工资仍未支付。")
    page.click("#issue-ticket")
    page.wait_for_selector("#earlier-matters")
    assert earlier["number"] in page.inner_text("#earlier-matters")
    assert page.console_errors == []
