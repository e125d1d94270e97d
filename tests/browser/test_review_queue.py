"""审查回告 in the browser: the county center's clerk logs in, goes from the board on the home page to the review
queue and approves the township's report in one step; the matter is closed and its follow-up task opened."""
import pytest

from tests.browser.conftest import login_as
from tests.desk.helpers import follow_ups_of, reported
from tests.petitions.helpers import Api

pytestmark = pytest.mark.browser


def test_approve_from_the_queue(app, net, api_token, page):
    api = Api(app, api_token)
    matter = reported(api, net)
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    assert page.inner_text("#home-board a[href='/desk/review'] strong") == "1"
    page.click("#home-board a[href='/desk/review']")
    page.wait_for_url(page.base + "/desk/review")
    row = page.locator(f"#review-{matter['id']}")
    assert "已督促企业支付" in row.inner_text()
    row.locator("input[name=note]").fill("同意办结")
    row.locator(f"#approve-{matter['id']}").click()
    page.wait_for_selector("text=审查通过")
    assert page.locator("#review-queue").inner_text().count(matter["number"]) == 0
    assert api.show("c_recv", matter["id"])["state"] == "closed"
    assert [r.unit_id for r in follow_ups_of(app, matter["id"])] == [net.units["C0"]]
    assert page.console_errors == []
