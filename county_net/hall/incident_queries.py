"""Read-only: a hall incident by id (scoped: unseen is 404), the incidents of a day, and their presentation."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from county_net.extensions import db
from county_net.hall.labels import ticket_label
from county_net.hall.models import INCIDENT_KINDS, INCIDENT_RESPONDERS, Incident, Visit


def get_incident(incident_id: int) -> Incident:
    return db.one_or_404(select(Incident).where(Incident.id == incident_id))


def visit_ticket(visit_id: int | None) -> tuple[int | None, str]:
    """(the ticket number, its label as the slip and the board show it)."""
    if visit_id is None:
        return None, "—"
    row = db.session.execute(select(Visit.day, Visit.ticket_no, Visit.booked).where(Visit.id == visit_id)).first()
    if row is None:
        return None, "—"
    return row.ticket_no, ticket_label(row.day, row.ticket_no, row.booked) or "—"


def day_incidents(hall_id: int, day: date) -> list[dict]:
    rows = db.session.execute(
        select(Incident, Visit.day, Visit.ticket_no, Visit.booked).outerjoin(Visit, Visit.id == Incident.visit_id)
        .where(Incident.unit_id == hall_id, Incident.day == day)
        .order_by(Incident.occurred_at, Incident.id)).all()
    return [present(incident, (ticket_no, ticket_label(visit_day, ticket_no, booked) or "—"))
            for incident, visit_day, ticket_no, booked in rows]


def present(incident: Incident, ticket: tuple[int | None, str] | None = None) -> dict:
    codes = [c for c in incident.responders.split(",") if c]
    ticket_no, label = ticket if ticket is not None else visit_ticket(incident.visit_id)
    return {
        "id": incident.id, "day": incident.day, "visit_id": incident.visit_id,
        "ticket_no": ticket_no, "ticket": label,
        "kind": incident.kind, "kind_label": INCIDENT_KINDS.get(incident.kind, incident.kind),
        "occurred_at": incident.occurred_at, "who": incident.who, "what": incident.what, "responders": codes,
        "responder_labels": [INCIDENT_RESPONDERS.get(c, c) for c in codes], "outcome": incident.outcome,
        "recorded_by_name": incident.recorded_by_name, "created_at": incident.created_at,
        "version": incident.version,
    }
