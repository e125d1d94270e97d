"""The county center arranges a 协调会 from a matter's page and records its minutes, in a real browser."""
from datetime import timedelta

from county_net.core.timeutil import local_today
from tests.browser.conftest import login_as
from tests.petitions.helpers import Api


def test_arrange_a_coordination_meeting_and_record_the_minutes(app, net, api_token, page):
    matter = Api(app, api_token).register("c_recv")
    login_as(page, "c_recv")
    page.goto(f"{page.base}/petitions/{matter['id']}")
    page.click("text=召集协调会")
    page.fill("#title", "欠薪问题协调会")
    day = (local_today() + timedelta(days=2)).isoformat()
    page.fill("#starts_at_local", f"{day}T09:30")
    page.fill("#place", "县信访局三楼会议室")
    page.select_option("#invited_unit_ids", [str(net.units["B1"]), str(net.units["T1"])])
    page.click("text=安排会议并发出邀请")
    page.wait_for_selector("text=邀请已发至各单位")
    assert matter["number"] in page.inner_text("main")
    page.click("summary:has-text('记录会议纪要')")
    page.fill("#minutes-text", "会议听取了人社局的情况汇报，议定由人社局牵头核实。")
    page.fill("#attendee_name_0", "王某")
    page.fill("#attendee_post_0", "副局长")
    page.select_option("#attendee_unit_0", str(net.units["B1"]))
    page.fill("#minutes-decisions", "人社局牵头核实欠薪金额")
    page.select_option("#minutes-lead", str(net.units["B1"]))
    page.click("form[action$='/do/minutes'] button[type=submit]")
    page.wait_for_selector("text=已记录会议纪要")
    text = page.inner_text("#minutes")
    assert "人社局牵头核实欠薪金额" in text and "王某" in text and "牵头单位：测试县人社局" in text
    page.click("text=打印会议纪要（A4）")
    page.wait_for_selector("h1:has-text('协调会议纪要')")
    assert page.console_errors == []
