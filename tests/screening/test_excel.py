"""Excel both ways: the template round-trips a draft, the printed sheet reads back the same, every bad row is
named by row and column with nothing saved, and files that are not plain spreadsheets are refused."""
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from county_net.screening import excel
from tests.petitions.helpers import Api
from tests.screening.helpers import Sheets, clock, line, staff  # noqa: F401

pytestmark = pytest.mark.usefixtures("net")
XLSX = excel.XLSX_MIMETYPE


@pytest.fixture
def sheets(app, net, api_token):
    staff(app, net)
    return Sheets(Api(app, api_token))


def template(sheets, user, sheet=None) -> Workbook:
    path = "/api/v1/screening/template.xlsx" + (f"?report_id={sheet['id']}" if sheet else "")
    resp = sheets.api.get(user, path)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == XLSX and "attachment" in resp.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(resp.data))


def fill(ws, row: int, **values) -> None:
    """Write a line the way a clerk would: by column title, with the drop-down's words."""
    titles = {cell.value: cell.column for cell in ws[excel.TEMPLATE_HEADER_ROW]}
    for title, value in values.items():
        ws.cell(row, titles[title]).value = value


ROW = {"排查时间": "2026-11-03", "纠纷类型": "土地矿产山林水利权属", "当事人": "甲村村民王某与李某", "涉及人数": 2,
       "发生地点": "东镇甲村", "简况及原因": "宅基地边界争议。", "风险等级": "L0 可控（1–2人）", "可能集体访": "否",
       "可能越级访": "否", "已采取措施": "村调委会调解。", "责任单位": "甲村村委会", "责任领导": "张某",
       "调处状态": "调处成功", "化解时限": "2026-11-30"}


def as_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(sheets, user, sheet, data: bytes, name="排查表.xlsx", version=None):
    return sheets.api.client.post(
        f"/api/v1/screening/reports/{sheet['id']}/upload", headers=sheets.api.headers(user),
        data={"file": (io.BytesIO(data), name), "version": str(version or sheet["version"])},
        content_type="multipart/form-data")


def refused(resp, status=400) -> str:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    error = resp.get_json()["error"]
    return error["message"] + "|" + "|".join(error["fields"].get("file", []))


def draft_with_two(sheets, clock):
    clock(2026, 11, 10)
    sheet = sheets.open("e1_liaison")
    sheet = sheets.add("e1_liaison", sheet, people_count=35, risk_level="L3", collective_risk=True,
                       target_date="2026-12-31", found_on="2026-11-02")
    return sheets.add("e1_liaison", sheet, dispute_type="家庭", people_count=2, status="resolved",
                      found_on="2026-11-05")


def test_template_round_trips_a_draft_and_the_sheet_reads_back(sheets, clock):
    sheet = draft_with_two(sheets, clock)
    wb = template(sheets, "e1_liaison", sheet)
    ws = wb[excel.SHEET_NAME]
    assert ws["A1"].value.startswith("东镇某厂2026年11月") and "填写说明" in ws["A2"].value
    assert [c.value for c in ws[3]][:4] == ["序号", "排查时间", "纠纷类型", "当事人"]
    assert ws["C4"].value == "劳资" and ws["C5"].value == "家庭" and ws.cell(6, 3).value is None
    assert wb[excel.LISTS_NAME].sheet_state == "hidden"
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date", "whole"} <= kinds
    assert any("代码表" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    fill(ws, 6, **ROW)
    fill(ws, 5, 涉及人数=3, 风险等级="", 调处状态="调处中")  # the clerk changes line 2
    resp = upload(sheets, "e1_liaison", sheet, as_bytes(wb))
    assert resp.status_code == 200, resp.get_json()
    after = resp.get_json()
    assert after["imported"] == 3 and after["version"] > sheet["version"]
    got = [(d["seq"], d["dispute_type"], d["people_count"], d["risk_level"], d["status"], d["collective_risk"],
            d["found_on"], d["target_date"]) for d in after["lines"]]
    assert got == [(1, "劳资", 35, "L3", "mediating", True, "2026-11-02", "2026-12-31"),
                   (2, "家庭", 3, "L1", "mediating", False, "2026-11-05", None),  # L1 suggested for 3 people
                   (3, "土地矿产山林水利权属", 2, "L0", "resolved", False, "2026-11-03", "2026-11-30")]
    assert after["lines"][0]["id"] == sheet["lines"][0]["id"]  # lines keep their identity by position
    assert after["events"][-1]["label"] == "从 Excel 导入"

    # The printed sheet reads back the same values, and prints on A4 landscape, one page wide.
    resp = sheets.api.get("e1_liaison", f"/api/v1/screening/reports/{sheet['id']}/xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws["A1"].value == "东镇某厂2026年11月矛盾纠纷排查调处情况表"
    assert "填报单位：东镇某厂" in ws["A2"].value and "填表人：e1_liaison" in ws["A3"].value
    titles = [low.value or high.value for high, low in zip(ws[5], ws[6])]  # merged down, or under a group
    assert titles == [c.title for c in excel.COLUMNS] and ws["I5"].value == "风险研判" and ws["E5"].value == "规模"
    col = {title: i + 1 for i, title in enumerate(titles)}
    for offset, d in enumerate(after["lines"]):
        row = 7 + offset
        assert ws.cell(row, col["序号"]).value == d["seq"]
        assert ws.cell(row, col["排查时间"]).value.date().isoformat() == d["found_on"]
        assert ws.cell(row, col["纠纷类型"]).value == d["dispute_type"]
        assert ws.cell(row, col["当事人"]).value == d["parties"]
        assert ws.cell(row, col["涉及人数"]).value == d["people_count"]
        assert ws.cell(row, col["规模"]).value == d["scale_band_label"]
        assert ws.cell(row, col["简况及原因"]).value == d["summary"]
        assert ws.cell(row, col["风险等级"]).value == d["risk_label"]
        assert ws.cell(row, col["可能集体访"]).value == ("是" if d["collective_risk"] else "否")
        assert ws.cell(row, col["调处状态"]).value == d["status_label"]
        assert ws.cell(row, col["责任领导"]).value == d["responsible_leader"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_area and "$A$1:$Q$" in str(ws.print_area)
    assert ws.print_title_rows.replace("$", "") == "5:6" and ws.freeze_panes == "C7"
    assert "A1:Q1" in {str(r) for r in ws.merged_cells.ranges}


def test_a_nil_sheet_prints_as_a_nil_return(sheets, clock):
    clock(2026, 11, 10)
    sheet = sheets.open("e1_liaison")
    sheet = sheets.step("e1_liaison", sheet, "nil", is_nil=True)
    resp = sheets.api.get("e1_liaison", f"/api/v1/screening/reports/{sheet['id']}/xlsx")
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws["A7"].value == "本期无矛盾纠纷（零报告）" and "零报告" in ws["G4"].value


def test_one_bad_row_saves_nothing_and_every_error_names_row_and_column(sheets, clock):
    sheet = draft_with_two(sheets, clock)
    wb = template(sheets, "e1_liaison")  # blank
    ws = wb.active
    fill(ws, 4, **ROW)
    fill(ws, 5, **{**ROW, "涉及人数": "很多", "纠纷类型": "不存在的类型"})
    fill(ws, 6, **{**ROW, "化解时限": "下个月", "可能越级访": "也许", "调处状态": "差不多"})
    fill(ws, 7, **{**ROW, "当事人": None, "风险等级": "L9"})
    resp = upload(sheets, "e1_liaison", sheet, as_bytes(wb))
    text = refused(resp)
    assert "未导入任何内容" in text
    for expected in ("第 5 行「涉及人数」：应为正整数", "第 5 行「纠纷类型」：纠纷类型不在本县类型表中",
                     "第 6 行「化解时限」：应为日期", "第 6 行「可能越级访」：应为“是”或“否”", "第 6 行「调处状态」",
                     "第 7 行「当事人」：必填", "第 7 行「风险等级」"):
        assert expected in text, (expected, text)
    assert "第 4 行" not in text
    now = sheets.show("e1_liaison", sheet["id"])
    assert now["version"] == sheet["version"] and len(now["lines"]) == 2 and now["lines"][1]["people_count"] == 2


def _xlsm(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def test_files_that_are_not_plain_templates_are_refused(app, sheets, clock):
    sheet = draft_with_two(sheets, clock)
    wb = template(sheets, "e1_liaison")
    fill(wb.active, 4, **ROW)
    good = as_bytes(wb)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    assert "不是 Excel 文件" in refused(upload(sheets, "e1_liaison", sheet, png))
    assert "不是 Excel 文件" in refused(upload(sheets, "e1_liaison", sheet, "序号,纠纷类型\n1,劳资\n".encode()))
    assert "旧版" in refused(upload(sheets, "e1_liaison", sheet, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "不是 Excel 工作簿" in refused(upload(sheets, "e1_liaison", sheet, broken.getvalue()))
    assert "不是 Excel" in refused(upload(sheets, "e1_liaison", sheet, good[:len(good) // 2] + good[-200:]))
    assert "宏" in refused(upload(sheets, "e1_liaison", sheet, _xlsm(good), name="排查表.xlsm"))

    wrong = load_workbook(io.BytesIO(good))
    wrong.active.cell(3, 5).value = "人数"  # 涉及人数 renamed
    text = refused(upload(sheets, "e1_liaison", sheet, as_bytes(wrong)))
    assert "缺少列：涉及人数" in text and "第 3 行表头与模板不符：未知列「人数」" in text
    bare = Workbook()
    bare.active.append(["姓名", "电话"])
    assert "第 3 行表头与模板不符" in refused(upload(sheets, "e1_liaison", sheet, as_bytes(bare)))

    formula = load_workbook(io.BytesIO(good))
    formula.active["E4"] = "=1+1"
    formula.active["H4"] = '=HYPERLINK("http://example.com","点我")'
    formula.active["AZ9"] = "=NOW()"  # far to the right, below the lines: still refused
    text = refused(upload(sheets, "e1_liaison", sheet, as_bytes(formula)))
    assert "含有公式" in text and "E4" in text and "H4" in text and "AZ9" in text
    hidden = load_workbook(io.BytesIO(good))
    hidden[excel.LISTS_NAME]["F1"] = "=SUM(A1:A3)"  # on the hidden lists sheet: refused all the same
    assert "代码表!F1" in refused(upload(sheets, "e1_liaison", sheet, as_bytes(hidden)))

    app.config["SCREENING_UPLOAD_MAX_BYTES"] = 1024 * 1024
    try:
        padded = load_workbook(io.BytesIO(good))
        padded.active["H4"] = "很长" * 10
        raw = as_bytes(padded) + b"\0" * (1024 * 1024)  # 1 MB past the limit (a zip still opens with a tail)
        assert "文件过大" in refused(upload(sheets, "e1_liaison", sheet, raw))
    finally:
        app.config.pop("SCREENING_UPLOAD_MAX_BYTES")
    big = b"PK\x03\x04" + b"\0" * (30 * 1024 * 1024)  # 30 MB: refused before it is read, 413
    assert "不能超过 10 MB" in refused(upload(sheets, "e1_liaison", sheet, big), 413)
    empty = template(sheets, "e1_liaison")
    assert "没有矛盾纠纷" in refused(upload(sheets, "e1_liaison", sheet, as_bytes(empty)))
    assert "必填" in refused(sheets.api.client.post(
        f"/api/v1/screening/reports/{sheet['id']}/upload", headers=sheets.api.headers("e1_liaison"),
        data={"version": str(sheet["version"])}, content_type="multipart/form-data"))

    now = sheets.show("e1_liaison", sheet["id"])
    assert now["version"] == sheet["version"] and len(now["lines"]) == 2


def test_too_many_rows_are_refused(sheets, clock):
    sheet = draft_with_two(sheets, clock)
    wb = template(sheets, "e1_liaison")
    ws = wb.active
    values = [ROW.get(c.value) for c in ws[3]]
    for _ in range(excel.MAX_LINES + 1):
        ws.append(values)
    assert "行数过多" in refused(upload(sheets, "e1_liaison", sheet, as_bytes(wb)))


def test_exported_text_that_looks_like_a_formula_stays_text(sheets, clock):
    clock(2026, 11, 10)
    sheet = sheets.open("e1_liaison")
    sheet = sheets.add("e1_liaison", sheet, summary="=HYPERLINK(\"http://example.com\",\"x\")")
    resp = sheets.api.get("e1_liaison", f"/api/v1/screening/reports/{sheet['id']}/xlsx")
    with zipfile.ZipFile(io.BytesIO(resp.data)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    # …and it round-trips through the template as text, not as a formula
    wb = template(sheets, "e1_liaison", sheet)
    resp = upload(sheets, "e1_liaison", sheet, as_bytes(wb))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["lines"][0]["summary"].startswith("=HYPERLINK")


def test_locked_stale_and_foreign_sheets_are_refused(sheets, clock):
    sheet = draft_with_two(sheets, clock)
    wb = template(sheets, "e1_liaison", sheet)
    data = as_bytes(wb)
    assert "已被他人修改" in refused(upload(sheets, "e1_liaison", sheet, data, version=sheet["version"] - 1), 409)
    refused(upload(sheets, "t1_recv", sheet, data), 409)  # the parent unit does not fill the child's sheet
    # A sibling enterprise (西镇某厂) sees nothing of it: 404 everywhere.
    for path in (f"/api/v1/screening/reports/{sheet['id']}/xlsx", f"/api/v1/screening/template.xlsx?report_id={sheet['id']}"):
        assert sheets.api.get("e2_liaison", path).status_code == 404
    assert upload(sheets, "e2_liaison", sheet, data).status_code == 404
    filed = sheets.step("e1_head", sheet, "sign")
    resp = upload(sheets, "e1_liaison", filed, data)
    assert "不能导入" in refused(resp, 409) and resp.get_json()["error"]["current"]["state"] == "filed"
    accepted = sheets.step("t1_recv", filed, "accept")
    assert "已接收" in refused(upload(sheets, "e1_liaison", accepted, data), 409)
    assert len(sheets.show("e1_liaison", sheet["id"])["lines"]) == 2
    # The parent may still download it
    assert sheets.api.get("t1_recv", f"/api/v1/screening/reports/{sheet['id']}/xlsx").status_code == 200


def test_the_web_upload_page(app, sheets, login, clock):
    sheet = draft_with_two(sheets, clock)
    web = login("e1_liaison")
    page = web.client.get(f"/screening/reports/{sheet['id']}").get_data(as_text=True)
    assert "下载 Excel" in page and "下载空白模板" in page and "导入 Excel" in page
    head_page = login("t1_recv").client.get(f"/screening/reports/{sheet['id']}").get_data(as_text=True)
    assert "下载 Excel" in head_page and "导入 Excel" not in head_page  # the parent cannot edit it
    path = f"/screening/reports/{sheet['id']}/upload"
    form = web.client.get(path)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.get_data(as_text=True)
    assert "js/screening-upload.js" in form.get_data(as_text=True)
    assert web.client.get(f"/screening/reports/{sheet['id']}.xlsx").mimetype == XLSX
    assert web.client.get(f"/screening/template.xlsx?report_id={sheet['id']}").mimetype == XLSX
    assert web.client.get("/screening/template.xlsx").mimetype == XLSX

    wb = template(sheets, "e1_liaison")
    fill(wb.active, 4, **ROW)
    fill(wb.active, 5, **{**ROW, "涉及人数": 0})
    bad = web.post(path, {"version": str(sheet["version"]), "file": (io.BytesIO(as_bytes(wb)), "a.xlsx")},
                   form_page=path, content_type="multipart/form-data")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "第 5 行「涉及人数」：应为正整数" in body and "未导入任何内容" in body
    # without the CSRF token: refused before anything is read
    resp = web.client.post(path, data={"version": str(sheet["version"]),
                                       "file": (io.BytesIO(as_bytes(wb)), "a.xlsx")},
                           content_type="multipart/form-data")
    assert resp.status_code == 400

    fill(wb.active, 5, **{**ROW, "涉及人数": 40, "风险等级": None})
    ok = web.post(path, {"version": str(sheet["version"]), "file": (io.BytesIO(as_bytes(wb)), "a.xlsx")},
                  form_page=path, content_type="multipart/form-data")
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/screening/reports/{sheet['id']}#lines")
    page = web.client.get(f"/screening/reports/{sheet['id']}").get_data(as_text=True)
    assert "已导入 2 条" in page
    now = sheets.show("e1_liaison", sheet["id"])
    assert [(d["people_count"], d["risk_level"]) for d in now["lines"]] == [(2, "L0"), (40, "L3")]

    # The JS path asks for JSON: the count and where to go, or the errors.
    fill(wb.active, 5, **{**ROW, "涉及人数": 0})
    resp = web.post(path, {"version": str(now["version"]), "file": (io.BytesIO(as_bytes(wb)), "a.xlsx")},
                    form_page=path, content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert any(m.startswith("第 5 行「涉及人数」：应为正整数") for m in resp.get_json()["error"]["fields"]["file"])
    big = b"PK\x03\x04" + b"\0" * (30 * 1024 * 1024)
    resp = web.post(path, {"version": str(now["version"]), "file": (io.BytesIO(big), "a.xlsx")},
                    form_page=path, content_type="multipart/form-data")
    assert resp.status_code == 413 and "不能超过 10 MB" in resp.get_data(as_text=True)
    # A sibling enterprise: 404 on the page, the downloads and the post.
    other = login("e2_liaison").client
    for url in (path, f"/screening/reports/{sheet['id']}.xlsx", f"/screening/template.xlsx?report_id={sheet['id']}"):
        assert other.get(url).status_code == 404
    assert other.post(path, data={"version": "1"}).status_code == 404


def test_the_upload_is_documented_as_multipart(app):
    spec = app.test_client().get("/api/v1/openapi.json")
    if spec.status_code != 200:
        pytest.skip("no OpenAPI document at this path")
    doc = spec.get_json()
    op = doc["paths"]["/api/v1/screening/reports/{report_id}/upload"]["post"]
    schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert {"file", "version"} <= set(schema["properties"]) and schema["properties"]["file"]["format"] == "binary"
    assert "413" in op["responses"]
    assert XLSX in doc["paths"]["/api/v1/screening/reports/{report_id}/xlsx"]["get"]["responses"]["200"]["content"]


def test_a_moved_row_keeps_its_dispute(sheets, clock):
    """The template's 序号 names the line a row was: moving rows in Excel keeps each dispute's identity (a
    carried dispute keeps its origin); a row without 序号 is new; a line no row names is removed."""
    clock(2026, 10, 14)
    sheets.file("e1_liaison", "e1_head", sheets.open("e1_liaison"), line(summary="上月欠薪", status="mediating"))
    clock(2026, 11, 10)
    sheet = sheets.open("e1_liaison")
    sheet = sheets.add("e1_liaison", sheet, dispute_type="家庭", people_count=2, summary="本月家庭纠纷")
    carried, fresh = sheet["lines"]
    assert carried["carried"] and not fresh["carried"]
    wb = template(sheets, "e1_liaison", sheet)
    ws = wb[excel.SHEET_NAME]
    first, second = excel.TEMPLATE_FIRST_ROW, excel.TEMPLATE_FIRST_ROW + 1
    for column in range(1, ws.max_column + 1):  # the clerk swaps the two rows
        a, b = ws.cell(first, column), ws.cell(second, column)
        a.value, b.value = b.value, a.value
    fill(ws, second + 1, **ROW)  # and adds a new one with no 序号
    resp = upload(sheets, "e1_liaison", sheet, as_bytes(wb))
    assert resp.status_code == 200, resp.get_json()
    lines = resp.get_json()["lines"]
    assert [(d["seq"], d["summary"], d["carried"]) for d in lines] == [
        (1, "本月家庭纠纷", False), (2, "上月欠薪", True), (3, ROW["简况及原因"], False)]
    assert (lines[0]["id"], lines[1]["id"]) == (fresh["id"], carried["id"])
    wb = template(sheets, "e1_liaison", sheets.show("e1_liaison", sheet["id"]))
    ws = wb[excel.SHEET_NAME]
    ws.delete_rows(excel.TEMPLATE_FIRST_ROW)  # the clerk deletes the first row
    resp = upload(sheets, "e1_liaison", sheets.show("e1_liaison", sheet["id"]), as_bytes(wb))
    assert resp.status_code == 200, resp.get_json()
    assert [(d["id"], d["seq"]) for d in resp.get_json()["lines"]] == [(carried["id"], 1), (lines[2]["id"], 2)]
