"""Working days: weekdays, minus public holidays, plus make-up working days (调休)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("holidays_cn.toml")


@dataclass(frozen=True)
class WorkCalendar:
    off: frozenset[date] = field(default_factory=frozenset)  # holidays, weekends inside them included
    work: frozenset[date] = field(default_factory=frozenset)  # weekend days that are working days
    known_years: frozenset[int] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        if day in self.work:
            return True
        if day in self.off:
            return False
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (the start day itself is not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def with_changes(self, off=(), work=()) -> "WorkCalendar":
        """A county's own additions on top (e.g. a local holiday, a changed make-up day)."""
        off_dates = {_date(d) for d in off}
        work_dates = {_date(d) for d in work}
        return WorkCalendar((self.off - work_dates) | off_dates, (self.work - off_dates) | work_dates,
                            self.known_years | {d.year for d in off_dates | work_dates})


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_calendar(path: Path) -> WorkCalendar:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    off, work, years = set(), set(), set()
    for year, block in data.items():
        years.add(int(year))
        off |= {_date(d) for d in block.get("off", [])}
        work |= {_date(d) for d in block.get("work", [])}
    return WorkCalendar(frozenset(off), frozenset(work), frozenset(years))


@lru_cache(maxsize=4)
def national_calendar(path: str = str(DEFAULT_FILE)) -> WorkCalendar:
    return load_calendar(Path(path))
