"""Reads: every statement goes through the scoped session, so a meeting or task out of reach is 404."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from flask import g, has_request_context
from sqlalchemy import case, func, select

from county_net.core.jsonrows import json_rows
from county_net.core.pagination import Page, paginate_rows
from county_net.core.timeutil import COUNTY_TZ, local_today
from county_net.coordination import services
from county_net.coordination.models import STATES as MEETING_STATES
from county_net.coordination.models import TASK_STATES
from county_net.coordination.models import (KINDS, PARTS, CoordinationMeeting, MeetingAttendee, MeetingDecision,
                                            MeetingInvitation, MeetingMatter, MeetingTask)
from county_net.extensions import db
from county_net.petitions import page
from county_net.petitions.models import Petition
from county_net.petitions.workflow import state_label
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info


def get_meeting(meeting_id: int) -> CoordinationMeeting:
    cache = g.setdefault("_meetings", {}) if has_request_context() else {}
    if meeting_id not in cache:
        cache[meeting_id] = db.one_or_404(select(CoordinationMeeting).where(CoordinationMeeting.id == meeting_id))
    return cache[meeting_id]


def get_task(task_id: int) -> MeetingTask:
    cache = g.setdefault("_meeting_tasks", {}) if has_request_context() else {}
    if task_id not in cache:
        cache[task_id] = db.one_or_404(select(MeetingTask).where(MeetingTask.id == task_id))
    return cache[task_id]


def _name(unit_id: int | None) -> str:
    unit = unit_info(unit_id)
    return unit.name if unit else ""


def _ref(unit_id: int | None) -> dict | None:
    return {"id": unit_id, "name": _name(unit_id)} if unit_id else None


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, COUNTY_TZ)


def _is_staff(actor) -> bool:
    return actor.has_role(*services.STAFF)


def meeting_actions(actor, meeting: CoordinationMeeting) -> list[str]:
    if not _is_staff(actor) or actor.unit_id != meeting.unit_id:
        return []
    names = {"planned": ["invite", "minutes", "cancel"], "held": ["invite", "minutes", "task", "close"],
             "closed": [], "cancelled": []}[meeting.state]
    if (meeting.kind == "briefing" and meeting.recurrence and meeting.state in ("held", "closed")
            and db.session.scalar(select(CoordinationMeeting.id)
                                  .where(CoordinationMeeting.previous_id == meeting.id)) is None):
        names.append("next")
    return names


def task_actions(actor, task: MeetingTask, convener_unit_id: int) -> list[str]:
    if not _is_staff(actor):
        return []
    if task.state == "open" and actor.unit_id == task.assignee_unit_id:
        return ["report"]
    if task.state == "reported" and actor.unit_id == convener_unit_id:
        return ["accept", "return"]
    return []


def task_view(actor, task: MeetingTask, meeting: CoordinationMeeting, today: date | None = None) -> dict:
    return {"id": task.id, "meeting_id": meeting.id, "meeting_title": meeting.title, "decision_id": task.decision_id,
            "assignee_unit_id": task.assignee_unit_id, "assignee_unit": _name(task.assignee_unit_id),
            "content": task.content, "due_on": task.due_on, "state": task.state, "state_label": task.state_label,
            "overdue": services.is_overdue(task, today), "report": task.report, "reported_at": task.reported_at,
            "return_reason": task.return_reason, "done_at": task.done_at, "version": task.version,
            "actions": task_actions(actor, task, meeting.unit_id)}


def present(actor, meeting: CoordinationMeeting) -> dict:
    invitations = {}
    with system_scope("meeting guest list"):  # the meeting is in scope: its guest list is shown whole
        for row in db.session.scalars(select(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting.id)
                                      .order_by(MeetingInvitation.id)):
            invitations[row.invited_unit_id] = row
    # Matters: only those the reader may see now (the scoped join); an invited unit loses them after the meeting.
    matters = db.session.execute(select(Petition.id, Petition.number, Petition.summary, Petition.state)
                                 .join(MeetingMatter, MeetingMatter.petition_id == Petition.id)
                                 .where(MeetingMatter.meeting_id == meeting.id).order_by(MeetingMatter.id)).all()
    attendees = db.session.scalars(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id)
                                   .order_by(MeetingAttendee.position)).all()
    decisions = db.session.scalars(select(MeetingDecision).where(MeetingDecision.meeting_id == meeting.id)
                                   .order_by(MeetingDecision.position)).all()
    tasks = db.session.scalars(select(MeetingTask).where(MeetingTask.meeting_id == meeting.id)
                               .order_by(MeetingTask.due_on, MeetingTask.id)).all()
    today = local_today()
    following = meeting.recurrence and meeting.state != "cancelled"
    return {
        "id": meeting.id, "kind": meeting.kind, "kind_label": meeting.kind_label, "title": meeting.title,
        "state": meeting.state, "state_label": meeting.state_label, "starts_at": meeting.starts_at,
        "place": meeting.place, "convener_name": meeting.convener_name, "convener_unit": _ref(meeting.unit_id),
        "target_unit": _ref(meeting.target_unit_id), "recurrence": meeting.recurrence,
        "next_starts_at": services.next_date(meeting) if following else None, "previous_id": meeting.previous_id,
        "topics": meeting.topics, "minutes": meeting.minutes, "lead_unit": _ref(meeting.lead_unit_id),
        "held_at": meeting.held_at, "closed_at": meeting.closed_at, "cancelled_at": meeting.cancelled_at,
        "cancel_reason": meeting.cancel_reason,
        "invited": [{"unit_id": uid, "unit_name": _name(uid), "part": row.part, "part_label": PARTS[row.part],
                     "trained_count": row.trained_count} for uid, row in invitations.items()],
        "matters": [{"id": m.id, "number": m.number, "summary": m.summary[:80], "state_label": state_label(m.state)}
                    for m in matters],
        "attendees": [{"name": a.name, "post": a.post, "unit_id": a.attendee_unit_id,
                       "unit_name": _name(a.attendee_unit_id)} for a in attendees],
        "decisions": [{"id": d.id, "position": d.position, "content": d.content} for d in decisions],
        "tasks": [task_view(actor, t, meeting, today) for t in tasks],
        "actions": meeting_actions(actor, meeting), "version": meeting.version,
    }


MEETING_ORDER = (CoordinationMeeting.starts_at.desc(), CoordinationMeeting.id.desc())


def _meeting_filter(args: dict):
    stmt = select(CoordinationMeeting)
    if args.get("kind"):
        stmt = stmt.where(CoordinationMeeting.kind == args["kind"])
    if args.get("state"):
        stmt = stmt.where(CoordinationMeeting.state == args["state"])
    if args.get("date_from"):
        stmt = stmt.where(CoordinationMeeting.starts_at >= _local_start(args["date_from"]))
    if args.get("date_to"):
        stmt = stmt.where(CoordinationMeeting.starts_at < _local_start(args["date_to"] + timedelta(days=1)))
    return stmt


def _open_tasks(overdue_before: date | None = None):
    """A meeting's open tasks (past their day, when given), counted beside its row."""
    where = [MeetingTask.meeting_id == CoordinationMeeting.id, MeetingTask.state == "open"]
    if overdue_before is not None:
        where.append(MeetingTask.due_on < overdue_before)
    return select(func.count(MeetingTask.id)).where(*where).scalar_subquery()


def list_page(args: dict, page_no, page_size) -> Page:
    """A page of meetings with their open and overdue task counts: one column select (core/pagination)."""
    m = CoordinationMeeting
    found = paginate_rows(_meeting_filter(args), MEETING_ORDER,
                          (m.id, m.kind, m.title, m.state, m.starts_at, m.place, m.unit_id,
                           _open_tasks().label("open_tasks"), _open_tasks(local_today()).label("overdue_tasks")),
                          page_no, page_size)
    found.items = [{"id": r.id, "kind": r.kind, "kind_label": KINDS[r.kind], "title": r.title, "state": r.state,
                    "state_label": MEETING_STATES[r.state], "starts_at": r.starts_at, "place": r.place,
                    "convener_unit": _name(r.unit_id), "open_tasks": r.open_tasks or 0,
                    "overdue_tasks": r.overdue_tasks or 0} for r in found.items]
    return found


def task_query(actor, args: dict):
    """交给本单位的会议任务: assigned to the actor's own unit, open first by due day."""
    stmt = select(MeetingTask).where(MeetingTask.assignee_unit_id == actor.unit_id)
    state = args.get("state")
    if state == "overdue":
        stmt = stmt.where(MeetingTask.state == "open", MeetingTask.due_on < local_today())
    elif state:
        stmt = stmt.where(MeetingTask.state == state)
    return stmt.order_by(*_task_order())


def _task_filter(actor, args: dict):
    return task_query(actor, args).order_by(None)


def _task_order():
    order = case((MeetingTask.state == "open", 0), (MeetingTask.state == "reported", 1), else_=2)
    return order, MeetingTask.due_on, MeetingTask.id


_TASK_COLUMNS = ("id", "meeting_id", "decision_id", "assignee_unit_id", "content", "due_on", "state", "report",
                 "reported_at", "return_reason", "done_at", "version")


def task_page(actor, args: dict, page_no, page_size) -> Page:
    """A page of the unit's tasks with their meetings' titles and conveners, in one column select. The meeting
    is read through its own tenant criteria: a task whose meeting the reader may not see is left out, as
    `task_rows` leaves it out."""
    meeting = lambda column: select(column).where(CoordinationMeeting.id == MeetingTask.meeting_id)  # noqa: E731
    columns = [getattr(MeetingTask, name) for name in _TASK_COLUMNS]
    found = paginate_rows(_task_filter(actor, args), _task_order(),
                          (*columns, meeting(CoordinationMeeting.title).scalar_subquery().label("meeting_title"),
                           meeting(CoordinationMeeting.unit_id).scalar_subquery().label("meeting_unit_id")),
                          page_no, page_size)
    today = local_today()
    found.items = [task_view(actor, SimpleNamespace(**{n: getattr(r, n) for n in _TASK_COLUMNS},
                                                    state_label=TASK_STATES[r.state]),
                             SimpleNamespace(id=r.meeting_id, title=r.meeting_title, unit_id=r.meeting_unit_id),
                             today)
                   for r in found.items if r.meeting_unit_id is not None]
    return found


def task_rows(actor, tasks: list[MeetingTask]) -> list[dict]:
    ids = {t.meeting_id for t in tasks}
    meetings = {m.id: m for m in db.session.scalars(select(CoordinationMeeting)
                                                    .where(CoordinationMeeting.id.in_(ids)))} if ids else {}
    today = local_today()
    return [task_view(actor, t, meetings[t.meeting_id], today) for t in tasks if t.meeting_id in meetings]


def training_figures(date_from: date, date_to: date) -> list[dict]:
    """培训人次 per unit over a period (training held or closed), for the scorecards; units the reader can see."""
    stmt = (select(MeetingInvitation.invited_unit_id, func.count(MeetingInvitation.id).label("sessions"),
                   func.coalesce(func.sum(MeetingInvitation.trained_count), 0).label("trained"))
            .join(CoordinationMeeting, CoordinationMeeting.id == MeetingInvitation.meeting_id)
            .where(CoordinationMeeting.kind == "training", CoordinationMeeting.state.in_(("held", "closed")),
                   CoordinationMeeting.starts_at >= _local_start(date_from),
                   CoordinationMeeting.starts_at < _local_start(date_to + timedelta(days=1)))
            .group_by(MeetingInvitation.invited_unit_id))
    found = [{"unit_id": r.invited_unit_id, "unit_name": _name(r.invited_unit_id), "sessions": r.sessions,
              "trained": int(r.trained)} for r in db.session.execute(stmt)]
    return sorted(found, key=lambda r: (-r["trained"], r["unit_name"]))


def petition_meetings(petition_id: int, petition=None) -> list:
    """The meetings (in the reader's scope) that have this matter on the agenda, latest first; from the matter
    page's one statement when it read them (`petition`: the loaded matter)."""
    rows = page.preloaded(petition, "meetings") if petition is not None else None
    if rows is None:
        return list(db.session.scalars(select(CoordinationMeeting)
                                       .join(MeetingMatter, MeetingMatter.meeting_id == CoordinationMeeting.id)
                                       .where(MeetingMatter.petition_id == petition_id)
                                       .order_by(CoordinationMeeting.starts_at.desc())))
    return [SimpleNamespace(**r, kind_label=KINDS[r["kind"]], state_label=MEETING_STATES[r["state"]])
            for r in sorted(rows, key=lambda r: (r["starts_at"], r["id"]), reverse=True)]


@page.part("meetings")
def _meetings_part(actor, petition):
    return json_rows({"id": CoordinationMeeting.id, "title": CoordinationMeeting.title,
                      "kind": CoordinationMeeting.kind, "state": CoordinationMeeting.state,
                      "starts_at": CoordinationMeeting.starts_at},
                     MeetingMatter.petition_id == petition.id, select_from=CoordinationMeeting,
                     joins=[(MeetingMatter, MeetingMatter.meeting_id == CoordinationMeeting.id)])
