"""The demo county's hall this morning: three visitors booked for today (one a group of seven with its
representatives), one for the next working day, and walk-ins waiting at their windows, so the desk, the windows
and the board show a working hall at once. Written through the hall's services as the center's receptionist
would; runs again each day the demo is loaded (a day with visits already is left alone)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from county_net.accounts.models import User
from county_net.core.models import utcnow
from county_net.core.timeutil import local_today
from county_net.deadlines import hall as hall_dates
from county_net.extensions import db
from county_net.hall import services
from county_net.hall.models import ReceptionDay, Visit
from county_net.hall.settings import hall_settings
from county_net.petitions.models import Category
from county_net.units.models import Unit

# (name, phone, category, township code, what they come about, head count)
BOOKED = [
    ("赵某英", "13905710031", "劳动社保", "339901100000", "预约反映某服装厂拖欠 2026 年 8 至 10 月工资，要求人社部门督促支付。", 1, "09:00"),
    ("孙某平", "13905710026", "农村农业", "339901100000", "预约反映河湾村 3 组土地流转租金两年未付，要求村委会兑现。", 1, "09:30"),
    ("冯某军", "13905710032", "房屋拆迁", "339901100000", "老街改造片区住户对安置房面积和过渡费标准有异议，推选代表预约反映。", 7, "10:00"),
]
WALK_INS = [
    ("卫某", "13905710033", "城乡建设", "339901101000", "青石镇某小区电梯长期故障，物业不修，要求住建部门处理。", 1),
    ("蒋某红", "13905710034", "民政", "339901102000", "母亲年老多病，申请低保被村里退回，要求说明理由。", 1),
    ("沈某", "13905710035", "劳动社保", "339901103000", "在某物流公司工作受伤，公司不给申报工伤。", 1),
    ("韩某", "13905710036", "涉法涉诉", "339901104000", "民间借贷案件已判决一年仍未执行到位，要求法院执行。", 2),
]


def _category(name: str) -> int | None:
    return db.session.scalar(select(Category.id).where(Category.name == name))


def _unit(code: str) -> int | None:
    return db.session.scalar(select(Unit.id).where(Unit.code == code))


# This week's county leaders in the hall (fictional): (weekday, leader, post, portfolio, form, place, topic)
LEADERS = [
    (0, "周建国", "县委副书记", "分管政法、信访", "fixed", "县领导接待室", ""),
    (2, "李文华", "副县长", "分管人社、民政", "appointment", "县领导接待室", ""),
    (3, "张志强", "县人大常委会副主任", "联系城关镇", "down", "城关镇人民政府", ""),
    (4, "吴红梅", "副县长", "分管自然资源、住建", "themed", "县自然资源和规划局", "征地拆迁和安置补偿"),
]


# The day offsets here (this week's Monday, drawn up a week before, "next" meaning after this week, a booking on
# the next working day) are the demo's invented timing, not legal dates: the reception day by the county's rule
# comes from rota_services.suggest_days (county_net/deadlines/hall.py), the hall's opening from deadlines too.
def _rota(county_id: int) -> int:
    """This week's sessions, drawn up and published the week before (as a county would), and the next
    reception day by the county's rule, planned. Left alone once this week has any."""
    from county_net.hall import rota_services

    today = local_today()
    monday = today - timedelta(days=today.weekday())
    if db.session.scalar(select(ReceptionDay.id).where(ReceptionDay.unit_id == county_id,
                                                       ReceptionDay.day >= monday).limit(1)):
        return 0
    head = db.session.scalar(select(User).where(User.username == "center_head"))
    if head is None:
        return 0
    sitting = [u for u in (_unit("11339901MB00100001"), _unit("339901100000")) if u]
    written = 0
    with rota_services.drawn_up_on(monday - timedelta(days=7)):
        for weekday, name, post, portfolio, form, place, topic in LEADERS:
            row = rota_services.create_day(head, {
                "day": monday + timedelta(days=weekday), "starts": "09:00", "ends": "11:30", "form": form,
                "place": place, "topic": topic, "leader_name": name, "leader_post": post,
                "leader_portfolio": portfolio, "sitting_unit_ids": sitting})
            rota_services.publish_day(head, row, row.version)
            written += 1
    suggested = rota_services.suggest_days(head, months=2)
    upcoming = [s for s in suggested if s["day"] > today + timedelta(days=7)]
    if upcoming:
        rota_services.create_day(head, {"day": upcoming[0]["day"], "form": "fixed", "place": "县领导接待室",
                                        "leader_name": "陈国栋", "leader_post": "县信访局局长",
                                        "sitting_unit_ids": sitting})
        written += 1
    return written


def load_demo_hall(county_id: int) -> int:
    """Runs inside system_scope. Returns how many visits and reception days were written."""
    rota = _rota(county_id)
    today = local_today()
    if db.session.scalar(select(Visit.id).where(Visit.unit_id == county_id, Visit.day == today).limit(1)):
        return rota
    desk = db.session.scalar(select(User).where(User.username == "center_reception"))
    if desk is None:
        return rota
    settings, county = hall_settings(county_id)
    calendar = county.calendar()
    written = 0
    for name, phone, category, town, purpose, head_count, slot in BOOKED:
        people = [{"name": name, "phone": phone}]
        if head_count > 1:
            people += [{"name": "卫某东"}, {"name": "褚某兰"}]  # the group's three representatives
        services.book(desk, {"day": today, "booked_time": slot, "people": people, "head_count": head_count,
                             "purpose": purpose, "category_id": _category(category), "locality_unit_id": _unit(town),
                             "purpose_kind": "difficulty", "booking_note": "电话预约"})
        written += 1
    services.book(desk, {"day": calendar.next_workday(today + timedelta(days=1)),
                         "booked_time": "09:00", "people": [{"name": "杨某", "phone": "13905710037"}],
                         "purpose": "预约反映宅基地审批久拖不决。", "category_id": _category("自然资源"),
                         "locality_unit_id": _unit("339901105000"), "purpose_kind": "difficulty"})
    written += 1
    if hall_dates.is_open(utcnow(), settings["hours"], calendar, settings.every_day):
        for name, phone, category, town, purpose, head_count in WALK_INS:
            services.check_in(desk, {"people": [{"name": name, "phone": phone}], "head_count": head_count,
                                     "purpose": purpose, "category_id": _category(category),
                                     "locality_unit_id": _unit(town), "purpose_kind": "difficulty",
                                     "id_checked": True})
            written += 1
    return written + rota
