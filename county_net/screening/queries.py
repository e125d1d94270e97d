"""Read-only: sheets in the viewer's scope, one sheet presented with what the viewer may do next, a unit's
task for this period (the liaison's home page)."""
from __future__ import annotations

from sqlalchemy import func, select

from county_net.core.pagination import Page, paginate_rows
from county_net.core.timeutil import local_today
from county_net.deadlines.periods import parse_period
from county_net.extensions import db
from county_net.screening import services
from county_net.screening.models import (DISPUTE_STATUSES, EDITABLE_STATES, OPEN_DISPUTE_STATUSES, SCALE_BANDS,
                                         STATES, Dispute, ScreeningEvent, ScreeningExemption, ScreeningReport)
from county_net.screening.settings import screening_settings
from county_net.units.directory import unit_info

# action slug -> (label, what it needs), in the order the buttons show.
ACTIONS = {
    "nil": "设为零报告",
    "submit": "提交一把手签发",
    "sign": "签发上报",
    "return": "退回",
    "accept": "接收",
    "correct": "更正",
}


def get_report(report_id: int) -> ScreeningReport:
    return db.one_or_404(select(ScreeningReport).where(ScreeningReport.id == report_id))


def get_dispute(dispute_id: int) -> Dispute:
    return db.one_or_404(select(Dispute).where(Dispute.id == dispute_id))


def get_exemption(exemption_id: int) -> ScreeningExemption:
    return db.one_or_404(select(ScreeningExemption).where(ScreeningExemption.id == exemption_id))


def report_actions(actor, report: ScreeningReport) -> list[str]:
    """What the viewer may do to this sheet now (the same checks the services make)."""
    own = actor.unit_id == report.unit_id
    parent = actor.unit_id == unit_info(report.unit_id).parent_id
    drafter = own and actor.has_role(*services.DRAFTERS)
    out = []
    if report.state in EDITABLE_STATES and drafter:
        out += ["edit", "nil", "submit"]
        if actor.has_role("head"):
            out.append("sign")
    if report.state == "submitted" and own and actor.has_role("head"):
        out += ["sign", "return"]
    if report.state == "filed" and parent and actor.has_role(*services.REVIEWERS):
        out += ["accept", "return"]
    if report.state == "accepted" and drafter:
        newest = db.session.scalar(select(func.max(ScreeningReport.revision)).where(
            ScreeningReport.unit_id == report.unit_id, ScreeningReport.period_kind == report.period_kind,
            ScreeningReport.period_start == report.period_start))
        if newest == report.revision:
            out.append("correct")
    return out


def _risk_labels(county_unit_id: int) -> dict[str, str]:
    settings, _ = screening_settings(county_unit_id)
    return {code: level["label"] for code, level in settings.risk_by_code.items()}


def dispute_row(dispute: Dispute, risks: dict[str, str], numbers: dict[int, str] | None = None) -> dict:
    row = {key: getattr(dispute, key) for key in (
        "id", "seq", "carried", "found_on", "dispute_type", "parties", "people_count", "scale_band", "place",
        "summary", "risk_level", "is_major", "collective_risk", "skip_level_risk", "measures", "responsible_unit",
        "responsible_leader", "status", "target_date", "petition_id")}
    row["scale_band_label"] = SCALE_BANDS[dispute.scale_band]
    row["status_label"] = DISPUTE_STATUSES[dispute.status]
    row["risk_label"] = risks.get(dispute.risk_level, dispute.risk_level)
    row["petition_number"] = (numbers or {}).get(dispute.petition_id)
    return row


def _petition_numbers(ids) -> dict[int, str]:
    """Numbers of the linked matters the viewer may see (a matter out of scope shows no number)."""
    from county_net.petitions.models import Petition

    ids = [i for i in ids if i]
    if not ids:
        return {}
    return dict(db.session.execute(select(Petition.id, Petition.number).where(Petition.id.in_(ids))).all())


def present(actor, report: ScreeningReport) -> dict:
    unit = unit_info(report.unit_id)
    lines = list(db.session.scalars(select(Dispute).where(Dispute.report_id == report.id).order_by(Dispute.seq)))
    risks = _risk_labels(report.county_unit_id)
    numbers = _petition_numbers({d.petition_id for d in lines})
    events = list(db.session.scalars(select(ScreeningEvent).where(ScreeningEvent.report_id == report.id)
                                     .order_by(ScreeningEvent.id)))
    superseded_by = db.session.scalar(select(ScreeningReport.id).where(ScreeningReport.supersedes_id == report.id)
                                      .order_by(ScreeningReport.revision.desc()).limit(1))
    period = parse_period(report.period_code)
    return {
        "id": report.id, "unit_id": report.unit_id, "unit_name": unit.name, "period": report.period_code,
        "period_label": period.label if period else report.period_code, "period_kind": report.period_kind,
        "revision": report.revision, "due_on": report.due_on, "is_nil": report.is_nil, "note": report.note,
        "state": report.state, "state_label": STATES[report.state], "late": report.late, "counted": report.counted,
        "filled_by_name": report.filled_by_name, "signed_by_name": report.signed_by_name,
        "accepted_by_name": report.accepted_by_name, "submitted_at": report.submitted_at,
        "filed_at": report.filed_at, "accepted_at": report.accepted_at, "return_note": report.return_note,
        "return_stage": report.return_stage, "supersedes_id": report.supersedes_id,
        "superseded_by_id": superseded_by, "version": report.version,
        "actions": report_actions(actor, report),
        "lines": [dispute_row(d, risks, numbers) for d in lines],
        "events": [{"kind": e.kind, "label": services.EVENT_LABELS.get(e.kind, e.kind), "from_state": e.from_state,
                    "to_state": e.to_state, "actor_name": e.actor_name, "occurred_at": e.occurred_at,
                    "note": e.note} for e in events],
    }


LIST_ORDER = (ScreeningReport.period_start.desc(), ScreeningReport.unit_id, ScreeningReport.revision.desc(),
              ScreeningReport.id.desc())
_ROW_COLUMNS = ("id", "unit_id", "period_code", "revision", "due_on", "is_nil", "state", "late", "filed_at", "version")


def _row_columns():
    """What `rows` shows of a sheet, its line count beside it (a correlated count under the same criteria)."""
    lines = select(func.count(Dispute.id)).where(Dispute.report_id == ScreeningReport.id).scalar_subquery()
    return (*(getattr(ScreeningReport, c) for c in _ROW_COLUMNS), lines.label("line_count"))


def list_page(args: dict, page_no, page_size) -> Page:
    """A page of sheets as `rows` shows them, in one column select (core/pagination.paginate_rows)."""
    found = paginate_rows(list_query(args).order_by(None), LIST_ORDER, _row_columns(), page_no, page_size)
    found.items = rows(found.items)
    return found


def filed_rows(limit: int = 200) -> list[dict]:
    """Filed sheets (those waiting to be accepted), as `rows` shows them, in one column select."""
    stmt = list_query({"state": "filed"}).with_only_columns(*_row_columns()).limit(limit)
    return rows(db.session.execute(stmt).all())


def list_query(args: dict):
    stmt = select(ScreeningReport)
    if args.get("state"):
        stmt = stmt.where(ScreeningReport.state == args["state"])
    period = parse_period(args.get("period") or "")
    if period is not None:
        stmt = stmt.where(ScreeningReport.period_kind == period.kind, ScreeningReport.period_start == period.start)
    if args.get("unit_id"):
        stmt = stmt.where(ScreeningReport.unit_id == args["unit_id"])
    if args.get("late") is not None:
        stmt = stmt.where(ScreeningReport.late.is_(args["late"]))
    return stmt.order_by(*LIST_ORDER)


def rows(reports) -> list[dict]:
    """Sheets for a list: entities, or column rows that carry their `line_count` (`_row_columns`)."""
    ids = [r.id for r in reports if not hasattr(r, "line_count")]
    counts = dict(db.session.execute(select(Dispute.report_id, func.count()).where(Dispute.report_id.in_(ids))
                                     .group_by(Dispute.report_id)).all()) if ids else {}
    out = []
    for r in reports:
        period = parse_period(r.period_code)
        out.append({"id": r.id, "unit_id": r.unit_id, "unit_name": unit_info(r.unit_id).name, "period": r.period_code,
                    "period_label": period.label if period else r.period_code, "revision": r.revision,
                    "due_on": r.due_on, "is_nil": r.is_nil, "state": r.state, "state_label": STATES[r.state],
                    "late": r.late, "filed_at": r.filed_at, "line_count": getattr(r, "line_count", None) or counts.get(r.id, 0), "version": r.version})
    return out


def current(actor) -> dict:
    """This period's task of the actor's unit: whether it files, the due day, the sheet and its state, and the
    disputes still open on its last counted sheet."""
    unit_id = actor.unit_id
    out = {"unit_id": unit_id, "files": False, "exempt_reason": None, "period": None, "period_label": None,
           "due_on": None, "days_left": None, "report_id": None, "state": None, "state_label": None,
           "open_disputes": []}
    period = services.current_period(unit_id)
    if period is None:
        return out
    exemption = services.exemption_for(unit_id, period)
    due = services.due_on(unit_id, period)
    out.update(period=period.code, period_label=period.label, due_on=due, days_left=(due - local_today()).days)
    if exemption is not None:
        out["exempt_reason"] = exemption.reason
        return out
    out["files"] = True
    report = services.latest_revision(unit_id, period)
    if report is not None:
        out.update(report_id=report.id, state=report.state, state_label=STATES[report.state])
    last = db.session.scalar(select(ScreeningReport).where(
        ScreeningReport.unit_id == unit_id, ScreeningReport.counted.is_(True),
        ScreeningReport.period_start < period.start).order_by(ScreeningReport.period_start.desc()).limit(1))
    if last is not None:
        risks = _risk_labels(last.county_unit_id)
        open_lines = db.session.scalars(select(Dispute).where(Dispute.report_id == last.id,
                                                              Dispute.status.in_(OPEN_DISPUTE_STATUSES))
                                        .order_by(Dispute.seq))
        out["open_disputes"] = [dispute_row(d, risks) for d in open_lines]
    return out


def form_choices(county_unit_id: int) -> dict:
    """The county's lists for the line form and the template's drop-downs."""
    settings, _ = screening_settings(county_unit_id)
    return {"types": list(settings["dispute_types"]),
            "risks": [(lv["code"], lv["label"]) for lv in settings["risk_levels"]],
            "statuses": list(DISPUTE_STATUSES.items())}


def exemptions() -> list[dict]:
    rows = db.session.scalars(select(ScreeningExemption).order_by(ScreeningExemption.revoked_at.is_not(None),
                                                                  ScreeningExemption.starts_on.desc()).limit(500))
    return [exemption_row(e) for e in rows]


def exemption_row(e: ScreeningExemption) -> dict:
    return {"id": e.id, "unit_id": e.unit_id, "unit_name": unit_info(e.unit_id).name, "reason": e.reason,
            "starts_on": e.starts_on, "ends_on": e.ends_on, "created_by_name": e.created_by_name,
            "created_at": e.created_at, "revoked_at": e.revoked_at, "revoked_by_name": e.revoked_by_name,
            "version": e.version}


def may_exempt(actor) -> bool:
    return actor.has_role("head", "admin") and unit_info(actor.unit_id).kind == "county_center"
