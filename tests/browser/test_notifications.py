"""The bell in the header: a bureau's clerk logs in to a transferred matter's notification, opens it from the
inbox and lands on the matter; the count goes down."""
import pytest

from tests.browser.conftest import login_as
from tests.petitions.helpers import Api

pytestmark = pytest.mark.browser


def test_the_bell_leads_to_the_transferred_matter(app, net, api_token, page):
    api = Api(app, api_token)
    matter = api.register("c_recv")
    api.act("c_recv", matter, "transfer", to_unit_id=net.units["B1"], note="请依法处理")
    login_as(page, "b1_recv")
    page.wait_for_url(page.base + "/")
    assert page.inner_text("#notification-bell .badge") == "1"
    page.click("#notification-bell")
    page.wait_for_url(page.base + "/notifications")
    row = page.locator("tr.unread")
    assert row.count() == 1 and "转送本单位办理" in row.inner_text()
    row.locator("button.link").click()
    page.wait_for_url(page.base + f"/petitions/{matter['id']}")
    assert page.locator("#notification-bell .badge").count() == 0
    page.goto(page.base + "/notifications?unread=0")
    assert page.locator("tr.read").count() == 1
    assert page.console_errors == []
