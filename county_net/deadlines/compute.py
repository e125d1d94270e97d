"""Due dates and their status. Counting follows the civil-code rule the regulations rely on: the day the
clock starts is not counted; a calendar-day limit ending on a non-working day moves to the next working day
(settable); a limit ends at 24:00 Asia/Shanghai on its due date."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from county_net.core.timeutil import to_local
from county_net.deadlines.calendar import WorkCalendar
from county_net.deadlines.rules import WORKING, Rule


def _local_date(value: datetime | date) -> date:
    return to_local(value).date() if isinstance(value, datetime) else value


def compute_due(
    rule: Rule,
    start: datetime | date,
    calendar: WorkCalendar,
    *,
    extension_days: int = 0,
    paused_days: int = 0,
    days: int | None = None,
    rollover: bool = True,
) -> date:
    """The last day of the limit (inclusive). `days` replaces the rule's length (a date set by the assigner
    arrives as a date, not through here). Pauses and extensions add calendar days."""
    length = rule.days if days is None else days
    if length is None:
        raise ValueError(f"{rule.step}: the length is set per matter")
    if extension_days > rule.max_extension_days and rule.extendable:
        raise ValueError(f"{rule.step}: extension over {rule.max_extension_days} days")
    if extension_days and not rule.extendable:
        raise ValueError(f"{rule.step}: not extendable")
    first = _local_date(start)
    if rule.unit == WORKING:
        due = calendar.add_workdays(first, length)
        if paused_days:
            due = calendar.next_workday(due + timedelta(days=paused_days))
        return due
    due = first + timedelta(days=length + extension_days + paused_days)
    return calendar.next_workday(due) if rollover else due


@dataclass(frozen=True)
class Deadline:
    step: str
    label: str
    due_on: date
    days_left: int  # negative when overdue
    overdue: bool
    due_soon: bool
    article: str
    paused: bool = False
    provisional: bool = False  # rests on a year whose holiday schedule is not published (暂定)

    @property
    def status_label(self) -> str:
        if self.paused:
            return "已暂停计时"
        if self.overdue:
            return f"已超期 {-self.days_left} 天"
        if self.days_left == 0:
            return "今日到期"
        return f"剩余 {self.days_left} 天"


def deadline_status(rule: Rule, due_on: date, today: date, due_soon_days: int = 3, paused: bool = False,
                    provisional: bool = False) -> Deadline:
    days_left = (due_on - today).days
    overdue = days_left < 0 and not paused
    return Deadline(rule.step, rule.label, due_on, days_left, overdue,
                    not overdue and not paused and days_left <= due_soon_days, rule.article, paused, provisional)


def rests_on_provisional(start: datetime | date, due: date, calendar: WorkCalendar) -> bool:
    """暂定: the counted period or its roll-over touches a year without a published holiday schedule."""
    return calendar.touches_provisional(_local_date(start), due)


def warning_window(today: date, due_soon_days: int) -> tuple[date, date]:
    """The days a limit counts as due soon (即将到期), the county's warning window: today through today + N,
    as `deadline_status` judges a single matter; lists and counts filter on the same two days."""
    return today, today + timedelta(days=due_soon_days)
