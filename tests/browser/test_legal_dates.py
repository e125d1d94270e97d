"""Legal dates in the demo county, in a real browser: a 延期告知书 that ends in the 2027 Spring Festival rolls
past the provisional holiday and says 暂定; the admin's warning, the import screen, and the sweep; the 复查
window on the matter page and 登记送达 through the form."""
import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from county_net.deadlines import services as deadline_services
from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.browser.conftest import login_as, open_page, serve
from tests.browser.test_demo_county import DEMO_PASSWORD
from tests.deadlines.test_schedule_import import OFFICIAL_2027

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, monkeypatch):
    monkeypatch.setattr(deadline_services, "local_today", lambda: date(2026, 11, 30))
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context(), system_scope("test dates"):
        # The elevator matter was accepted on 2026-11-30 (the day the issue was walked).
        lift = db.session.scalar(sa.select(Petition.id).where(Petition.summary.contains("电梯")))
        db.session.execute(sa.update(Petition).where(Petition.id == lift).values(
            accepted_at=datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)))
        db.session.commit()
        db.session.remove()
    server, thread = serve(app)
    yield from open_page(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)


def test_extension_into_the_2027_spring_festival(demo, app):
    page = demo
    login_as(page, "township_head", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/inbox?box=handling")
    page.click("tr:has-text('电梯') td.mono a")
    page.click("summary:has-text('延期')")
    page.fill("#extend-days", "10")
    page.fill("#extend-reason", "需现场勘验电梯")
    page.check("form[action$='/do/extend'] input[name=petitioner_told]")
    page.click("form[action$='/do/extend'] button[type=submit]")
    page.wait_for_selector("text=已延期")
    banner = page.inner_text(".deadline")
    assert "2027-02-11" in banner and "暂定" in banner  # 2-08 is a provisional 补假 day of the Spring Festival
    page.click("text=延期告知书")
    notice = page.inner_text("article")
    assert "2027年2月11日" in notice and "暂定" in notice
    page.goto(page.base + "/")
    page.click("text=退出")

    login_as(page, "center_admin", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    assert "2027年" in page.inner_text("#holiday-warning")
    page.click("#holiday-warning a")
    page.fill("#holiday-schedule", OFFICIAL_2027)
    page.click("form button[type=submit]:has-text('导入')")
    page.wait_for_selector("text=已导入 2027 年节假日安排")
    assert page.locator("#holiday-warning").count() == 0
    # The elevator matter at least (the demo's extended wage matter at 人社局 may reach into 2027 too).
    swept = app.test_cli_runner().invoke(args=["petitions", "sweep"]).output
    assert int(re.search(r"更新期限 (\d+) 件", swept).group(1)) >= 1
    page.click("text=退出")

    login_as(page, "township_head", DEMO_PASSWORD)
    page.goto(page.base + "/inbox?box=handling")
    row = page.inner_text("tr:has-text('电梯')")
    assert "2027-02-14" in row and "暂定" not in row


def test_review_window_and_delivery_on_the_matter_page(demo):
    page = demo
    login_as(page, "bureau_reception", DEMO_PASSWORD)
    page.wait_for_url(page.base + "/")
    page.goto(page.base + "/petitions?petitioner=李某华")
    page.click("tr:has-text('1.86') td.mono a")
    window = page.inner_text("#review-window")
    assert "信访人请求复查" in window and "第三十五条" in window and "当面送达" in window
    page.click("summary:has-text('登记送达')")
    page.select_option("#record_delivery-opinion", "reply")
    page.select_option("#record_delivery-delivery_method", "post")
    page.click("form[action$='/do/delivery'] button[type=submit]")
    assert "请填写送达日期" in page.inner_text("form[action$='/do/delivery']")  # the error stays by its field
