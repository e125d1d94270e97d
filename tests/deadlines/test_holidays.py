"""The holiday calendar: the published years agree with an independent source, and a year without a
published schedule is counted on the provisional statutory days off, never as a year without holidays."""
from datetime import date, timedelta

import chinese_calendar
import pytest

from county_net.deadlines import NATIONAL_RULES, compute_due, national_calendar, provisional_days_off
from county_net.deadlines.compute import rests_on_provisional

CAL = national_calendar()


@pytest.mark.parametrize("year", [2025, 2026])
def test_published_years_agree_with_chinese_calendar(year):
    # chinese-calendar keeps its own copy of the State Council notices: a typo in our file shows here.
    day = date(year, 1, 1)
    disagree = []
    while day.year == year:
        if CAL.is_workday(day) != chinese_calendar.is_workday(day):
            disagree.append(day.isoformat())
        day += timedelta(days=1)
    assert disagree == []
    assert year in CAL.known_years


def test_2027_statutory_days_come_from_the_lunar_calendar():
    off = provisional_days_off(2027)
    # 除夕 2027-02-05, 清明 2027-04-05, 端午 2027-06-09, 中秋 2027-09-15 (lunar-python).
    for day in ("2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05",
                "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03"):
        assert date.fromisoformat(day) in off, day
    # 补假: 初一 and 初二 fall on Sat/Sun (2-6, 2-7) → made up on Tue 2-9 and Wed 2-10; May 1–2 (Sat/Sun) → 5-3,
    # 5-4; Oct 2–3 (Sat/Sun) → 10-4, 10-5.
    for day in ("2027-02-09", "2027-02-10", "2027-05-03", "2027-05-04", "2027-10-04", "2027-10-05"):
        assert date.fromisoformat(day) in off, day
    assert date(2027, 2, 11) not in off and date(2027, 5, 5) not in off and date(2027, 10, 6) not in off
    assert len(off) == 19


def test_2028_eve_and_solar_term():
    off = provisional_days_off(2028)
    # 2028: 除夕 1-25, 清明 4-4, 端午 5-28 (Sun → 5-29), 中秋 10-3 inside 国庆 (Tue; 10-1/10-2 Sun/Mon).
    assert {date(2028, 1, 25), date(2028, 4, 4), date(2028, 5, 28), date(2028, 5, 29), date(2028, 10, 3)} <= off


def test_unpublished_year_is_not_silently_holiday_free():
    # The example: a limit ending on 2027-02-08 (Monday in the Spring Festival) moves past it.
    assert not CAL.is_workday(date(2027, 2, 8))
    assert CAL.next_workday(date(2027, 2, 8)) == date(2027, 2, 11)
    assert CAL.is_provisional_year(2027) and not CAL.is_provisional_year(2026)


def test_provisional_is_about_the_counted_days():
    rule = NATIONAL_RULES["handling"]
    due = compute_due(rule, date(2026, 12, 9), CAL)  # 60 days: 2027-02-07 (Sunday, 春节) → 2-11
    assert due == date(2027, 2, 11) and rests_on_provisional(date(2026, 12, 9), due, CAL)
    due = compute_due(rule, date(2026, 9, 1), CAL)
    assert due.year == 2026 and not rests_on_provisional(date(2026, 9, 1), due, CAL)
    # A 2026 end reached by rolling over into 2027 is provisional too.
    assert rests_on_provisional(date(2026, 12, 1), date(2027, 1, 4), CAL)


def test_imported_year_replaces_the_provisional_days():
    cal = CAL.with_years({2027: (["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10",
                                  "2027-02-11", "2027-02-12", "2027-02-13"], ["2027-02-14"])})
    assert not cal.is_provisional_year(2027)
    assert cal.is_workday(date(2027, 2, 5))  # 除夕 off only in the provisional count
    assert cal.is_workday(date(2027, 2, 14))  # the published make-up Sunday
    assert cal.is_workday(date(2027, 5, 3))  # a published year has exactly the days it lists
    assert compute_due(NATIONAL_RULES["handling"], date(2026, 12, 9), cal) == date(2027, 2, 14)
