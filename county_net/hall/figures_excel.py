"""The hall's day in figures as .xlsx: one sheet with the hall's totals, one line per window and per stationed
unit, and the tickets still open at closing; A4 landscape fitted to the width, the header rows repeated."""
from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from county_net.core.timeutil import format_local
from county_net.hall.figures import Block, DayFigures
from county_net.hall.models import OUTCOMES, ROUTES

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME = "当日汇总"
THIN = Side(style="thin", color="888888")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EEF4")
TOTAL_FILL = PatternFill("solid", fgColor="F3F6F9")

# The columns of every figures line, in order: (header, how to read it from a Block).
COLUMNS = [
    ("批次", lambda b: b.batches), ("人次", lambda b: b.people),
    ("预约批次", lambda b: b.booked_batches), ("预约人次", lambda b: b.booked_people),
    ("现场批次", lambda b: b.walk_in_batches), ("现场人次", lambda b: b.walk_in_people),
    ("集体访批次", lambda b: b.collective_batches), ("集体访人次", lambda b: b.collective_people),
    *[(label, (lambda code: lambda b: b.outcomes[code])(code)) for code, label in OUTCOMES.items()],
    *[(f"分流{label}", (lambda code: lambda b: b.routes[code])(code)) for code, label in ROUTES.items()],
    ("联合处置", lambda b: b.joint),
    ("平均候谈（分钟）", lambda b: b.wait_avg), ("最长候谈（分钟）", lambda b: b.wait_max),
    ("平均接谈（分钟）", lambda b: b.interview_avg), ("最长接谈（分钟）", lambda b: b.interview_max),
    ("未到", lambda b: b.no_shows), ("预约未到", lambda b: b.bookings_not_kept),
    ("闭厅时未结", lambda b: b.open_at_closing),
]


def _line(ws, row: int, label: str, block: Block, fill=None) -> None:
    ws.cell(row, 1, label)
    for col, (_, read) in enumerate(COLUMNS, start=2):
        value = read(block)
        ws.cell(row, col, "—" if value is None else value)
    for col in range(1, len(COLUMNS) + 2):
        cell = ws.cell(row, col)
        cell.border = BOX
        cell.alignment = CENTER if col > 1 else Alignment(vertical="center", wrap_text=True)
        if fill is not None:
            cell.fill = fill


def _header(ws, row: int, first: str) -> None:
    for col, text in enumerate([first] + [name for name, _ in COLUMNS], start=1):
        cell = ws.cell(row, col, text)
        cell.border, cell.alignment, cell.fill, cell.font = BOX, CENTER, HEAD_FILL, Font(bold=True)
    ws.row_dimensions[row].height = 42


def _section(ws, row: int, title: str) -> int:
    ws.cell(row, 1, title).font = Font(bold=True, size=12)
    return row + 1


def day_workbook(figures: DayFigures) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    last = len(COLUMNS) + 1
    end = get_column_letter(last)
    ws.merge_cells(f"A1:{end}1")
    ws["A1"] = f"{figures.hall_name}接待情况日报"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = CENTER
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{end}2")
    closing = f"；闭厅时间 {figures.closing:%H:%M}" if figures.closing else "；当日不开放"
    ws["A2"] = f"日期：{figures.day.isoformat()}{closing}"

    row = _section(ws, 4, "一、全厅")
    _header(ws, row, "")
    _line(ws, row + 1, "全厅合计", figures.hall, TOTAL_FILL)
    ws.print_title_rows = f"{row}:{row}"

    row = _section(ws, row + 3, "二、按窗口")
    _header(ws, row, "窗口")
    for meta, block in figures.windows:
        row += 1
        _line(ws, row, meta["label"], block)

    row = _section(ws, row + 2, "三、按入驻单位（在其入驻窗口接待的批次）")
    _header(ws, row, "入驻单位")
    for meta, block in figures.units:
        row += 1
        _line(ws, row, meta["name"], block)

    row = _section(ws, row + 2, "四、闭厅时仍未结束的候谈号")
    for col, text in enumerate(("候谈号", "窗口", "状态", "取号时间"), start=1):
        cell = ws.cell(row, col, text)
        cell.border, cell.alignment, cell.fill, cell.font = BOX, CENTER, HEAD_FILL, Font(bold=True)
    if not figures.open_tickets:
        row += 1
        ws.cell(row, 1, "无")
    for ticket in figures.open_tickets:
        row += 1
        for col, value in enumerate((ticket.ticket, ticket.window_label, ticket.state_label,
                                     format_local(ticket.checked_in_at, "%H:%M")), start=1):
            cell = ws.cell(row, col, value)
            cell.border, cell.alignment = BOX, CENTER

    ws.column_dimensions["A"].width = 24
    for col in range(2, last + 1):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:{end}{row}"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(figures: DayFigures) -> str:
    return f"{figures.hall_name}接待情况日报{figures.day.isoformat()}.xlsx"
