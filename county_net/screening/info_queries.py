"""Read-only: immediate reports and disputes through the scoped queries, their presentation, and the links
a petition matter's page shows back (only what the reader's scope holds)."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from flask import g, has_request_context
from sqlalchemy import literal, select, union_all

from county_net.core.models import utcnow
from county_net.core.jsonrows import json_rows
from county_net.extensions import db
from county_net.petitions import page
from county_net.screening.models import (DISPUTE_STATUSES, INFO_KINDS, INFO_STATES, Dispute, InfoReport,
                                         InfoReportEvent, ScreeningReport)
from county_net.units.directory import unit_info


def _cached(name: str, key: int, load):
    cache = g.setdefault(name, {}) if has_request_context() else {}
    if key not in cache:
        cache[key] = load()
    return cache[key]


def get_info_report(info_report_id: int) -> InfoReport:
    return _cached("_info_reports", info_report_id,
                   lambda: db.one_or_404(select(InfoReport).where(InfoReport.id == info_report_id)))


def get_dispute(dispute_id: int) -> Dispute:
    return _cached("_disputes", dispute_id, lambda: db.one_or_404(select(Dispute).where(Dispute.id == dispute_id)))


def list_query(args: dict, now: datetime | None = None):
    stmt = select(InfoReport)
    if args.get("state"):
        stmt = stmt.where(InfoReport.state == args["state"])
    if args.get("kind"):
        stmt = stmt.where(InfoReport.kind == args["kind"])
    if args.get("overdue"):
        stmt = stmt.where(InfoReport.state == "sent", InfoReport.due_at < (now or utcnow()))
    return stmt.order_by(InfoReport.id.desc())


def _name(unit_id) -> str:
    info = unit_info(unit_id)
    return info.name if info else "—"


def _petition_numbers(ids) -> dict[int, str]:
    """Numbers of the linked matters the reader may see (a matter out of scope shows no number)."""
    from county_net.petitions.models import Petition

    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    return dict(db.session.execute(select(Petition.id, Petition.number).where(Petition.id.in_(ids))).all())


def present_many(reports, now: datetime | None = None) -> list[dict]:
    numbers = _petition_numbers(r.petition_id for r in reports)
    return [present(r, numbers, now) for r in reports]


def present(report: InfoReport, numbers: dict | None = None, now: datetime | None = None) -> dict:
    now = now or utcnow()
    if numbers is None:
        numbers = _petition_numbers([report.petition_id])
    number = numbers.get(report.petition_id)
    return {
        "id": report.id, "number": report.number, "version": report.version,
        "kind": report.kind, "kind_label": INFO_KINDS[report.kind],
        "state": report.state, "state_label": INFO_STATES[report.state],
        "unit_id": report.unit_id, "unit_name": _name(report.unit_id),
        "title": report.title, "content": report.content, "place": report.place,
        "people_count": report.people_count, "collective_risk": report.collective_risk,
        "skip_level_risk": report.skip_level_risk, "is_urgent": report.is_urgent,
        "occurred_on": report.occurred_on, "reporter_name": report.reporter_name,
        "sent_at": report.sent_at, "due_at": report.due_at,
        "received_at": report.received_at, "received_by_name": report.received_by_name,
        "overdue": report.state == "sent" and report.due_at < now,
        "received_late": report.received_at is not None and report.received_at > report.due_at,
        "assessment": report.assessment, "assessed_level": report.assessed_level,
        "assessed_at": report.assessed_at, "assessed_by_name": report.assessed_by_name,
        "petition_id": report.petition_id if number else None, "petition_number": number,
        "closed_at": report.closed_at, "close_note": report.close_note,
    }


def timeline(report: InfoReport) -> list[dict]:
    from county_net.screening.info import EVENT_LABELS

    events = db.session.scalars(select(InfoReportEvent).where(InfoReportEvent.info_report_id == report.id)
                                .order_by(InfoReportEvent.occurred_at, InfoReportEvent.id))
    return [{"kind": e.kind, "label": EVENT_LABELS.get(e.kind, e.kind), "from_state": e.from_state,
             "to_state": e.to_state, "actor_name": e.actor_name, "actor_unit_name": _name(e.actor_unit_id),
             "occurred_at": e.occurred_at, "note": e.note} for e in events]


def present_dispute(dispute: Dispute) -> dict:
    report: ScreeningReport = dispute.report
    number = _petition_numbers([dispute.petition_id]).get(dispute.petition_id)
    return {
        "id": dispute.id, "report_id": dispute.report_id, "report_version": report.version,
        "report_state": report.state, "period_code": report.period_code, "seq": dispute.seq,
        "unit_id": dispute.unit_id, "unit_name": _name(dispute.unit_id),
        "found_on": dispute.found_on, "dispute_type": dispute.dispute_type, "parties": dispute.parties,
        "people_count": dispute.people_count, "place": dispute.place, "summary": dispute.summary,
        "risk_level": dispute.risk_level, "is_major": dispute.is_major, "measures": dispute.measures,
        "responsible_unit": dispute.responsible_unit, "responsible_leader": dispute.responsible_leader,
        "status": dispute.status, "status_label": DISPUTE_STATUSES.get(dispute.status, dispute.status),
        "petition_id": dispute.petition_id if number else None, "petition_number": number,
    }


def petition_links(petition_id: int, petition=None) -> list[dict]:
    """The disputes and immediate reports linked to one matter, in one statement (or none: the matter page's
    own statement read them, when `petition` is the loaded matter). Each half is an ORM select, so the tenant
    criteria (and RLS on PostgreSQL) keep to the reader's scope."""
    disputes = page.preloaded(petition, "disputes") if petition is not None else None
    reports = page.preloaded(petition, "info_reports") if petition is not None else None
    if disputes is not None and reports is not None:
        rows = ([SimpleNamespace(what="dispute", **r) for r in disputes]
                + [SimpleNamespace(what="info_report", **r) for r in reports])
        rows.sort(key=lambda r: (r.what, r.id))
    else:
        rows = db.session.execute(union_all(
            select(literal("dispute").label("what"), Dispute.id.label("id"), Dispute.summary.label("title"),
                   Dispute.unit_id.label("unit_id")).where(Dispute.petition_id == petition_id),
            select(literal("info_report").label("what"), InfoReport.id.label("id"),
                   InfoReport.title.label("title"), InfoReport.unit_id.label("unit_id"))
            .where(InfoReport.petition_id == petition_id)).order_by("what", "id")).all()
    return [{"what": r.what, "id": r.id, "title": r.title[:60], "unit_name": _name(r.unit_id)} for r in rows]


@page.part("disputes")
def _disputes_part(actor, petition):
    return json_rows({"id": Dispute.id, "title": Dispute.summary, "unit_id": Dispute.unit_id},
                     Dispute.petition_id == petition.id)


@page.part("info_reports")
def _info_reports_part(actor, petition):
    return json_rows({"id": InfoReport.id, "title": InfoReport.title, "unit_id": InfoReport.unit_id},
                     InfoReport.petition_id == petition.id)
