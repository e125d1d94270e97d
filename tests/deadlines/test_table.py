"""Deadline arithmetic, case by case. Each case names the rule it applies; the expected dates were counted
by hand on the 2025–2026 State Council holiday notices (调休 included)."""
from datetime import date, datetime, timezone

import pytest

from county_net.deadlines import NATIONAL_RULES, compute_due, deadline_status, national_calendar, resolve_rules

CAL = national_calendar()

CASES = [
    # id, step, start, extra, expected, why
    ("handling plain", "handling", date(2026, 1, 10), {}, date(2026, 3, 11),
     "第三十四条：60日，受理次日起算，3月11日为工作日"),
    ("handling over year and month end, lands on Sunday", "handling", date(2025, 12, 31), {}, date(2026, 3, 2),
     "60日届满于3月1日（星期日），顺延至3月2日"),
    ("handling into a leap day", "handling", date(2027, 12, 31), {}, date(2028, 2, 29),
     "2028年为闰年：60日届满于2月29日（星期二）"),
    ("handling across a leap February", "handling", date(2028, 1, 1), {}, date(2028, 3, 1),
     "闰年2月有29日：1月1日加60日为3月1日"),
    ("handling with the full extension", "handling", date(2026, 1, 10), {"extension_days": 30}, date(2026, 4, 10),
     "第三十四条：延长不超过30日，3月11日加30日"),
    ("acceptance notice ends on a make-up working Sunday", "acceptance_notice", date(2025, 12, 20), {},
     date(2026, 1, 4), "第二十三条：15日；2026年1月4日（星期日）为调休上班日，不顺延"),
    ("disposition ends inside the National Day holiday", "disposition", date(2025, 9, 20), {}, date(2025, 10, 9),
     "第二十二条：15日届满于10月5日，国庆假期至10月8日，顺延至10月9日"),
    ("disposition ends on 1 October 2026", "disposition", date(2026, 9, 16), {}, date(2026, 10, 8),
     "第二十二条：15日届满于10月1日，假期至10月7日"),
    ("objection over Spring Festival with a make-up Saturday", "objection", date(2026, 2, 12), {},
     date(2026, 2, 26), "第二十三条第三款：5个工作日，2月14日（星期六）调休上班计入，春节假期不计"),
    ("simple acceptance over Qingming", "simple_acceptance", date(2026, 4, 3), {}, date(2026, 4, 9),
     "简易办理：3个工作日，清明假期4月4日至6日不计"),
    ("simple handling over May Day with a make-up Saturday", "simple_handling", date(2026, 4, 28), {},
     date(2026, 5, 14), "简易办理：10个工作日，5月1日至5日不计，5月9日调休上班计入"),
    ("final review with hearing time excluded", "final_review", date(2026, 6, 1), {"paused_days": 10},
     date(2026, 7, 13), "第三十六条：30日另加听证10日，届满于7月11日（星期六），顺延至7月13日"),
    ("reexamination request window", "reexamination_request", date(2026, 11, 20), {}, date(2026, 12, 21),
     "第三十五条：30日届满于12月20日（星期日），顺延至12月21日"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_deadline_cases(case):
    _, step, start, extra, expected, _why = case
    assert compute_due(NATIONAL_RULES[step], start, CAL, **extra) == expected


def test_every_rule_cites_its_article():
    for rule in NATIONAL_RULES.values():
        assert rule.article.startswith("《") and rule.label


def test_clock_counts_in_shanghai_dates():
    # 17:30 UTC on 10 January is 01:30 on 11 January in Shanghai: counting starts from the 11th.
    start = datetime(2026, 1, 10, 17, 30, tzinfo=timezone.utc)
    assert compute_due(NATIONAL_RULES["handling"], start, CAL) == date(2026, 3, 12)


def test_rollover_can_be_switched_off():
    assert compute_due(NATIONAL_RULES["handling"], date(2025, 12, 31), CAL, rollover=False) == date(2026, 3, 1)


def test_extension_limits_are_enforced():
    with pytest.raises(ValueError):
        compute_due(NATIONAL_RULES["handling"], date(2026, 1, 10), CAL, extension_days=31)
    with pytest.raises(ValueError):
        compute_due(NATIONAL_RULES["acceptance_notice"], date(2026, 1, 10), CAL, extension_days=1)


def test_province_and_unit_overrides_without_code():
    # 浙江: accept forwarded matters within 5 working days; handle in 30 days, extend by up to 60.
    zhejiang = [{"step": "acceptance_notice", "days": 5, "day_kind": "working", "article": "《浙江省信访条例》第二十条"},
                {"step": "handling", "days": 30, "max_extension_days": 60}]
    # A bureau's own stricter limit (§11.3): ordinary matters within 30 days... for one unit only.
    bureau = [{"step": "handling", "days": 30, "unit": "B1", "article": "本局信访工作制度"}]
    rules = resolve_rules(zhejiang)
    assert compute_due(rules["acceptance_notice"], date(2026, 2, 12), CAL) == date(2026, 2, 26)
    assert compute_due(rules["handling"], date(2026, 1, 10), CAL, extension_days=60) == date(2026, 4, 10)
    assert resolve_rules(bureau, "B1")["handling"].days == 30
    assert resolve_rules(bureau, "T1")["handling"].days == 60
    assert resolve_rules(bureau, "B1")["handling"].article == "本局信访工作制度"


def test_county_calendar_changes():
    local = CAL.with_changes(off=["2026-03-11"])  # a county-declared day off
    assert compute_due(NATIONAL_RULES["handling"], date(2026, 1, 10), local) == date(2026, 3, 12)


def test_status_due_soon_and_overdue():
    rule = NATIONAL_RULES["handling"]
    assert deadline_status(rule, date(2026, 3, 11), date(2026, 3, 9)).due_soon
    late = deadline_status(rule, date(2026, 3, 11), date(2026, 3, 13))
    assert late.overdue and late.days_left == -2 and late.status_label == "已超期 2 天"
    paused = deadline_status(rule, date(2026, 3, 11), date(2026, 3, 13), paused=True)
    assert not paused.overdue and paused.status_label == "已暂停计时"
