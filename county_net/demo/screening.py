"""The demo county's screening sheets: the month before all filed and accepted, the newest month that is due
mostly filed on time,
with one late, one nil report returned and re-signed, one returned and waiting, and a few units missing, so
the roll-up, the late list and the liaisons' pages show something at once. Written through the services as
each unit's own staff would, on the days they would have done it (services.backdated)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from county_net.core.timeutil import COUNTY_TZ, local_today
from county_net.deadlines.periods import MONTH, period_of, periods_within, previous_period
from county_net.extensions import db
from county_net.screening import services
from county_net.screening.models import ScreeningReport
from county_net.units.directory import county_directory

# (type, parties, people, place, summary, measures, status, risk)
DISPUTES = [
    ("劳资", "某建筑公司与农民工班组", 23, "城关镇滨江小区工地", "工程款结算争议导致拖欠23名农民工工资约46万元。",
     "约谈项目负责人，督促制定支付计划。", "mediating", "L2"),
    ("土地矿产山林水利权属", "河湾村3组与5组村民", 40, "河湾村后山", "两组村民对一片山林的承包界线各执一词，发生争吵。",
     "组织两组代表现场勘界，调取原始承包合同。", "mediating", "L3"),
    ("家庭", "村民孙某与其兄", 2, "河湾村3组", "兄弟因老宅分割发生纠纷。", "村调委会调解，双方签订协议。", "resolved", "L0"),
    ("建筑质量与物业", "南街小区业主与物业公司", 60, "城关镇南街小区", "电梯长期故障，业主拒交物业费。",
     "住建部门督促物业维修电梯。", "screened", "L2"),
    ("环境", "石坝村村民与某石料厂", 15, "青石镇石坝村", "石料厂粉尘和噪声扰民，村民多次阻工。",
     "环保部门现场检测，责令整改。", "mediating", "L2"),
    ("拆迁安置", "老街改造片区住户", 120, "城关镇老街", "对安置房面积和过渡费标准有异议，扬言集体上访。",
     "成立工作专班逐户走访解释政策。", "escalated", "L3"),
    ("医患", "患者家属与县人民医院", 5, "县人民医院", "患者术后并发症，家属要求赔偿。", "引导通过医疗纠纷人民调解委员会解决。",
     "resolved", "L1"),
    ("承包", "青石镇某村村民与承包大户", 8, "青石镇", "土地流转租金未按期支付。", "镇农经站核实合同，督促支付。", "mediating", "L1"),
]


# The demo liaisons' units (tenants/demo_users.toml): this month's sheet is left for the visitor to file.
LEFT_TO_THE_VISITOR = {"91339901MA00100001", "339901100203"}


@dataclass
class _Actor:
    """A unit's own liaison or head as the services see them (the demo units have few accounts)."""

    id: int | None
    name: str
    unit_id: int
    roles: tuple

    username: str = "demo"

    def has_role(self, *roles) -> bool:
        return any(r in self.roles for r in roles)


# The day offsets below (drafted the day before filing, filed two days early or late, accepted the next day, a
# 30-day target) are the demo's invented timing, not legal dates: every due day comes from services.due_on.
def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=COUNTY_TZ)


def _line(index: int, found: date) -> dict:
    kind, parties, people, place, summary, measures, status, risk = DISPUTES[index % len(DISPUTES)]
    return {"found_on": found, "dispute_type": kind, "parties": parties, "people_count": people, "place": place,
            "summary": summary, "measures": measures, "status": status, "risk_level": risk,
            "collective_risk": people >= 50, "skip_level_risk": risk == "L3", "responsible_unit": "属地乡镇（街道）",
            "responsible_leader": "分管领导", "target_date": found + timedelta(days=30)}


def load_demo_screening(county_unit_id: int) -> int:
    """Runs inside system_scope; does nothing when the county already has sheets. Returns sheets written."""
    if db.session.scalar(select(ScreeningReport.id).where(ScreeningReport.county_unit_id == county_unit_id)
                         .limit(1)) is not None:
        return 0
    today = local_today()
    units = [u for u in county_directory(county_unit_id) if u.id != county_unit_id and u.is_active]
    # "This month" is the newest month whose sheets are due: before the 20th that is last month, so the
    # roll-up and the late list have a full month to show on any day.
    this_month = period_of(MONTH, today)
    monthly = next((u for u in units if services.cadence_of(u.id) == MONTH), None)
    if monthly is not None and today <= services.due_on(monthly.id, this_month):
        this_month = previous_period(this_month)
    last_month = previous_period(this_month)
    # Last month's sheets for the townships, the bureaus and the first two townships' units: enough for the
    # month-on-month column, carried disputes and a history, without a long demo load.
    first_towns = {u.id for u in units if u.kind == "township"}
    first_towns = set(sorted(first_towns)[:2])
    written = 0
    for position, unit in enumerate(units):
        cadence = services.cadence_of(unit.id)
        if cadence is None:
            continue
        with_history = unit.kind in ("township", "bureau") or unit.parent_id in first_towns
        liaison = _Actor(None, "信息员", unit.id, ("liaison",))
        head = _Actor(None, "一把手", unit.id, ("head",))
        parent = _Actor(None, "上级审核人", unit.parent_id, ("receptionist",))
        for month in ((last_month, this_month) if with_history else (this_month,)):
            for period in periods_within(cadence, month.start, month.end):
                due = services.due_on(unit.id, period)
                current = month is this_month
                if current and (due >= today or position % 17 == 5 or unit.code in LEFT_TO_THE_VISITOR):
                    continue  # not due yet, one of the few units that has not filed, or the walk-through's own
                late = current and position % 13 == 3
                filed_on = due + timedelta(days=2) if late else due - timedelta(days=2 + position % 3)
                filed_on = min(filed_on, today)
                has_lines = position % 3 == 0
                written += _file(period, liaison, head, parent, filed_on, position if has_lines else None,
                                 accept=not current or position % 2 == 0,
                                 return_it=current and position % 19 == 7,
                                 nil_returned=current and position == 2)
    return written


def _file(period, liaison, head, parent, filed_on: date, lines_from, accept: bool, return_it: bool,
          nil_returned: bool) -> int:
    drafted = filed_on - timedelta(days=1)
    with services.backdated(_at(drafted, 9)):
        report = services.open_draft(liaison, period.code)
        if lines_from is not None:
            count = 1 + lines_from % 3
            existing = [services.line_of(d) for d in services._lines(report)]
            fresh = [_line(lines_from + k, drafted - timedelta(days=3)) for k in range(count)]
            report = services.put_lines(liaison, report, report.version, existing + fresh)
        elif not services._lines(report):
            report = services.set_nil(liaison, report, report.version, True)
        if lines_from is not None:  # a nil return the head signs straight from the draft
            report = services.submit(liaison, report, report.version)
    with services.backdated(_at(filed_on, 16)):
        report = services.sign(head, report, report.version)
    if nil_returned:
        with services.backdated(_at(filed_on, 17)):
            report = services.return_sheet(parent, report, report.version, "请写明上期结转纠纷的化解结果后重新报送")
        with services.backdated(_at(filed_on + timedelta(days=1), 9)):
            report = services.sign(head, report, report.version, "已补充说明")
    if return_it:
        with services.backdated(_at(filed_on + timedelta(days=1), 10)):
            services.return_sheet(parent, report, report.version, "第1条涉及人数与上月不一致，请核实后重新报送")
        return 1
    if accept:
        with services.backdated(_at(filed_on + timedelta(days=1), 11)):
            services.accept(parent, report, report.version)
    return 1
