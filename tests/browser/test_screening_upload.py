"""The Excel import page in Chromium: the file goes up with a progress bar, the page says how many rows it is
checking, then the sheet opens with the count; a bad file lists its errors by row and column in place."""
import io

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import login_as
from tests.petitions.helpers import Api
from tests.screening.helpers import Sheets

pytestmark = pytest.mark.browser
ROWS = 2000


def _file(sheets, tmp_path, rows, people=3):
    from county_net.core.timeutil import local_today

    resp = sheets.api.get("e1_liaison", "/api/v1/screening/template.xlsx")
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb.active
    titles = [c.value for c in ws[3]]
    values = {"排查时间": local_today().isoformat(), "纠纷类型": "劳资", "当事人": "东镇某厂与职工", "涉及人数": people,
              "发生地点": "东镇某厂", "简况及原因": "拖欠工资。", "可能集体访": "否", "可能越级访": "否",
              "责任单位": "东镇人民政府", "责任领导": "李某", "调处状态": "调处中"}
    for _ in range(rows):
        ws.append([values.get(t) for t in titles])
    path = tmp_path / "排查表.xlsx"
    wb.save(path)
    return path


def test_upload_shows_progress_then_the_sheet(app, net, api_token, page, tmp_path):
    sheets = Sheets(Api(app, api_token))
    sheet = sheets.open("e1_liaison")
    login_as(page, "e1_liaison")
    page.wait_for_url(page.base + "/")
    page.goto(page.base + f"/screening/reports/{sheet['id']}")
    page.click("#import-xlsx")
    page.set_input_files("#upload-file", str(_file(sheets, tmp_path, 2, people=0)))
    page.click("#upload-submit")
    page.wait_for_selector("#upload-errors li")
    assert "第 4 行「涉及人数」：应为正整数" in page.inner_text("#upload-errors")
    assert "未导入任何内容" in page.inner_text("#upload-message")

    page.set_input_files("#upload-file", str(_file(sheets, tmp_path, ROWS)))
    page.click("#upload-submit")
    page.wait_for_selector(f"#upload-state:has-text('正在校验 {ROWS} 行')", timeout=30_000)
    page.wait_for_url(page.base + f"/screening/reports/{sheet['id']}#lines", timeout=60_000)
    assert f"已导入 {ROWS} 条" in page.inner_text("body")
    # the refused upload's 400 is logged by the browser; nothing else (no CSP refusal, no script error)
    assert [e for e in page.console_errors if "status of 400" not in e] == []
