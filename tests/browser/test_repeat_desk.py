"""The desk's two lists in real Chromium: typing the ID number and the matter shows the person's other matters
apart from the suggested repeat, with its reasons, before saving; the clerk confirms on the matter page with a
reason."""
import pytest

from tests.browser.conftest import login_as
from tests.petitions.helpers import Api, category_id, id_number

pytestmark = pytest.mark.browser

PERSON = {"name": "陈某芳", "id_number": id_number(61), "phone": "13900006161"}


def test_two_lists_before_saving_and_the_decision_with_a_reason(page, app, net, api_token):
    api = Api(app, api_token)
    wages = api.register("c_recv", petitioners=[PERSON], category_id=category_id(app, "劳动社保"), demands="",
                         locality_unit_id=net.units["T1"],
                         summary="陈某芳反映：东镇恒丰针织厂拖欠其2025年8月至10月工资共计8600元，多次讨要未果。")
    land = api.register("c_recv", petitioners=[PERSON], category_id=category_id(app, "土地征收"), demands="",
                        locality_unit_id=net.units["T1"],
                        summary="陈某芳反映：东镇甲村修建村道占用其承包地0.6亩，至今未签协议也未补偿。")
    login_as(page, "c_recv")
    page.wait_for_url(page.base + "/")
    page.click("text=登记")
    page.fill("input[name=name_0]", PERSON["name"])
    page.fill("input[name=id_number_0]", PERSON["id_number"])
    page.fill("input[name=phone_0]", PERSON["phone"])
    page.select_option("#category_id", label="劳动社保")
    page.select_option("#locality_unit_id", label="东镇")
    page.fill("#summary", "陈某芳又来了，说恒丰针织厂欠她八到十月的工钱八千六百块还是没给，老板一直躲着不见人。")
    page.press("#summary", "Tab")
    page.wait_for_selector("#repeat-suggestions")
    own = page.inner_text("#own-matters")
    suggested = page.inner_text("#repeat-suggestions")
    # Both earlier matters are hers; only the wage claim is this matter again, and the reasons say why.
    assert wages["number"] in own and land["number"] in own and "不等于重复信访" in own
    assert wages["number"] in suggested and land["number"] not in suggested
    assert "同一信访人反映同一问题" in suggested and "金额" in suggested
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=已登记")
    assert land["number"] in page.inner_text("#own-matters")
    links = page.inner_text("#repeat-links")
    assert wages["number"] in links and land["number"] not in links
    page.fill("#repeat-links input[name=note]", "同一笔欠薪")
    page.click("#repeat-links button:has-text('是重复信访')")
    page.wait_for_selector("text=已确认为重复信访")
    assert "理由：同一笔欠薪" in page.inner_text("#repeat-links")
    assert page.console_errors == []
