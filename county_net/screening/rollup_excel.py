"""The roll-up as .xlsx in the customary layout of 矛盾纠纷排查调处情况报表: title, 出表单位 and period, a
three-line header with merged cells, two lines per unit (小计, 年度累计), 合计, the missing units, 填表人 and
签发人; print area, A4 landscape fitted to the width, the header frozen and repeated on every page."""
from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from county_net.screening.models import SCALE_BANDS
from county_net.screening.rollup import MEASURES, Figures, Rollup, Row, format_rate

THIN = Side(style="thin", color="888888")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
HEAD_FILL = PatternFill("solid", fgColor="E8EEF4")
TOTAL_FILL = PatternFill("solid", fgColor="F3F6F9")
RED = Font(color="C00000", bold=True)
PERIOD_KIND = {"month": "月报", "half_month": "半月报", "quarter": "季报", "year": "年报"}


def _figure_values(f: Figures, types: list, missing: bool) -> list:
    values = [f.cell(t, m) for t in types for m in MEASURES]
    for band in SCALE_BANDS:
        values += [f.bands[band]["cases"], f.bands[band]["resolved"]]
    values += [f.major[m] for m in MEASURES] + [format_rate(f.major_rate)]
    values += [f.total[m] for m in MEASURES] + [format_rate(f.mediated_rate), format_rate(f.resolved_rate)]
    if missing:
        return ["缺报" if not isinstance(v, str) else "—" for v in values]
    return values


def rollup_workbook(rollup: Rollup, filled_by: str = "", signed_by: str = "", made_on: date | None = None) -> bytes:
    types = rollup.types
    wb = Workbook()
    ws = wb.active
    ws.title = rollup.period.code
    n_fig = len(types) * 3 + len(SCALE_BANDS) * 2 + 4 + 5
    last = 2 + n_fig + 1 + 3  # 单位, 口径, figures, 按时上报率, 环比 ×3
    end = get_column_letter(last)

    ws.merge_cells(f"A1:{end}1")
    ws["A1"] = f"{rollup.top.name}矛盾纠纷排查调处情况报表（{PERIOD_KIND.get(rollup.period.kind, '')}）"
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = CENTER
    ws.row_dimensions[1].height = 30
    half = last // 2
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=half)
    ws.cell(2, 1, f"出表单位：{rollup.top.name}")
    ws.merge_cells(start_row=2, start_column=half + 1, end_row=2, end_column=last)
    ws.cell(2, half + 1, f"报表期间：{rollup.period.label}（{rollup.period.start:%Y-%m-%d} 至 {rollup.period.end:%Y-%m-%d}）")
    ws.cell(2, half + 1).alignment = Alignment(horizontal="right")

    # Header: three lines, merged.
    top, mid, low = 3, 4, 5

    def head(row, col, text, rows=1, cols=1):
        if rows > 1 or cols > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)
        for r in range(row, row + rows):
            for c in range(col, col + cols):
                cell = ws.cell(r, c)
                cell.border, cell.alignment, cell.fill = BOX, CENTER, HEAD_FILL
                cell.font = Font(bold=True)
        ws.cell(row, col, text)

    head(top, 1, "单位", rows=3)
    head(top, 2, "口径", rows=3)
    col = 3
    for t in types:
        head(top, col, t, cols=3)
        for i, m in enumerate(MEASURES.values()):
            head(mid, col + i, m, rows=2)
        col += 3
    head(top, col, "涉及人数", cols=len(SCALE_BANDS) * 2)
    for band_label in SCALE_BANDS.values():
        head(mid, col, band_label, cols=2)
        head(low, col, "起数")
        head(low, col + 1, "成功数")
        col += 2
    head(top, col, "重大矛盾纠纷", cols=4)
    for i, label in enumerate([*MEASURES.values(), "成功率"]):
        head(mid, col + i, label, rows=2)
    col += 4
    head(top, col, "合计", cols=5)
    for i, label in enumerate([*MEASURES.values(), "调处率", "成功率"]):
        head(mid, col + i, label, rows=2)
    col += 5
    head(top, col, "按时上报率", rows=3)
    col += 1
    head(top, col, "上期（环比）", cols=3)
    for i, label in enumerate(MEASURES.values()):
        head(mid, col + i, label, rows=2)

    row_no = low + 1

    def unit_lines(row: Row, label: str, is_total: bool):
        nonlocal row_no
        ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no + 1, end_column=1)
        ws.cell(row_no, 1, label)
        lines = (("小计", _figure_values(row.period, types, row.is_missing)),
                 ("年度累计", _figure_values(row.ytd, types, False)))
        for offset, (span, values) in enumerate(lines):
            r = row_no + offset
            ws.cell(r, 2, span)
            for i, v in enumerate(values):
                cell = ws.cell(r, 3 + i, v)
                if v == "缺报":
                    cell.font = RED
        share_col = 3 + n_fig
        ws.merge_cells(start_row=row_no, start_column=share_col, end_row=row_no + 1, end_column=share_col)
        ws.cell(row_no, share_col, f"{format_rate(row.on_time_share)}（{row.on_time}/{row.expected}）")
        for i, m in enumerate(MEASURES):
            c = share_col + 1 + i
            ws.merge_cells(start_row=row_no, start_column=c, end_row=row_no + 1, end_column=c)
            ws.cell(row_no, c, "缺报" if row.previous_missing else row.previous.total[m])
        for r in (row_no, row_no + 1):
            for c in range(1, last + 1):
                cell = ws.cell(r, c)
                cell.border, cell.alignment = BOX, CENTER
                if is_total:
                    cell.fill = TOTAL_FILL
                    cell.font = RED if cell.value == "缺报" else Font(bold=True)
        row_no += 2

    for row in rollup.rows:
        unit_lines(row, row.label, False)
    unit_lines(rollup.total, "合计", True)

    row_no += 1
    if rollup.missing:
        ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=last)
        ws.cell(row_no, 1, "缺报单位：" + "；".join(f"{u.name}（{'、'.join(p)}）" for u, p in rollup.missing))
        ws.cell(row_no, 1).font = RED
        ws.cell(row_no, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row_no].height = 15 * (1 + len(rollup.missing) // 6)
        row_no += 1
    ws.cell(row_no, 1, "说明：调处率 = 调处数 / 排查数，成功率 = 成功数 / 排查数，分母为零记“—”；"
                       "年度累计按纠纷去重、取最新状态；缺报单位不计为零。")
    row_no += 2
    ws.merge_cells(start_row=row_no, start_column=1, end_row=row_no, end_column=half)
    ws.cell(row_no, 1, f"填表人：{filled_by or '　' * 6}　　签发人：{signed_by or '　' * 6}")
    ws.merge_cells(start_row=row_no, start_column=half + 1, end_row=row_no, end_column=last)
    ws.cell(row_no, half + 1, f"填表时间：{(made_on or date.today()):%Y年%m月%d日}")
    ws.cell(row_no, half + 1).alignment = Alignment(horizontal="right")

    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 9
    for c in range(3, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 6.5
    for c in (3 + n_fig - 6, 3 + n_fig - 1, 3 + n_fig - 2, 3 + n_fig):
        ws.column_dimensions[get_column_letter(c)].width = 9
    ws.freeze_panes = ws.cell(low + 1, 3)
    ws.print_area = f"A1:{end}{row_no}"
    ws.print_title_rows = f"{top}:{low}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
