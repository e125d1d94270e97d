"""The acceptance walk in the demo county that the Quickstart loads: a returning walk-in at the centre's desk,
transferred to 人社局, answered on time and printed there."""
import pytest

from county_net.petitions.identity import check_digit
from tests.browser.test_login_flow import _login, page  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo-2026!"


@pytest.fixture
def demo_server(app):
    import threading

    from werkzeug.serving import make_server

    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def demo_page(demo_server):
    from playwright.sync_api import sync_playwright

    from tests.browser.test_login_flow import CHROMIUM, FLAGS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        pg = browser.new_page(locale="zh-CN")
        pg.base = demo_server
        yield pg
        browser.close()


def test_returning_walk_in_in_the_demo_county(demo_page):
    page = demo_page
    _login(page, "center_reception", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.click("text=登记")
    page.fill("input[name=name_0]", "李某华")
    first = "33990119720315021"
    page.fill("input[name=id_number_0]", first + check_digit(first))
    page.wait_for_selector("#history .box")
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
    page.click("summary:has-text('签收')")
    page.click("form[action$='/do/sign-for'] button[type=submit]")
    page.click("summary:text-is('受理')")
    page.click("form[action$='/do/accept'] button[type=submit]")
    page.wait_for_selector("text=已受理")
    assert "剩余" in page.inner_text(".deadline")
    page.click("summary:has-text('出具处理意见书')")
    page.select_option("#reply-outcome", "support")
    page.fill("#reply-request", "督促公司支付第二期欠薪")
    page.fill("#reply-facts", "经查，公司第二期欠薪确未支付，已责令三日内支付")
    page.fill("#reply-basis", "《保障农民工工资支付条例》第三十条")
    page.click("form[action$='/do/reply'] button[type=submit]")
    page.wait_for_selector("text=已出具处理意见书")
    page.click("text=信访事项处理意见书")
    letter = page.inner_text("article")
    assert "清溪县人力资源和社会保障局" in letter and "予以支持" in letter and "向清溪县人民政府请求复查" in letter
