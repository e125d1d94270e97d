"""The only module that computes legal dates: rules as data, a working-day calendar, Asia/Shanghai dates."""
from county_net.deadlines.calendar import WorkCalendar, national_calendar  # noqa: F401
from county_net.deadlines.rules import NATIONAL_RULES, Rule, resolve_rules  # noqa: F401
from county_net.deadlines.compute import Deadline, compute_due, deadline_status  # noqa: F401
