"""The hall of the test network's county center, seeded as plain rows for the public board's tests (the board
only reads: the visit services are not needed to build what it shows)."""
from datetime import timedelta

import sqlalchemy as sa

from county_net.core.models import utcnow
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall.models import RANK_BOOKED, RANK_WALK_IN, ReceptionDay, Visit, VisitPerson
from county_net.petitions.identity import mask_id, mask_phone
from county_net.petitions.models import Petition, Petitioner
from county_net.tenancy import system_scope
from county_net.units.models import Window
from tests.petitions.helpers import Api, id_number

NAME, PHONE, ID_NO = "独特姓名甲乙", "13957318642", id_number(731)
# Nothing of these may reach a public page: the person, the phone and ID (also masked), what the visit is about.
SECRETS = [NAME, PHONE, ID_NO, mask_phone(PHONE), mask_id(ID_NO), "独特事项文本XYZ", "独特诉求文本QRS",
           "独特摘要文本UVW", "接谈人丙丁", "预约备注戊己", "优先说明庚辛", "未公布的领导", "已取消的领导",
           "东镇甲村3组"]


def seed_board_hall(app, net, api_token) -> dict:
    """C0's hall today: window 1 serving A001 (interviewing) and Y002 (just called) with A003, Y004 waiting;
    window 2 serving nothing with A005 waiting; window 3 inactive; finished, other-day and other-unit rows
    that must not count; the leaders' sessions in every state."""
    api = Api(app, api_token)
    made = api.register("c_recv", petitioners=[{"name": NAME, "id_number": ID_NO, "phone": PHONE,
                                                "address": "东镇甲村3组"}], summary="独特摘要文本UVW")
    today, now = local_today(), utcnow()
    c0 = net.units["C0"]
    with app.app_context(), system_scope("test seed"):
        petitioner_id = db.session.scalar(sa.select(Petitioner.id).where(Petitioner.name == NAME))
        assert db.session.get(Petition, made["id"]) is not None
        w1 = db.session.scalar(sa.select(Window.id).where(Window.unit_id == c0, Window.number == 1))
        w2 = Window(unit_id=c0, number=2, name="综合受理窗口", is_active=True)
        w3 = Window(unit_id=c0, number=3, name="停用窗口", is_active=False)
        db.session.add_all([w2, w3])
        db.session.flush()
        personal = dict(purpose="独特事项文本XYZ", demands="独特诉求文本QRS", interviewer_name="接谈人丙丁",
                        booking_note="预约备注戊己", priority_note="优先说明庚辛", petition_id=made["id"],
                        registered_by_name="登记人", interview_said="独特事项文本XYZ")

        def visit(no, state, window, booked=False, unit=c0, day=today, called=None, rank=RANK_WALK_IN, arrived=0):
            v = Visit(unit_id=unit, day=day, ticket_no=no, state=state, window_id=window, booked=booked,
                      queue_rank=RANK_BOOKED if booked else rank, checked_in_at=now - timedelta(minutes=60 - arrived),
                      called_at=called, **personal)
            db.session.add(v)
            db.session.flush()
            db.session.add(VisitPerson(unit_id=unit, visit_id=v.id, petitioner_id=petitioner_id, name=NAME,
                                       phone_masked=mask_phone(PHONE), id_number_masked=mask_id(ID_NO)))
            return v

        visit(1, "interviewing", w1, called=now - timedelta(minutes=10))
        visit(2, "called", w1, booked=True, called=now - timedelta(seconds=3))
        visit(3, "waiting", w1, arrived=5)
        visit(4, "waiting", w1, booked=True, arrived=9)
        visit(5, "waiting", w2.id)
        visit(6, "done", w1, called=now - timedelta(minutes=40))
        visit(7, "waiting", w3.id)  # an inactive window is not on the board
        visit(8, "waiting", w1, day=today - timedelta(days=1))
        visit(9, "called", w1, day=today - timedelta(days=1), called=now)
        visit(10, "waiting", w1, unit=net.units["T1"])  # not the hall's row, whatever its window says

        def session(day, leader, state, published=True, **kw):
            db.session.add(ReceptionDay(unit_id=kw.pop("unit", c0), day=day, leader_name=leader, state=state,
                                        published_at=now if published else None, leader_post="副县长",
                                        leader_portfolio="分管人社、教育", place="县联合接待中心县领导接待室",
                                        topic="劳动保障专题", **kw))

        session(today, "今日县长", "published", form="fixed", starts="09:00", ends="11:30")
        session(today, "今晨领导", "held", form="appointment", starts="08:30", ends="09:00")
        session(today, "未公布的领导", "planned", published=False)
        session(today + timedelta(days=1), "明日书记", "published", form="themed")
        session(today + timedelta(days=3), "已取消的领导", "cancelled")
        session(today + timedelta(days=20), "远期领导", "published")
        session(today - timedelta(days=1), "昨日领导", "published")
        session(today + timedelta(days=2), "镇里领导", "published", unit=net.units["T1"])
        db.session.commit()
        ids = {"w1": w1, "w2": w2.id}
        db.session.remove()
    return ids
