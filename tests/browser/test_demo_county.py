"""The acceptance walk in the demo county that the Quickstart loads: a returning walk-in at the centre's desk,
transferred to 人社局, answered on time and printed there."""
import pytest

from county_net.petitions.identity import check_digit
from tests.browser.conftest import login_as as _login
from tests.browser.conftest import open_page, reply_through_the_form, serve

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-2026!"


@pytest.fixture
def demo_page(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    server, thread = serve(app)
    yield from open_page(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)


def test_returning_walk_in_in_the_demo_county(demo_page):
    page = demo_page
    _login(page, "center_reception", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.click("text=登记")
    first = "33990119720315021"
    page.fill("input[name=id_number_0]", first + check_digit(first))
    page.wait_for_selector("#history .box")
    assert page.input_value("input[name=name_0]") == "李某华"  # a known person's name comes from the file
    history = page.inner_text("#history")
    assert "予以支持" in history and "1.86万元" in history  # what was answered last time
    page.fill("input[name=phone_0]", "13905710021")
    page.select_option("#category_id", label="劳动社保")
    page.select_option("#locality_unit_id", label="城关镇")
    page.fill("#summary", "李某华反映：公司承诺的第二期欠薪至今未付，要求督促兑现。")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=已登记")
    page.click("summary:has-text('转送')")
    page.select_option("#transfer-to_unit_id", label="清溪县人力资源和社会保障局")
    page.click("form[action$='/do/transfer'] button[type=submit]")
    page.wait_for_selector("text=已转送")
    page.click("text=退出")

    _login(page, "bureau_reception", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/inbox?box=to_sign")
    page.click("tr:has-text('第二期欠薪') td.mono a")
    deadline = reply_through_the_form(page, "support", "督促公司支付第二期欠薪", "经查，公司第二期欠薪确未支付，已责令三日内支付",
                                      "《保障农民工工资支付条例》第三十条")
    assert "剩余" in deadline
    page.click("text=信访事项处理意见书")
    letter = page.inner_text("article")
    assert "清溪县人力资源和社会保障局" in letter and "予以支持" in letter and "向清溪县人民政府请求复查" in letter
