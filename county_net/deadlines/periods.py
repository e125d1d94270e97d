"""Reporting periods and their due days (矛盾纠纷排查表), and the hour limit of an immediate report (即时报告).
Not statutory: the "by the 20th" rule and the 4-hour limit are local practice (domain-practice §4.1), so the
county sets them; the counting lives here so that no screen or job counts a window by hand."""
from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

HALF_MONTH, MONTH, QUARTER = "half_month", "month", "quarter"
PERIOD_KINDS = {HALF_MONTH: "半月", MONTH: "月", QUARTER: "季"}
END = "end"  # a due day written as "the period's last day"

_CN_QUARTERS = "一二三四"
_CODE = re.compile(r"^(\d{4})-(?:(\d{2})(?:-([12]))?|Q([1-4]))$")


def _last_day(year: int, month: int) -> int:
    return month_calendar.monthrange(year, month)[1]


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a half month (1st–15th, 16th–end), a calendar month or a quarter."""

    start: date
    end: date
    kind: str

    @property
    def code(self) -> str:
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == HALF_MONTH:
            return f"{self.start.year}-{self.start.month:02d}-{1 if self.start.day == 1 else 2}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == QUARTER:
            return f"{self.start.year}年第{_CN_QUARTERS[(self.start.month - 1) // 3]}季度"
        if self.kind == HALF_MONTH:
            return f"{self.start.year}年{self.start.month}月{'上' if self.start.day == 1 else '下'}半月"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def month(self) -> tuple[int, int]:
        """The calendar month a half month or a month belongs to (its first month for a quarter)."""
        return self.start.year, self.start.month


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` that holds `day`."""
    y, m = day.year, day.month
    if kind == HALF_MONTH:
        if day.day <= 15:
            return Period(date(y, m, 1), date(y, m, 15), kind)
        return Period(date(y, m, 16), date(y, m, _last_day(y, m)), kind)
    if kind == MONTH:
        return Period(date(y, m, 1), date(y, m, _last_day(y, m)), kind)
    if kind == QUARTER:
        first = 3 * ((m - 1) // 3) + 1
        return Period(date(y, first, 1), date(y, first + 2, _last_day(y, first + 2)), kind)
    raise ValueError(f"unknown period kind {kind!r}")


def parse_period(code: str) -> Period | None:
    """'2026-11' (a month), '2026-11-1' / '2026-11-2' (its halves), '2026-Q4'; None when malformed."""
    match = _CODE.match(code or "")
    if not match:
        return None
    year, month, half, quarter = match.groups()
    year = int(year)
    if not 2000 <= year <= 2100:
        return None
    if quarter:
        return period_of(QUARTER, date(year, 3 * int(quarter) - 2, 1))
    month = int(month)
    if not 1 <= month <= 12:
        return None
    if half:
        return period_of(HALF_MONTH, date(year, month, 1 if half == "1" else 16))
    return period_of(MONTH, date(year, month, 1))


def previous_period(period: Period) -> Period:
    return period_of(period.kind, period.start - timedelta(days=1))


def next_period(period: Period) -> Period:
    return period_of(period.kind, period.end + timedelta(days=1))


def periods_back(period: Period, count: int) -> list[Period]:
    """`period` and the `count - 1` before it, newest first (a unit's history)."""
    out = [period]
    while len(out) < count:
        out.append(previous_period(out[-1]))
    return out


def periods_within(kind: str, start: date, end: date) -> list[Period]:
    """Every period of `kind` that begins inside [start, end] (a month holds two half months)."""
    out, day = [], start
    while day <= end:
        period = period_of(kind, day)
        if period.start >= start:
            out.append(period)
        day = period.end + timedelta(days=1)
    return out


def nominal_due(period: Period, spec) -> date:
    """The due day as the county wrote it, before any holiday roll-over. `spec` is a day of the period's last
    month (clamped to its length) or "end"; for half months a pair, one per half."""
    if period.kind == HALF_MONTH and isinstance(spec, (list, tuple)):
        spec = spec[0] if period.start.day == 1 else spec[1]
    if spec == END:
        return period.end
    year, month = period.end.year, period.end.month
    day = date(year, month, min(int(spec), _last_day(year, month)))
    # A half month's day is read within that half (a first half's "20" means its own last day).
    return min(max(day, period.start), period.end) if period.kind == HALF_MONTH else day


def screening_due_on(period: Period, spec, calendar, rollover: bool = True) -> date:
    """The last day a period's sheet is on time: the county's due day, moved to the next working day when it
    falls on a weekend or holiday (the same roll-over as the legal limits)."""
    due = nominal_due(period, spec)
    return calendar.next_workday(due) if rollover else due


def reminder_days(due_on: date, before_days: int, after_days: int) -> tuple[date, date]:
    """(the day the "due soon" reminder goes, the day the "late" reminder goes): `before_days` calendar days
    before the due day, and `after_days` after it (1: the 21st for a sheet due the 20th)."""
    return due_on - timedelta(days=before_days), due_on + timedelta(days=after_days)


def is_late(due_on: date, filed_on: date) -> bool:
    """过期录入: filed on a later day than the due day (the due day itself is on time)."""
    return filed_on > due_on


def immediate_report_due_at(sent_at: datetime, hours: int) -> datetime:
    """An immediate report must reach (be signed for at) the county center within `hours` of being sent:
    clock hours, holidays included (a major risk does not wait for Monday)."""
    return sent_at + timedelta(hours=hours)
