"""The hall's dates: when it is open, the leaders' reception day of a month and the days around it (published,
the leader told, the briefing). Local practice, not statute (domain-practice §3.3: the 15th, moved to the next
working day; published ≥ 2 days ahead; the leader told 5 days ahead and briefed the day before), so every
number is a county setting; the counting lives here so that no screen or job counts a window by hand."""
from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime, time, timedelta

from county_net.core.timeutil import to_local


def _hm(text: str) -> time:
    if text == "24:00":
        return time.max
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def open_spans(day: date, hours, calendar, every_day: bool = False) -> list[tuple[time, time]]:
    """The hall's opening spans on a day: none on a weekend or holiday (make-up working days open), unless the
    county keeps it open every day."""
    if not every_day and not calendar.is_workday(day):
        return []
    return [(_hm(a), _hm(b)) for a, b in hours]


def is_open(moment: datetime, hours, calendar, every_day: bool = False) -> bool:
    """Is the hall open at this UTC moment (counted on the Asia/Shanghai clock)?"""
    local = to_local(moment)
    now = local.time().replace(tzinfo=None)
    return any(a <= now < b for a, b in open_spans(local.date(), hours, calendar, every_day))


def closing_time(day: date, hours, calendar, every_day: bool = False) -> time | None:
    spans = open_spans(day, hours, calendar, every_day)
    return spans[-1][1] if spans else None


def reception_day(year: int, month: int, day_rule: int, calendar) -> date:
    """The month's leaders' reception day: the rule's day (clipped to the month's end), moved to the next
    working day when it falls on a weekend or holiday."""
    last = month_calendar.monthrange(year, month)[1]
    return calendar.next_workday(date(year, month, min(day_rule, last)))


def publish_by(day: date, lead_days: int) -> date:
    """The last day a session may be published: `lead_days` calendar days before it."""
    return day - timedelta(days=lead_days)


def leader_notice_on(day: date, notice_days: int) -> date:
    """The day the leader is told of the session (5 days ahead by default)."""
    return day - timedelta(days=notice_days)


def briefing_on(day: date, briefing_days: int = 1) -> date:
    """The day the briefing list goes to the leader (the day before by default)."""
    return day - timedelta(days=briefing_days)
