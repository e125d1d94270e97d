"""Who was due to file, who filed on time, late, or not at all; the reminders before and after the due day.
A unit is expected for a period when its kind files by the county's settings, it is active and no exemption
covers the period. Due days come from county_net/deadlines (services.due_on)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from county_net.core.timeutil import local_today
from county_net.deadlines.periods import Period, period_of, periods_within, previous_period, reminder_days
from county_net.extensions import db
from county_net.screening import services
from county_net.screening.models import FILED_STATES, STATES, ScreeningReport
from county_net.screening.settings import screening_settings
from county_net.tenancy.context import active_scope
from county_net.units.directory import UnitInfo, unit_info

STATUS_LABELS = {"on_time": "按时报送", "late": "过期录入", "missing": "逾期未报", "pending": "未到截止日",
                 "exempt": "免报"}


# A late reminder goes on the day it falls due, or on a later run within this many days if the job did not run
# that day; older gaps are on the late list, not in people's inboxes.
LATE_REMINDER_WINDOW_DAYS = 7


@dataclass
class Slot:
    """One unit's sheet for one period, as expected."""

    unit: UnitInfo
    period: Period
    due_on: date
    status: str  # on_time | late | missing | pending | exempt
    report_id: int | None = None
    state: str | None = None
    filed_at: object = None
    exempt_reason: str | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _exempt_slots(county_unit_id: int, span: Period, expected: set, standing: list) -> list[Slot]:
    """The periods a unit of a filing kind would have had in the span but an exemption took away (`standing`:
    rollup.standing_exemptions of the span)."""
    settings, _ = screening_settings(county_unit_id)
    scope = active_scope()
    out = []
    for unit_id, reason in ((r.unit_id, r.reason) for r in standing):
        unit = unit_info(unit_id)
        cadence = settings.cadence(unit.kind) if unit and unit.is_active else None
        if not cadence or (scope is not None and not scope.may_see(unit_id)):
            continue
        for period in periods_within(cadence, span.start, span.end):
            if period.end <= span.end and (unit_id, period) not in expected:
                out.append(Slot(unit, period, services.due_on(unit_id, period), "exempt", exempt_reason=reason))
    return out


def slots(county_unit_id: int, span: Period, today: date | None = None, include_exempt: bool = True) -> list[Slot]:
    """Every expected (unit, period) of the span in the viewer's scope (who is expected: rollup.expected_units,
    the one definition), with its filing status as of `today`. One query for the sheets whatever the number
    of units."""
    from county_net.screening.rollup import expected_units, standing_exemptions

    today = today or local_today()
    standing = standing_exemptions(county_unit_id, span)  # one read for who is expected and who is exempt
    wanted = [(e.unit, period) for e in expected_units(county_unit_id, span, standing) for period in e.slots]
    out = _exempt_slots(county_unit_id, span, set((u.id, p) for u, p in wanted), standing) if include_exempt else []
    if not wanted:
        return out
    ids = sorted({u.id for u, _ in wanted})
    first = min(p.start for _, p in wanted)
    last = max(p.start for _, p in wanted)
    filed = {}
    for row in db.session.execute(select(ScreeningReport.id, ScreeningReport.unit_id, ScreeningReport.period_kind,
                                         ScreeningReport.period_start, ScreeningReport.state, ScreeningReport.late,
                                         ScreeningReport.filed_at, ScreeningReport.revision)
                                  .where(ScreeningReport.unit_id.in_(ids), ScreeningReport.period_start >= first,
                                         ScreeningReport.period_start <= last)
                                  .order_by(ScreeningReport.revision)).all():
        key = (row.unit_id, row.period_kind, row.period_start)
        # The counted (filed) revision wins over a newer draft; otherwise the newest revision.
        if key not in filed or row.state in FILED_STATES or filed[key].state not in FILED_STATES:
            filed[key] = row
    dues: dict[Period, date] = {}  # the due day depends on the county and the period, not the unit
    for unit, period in wanted:
        due = dues.get(period)
        if due is None:
            due = dues[period] = services.due_on(unit.id, period)
        row = filed.get((unit.id, period.kind, period.start))
        if row is not None and row.state in FILED_STATES:
            status = "late" if row.late else "on_time"
        else:
            status = "missing" if today > due else "pending"
        out.append(Slot(unit, period, due, status, row.id if row else None, row.state if row else None,
                        row.filed_at if row else None))
    return out


def late_list(actor, month: Period, only_problems: bool = True) -> list[Slot]:
    """The units below the viewer expected in a month, with what they filed: by default only the late and the
    missing (the list the parent and the county center look at on the 21st)."""
    found = [s for s in slots(unit_info(actor.unit_id).county_id, month) if s.unit.id != actor.unit_id]
    if only_problems:
        found = [s for s in found if s.status in ("missing", "late")]
    return sorted(found, key=lambda s: ({"missing": 0, "late": 1}.get(s.status, 2), s.unit.path, s.period.start))


def late_rows(found: list[Slot]) -> list[dict]:
    parents = {}
    out = []
    for s in found:
        parent = parents.setdefault(s.unit.parent_id, unit_info(s.unit.parent_id))
        out.append({"unit_id": s.unit.id, "unit_name": s.unit.name, "unit_kind": s.unit.kind,
                    "parent_name": parent.name if parent else "", "period": s.period.code,
                    "period_label": s.period.label, "due_on": s.due_on, "status": s.status,
                    "status_label": s.status_label, "report_id": s.report_id,
                    "state_label": STATES.get(s.state) if s.state else None, "filed_at": s.filed_at,
                    "exempt_reason": s.exempt_reason})
    return out


# ---- reminders ------------------------------------------------------------------------------------------

def sweep_reminders(today: date | None = None, county_ids: list[int] | None = None) -> dict:
    """Remind each unit that has not filed: `remind_before_days` before the due day (screening_due) and
    `remind_after_days` after it (screening_late), to its liaisons and its head, once each (the event key
    names unit, period and kind). Runs in system scope; the caller commits."""
    from county_net.notifications.services import batched, flush_outbox, notify
    from county_net.units.models import Unit

    today = today or local_today()
    if county_ids is None:
        county_ids = list(db.session.scalars(select(Unit.id).where(Unit.parent_id.is_(None),
                                                                   Unit.is_active.is_(True))))
    sent = {"due": 0, "late": 0}
    for county in county_ids:
        settings, _ = screening_settings(county)
        # The periods that can be due soon or just late: the quarter holding today and the one before.
        span = period_of("quarter", today)
        span = Period(previous_period(span).start, span.end, "quarter")
        with batched() as outbox:
            for slot in slots(county, span, today, include_exempt=False):
                if slot.unit.id == county:
                    continue
                if slot.status not in ("missing", "pending"):
                    continue
                soon_on, late_on = reminder_days(slot.due_on, settings["remind_before_days"],
                                                 settings["remind_after_days"])
                if soon_on <= today <= slot.due_on:
                    kind, what = "screening_due", f"请于{slot.due_on.month}月{slot.due_on.day}日前报送"
                elif late_on <= today <= late_on + timedelta(days=LATE_REMINDER_WINDOW_DAYS):
                    kind, what = "screening_late", f"已过截止日（{slot.due_on.isoformat()}），请尽快报送"
                else:
                    continue
                title = f"{slot.period.label}矛盾纠纷排查表{what}"
                for audience in ("liaisons", "heads"):
                    notify(kind=kind, event_key=f"screening:{slot.unit.id}:{slot.period.code}:{kind}",
                           unit_id=slot.unit.id, title=title, link="/screening", object_type="screening_period",
                           object_id=slot.unit.id, audience=audience)
                sent["due" if kind == "screening_due" else "late"] += 1
            flush_outbox(outbox)
    return sent


def late_workbook(rows: list[dict], title: str) -> bytes:
    """The late list as .xlsx: title, one row per unit and period, A4 landscape, header repeated on print."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    from county_net.core.timeutil import format_local

    book = Workbook()
    sheet = book.active
    sheet.title = "逾期未报"
    headers = ["序号", "单位", "上级单位", "周期", "截止日", "情况", "报送时间", "排查表状态"]
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    thin = Side(style="thin")
    for index, row in enumerate(rows, 1):
        sheet.append([index, row["unit_name"], row["parent_name"], row["period_label"], row["due_on"].isoformat(),
                      row["status_label"], format_local(row["filed_at"]) if row["filed_at"] else "",
                      row["state_label"] or "未填报"])
    for line in sheet.iter_rows(min_row=2, max_row=sheet.max_row, max_col=len(headers)):
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (6, 28, 22, 18, 12, 12, 18, 16)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.print_area = f"A1:H{max(sheet.max_row, 2)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    out = BytesIO()
    book.save(out)
    return out.getvalue()
