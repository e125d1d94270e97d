"""Working days: weekdays, minus public holidays, plus make-up working days (调休). A year the State Council
has not published yet is counted on the provisional statutory days off (`provisional_days_off`), and every
date that rests on such a year says so (`touches_provisional`)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("holidays_cn.toml")


@lru_cache(maxsize=64)
def provisional_days_off(year: int) -> frozenset[date]:
    """Days off in a year whose official schedule is not published: UNVERIFIED, a stand-in until the State
    Council's notice is imported (`flask deadlines import-holidays`).

    The statutory days of 《全国年节及纪念日放假办法》 as amended in 2024 (Art. 2): 元旦 1 day, 春节 4 days
    from 除夕 (除夕 and 正月初一至初三), 清明 1 day (the 清明 solar-term day), 劳动节 2 days (May 1–2),
    端午 1 day (五月初五), 中秋 1 day (八月十五), 国庆 3 days (Oct 1–3). A statutory day off on a Saturday or
    Sunday is made up (补假, Art. 6) on the following working day(s). The official notice usually also moves
    weekends around (调休) into longer breaks; that cannot be predicted and is left out. Lunar dates and the
    solar term come from `lunar-python`.
    """
    from lunar_python import Lunar, Solar

    def solar(s) -> date:
        return date(s.getYear(), s.getMonth(), s.getDay())

    new_year = solar(Lunar.fromYmd(year, 1, 1).getSolar())
    statutory = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 2),
                 date(year, 10, 1), date(year, 10, 2), date(year, 10, 3),
                 solar(Lunar.fromYmd(year, 5, 5).getSolar()), solar(Lunar.fromYmd(year, 8, 15).getSolar())}
    statutory |= {new_year + timedelta(days=offset) for offset in (-1, 0, 1, 2)}  # 除夕 .. 初三
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    statutory.add(solar(Solar.fromYmd(qingming.getYear(), qingming.getMonth(), qingming.getDay())))
    statutory = {d for d in statutory if d.year == year}  # 除夕 can fall in the year before
    off = set(statutory)
    for day in sorted(statutory):
        if day.weekday() >= 5:
            makeup = day + timedelta(days=1)
            while makeup.weekday() >= 5 or makeup in off:
                makeup += timedelta(days=1)
            off.add(makeup)
    return frozenset(off)


@dataclass(frozen=True)
class WorkCalendar:
    off: frozenset[date] = field(default_factory=frozenset)  # holidays, weekends inside them included
    work: frozenset[date] = field(default_factory=frozenset)  # weekend days that are working days
    known_years: frozenset[int] = field(default_factory=frozenset)  # years with a published schedule

    def is_provisional_year(self, year: int) -> bool:
        return year not in self.known_years

    def is_workday(self, day: date) -> bool:
        if day in self.work:
            return True
        if day in self.off:
            return False
        if self.is_provisional_year(day.year) and day in provisional_days_off(day.year):
            return False
        return day.weekday() < 5

    def touches_provisional(self, start: date, end: date) -> bool:
        """Whether any day in (start, end] lies in a year without a published schedule."""
        first = min(start + timedelta(days=1), end)
        return any(self.is_provisional_year(y) for y in range(first.year, end.year + 1))

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
        """A county's own additions on top (e.g. a local holiday, a changed make-up day). They do not make a
        year published: the national days off of an unpublished year stay provisional."""
        off_dates = {_date(d) for d in off}
        work_dates = {_date(d) for d in work}
        return WorkCalendar((self.off - work_dates) | off_dates, (self.work - off_dates) | work_dates,
                            self.known_years)

    def with_years(self, years: dict[int, tuple]) -> "WorkCalendar":
        """Published years on top (imported schedules): {year: (off dates, work dates)}; a year given here
        replaces what the calendar had for it."""
        off = {d for d in self.off if d.year not in years}
        work = {d for d in self.work if d.year not in years}
        for year_off, year_work in years.values():
            off |= {_date(d) for d in year_off}
            work |= {_date(d) for d in year_work}
        return WorkCalendar(frozenset(off), frozenset(work), self.known_years | frozenset(years))


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
    """The packaged file only; the calendar in use adds imported years (`deadlines.services.calendar_in_use`)."""
    return load_calendar(Path(path))
