"""Real headless Chromium (Debian's package) through Playwright: log in, look around, administer, log out."""
import pytest

from tests.browser.conftest import login_as as _login

pytestmark = pytest.mark.browser


def test_township_clerk_logs_in_and_sees_only_its_tree(page, net):
    _login(page, "t1_recv", "wrong-password-1")
    assert "用户名或密码错误" in page.inner_text("main")
    _login(page, "t1_recv")
    page.wait_for_url(page.base + "/")
    assert "东镇人民政府" in page.inner_text("main")
    page.click("text=单位网络")
    listing = page.inner_text("main")
    assert "东镇某厂" in listing and "东镇甲村" in listing
    assert "西镇" not in listing and "测试县信访局" not in listing
    page.goto(page.base + f"/units/{net.units['T2']}")
    assert "未找到" in page.inner_text("main")
    page.click("text=退出")
    page.wait_for_url(page.base + "/login")
    page.goto(page.base + "/")
    assert page.url.startswith(page.base + "/login")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_admin_creates_a_user_who_must_change_password(page, net):
    _login(page, "admin")
    page.wait_for_url(page.base + "/")
    page.click("text=用户管理")
    page.click("text=新建用户")
    page.fill("#username", "desk_clerk")
    page.fill("#name", "窗口接访员")
    page.select_option("#unit_id", str(net.units["B1"]))
    page.check("input[name=roles][value=receptionist]")
    page.fill("#password", "Initial-pass-77")
    page.click("button:has-text('创建')")
    assert "已创建用户 desk_clerk" in page.inner_text("main")
    page.click("text=退出")
    _login(page, "desk_clerk", "Initial-pass-77")
    page.wait_for_url(page.base + "/account/password")
    assert "请先修改初始密码" in page.inner_text("main")
    assert page.locator("nav.mainnav").count() == 0  # no menu to wander off through
    # Typing the address of 登记 (or any page) leads back to the change page (issue 8, point 7).
    for path in ("/petitions/new", "/inbox", "/"):
        page.goto(page.base + path)
        assert page.url == page.base + "/account/password", path
        assert "登记信访事项" not in page.inner_text("main")
    page.fill("#current_password", "Initial-pass-77")
    page.fill("#new_password", "Clerk-own-pass-88")
    page.fill("#confirm_password", "Clerk-own-pass-88")
    page.click("button:has-text('保存新密码')")
    assert "密码已修改" in page.inner_text("main")
    assert "测试县人社局" in page.inner_text("main")
    page.click("nav.mainnav >> text=登记")
    page.wait_for_url(page.base + "/petitions/new")
    assert "登记信访事项" in page.inner_text("main")
    assert not [e for e in page.console_errors if "favicon" in e or "Content Security Policy" in e]
