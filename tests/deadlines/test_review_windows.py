"""The 复查 and 复核 request windows (条例 Arts. 35–36: 30 days from receipt of the opinion) for every start day
of 2025–2026: against a hand-checked sample, against an independent holiday source, and against the rules
of counting (start day not counted; an end on a non-working day rolls to the next working day)."""
from datetime import date, timedelta

import chinese_calendar
import pytest

from county_net.deadlines import NATIONAL_RULES, compute_due, national_calendar
from county_net.deadlines.compute import rests_on_provisional

CAL = national_calendar()
WINDOWS = ("reexamination_request", "final_review_request")

# (delivered on, last day to request, provisional, how it was checked by hand). Each was counted on a paper
# calendar: delivery day + 30 days, then the weekday of that day and the State Council notice of that year
# (国办发明电〔2024〕12号 for 2025, the notice of 2025-11-04 for 2026); 2027 on the statutory days only.
HAND_CHECKED = [
    ("2026-11-20", "2026-12-21", False, "12-20 is a Sunday → Monday 12-21 (the issue's example)"),
    ("2025-01-01", "2025-02-05", False, "01-31 Fri is in 春节 01-28–02-04 → Wed 02-05"),
    ("2025-01-27", "2025-02-26", False, "02-26 is a Wednesday, no holiday"),
    ("2025-03-05", "2025-04-07", False, "04-04 Fri is 清明 04-04–04-06 → Mon 04-07"),
    ("2025-05-01", "2025-06-03", False, "05-31 Sat is 端午 05-31–06-02 → Tue 06-03"),
    ("2025-08-29", "2025-09-28", False, "09-28 is a Sunday but a make-up working day → no roll"),
    ("2025-09-01", "2025-10-09", False, "10-01 is 国庆/中秋 10-01–10-08 → Thu 10-09"),
    ("2025-12-02", "2026-01-04", False, "01-01 is 元旦 01-01–01-03; 01-04 Sunday is a make-up working day"),
    ("2025-12-31", "2026-01-30", False, "01-30 is a Friday"),
    ("2026-01-15", "2026-02-14", False, "02-14 is a Saturday but a make-up working day"),
    ("2026-01-16", "2026-02-24", False, "02-15 Sun is in 春节 02-15–02-23 → Tue 02-24"),
    ("2026-04-01", "2026-05-06", False, "05-01 Fri is in 劳动节 05-01–05-05 → Wed 05-06"),
    ("2026-05-20", "2026-06-22", False, "06-19 Fri is 端午 06-19–06-21 → Mon 06-22"),
    ("2026-08-26", "2026-09-28", False, "09-25 Fri is 中秋 09-25–09-27 → Mon 09-28"),
    ("2026-09-01", "2026-10-08", False, "10-01 is 国庆 10-01–10-07 → Thu 10-08"),
    ("2026-09-10", "2026-10-10", False, "10-10 is a Saturday but a make-up working day"),
    ("2026-10-17", "2026-11-16", False, "11-16 is a Monday"),
    ("2026-11-01", "2026-12-01", False, "12-01 is a Tuesday"),
    ("2026-12-02", "2027-01-04", True, "01-01 Fri 元旦 (provisional 2027), 01-02/03 weekend → Mon 01-04"),
    ("2026-12-10", "2027-01-11", True, "01-09 is a Saturday → Mon 01-11; 2027 not published"),
    ("2026-12-31", "2027-02-01", True, "01-30 is a Saturday → Mon 02-01; 2027 not published"),
]


@pytest.mark.parametrize("case", HAND_CHECKED, ids=[c[0] for c in HAND_CHECKED])
@pytest.mark.parametrize("step", WINDOWS)
def test_hand_checked_sample(step, case):
    start, last, provisional, _how = case
    start, last = date.fromisoformat(start), date.fromisoformat(last)
    assert compute_due(NATIONAL_RULES[step], start, CAL) == last
    assert rests_on_provisional(start, last, CAL) is provisional


def _every_day(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("step", WINDOWS)
def test_every_start_day_of_2025_and_2026(step):
    rule = NATIONAL_RULES[step]
    checked_against_source = 0
    for start in _every_day(date(2025, 1, 1), date(2026, 12, 31)):
        last = compute_due(rule, start, CAL)
        nominal = start + timedelta(days=30)
        # Counting rules: never before the 30th day; a working day; every day skipped is a day off.
        assert last >= nominal and CAL.is_workday(last), start
        assert all(not CAL.is_workday(d) for d in _every_day(nominal, last - timedelta(days=1))), start
        # An independent source for every window that ends within the published years.
        if last.year <= 2026:
            expected = nominal
            while not chinese_calendar.is_workday(expected):
                expected += timedelta(days=1)
            assert last == expected, start
            checked_against_source += 1
            assert not rests_on_provisional(start, last, CAL)
        else:
            assert rests_on_provisional(start, last, CAL), start
    assert checked_against_source > 690


def test_a_third_of_start_days_roll_over():
    # Why the old hand-added 30 days failed: on many start days the window's last day is later.
    moved = sum(compute_due(NATIONAL_RULES["reexamination_request"], d, CAL) != d + timedelta(days=30)
                for d in _every_day(date(2025, 1, 1), date(2026, 12, 31)))
    assert moved > 200
