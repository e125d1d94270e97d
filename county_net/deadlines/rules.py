"""Time limits as data. National defaults cite their article; a county overrides any of them in its
network file ([[settings.deadline_rules]]), optionally for one unit only, without code changes."""
from __future__ import annotations

from dataclasses import dataclass, replace

CALENDAR, WORKING = "calendar", "working"

# Events that start a clock.
RECEIVED = "received"  # the registering office received the matter
RECEIVED_BY_UNIT = "received_by_unit"  # the unit received it (transfer/assignment sent, or own registration)
ASSIGNED = "assigned"
ACCEPTED = "accepted"
REPLIED = "replied"  # the petitioner received the written reply
REEXAMINATION_REQUESTED = "reexamination_requested"
REEXAMINATION_DECIDED = "reexamination_decided"
FINAL_REVIEW_REQUESTED = "final_review_requested"
CLOSED = "closed"  # the matter was closed (办结)


@dataclass(frozen=True)
class Rule:
    step: str
    label: str
    days: int | None  # None: the assigning unit sets the date
    unit: str  # calendar | working
    starts_at: str
    extendable: bool
    max_extension_days: int
    article: str
    pausable: bool = False  # hearing time / waiting for materials excluded

    @property
    def unit_label(self) -> str:
        return "个工作日" if self.unit == WORKING else "日"


_R = Rule
NATIONAL_RULES: dict[str, Rule] = {r.step: r for r in (
    _R("disposition", "信访部门登记后转送、交办或告知", 15, CALENDAR, RECEIVED, False, 0,
       "《信访工作条例》第二十二条"),
    _R("acceptance_notice", "决定是否受理并书面告知", 15, CALENDAR, RECEIVED_BY_UNIT, False, 0,
       "《信访工作条例》第二十三条第二、三款"),
    _R("objection", "不属本单位职责的提出异议（退回）", 5, WORKING, RECEIVED_BY_UNIT, False, 0,
       "《信访工作条例》第二十三条第三款"),
    _R("handling", "办理并出具处理意见书", 60, CALENDAR, ACCEPTED, True, 30,
       "《信访工作条例》第三十四条", pausable=True),
    _R("report_back", "交办事项报送办结报告", None, CALENDAR, ASSIGNED, False, 0,
       "《信访工作条例》第二十二条第（三）项"),
    _R("reexamination_request", "信访人请求复查", 30, CALENDAR, REPLIED, False, 0,
       "《信访工作条例》第三十五条"),
    _R("reexamination", "复查并出具复查意见", 30, CALENDAR, REEXAMINATION_REQUESTED, False, 0,
       "《信访工作条例》第三十五条", pausable=True),
    _R("final_review_request", "信访人请求复核", 30, CALENDAR, REEXAMINATION_DECIDED, False, 0,
       "《信访工作条例》第三十六条"),
    _R("final_review", "复核并出具复核意见（听证时间不计）", 30, CALENDAR, FINAL_REVIEW_REQUESTED, False, 0,
       "《信访工作条例》第三十六条", pausable=True),
    _R("simple_acceptance", "简易办理：决定是否受理", 3, WORKING, RECEIVED_BY_UNIT, False, 0,
       "《信访事项简易办理办法（试行）》"),
    _R("simple_handling", "简易办理：出具处理意见", 10, WORKING, ACCEPTED, False, 0,
       "《信访事项简易办理办法（试行）》"),
)}

# Not statutory limits: working practice with a seeded default, which a county sets in its network file like
# any rule (no article to cite; the label says whose rule it is).
PRACTICE_RULES: dict[str, Rule] = {r.step: r for r in (
    _R("follow_up", "办结后回访", 15, CALENDAR, CLOSED, False, 0, "本县回访工作要求（默认 15 日）"),
)}
RULES = {**NATIONAL_RULES, **PRACTICE_RULES}

# Keys an override may set. `unit` (a unit code) limits it to one unit; `day_kind` is calendar or working.
OVERRIDABLE = {"days": "days", "day_kind": "unit", "max_extension_days": "max_extension_days",
               "extendable": "extendable", "article": "article", "label": "label"}


class RuleError(ValueError):
    pass


def resolve_rules(overrides: list[dict] | None, unit_code: str | None = None) -> dict[str, Rule]:
    """National rules (and the practice rules), then the county-wide overrides, then those for `unit_code`."""
    rules = dict(RULES)
    county_wide = [o for o in overrides or [] if o.get("unit") is None]
    own = [o for o in overrides or [] if unit_code is not None and o.get("unit") == unit_code]
    for entry in county_wide + own:
        step = entry["step"]
        rules[step] = replace(rules[step], **{attr: entry[key] for key, attr in OVERRIDABLE.items() if key in entry})
    return rules


def check_overrides(overrides: list[dict]) -> None:
    """Validate overrides from a network file before anything is written."""
    for index, entry in enumerate(overrides):
        where = f"settings.deadline_rules[{index}]"
        if not isinstance(entry, dict):
            raise RuleError(f"{where}：格式错误")
        unknown = set(entry) - {"step", "days", "day_kind", "max_extension_days", "extendable", "article",
                                "label", "unit"}
        if unknown:
            raise RuleError(f"{where}：未知字段 {sorted(unknown)}")
        if entry.get("step") not in RULES:
            raise RuleError(f"{where}：未知的时限步骤 {entry.get('step')!r}")
        days = entry.get("days")
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365):
            raise RuleError(f"{where}：days 须为 1–365 的整数")
        if entry.get("day_kind", CALENDAR) not in (CALENDAR, WORKING):
            raise RuleError(f"{where}：day_kind 须为 calendar 或 working")
        ext = entry.get("max_extension_days", 0)
        if not isinstance(ext, int) or isinstance(ext, bool) or not 0 <= ext <= 365:
            raise RuleError(f"{where}：max_extension_days 须为 0–365 的整数")
