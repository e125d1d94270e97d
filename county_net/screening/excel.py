"""矛盾纠纷排查表 as Excel, both ways: a unit's sheet for printing and filing (the customary layout), a blank
template with the county's lists as drop-downs, and the upload of a filled template.

The upload is read, never run: the file must be a plain .xlsx (a zip, no VBA part), every cell holding a formula
is refused by name (formulas are not evaluated), and every row passes the same line schema and county checks as
the form and the API. Errors name the row and the column as the clerk sees them in Excel."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from types import SimpleNamespace

from flask import current_app
from marshmallow import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from county_net.core.errors import InvalidInput
from county_net.core.timeutil import local_today, to_local
from county_net.screening.models import DISPUTE_STATUSES, SCALE_BANDS
from county_net.screening.schemas import MAX_LINES, MAX_PEOPLE, DisputeLineSchema
from county_net.screening.settings import screening_settings

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # config SCREENING_UPLOAD_MAX_BYTES
MAX_ERRORS_LISTED = 200
SHEET_NAME = "排查表"
LISTS_NAME = "代码表"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str  # the line field (or seq / scale / petition, written but not read back)
    title: str
    width: float
    kind: str = "text"  # text | date | int | bool | type | risk | status | out
    group: str | None = None  # the merged cell above, in the printed sheet

    @property
    def read(self) -> bool:
        return self.kind != "out"


COLUMNS = [
    Column("seq", "序号", 6, "out"),
    Column("found_on", "排查时间", 12, "date"),
    Column("dispute_type", "纠纷类型", 14, "type"),
    Column("parties", "当事人", 18),
    Column("people_count", "涉及人数", 9, "int", "规模"),
    Column("scale", "规模", 11, "out", "规模"),
    Column("place", "发生地点", 16),
    Column("summary", "简况及原因", 36),
    Column("risk_level", "风险等级", 14, "risk", "风险研判"),
    Column("collective_risk", "可能集体访", 9, "bool", "风险研判"),
    Column("skip_level_risk", "可能越级访", 9, "bool", "风险研判"),
    Column("measures", "已采取措施", 28, "text", "调处情况"),
    Column("responsible_unit", "责任单位", 16, "text", "调处情况"),
    Column("responsible_leader", "责任领导", 10, "text", "调处情况"),
    Column("status", "调处状态", 11, "status", "调处情况"),
    Column("target_date", "化解时限", 12, "date", "调处情况"),
    Column("petition", "关联信访事项", 16, "out"),
]
BY_TITLE = {c.title: c for c in COLUMNS}
TITLE_OF = {c.key: c.title for c in COLUMNS}
REQUIRED_TITLES = [c.title for c in COLUMNS if c.read]

# The template: title (row 1), how to fill it (row 2), the header (row 3), lines from row 4.
TEMPLATE_HEADER_ROW = 3
TEMPLATE_FIRST_ROW = 4
# Rows read past the header at most (blank rows included): a file claiming a million empty rows stops here.
MAX_SCANNED_ROWS = MAX_LINES + 2000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
BOLD = Font(bold=True)


# ---- the county's lists -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lists:
    types: list[str]
    risks: list[tuple[str, str]]  # (code, label)

    @property
    def risk_labels(self) -> list[str]:
        return [label for _, label in self.risks]

    @property
    def status_labels(self) -> list[str]:
        return list(DISPUTE_STATUSES.values())

    def risk_code(self, text: str) -> str:
        """A label or a code (or a label's leading code, "L2 …") read back as the code; unknown text as typed,
        so the county check names it."""
        for code, label in self.risks:
            if text in (code, label) or text.split(" ", 1)[0] == code:
                return code
        return text

    def risk_label(self, code: str | None) -> str:
        return dict(self.risks).get(code, code or "")


def county_lists(county_unit_id: int) -> Lists:
    settings, _ = screening_settings(county_unit_id)
    return Lists(types=list(settings["dispute_types"]),
                 risks=[(lv["code"], lv["label"]) for lv in settings["risk_levels"]])


STATUS_CODE = {**{label: code for code, label in DISPUTE_STATUSES.items()}, **{c: c for c in DISPUTE_STATUSES},
               "未成功": "escalated", "上报": "escalated", "未成功上报": "escalated"}


# ---- writing ----------------------------------------------------------------------------------------

def _put(ws, row: int, col: int, value, *, style=WRAP, border=True):
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text (never written as a formula)
    if isinstance(value, (date, datetime)):
        cell.number_format = "yyyy-mm-dd"
    cell.alignment = style
    if border:
        cell.border = BOX
    return cell


def _cell_values(line: dict, lists: Lists, seq: int, petition: str | None) -> list:
    out = []
    for column in COLUMNS:
        key = column.key
        if key == "seq":
            out.append(seq)
        elif key == "scale":
            out.append(SCALE_BANDS.get(line.get("scale_band") or "", ""))
        elif key == "petition":
            out.append(petition or "")
        elif column.kind == "bool":
            out.append(YES if line.get(key) else NO)
        elif column.kind == "risk":
            out.append(lists.risk_label(line.get(key)))
        elif column.kind == "status":
            out.append(DISPUTE_STATUSES.get(line.get(key), line.get(key) or ""))
        else:
            value = line.get(key)
            out.append("" if value is None else value)
    return out


def _widths(ws) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width


def _print_setup(ws, header_rows: str, last_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the lines need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = header_rows
    ws.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last_row}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _local_text(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def sheet_workbook(report, view: dict) -> bytes:
    """One unit's sheet for a period in the customary layout: title, the header block, a two-row header with
    merged group cells, one row per line, set up to print on A4 landscape, one page wide."""
    lists = county_lists(report.county_unit_id)
    width = len(COLUMNS)
    last = get_column_letter(width)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    title = f"{view['unit_name']}{view['period_label']}矛盾纠纷排查调处情况表"
    if view.get("revision", 1) > 1:
        title += f"（第 {view['revision']} 版）"
    merges = [f"A1:{last}1"]  # applied once every cell is written (a merged cell takes no value)
    _put(ws, 1, 1, title, style=CENTER, border=False).font = Font(bold=True, size=16)
    ws.row_dimensions[1].height = 30

    marks = [m for m, on in (("零报告", view.get("is_nil")), ("过期录入", view.get("late"))) if on]
    facts = [
        [("填报单位", view["unit_name"], 6), ("周期", view["period_label"], 5), ("报送截止", str(view["due_on"]), 6)],
        [("填表人", view.get("filled_by_name") or "—", 6), ("签发人", view.get("signed_by_name") or "—", 5),
         ("报送时间", _local_text(view.get("filed_at")), 6)],
        [("状态", view.get("state_label") or "", 6), ("标记", "、".join(marks) or "—", 5),
         ("说明", view.get("note") or "—", 6)],
    ]
    for offset, line in enumerate(facts):
        row = 2 + offset
        col = 1
        for label, value, span in line:
            _put(ws, row, col, f"{label}：{value}", style=Alignment(vertical="center", wrap_text=True), border=False)
            merges.append(f"{get_column_letter(col)}{row}:{get_column_letter(col + span - 1)}{row}")
            col += span

    head = 5  # two header rows: the group cells above, the columns below
    col = 1
    while col <= width:
        column = COLUMNS[col - 1]
        if column.group is None:
            _put(ws, head, col, column.title, style=CENTER).font = BOLD
            _put(ws, head + 1, col, None, style=CENTER)
            merges.append(f"{get_column_letter(col)}{head}:{get_column_letter(col)}{head + 1}")
            col += 1
            continue
        # a group is contiguous in COLUMNS, so `span` cells from here belong to it
        span = sum(1 for c in COLUMNS[col - 1:] if c.group == column.group)
        for k in range(span):
            _put(ws, head, col + k, column.group if k == 0 else None, style=CENTER).font = BOLD
            _put(ws, head + 1, col + k, COLUMNS[col - 1 + k].title, style=CENTER).font = BOLD
        merges.append(f"{get_column_letter(col)}{head}:{get_column_letter(col + span - 1)}{head}")
        col += span
    for r in (head, head + 1):
        for c in range(1, width + 1):
            ws.cell(r, c).fill = HEAD_FILL
    first = head + 2
    row = first
    if view["lines"]:
        for line in view["lines"]:
            for c, value in enumerate(_cell_values(line, lists, line["seq"], line.get("petition_number")), start=1):
                _put(ws, row, c, value)
            row += 1
    else:
        text = "本期无矛盾纠纷（零报告）" if view.get("is_nil") else "尚未填写矛盾纠纷"
        for c in range(1, width + 1):
            _put(ws, row, c, text if c == 1 else None, style=CENTER).font = BOLD
        merges.append(f"A{row}:{last}{row}")
        row += 1
    for span in merges:
        ws.merge_cells(span)
    ws.cell(row + 1, 1, f"导出时间：{local_today().isoformat()}").alignment = Alignment(vertical="center")
    _widths(ws)
    ws.freeze_panes = f"C{first}"  # the header and 序号/排查时间 stay in view
    _print_setup(ws, f"{head}:{head + 1}", row + 1)
    return _save(wb)


NOTE = ("填写说明：每行一件矛盾纠纷，从第 4 行起填写，不要改动第 3 行表头。带下拉的列请从下拉中选择；"
        "排查时间、化解时限填日期（如 2026-11-05）；涉及人数填正整数；可能集体访、可能越级访填“是”或“否”；"
        "风险等级不填按人数建议；“序号”“规模”“关联信访事项”由系统生成，无需填写。不要使用公式。"
        "导入会整表替换草稿中的全部矛盾纠纷，有一行不通过则全部不导入。")


def template_workbook(county_unit_id: int, report=None, lines: list[dict] | None = None) -> bytes:
    """A blank template with the county's lists as drop-downs; with a sheet, its lines pre-filled, so download,
    fill and upload round-trips."""
    lists = county_lists(county_unit_id)
    width = len(COLUMNS)
    last = get_column_letter(width)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    title = "矛盾纠纷排查调处情况表（导入模板）"
    if report is not None:
        from county_net.deadlines.periods import parse_period
        from county_net.units.directory import unit_info

        period = parse_period(report.period_code)
        label = period.label if period else report.period_code
        title = f"{unit_info(report.unit_id).name}{label}矛盾纠纷排查调处情况表（导入模板）"
    _put(ws, 1, 1, title, style=CENTER, border=False).font = Font(bold=True, size=14)
    _put(ws, 2, 1, NOTE, style=Alignment(wrap_text=True, vertical="top"), border=False).font = Font(
        color="C00000")
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = 48
    for c, column in enumerate(COLUMNS, start=1):
        cell = _put(ws, TEMPLATE_HEADER_ROW, c, column.title, style=CENTER)
        cell.font = BOLD
        cell.fill = HEAD_FILL if column.read else PatternFill("solid", fgColor="EDEDED")
    row = TEMPLATE_FIRST_ROW
    for seq, line in enumerate(lines or [], start=1):
        for c, value in enumerate(_cell_values(line, lists, seq, line.get("petition_number")), start=1):
            _put(ws, row, c, value)
        row += 1

    # The county's lists on a hidden sheet, the drop-downs pointing at them.
    lists_ws = wb.create_sheet(LISTS_NAME)
    columns = (("纠纷类型", lists.types), ("风险等级", lists.risk_labels), ("调处状态", lists.status_labels),
               ("是否", [YES, NO]))
    ranges = {}
    for c, (name, values) in enumerate(columns, start=1):
        lists_ws.cell(1, c, name)
        for r, value in enumerate(values, start=2):
            lists_ws.cell(r, c, value)
        letter = get_column_letter(c)
        ranges[name] = f"'{LISTS_NAME}'!${letter}$2:${letter}${len(values) + 1}"
    lists_ws.sheet_state = "hidden"
    end = TEMPLATE_FIRST_ROW + MAX_LINES - 1
    for c, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(c)
        span = f"{letter}{TEMPLATE_FIRST_ROW}:{letter}{end}"
        rule = None
        if column.kind in ("type", "risk", "status", "bool"):
            source = {"type": "纠纷类型", "risk": "风险等级", "status": "调处状态", "bool": "是否"}[column.kind]
            rule = DataValidation(type="list", formula1=ranges[source], allow_blank=True, showDropDown=False)
            rule.error = f"请从下拉列表中选择{column.title}"
        elif column.kind == "date":
            rule = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)",
                                  formula2="DATE(2099,12,31)", allow_blank=True)
            rule.error = "请填写日期，如 2026-11-05"
        elif column.kind == "int":
            rule = DataValidation(type="whole", operator="between", formula1="1", formula2=str(MAX_PEOPLE),
                                  allow_blank=True)
            rule.error = "涉及人数应为正整数"
        if rule is not None:
            rule.errorTitle = "输入有误"
            rule.showErrorMessage = True
            rule.promptTitle = column.title
            ws.add_data_validation(rule)
            rule.add(span)
    _widths(ws)
    ws.freeze_panes = f"A{TEMPLATE_FIRST_ROW}"
    _print_setup(ws, f"{TEMPLATE_HEADER_ROW}:{TEMPLATE_HEADER_ROW}", max(row - 1, TEMPLATE_HEADER_ROW))
    wb.active = 0
    return _save(wb)


# ---- reading -----------------------------------------------------------------------------------------

class UploadRefused(InvalidInput):
    """The file as a whole is refused (not a spreadsheet, too big, macros, formulas, wrong columns)."""


def max_bytes() -> int:
    return int(current_app.config.get("SCREENING_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _refuse(message: str, details: list[str] | None = None):
    raise UploadRefused(message, fields={"file": details or [message]})


def _read_limited(stream) -> bytes:
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        _refuse(f"文件过大：排查表 Excel 不能超过 {limit // (1024 * 1024)} MB")
    if not data:
        _refuse("文件为空")
    return data


def _check_container(data: bytes) -> None:
    """A plain .xlsx: a zip holding a workbook and no VBA project, not inflating beyond reason."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _refuse("不支持旧版 Excel（.xls）文件或加密的文件：请在 Excel / WPS 中另存为 .xlsx 后再导入")
    if data[:4] != b"PK\x03\x04":
        _refuse("不是 Excel 文件：请上传 .xlsx 格式的排查表（可先下载模板）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _refuse("文件已损坏或不是 Excel 文件：请上传 .xlsx 格式的排查表")
    names = {info.filename.lower() for info in infos}
    if any(name.endswith("vbaproject.bin") or "/vba" in name for name in names):
        _refuse("文件含有宏（VBA），不能导入：请另存为不含宏的 .xlsx 文件")
    if "xl/workbook.xml" not in names:
        _refuse("不是 Excel 工作簿（.xlsx）：请上传用 Excel 或 WPS 保存的排查表")
    if sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
        _refuse("文件解压后过大，不能导入")


def _open(data: bytes):
    try:
        # read_only streams the rows; data_only=False keeps formulas as formulas so they can be refused
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same to the clerk
        _refuse("文件无法读取：不是有效的 Excel（.xlsx）文件")


def _data_sheet(wb):
    if SHEET_NAME in wb.sheetnames:
        return wb[SHEET_NAME]
    for ws in wb.worksheets:
        if getattr(ws, "sheet_state", "visible") == "visible":
            return ws
    _refuse("文件中没有工作表")


def _header(values) -> dict[int, Column]:
    """The columns by position, from the header row; refusing missing and unknown columns."""
    found: dict[int, Column] = {}
    unknown = []
    for index, raw in enumerate(values):
        text = "" if raw is None else str(raw).strip().replace("\n", "")
        if not text:
            continue
        column = BY_TITLE.get(text)
        if column is None:
            unknown.append(text)
        elif column in found.values():
            _refuse(f"第 {TEMPLATE_HEADER_ROW} 行表头与模板不符：「{text}」列重复")
        else:
            found[index] = column
    if not found:
        _refuse(f"第 {TEMPLATE_HEADER_ROW} 行表头与模板不符：请使用下载的模板，不要增删表头上方的行")
    missing = [title for title in REQUIRED_TITLES if title not in {c.title for c in found.values()}]
    problems = []
    if missing:
        problems.append("缺少列：" + "、".join(missing))
    if unknown:
        problems.append(f"第 {TEMPLATE_HEADER_ROW} 行表头与模板不符：未知列「" + "」「".join(unknown) + "」")
    if problems:
        _refuse("；".join(problems), problems)
    return found


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    text = str(value).strip()
    return text or None


def _date(value):
    """A date cell, a date typed as text, or a day number Excel did not format: the ISO day, or raise."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 36526 <= value <= 73415:  # 2000-01-01 … 2100-12-31 as Excel day numbers
            return from_excel(value).date().isoformat()
        raise ValueError
    text = str(value).strip().replace("T", " ").split(" ")[0].replace("/", "-").replace(".", "-")
    text = text.replace("年", "-").replace("月", "-").replace("日", "")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError
    return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()


def _int(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        value = int(value)
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("人", "")
        if not value.isdigit():
            raise ValueError
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= MAX_PEOPLE:
        raise ValueError
    return value


TRUE_TEXT = {YES, "y", "yes", "true", "1", "√", "✓", "可能"}
FALSE_TEXT = {NO, "n", "no", "false", "0", "×", "无", "不"}


def _bool(value) -> bool:
    text = str(value).strip().lower()
    if text in TRUE_TEXT or value is True:
        return True
    if text in FALSE_TEXT or value is False:
        return False
    raise ValueError


CELL_RULES = {"date": ("应为日期，如 2026-11-05", _date), "int": (f"应为正整数（1–{MAX_PEOPLE}）", _int),
              "bool": ("应为“是”或“否”", _bool)}


def _line_from(cells: dict[Column, object], lists: Lists) -> tuple[dict, dict[str, str]]:
    """One row as the line schema reads it, and the cells that could not be read (by field)."""
    body: dict = {}
    bad: dict[str, str] = {}
    for column, value in cells.items():
        if not column.read:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if column.kind == "bool":
                body[column.key] = False
            continue
        rule = CELL_RULES.get(column.kind)
        if rule is not None:
            message, convert = rule
            try:
                body[column.key] = convert(value)
            except (ValueError, TypeError, OverflowError):
                bad[column.key] = message
            continue
        text = _text(value)
        if column.kind == "risk":
            body[column.key] = lists.risk_code(text)
        elif column.kind == "status":
            code = STATUS_CODE.get(text.replace(" ", ""))
            if code is None:
                bad[column.key] = "应为：" + "、".join(DISPUTE_STATUSES.values()) + " 之一"
            else:
                body[column.key] = code
        else:
            body[column.key] = text
    return body, bad


def _list_errors(body: dict, lists: Lists) -> dict[str, str]:
    """The county's lists on a row the schema refused (the service checks the rows it passed), in the
    service's own words."""
    out = {}
    if body.get("dispute_type") and body["dispute_type"] not in lists.types:
        out["dispute_type"] = "纠纷类型不在本县类型表中"
    codes = [code for code, _ in lists.risks]
    if body.get("risk_level") and body["risk_level"] not in codes:
        out["risk_level"] = "风险等级不在本县等级表中（可选：" + "、".join(codes) + "）"
    return out


def where(row: int, field: str) -> str:
    return f"第 {row} 行「{TITLE_OF.get(field, field)}」"


def _flatten(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for inner in messages.values() for m in _flatten(inner)]
    return [m for inner in messages for m in _flatten(inner)]


def raise_row_errors(errors: list[str], rows: int) -> None:
    total = len(errors)
    listed = errors[:MAX_ERRORS_LISTED]
    if total > MAX_ERRORS_LISTED:
        listed.append(f"……另有 {total - MAX_ERRORS_LISTED} 处错误未列出")
    raise InvalidInput(f"共 {rows} 行，有 {total} 处填写有误，未导入任何内容", fields={"file": listed})


def service_errors(exc: InvalidInput, row_numbers: list[int]) -> list[str]:
    """The service's `lines.<i>.<field>` names as 第 N 行「列名」."""
    out = []
    for name, messages in (exc.fields or {}).items():
        parts = str(name).split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < len(row_numbers):
            label = where(row_numbers[int(parts[1])], parts[2])
        else:
            label = "排查表"
        out += [f"{label}：{m}" for m in _flatten(messages)]
    return out


def parse_upload(stream, county_unit_id: int, report=None) -> list[dict]:
    """The lines of an uploaded template, each passed by the line schema and the county's checks (with a
    sheet: checked against its period), or InvalidInput listing every error by row and column."""
    return parse_rows(stream, county_unit_id, report)[0]


def _seq_of(row: dict) -> int | None:
    """The 序号 a downloaded template wrote for a line already on the sheet: the row keeps that dispute's
    identity wherever the clerk moves it. Blank, or anything but a whole number, means a new dispute."""
    for column, value in row.items():
        if column.key == "seq":
            if isinstance(value, bool):
                return None
            if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
                return int(value) if value > 0 else None
            if isinstance(value, str) and value.strip().isdigit():
                return int(value.strip())
    return None


def parse_rows(stream, county_unit_id: int, report=None) -> tuple[list[dict], list[int]]:
    """As parse_upload, with each line's row number in the file."""
    data = _read_limited(stream)
    _check_container(data)
    wb = _open(data)
    try:
        return _parse(wb, county_unit_id, report)
    finally:
        wb.close()


def _parse(wb, county_unit_id: int, report) -> tuple[list[dict], list[int]]:
    from county_net.screening import services

    ws = _data_sheet(wb)
    lists = county_lists(county_unit_id)
    schema = DisputeLineSchema()
    header = None
    lines: list[dict] = []
    row_numbers: list[int] = []
    errors: list[str] = []
    formulas: list[str] = []
    try:
        for number, cells in enumerate(ws.iter_rows(), start=1):
            if number > TEMPLATE_HEADER_ROW + MAX_SCANNED_ROWS:
                _refuse(f"行数过多：一次最多导入 {MAX_LINES} 行")
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    formulas.append(f"{getattr(cell, 'coordinate', '')}")
            if formulas:
                continue  # keep scanning to name every formula cell, read nothing else
            if number < TEMPLATE_HEADER_ROW:
                continue
            values = [getattr(cell, "value", None) for cell in cells]
            if number == TEMPLATE_HEADER_ROW:
                header = _header(values)
                continue
            row = {column: (values[i] if i < len(values) else None) for i, column in header.items()}
            if all(v is None or (isinstance(v, str) and not v.strip())
                   for c, v in row.items() if c.read):
                continue  # a blank row
            if len(lines) >= MAX_LINES:
                _refuse(f"行数过多：一次最多导入 {MAX_LINES} 行")
            body, bad = _line_from(row, lists)
            try:
                loaded = schema.load(body)
            except ValidationError as exc:
                loaded = None
                for field, messages in exc.messages.items():
                    if field not in bad:
                        bad[field] = "；".join(_flatten(messages))
            if loaded is None:  # the county's lists still checked, so one pass shows every error
                bad.update({k: v for k, v in _list_errors(body, lists).items() if k not in bad})
            for field, message in bad.items():
                errors.append(f"{where(number, field)}：{message}")
            if loaded is not None:
                loaded["_seq"] = _seq_of(row)
            lines.append(loaded)
            row_numbers.append(number)
        formulas += _formulas_elsewhere(wb, ws)
    except UploadRefused:
        raise
    except Exception:  # a damaged sheet part surfaces while the rows stream
        current_app.logger.warning("unreadable screening upload", exc_info=True)
        _refuse("文件无法读取：不是有效的 Excel（.xlsx）文件")
    if formulas:
        shown = "、".join(formulas[:20]) + ("等" if len(formulas) > 20 else "")
        _refuse(f"文件含有公式，不能导入：{shown} 单元格。请复制后“选择性粘贴 → 数值”再导入",
                [f"单元格 {c}：含有公式" for c in formulas[:MAX_ERRORS_LISTED]])
    if header is None:
        _refuse(f"第 {TEMPLATE_HEADER_ROW} 行表头与模板不符：请使用下载的模板")
    # The county's checks, on every row the schema passed (so one clerk's pass shows every error).
    good = [(i, line) for i, line in enumerate(lines) if line is not None]
    if good:
        target = report or SimpleNamespace(county_unit_id=county_unit_id, period_start=local_today())
        try:
            services._check_lines(target, [line for _, line in good])
        except InvalidInput as exc:
            errors += service_errors(exc, [row_numbers[i] for i, _ in good])
    if errors:
        errors.sort(key=_row_key)
        raise_row_errors(errors, len(lines))
    if not lines:
        _refuse("表中没有矛盾纠纷：请从第 4 行起逐行填写；本期没有的请在页面上报“零报告”")
    return lines, row_numbers


def _formulas_elsewhere(wb, data_ws) -> list[str]:
    """Formula cells on the other sheets (never read, but a file with formulas is refused as a whole)."""
    found = []
    for ws in wb.worksheets:
        if ws is data_ws:
            continue
        for number, cells in enumerate(ws.iter_rows(), start=1):
            if number > MAX_SCANNED_ROWS:
                _refuse(f"工作表「{ws.title}」行数过多")
            found += [f"{ws.title}!{cell.coordinate}" for cell in cells if getattr(cell, "data_type", None) == "f"]
    return found


def _row_key(message: str):
    digits = message[2:].split(" ", 1)[0] if message.startswith("第 ") else ""
    return int(digits) if digits.isdigit() else 0


def filename(report, suffix: str = "") -> str:
    from county_net.units.directory import unit_info

    return f"{unit_info(report.unit_id).name}{report.period_code}矛盾纠纷排查表{suffix}.xlsx"
