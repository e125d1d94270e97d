"""Read-only: records through the scoped queries, their presentation, the center's list and the target's,
the clocks as screens show them (computed from their dates, never from what the sweep has done)."""
from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace

from flask import g, has_request_context
from sqlalchemy import case, func, select

from county_net.core.jsonrows import json_rows
from county_net.core.pagination import Page, paginate_rows
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.petitions import page
from county_net.supervision import clocks
from county_net.supervision.models import (CLOCK_MARKS, CLOCK_STEPS, LEVELS, METHODS, OPEN_STATES, PROBLEMS,
                                          SCORE_REASONS, SOURCES, STATES, Supervision,
                                          supervision_number, SupervisionClock,
                                          SupervisionEvent, SupervisionPetition, SupervisionScore)
from county_net.units.directory import unit_info

ANSWERING = ("issued", "received", "feedback_submitted")  # the target still owes something


def get_supervision(supervision_id: int) -> Supervision:
    cache = g.setdefault("_supervisions", {}) if has_request_context() else {}
    if supervision_id not in cache:
        cache[supervision_id] = db.one_or_404(select(Supervision).where(Supervision.id == supervision_id))
    return cache[supervision_id]


def _name(unit_id) -> str:
    info = unit_info(unit_id)
    return info.name if info else "—"


LIST_ORDER = (Supervision.feedback_due_on, Supervision.id.desc())
_LIST_COLUMNS = ("id", "version", "level", "is_priority", "is_listed", "method", "problem", "state", "source",
                 "unit_id", "target_unit_id", "content", "required_action", "feedback_due_on", "issued_at",
                 "approved_at", "approved_by_id", "received_at", "feedback", "feedback_at", "review_note",
                 "reviewed_at", "rework_count", "closed_at", "cancelled_at", "cancelled_reason", "created_at")


def list_page(args: dict, page_no, page_size, *, aimed_at: int | None = None) -> Page:
    """A page of records as `list_query` finds them, each with its matters' numbers (a JSON array read through
    the matters' tenant criteria), in one column select; approvers' names in one more when a row has one. The
    items stand in for records wherever `present` and `available` read them."""
    from county_net.petitions.models import Petition

    matters, decode = json_rows({"id": Petition.id, "number": Petition.number, "link": SupervisionPetition.id},
                                SupervisionPetition.supervision_id == Supervision.id, select_from=SupervisionPetition,
                                joins=[(Petition, Petition.id == SupervisionPetition.petition_id)])
    found = paginate_rows(list_query(args, aimed_at=aimed_at).order_by(None), LIST_ORDER,
                          (*(getattr(Supervision, c) for c in _LIST_COLUMNS), matters.label("matters")),
                          page_no, page_size)
    _preload_user_names({r.approved_by_id for r in found.items} - {None})
    found.items = [SimpleNamespace(**{c: getattr(r, c) for c in _LIST_COLUMNS},
                                   number=supervision_number(r.id, r.created_at),
                                   matters=[{"id": m["id"], "number": m["number"]}
                                            for m in sorted(decode(r.matters), key=lambda m: m["link"])])
                   for r in found.items]
    return found


def list_query(args: dict, *, aimed_at: int | None = None):
    """The center's list (every record it may see) or a unit's (`aimed_at`: what is asked of it)."""
    stmt = select(Supervision)
    if aimed_at is not None:
        stmt = stmt.where(Supervision.target_unit_id == aimed_at)
    if args.get("level"):
        stmt = stmt.where(Supervision.level == args["level"])
    if args.get("state"):
        stmt = stmt.where(Supervision.state == args["state"])
    elif args.get("open_only"):
        stmt = stmt.where(Supervision.state.in_(OPEN_STATES))
    if args.get("target_unit_id"):
        stmt = stmt.where(Supervision.target_unit_id == args["target_unit_id"])
    if args.get("overdue_feedback"):
        stmt = stmt.where(Supervision.state.in_(("issued", "received")), Supervision.feedback_due_on < local_today())
    if args.get("petition_id"):
        stmt = stmt.where(Supervision.id.in_(select(SupervisionPetition.supervision_id)
                                             .where(SupervisionPetition.petition_id == args["petition_id"])))
    return stmt.order_by(*LIST_ORDER)


def matters_of(records) -> dict[int, list[dict]]:
    """Numbers of the matters of several records in one query (only matters the reader may see)."""
    from county_net.petitions.models import Petition

    ids = [r.id for r in records]
    if not ids:
        return {}
    rows = db.session.execute(select(SupervisionPetition.supervision_id, Petition.id, Petition.number)
                              .join(Petition, Petition.id == SupervisionPetition.petition_id)
                              .where(SupervisionPetition.supervision_id.in_(ids)).order_by(SupervisionPetition.id))
    out: dict[int, list[dict]] = {i: [] for i in ids}
    for row in rows:
        out[row.supervision_id].append({"id": row.id, "number": row.number})
    return out


def present(record: Supervision, matters: list[dict] | None = None, today: date | None = None) -> dict:
    today = today or local_today()
    if matters is None:
        matters = matters_of([record])[record.id]
    answering = record.state in ("issued", "received")
    return {
        "id": record.id, "number": record.number, "version": record.version,
        "level": record.level, "level_label": LEVELS[record.level],
        "is_priority": record.is_priority, "is_listed": record.is_listed,
        "method": record.method, "method_label": METHODS[record.method],
        "problem": record.problem, "problem_label": PROBLEMS[record.problem],
        "state": record.state, "state_label": STATES[record.state],
        "source": record.source, "source_label": SOURCES[record.source],
        "unit_id": record.unit_id, "unit_name": _name(record.unit_id),
        "target_unit_id": record.target_unit_id, "target_unit_name": _name(record.target_unit_id),
        "content": record.content, "required_action": record.required_action,
        "feedback_due_on": record.feedback_due_on, "feedback_overdue": answering and record.feedback_due_on < today,
        "issued_at": record.issued_at, "approved_at": record.approved_at,
        "approved_by": _user_name(record.approved_by_id), "received_at": record.received_at,
        "feedback": record.feedback, "feedback_at": record.feedback_at, "review_note": record.review_note,
        "reviewed_at": record.reviewed_at, "rework_count": record.rework_count, "closed_at": record.closed_at,
        "cancelled_at": record.cancelled_at, "cancelled_reason": record.cancelled_reason,
        "created_at": record.created_at, "matters": matters,
    }


def _user_name(user_id) -> str | None:
    if user_id is None:
        return None
    known = g.get("_supervision_user_names", {}) if has_request_context() else {}
    if user_id in known:
        return known[user_id]
    from county_net.accounts.models import User
    from county_net.tenancy import system_scope

    with system_scope("supervision approver name"):
        return db.session.scalar(select(User.name).where(User.id == user_id))


def _preload_user_names(user_ids) -> None:
    """The names `_user_name` will ask for, in one statement for a whole page."""
    if not user_ids or not has_request_context():
        return
    from county_net.accounts.models import User
    from county_net.tenancy import system_scope

    with system_scope("supervision approver name"):
        found = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(sorted(user_ids)))).all())
    g.setdefault("_supervision_user_names", {}).update({i: found.get(i) for i in user_ids})


def timeline(record: Supervision) -> list[dict]:
    rows = db.session.scalars(select(SupervisionEvent).where(SupervisionEvent.supervision_id == record.id)
                              .order_by(SupervisionEvent.id))
    return [{"id": e.id, "kind": e.kind, "from_state": e.from_state, "to_state": e.to_state,
             "from_level": e.from_level, "to_level": e.to_level, "actor_name": e.actor_name,
             "actor_unit_name": _name(e.actor_unit_id) if e.actor_unit_id else None, "occurred_at": e.occurred_at,
             "note": e.note, "payload": json.loads(e.payload or "{}")} for e in rows]


def available(actor, record: Supervision) -> list[str]:
    """The actions this user may take now (the services check again)."""
    from county_net.supervision.services import is_center_actor

    mine: list[str] = []
    center = is_center_actor(actor) and record.unit_id == actor.unit_id
    if center and record.state == "pending_approval" and actor.has_role("head"):
        mine.append("approve")
    if actor.unit_id == record.target_unit_id:
        if record.state == "issued" and actor.has_role("receptionist", "head"):
            mine.append("receive")
        if record.state == "received" and actor.has_role("head"):
            mine.append("feedback")
    if center and actor.has_role("receptionist", "head"):
        if record.state == "feedback_submitted":
            mine += ["accept", "return"]
        if record.state == "accepted":
            mine.append("close")
        if record.state in ("issued", "received", "feedback_submitted"):
            mine.append("escalate")
        if record.state in OPEN_STATES:
            mine.append("cancel")
    return mine


# ---- clocks as screens show them ----------------------------------------------------------------------

def clock_view(row, today: date) -> dict:
    marks = clocks.marks_of(row)
    level = clocks.level_on(row.step, marks, today)
    return {"petition_id": row.petition_id, "step": row.step, "step_label": CLOCK_STEPS[row.step],
            "unit_id": row.unit_id, "unit_name": _name(row.unit_id), "started_on": row.started_on,
            "extension_days": row.extension_days, "due_on": row.due_on, "warn_on": marks.warn_on,
            "yellow_on": marks.yellow_on, "red_on": marks.red_on, "overdue_on": marks.overdue_on,
            "level": level, "level_label": CLOCK_MARKS[level]}


def clocks_of(petition_id: int, today: date | None = None, rows=None) -> list[dict]:
    """`rows`: the clocks the matter page read in its one statement (petitions/page.py), if it did."""
    today = today or local_today()
    if rows is None:
        rows = db.session.scalars(select(SupervisionClock).where(SupervisionClock.petition_id == petition_id))
    else:
        rows = [SimpleNamespace(**r) for r in rows]
    return [clock_view(r, today) for r in sorted(rows, key=lambda r: r.step)]


_CLOCK_COLUMNS = ("id", "petition_id", "step", "unit_id", "started_on", "extension_days", "due_on", "warn_on",
                  "yellow_on", "red_on", "overdue_on")


@page.part("supervision_clocks")
def _clocks_part(actor, petition):
    return json_rows({c: getattr(SupervisionClock, c) for c in _CLOCK_COLUMNS},
                     SupervisionClock.petition_id == petition.id)


PANEL_RECORDS = 20


@page.part("supervision_records")
def _records_part(actor, petition):
    """The records on the matter the reader may see, for the page's panel (the numbers and levels only)."""
    on_matter = (select(SupervisionPetition.supervision_id).where(SupervisionPetition.petition_id == petition.id)
                 .scalar_subquery())
    return json_rows({"id": Supervision.id, "created_at": Supervision.created_at, "level": Supervision.level,
                      "state": Supervision.state, "target_unit_id": Supervision.target_unit_id,
                      "feedback_due_on": Supervision.feedback_due_on},
                     Supervision.id.in_(on_matter))


def panel_records(rows: list[dict]) -> list[dict]:
    """The panel's lines from the page's part, in the list's order (feedback day, newest first)."""
    rows = sorted(rows, key=lambda r: -r["id"])
    rows = sorted(rows, key=lambda r: r["feedback_due_on"] or date.max)[:PANEL_RECORDS]
    return [{"id": r["id"], "number": supervision_number(r["id"], r["created_at"]), "level_label": LEVELS[r["level"]],
             "target_unit_name": _name(r["target_unit_id"]), "state_label": STATES[r["state"]]} for r in rows]


def _late_units_grouped(county_unit_id: int, today: date):
    red = func.sum(case((SupervisionClock.red_on <= today, 1), else_=0))
    return (select(SupervisionClock.unit_id, func.count().label("yellow"), red.label("red"))
            .where(SupervisionClock.county_unit_id == county_unit_id, SupervisionClock.yellow_on <= today)
            .group_by(SupervisionClock.unit_id))


def late_units(county_unit_id: int, today: date | None = None, rows=None) -> list[dict]:
    """Every unit with a card due now, worst first: counted from the clocks' dates (index on the county and
    the yellow day), so it is right before the sweep has run. `rows`: read already (`dashboard`)."""
    today = today or local_today()
    if rows is None:
        rows = db.session.execute(_late_units_grouped(county_unit_id, today)).all()
    out = [{"unit_id": r.unit_id, "unit_name": _name(r.unit_id), "cards": r.yellow, "red": int(r.red or 0),
            "yellow": r.yellow - int(r.red or 0)} for r in rows]
    return sorted(out, key=lambda u: (-u["red"], -u["cards"], u["unit_name"]))


def dashboard(county_unit_id: int, today: date | None = None) -> dict:
    """What the center's list shows beside the records (late units, open records by level, the scores), in one
    statement: each grouped read as a JSON array, every part through the same tenant criteria."""
    today = today or local_today()
    parts = {"late": _late_units_grouped(county_unit_id, today), "levels": _open_by_level_grouped(county_unit_id),
             "scores": _scores_grouped(county_unit_id)}
    arrays = {}
    for name, grouped in parts.items():
        found = grouped.subquery()
        arrays[name] = json_rows({c.key: c for c in found.c}, select_from=found)
    values = db.session.execute(select(*(array for array, _ in arrays.values()))).one()
    read = {name: [SimpleNamespace(**r) for r in decode(value)]
            for (name, (_, decode)), value in zip(arrays.items(), values)}
    return {"late": late_units(county_unit_id, today, read["late"]),
            "by_level": open_by_level(county_unit_id, read["levels"]),
            "scores": scores(county_unit_id, rows=read["scores"])}


def late_clocks(county_unit_id: int, unit_id: int | None = None, today: date | None = None, limit: int = 200):
    from county_net.petitions.models import Petition

    today = today or local_today()
    stmt = (select(SupervisionClock, Petition.number).join(Petition, Petition.id == SupervisionClock.petition_id)
            .where(SupervisionClock.county_unit_id == county_unit_id, SupervisionClock.yellow_on <= today)
            .order_by(SupervisionClock.yellow_on).limit(limit))
    if unit_id:
        stmt = stmt.where(SupervisionClock.unit_id == unit_id)
    return [{**clock_view(row, today), "number": number} for row, number in db.session.execute(stmt)]


def _scores_grouped(county_unit_id: int, since: date | None = None, until: date | None = None):
    stmt = (select(SupervisionScore.unit_id, SupervisionScore.reason, func.count().label("n"),
                   func.sum(SupervisionScore.points).label("points"))
            .where(SupervisionScore.county_unit_id == county_unit_id))
    if since:
        stmt = stmt.where(SupervisionScore.occurred_on >= since)
    if until:
        stmt = stmt.where(SupervisionScore.occurred_on <= until)
    return stmt.group_by(SupervisionScore.unit_id, SupervisionScore.reason)


def scores(county_unit_id: int, since: date | None = None, until: date | None = None, rows=None) -> list[dict]:
    """The ledger per unit and reason (for the statistics capability and the center's page)."""
    if rows is None:
        rows = db.session.execute(_scores_grouped(county_unit_id, since, until)).all()
    totals: dict[int, dict] = {}
    for row in rows:
        unit = totals.setdefault(row.unit_id, {"unit_id": row.unit_id, "unit_name": _name(row.unit_id),
                                               "total": 0, **{r: 0 for r in SCORE_REASONS}})
        unit[row.reason] = row.n
        unit["total"] += int(row.points or 0)
    return sorted(totals.values(), key=lambda u: (u["total"], u["unit_name"]))


def _open_by_level_grouped(county_unit_id: int):
    return (select(Supervision.level, func.count().label("n")).where(
        Supervision.county_unit_id == county_unit_id, Supervision.state.in_(OPEN_STATES))
        .group_by(Supervision.level))


def open_by_level(county_unit_id: int, rows=None) -> dict[str, int]:
    if rows is None:
        rows = db.session.execute(_open_by_level_grouped(county_unit_id)).all()
    counts = {r.level: r.n for r in rows}
    return {level: counts.get(level, 0) for level in LEVELS}
