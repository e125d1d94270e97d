"""Read-only: reception days in the viewer's scope, one presented with its items, bookings, key dates and what
the viewer may do next."""
from __future__ import annotations

from sqlalchemy import select

from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall import rota_services as services
from county_net.hall.models import RECEPTION_FORMS, RECEPTION_STATES, VISIT_STATES, ReceptionDay, ReceptionItem
from county_net.units.directory import unit_info


def get_day(reception_day_id: int) -> ReceptionDay:
    return db.one_or_404(select(ReceptionDay).where(ReceptionDay.id == reception_day_id))


def list_query(when: str = "upcoming", unit_id: int | None = None):
    """Sessions in scope: upcoming (today on, soonest first), past (latest first) or all."""
    today = local_today()
    query = select(ReceptionDay)
    if unit_id is not None:
        query = query.where(ReceptionDay.unit_id == unit_id)
    if when == "upcoming":
        return query.where(ReceptionDay.day >= today).order_by(ReceptionDay.day, ReceptionDay.starts, ReceptionDay.id)
    if when == "past":
        query = query.where(ReceptionDay.day < today)
    return query.order_by(ReceptionDay.day.desc(), ReceptionDay.starts.desc(), ReceptionDay.id.desc())


def actions(actor, row: ReceptionDay) -> list[str]:
    """What the viewer may do now (the same checks the services make, short of the version)."""
    own = actor.unit_id == row.unit_id
    keeper = own and actor.has_role(*services.KEEPERS)
    recorder = own and actor.has_role(*services.RECORDERS)
    today = local_today()
    out = []
    if keeper and row.state in services.EDITABLE:
        out += ["edit", "cancel"]
    if keeper and row.state == "planned" and today <= services.key_dates(row.unit_id, row.day)["publish_by"]:
        out.append("publish")
    if row.state in ("published", "held") and recorder and today >= row.day:
        out.append("items")
    if row.state == "published" and (keeper or recorder) and today >= row.day:
        out.append("hold")
    return out


def _unit_name(unit_id) -> str:
    info = unit_info(unit_id)
    return (info.short_name or info.name) if info else ""


def present(actor, row: ReceptionDay, full: bool = True) -> dict:
    dates = services.key_dates(row.unit_id, row.day)
    out = {
        "id": row.id, "unit_id": row.unit_id, "unit_name": _unit_name(row.unit_id), "day": row.day,
        "starts": row.starts, "ends": row.ends, "form": row.form, "form_label": RECEPTION_FORMS[row.form],
        "place": row.place, "topic": row.topic, "leader_name": row.leader_name, "leader_post": row.leader_post,
        "leader_portfolio": row.leader_portfolio, "leader_user_id": row.leader_user_id,
        "sitting_unit_ids": services.sitting_ids(row),
        "sitting_units": [_unit_name(i) for i in services.sitting_ids(row)],
        "state": row.state, "state_label": RECEPTION_STATES[row.state], "published_at": row.published_at,
        "notice_sent_at": row.notice_sent_at, "briefing_sent_at": row.briefing_sent_at, "summary": row.summary,
        "created_by_name": row.created_by_name, "version": row.version, **dates,
        "actions": actions(actor, row),
    }
    if full:
        out["items"] = items(row)
        out["bookings"] = booking_rows(row)
    return out


def items(row: ReceptionDay) -> list[dict]:
    from county_net.petitions.models import Petition

    rows = db.session.scalars(select(ReceptionItem).where(ReceptionItem.reception_day_id == row.id)
                              .order_by(ReceptionItem.id)).all()
    ids = [i.petition_id for i in rows if i.petition_id]
    numbers = dict(db.session.execute(select(Petition.id, Petition.number).where(Petition.id.in_(ids))).all()) \
        if ids else {}
    return [{"id": i.id, "visit_id": i.visit_id, "whom": i.whom, "head_count": i.head_count, "problem": i.problem,
             "instruction": i.instruction, "responsible_unit_id": i.responsible_unit_id,
             "responsible_unit_name": _unit_name(i.responsible_unit_id), "petition_id": i.petition_id,
             # A matter the viewer cannot see (sent on) shows no number.
             "petition_number": numbers.get(i.petition_id), "actor_name": i.actor_name, "created_at": i.created_at}
            for i in rows]


def booking_rows(row: ReceptionDay) -> list[dict]:
    from county_net.hall.models import Visit

    visits = db.session.scalars(select(Visit).where(Visit.reception_day_id == row.id)
                                .order_by(Visit.booked_time, Visit.id)).all()
    return [{"id": v.id, "booked_time": v.booked_time, "head_count": v.head_count, "purpose": v.purpose,
             "booking_note": v.booking_note, "state": v.state, "state_label": VISIT_STATES.get(v.state, v.state),
             "petition_id": v.petition_id} for v in visits]
