"""The only writers of meetings and their tasks. Each public function is one step: role (403), the unit's part
(409), state (409), version (409), the change, its audit record and notifications, one commit. Matters are
never written here: access to them goes through petitions.services.grant_coordination / end_coordination."""
from __future__ import annotations

import calendar as month_calendar
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from county_net.audit import services as audit
from county_net.core.errors import IllegalTransition, InvalidInput, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.schemas import valid_id
from county_net.core.timeutil import COUNTY_TZ, local_today, to_local
from county_net.coordination.models import (KINDS, OPEN_STATES, RECURRENCES, STATES, TASK_STATES,
                                            CoordinationMeeting, MeetingAttendee, MeetingDecision,
                                            MeetingInvitation, MeetingMatter, MeetingTask)
from county_net.extensions import db
from county_net.petitions import services as petitions
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info

STAFF = ("head", "receptionist")
MAX_UNITS = 60
MAX_MATTERS = 20
MAX_ATTENDEES = 200
MAX_DECISIONS = 50
TASK_DUE_MAX_DAYS = 365  # an input sanity bound: a follow-up task further off is a typing slip


# ---- shared checks -------------------------------------------------------------------------------

def _require_staff(actor, what: str) -> None:
    if not actor.has_role(*STAFF):
        raise RoleRequired(f"“{what}”需要一把手或接访员角色")


def _require_convener(actor, meeting: CoordinationMeeting, what: str) -> None:
    _require_staff(actor, what)
    if actor.unit_id != meeting.unit_id:
        raise IllegalTransition(f"只有召集单位可以{what}")


def _require_state(meeting: CoordinationMeeting, states, what: str) -> None:
    if meeting.state not in states:
        raise IllegalTransition(f"会议处于“{STATES[meeting.state]}”状态，不能{what}")


def _require_version(row, version: int | None) -> None:
    if version is None or version != row.version:
        raise StaleVersion()


def _county_unit(unit_id, field: str, actor, message: str = "只能邀请本县（市、区）的单位"):
    unit = unit_info(unit_id) if valid_id(unit_id) else None
    if unit is None or not unit.is_active or unit.county_id != unit_info(actor.unit_id).county_id:
        raise InvalidInput(fields={field: [message]})
    return unit


def _text(value, field: str, label: str, max_len: int = 8000, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(fields={field: [f"{label}不能超过 {max_len} 字"]})
    return value


def _bump(row) -> None:
    row.version = row.version + 1


def _notify(**kwargs) -> None:
    from county_net.notifications.services import notify

    notify(**kwargs)


def _link(endpoint: str, **values) -> str:
    """A relative URL, also from the command line (the sweep runs outside any request)."""
    from county_net.core.links import relative_url

    return relative_url(endpoint, **values)


def _meeting_link(meeting_id: int) -> str:
    return _link("coordination.detail", meeting_id=meeting_id)


def _tasks_link() -> str:
    return _link("coordination.tasks")


def invited_ids(meeting: CoordinationMeeting) -> list[int]:
    """Every invited unit, in invitation order. The meeting was found in scope, so its guest list may be read
    whole (an invited unit's own criteria show it only its own invitation)."""
    with system_scope("meeting guest list"):
        return list(db.session.scalars(select(MeetingInvitation.invited_unit_id)
                                       .where(MeetingInvitation.meeting_id == meeting.id)
                                       .order_by(MeetingInvitation.id)))


def matter_ids(meeting: CoordinationMeeting) -> list[int]:
    with system_scope("meeting agenda"):
        return list(db.session.scalars(select(MeetingMatter.petition_id).where(MeetingMatter.meeting_id == meeting.id)
                                       .order_by(MeetingMatter.id)))


def _invite(actor, meeting: CoordinationMeeting, unit_ids, matters: list[Petition]) -> list[int]:
    """Invitations, grants on every matter on the agenda, a notice to each unit's inbox. 400 before any write
    for a unit of another county (or, on a 检举控告 matter, the accused unit)."""
    already = set(invited_ids(meeting)) if meeting.id else set()
    new = []
    for unit_id in dict.fromkeys(unit_ids):
        unit = _county_unit(unit_id, "invited_unit_ids", actor)
        if unit.id == meeting.unit_id:
            raise InvalidInput(fields={"invited_unit_ids": ["召集单位无需邀请"]})
        if unit.id not in already:
            new.append(unit.id)
    if len(already) + len(new) > MAX_UNITS:
        raise InvalidInput(fields={"invited_unit_ids": [f"参会单位不能超过 {MAX_UNITS} 个"]})
    for petition in matters:
        petitions.grant_coordination(petition, actor, new)  # raises before anything is flushed
    for unit_id in new:
        db.session.add(MeetingInvitation(meeting_id=meeting.id, unit_id=meeting.unit_id, invited_unit_id=unit_id,
                                         part="invited", invited_at=utcnow()))
    when = to_local(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    for unit_id in new:
        _notify(kind="meeting_invited", event_key=f"meeting:{meeting.id}:invited:{unit_id}", unit_id=unit_id,
                title=f"{KINDS[meeting.kind]}邀请：{meeting.title}", body=f"{when}，{meeting.place}",
                link=_meeting_link(meeting.id), object_type="meeting", object_id=meeting.id, audience="unit")
    return new


def _matters(actor, petition_ids) -> list[Petition]:
    ids = list(dict.fromkeys(petition_ids or []))
    if not ids:
        return []
    if unit_info(actor.unit_id).kind != "county_center":
        raise RoleRequired("只有县信访局可以就信访事项召集协调会、带案下访")
    if len(ids) > MAX_MATTERS:
        raise InvalidInput(fields={"petition_ids": [f"一次会议最多列入 {MAX_MATTERS} 件事项"]})
    found = {p.id: p for p in db.session.scalars(select(Petition).where(Petition.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(fields={"petition_ids": ["事项不存在"]})
    return [found[i] for i in ids]


def _end_access(meeting: CoordinationMeeting) -> None:
    """The meeting is over: its units lose the matters, except where another open meeting still invites them
    to the same matter."""
    units = set(invited_ids(meeting))
    for petition_id in matter_ids(meeting):
        with system_scope("meeting access"):
            still = set(db.session.scalars(
                select(MeetingInvitation.invited_unit_id)
                .join(CoordinationMeeting, CoordinationMeeting.id == MeetingInvitation.meeting_id)
                .join(MeetingMatter, MeetingMatter.meeting_id == CoordinationMeeting.id)
                .where(MeetingMatter.petition_id == petition_id, CoordinationMeeting.id != meeting.id,
                       CoordinationMeeting.state.in_(OPEN_STATES))))
        petitions.end_coordination(petition_id, units - still)


# ---- meetings --------------------------------------------------------------------------------------

def convene(actor, data: dict) -> CoordinationMeeting:
    """召集: a meeting of one kind, with its invited units (and, for 协调会 / 带案下访, the matters)."""
    _require_staff(actor, "安排会议")
    kind = data["kind"]
    if kind not in KINDS:
        raise InvalidInput(fields={"kind": ["会议类型无效"]})
    me = unit_info(actor.unit_id)
    matters = _matters(actor, data.get("petition_ids"))
    invited = list(data.get("invited_unit_ids") or [])
    target = None
    if kind == "coordination":
        if not matters:
            raise InvalidInput(fields={"petition_ids": ["协调会须列明协调的信访事项"]})
        if not invited:
            raise InvalidInput(fields={"invited_unit_ids": ["协调会须邀请至少一个单位"]})
    if kind == "field_visit":
        if not data.get("target_unit_id"):
            raise InvalidInput(fields={"target_unit_id": ["请选择下访的乡镇（街道）"]})
        target = _county_unit(data["target_unit_id"], "target_unit_id", actor, "请选择本县的乡镇（街道）")
        if target.kind != "township":
            raise InvalidInput(fields={"target_unit_id": ["请选择本县的乡镇（街道）"]})
        invited = [target.id, *invited]
    if kind == "training" and not invited:
        raise InvalidInput(fields={"invited_unit_ids": ["请选择参加培训的单位"]})
    recurrence = data.get("recurrence") or None
    if recurrence is not None and (kind != "briefing" or recurrence not in RECURRENCES):
        raise InvalidInput(fields={"recurrence": ["只有信息通报例会可以设定周期"]})
    meeting = CoordinationMeeting(
        unit_id=actor.unit_id, county_unit_id=me.county_id, kind=kind,
        title=_text(data.get("title"), "title", "会议名称", 120), state="planned", starts_at=data["starts_at"],
        place=_text(data.get("place"), "place", "地点", 120),
        convener_name=_text(data.get("convener_name") or actor.name, "convener_name", "召集人", 60),
        convener_user_id=actor.id, target_unit_id=target.id if target else None, recurrence=recurrence,
        previous_id=data.get("previous_id"), topics=_text(data.get("topics"), "topics", "议题", 8000, False),
        minutes="", version=1, created_at=utcnow())
    db.session.add(meeting)
    db.session.flush()
    for petition in matters:
        db.session.add(MeetingMatter(meeting_id=meeting.id, petition_id=petition.id))
    new = _invite(actor, meeting, invited, matters)
    audit.record("meeting.convened", actor=actor, target_type="meeting", target_id=meeting.id,
                 detail={"kind": KINDS[kind], "title": meeting.title, "count": len(new),
                         "petition": ", ".join(p.number for p in matters) or None})
    db.session.commit()
    return meeting


def invite_units(actor, meeting: CoordinationMeeting, *, version, invited_unit_ids) -> CoordinationMeeting:
    _require_convener(actor, meeting, "邀请参会单位")
    _require_state(meeting, OPEN_STATES, "邀请参会单位")
    _require_version(meeting, version)
    if not invited_unit_ids:
        raise InvalidInput(fields={"invited_unit_ids": ["请选择要邀请的单位"]})
    matters = _matters(actor, matter_ids(meeting)) if matter_ids(meeting) else []
    new = _invite(actor, meeting, invited_unit_ids, matters)
    _bump(meeting)
    audit.record("meeting.units_invited", actor=actor, target_type="meeting", target_id=meeting.id,
                 detail={"count": len(new)})
    db.session.commit()
    return meeting


def _guest_units(meeting: CoordinationMeeting) -> set[int]:
    return {meeting.unit_id, *invited_ids(meeting)}


def record_minutes(actor, meeting: CoordinationMeeting, *, version, minutes, attendees=(), decisions=(),
                   lead_unit_id=None, co_unit_ids=(), trained=(), held_at=None, topics=None) -> CoordinationMeeting:
    """会议纪要: who came, what was said and decided, the lead unit and co-units; for 培训 the 人次 trained per
    unit. The meeting is then held; the minutes may be corrected until it is closed."""
    _require_convener(actor, meeting, "记录会议纪要")
    _require_state(meeting, OPEN_STATES, "记录会议纪要")
    _require_version(meeting, version)
    minutes = _text(minutes, "minutes", "会议纪要", 20000)
    guests = _guest_units(meeting)
    invited = set(invited_ids(meeting))
    people = []
    for index, person in enumerate(attendees or []):
        unit_id = person.get("unit_id")
        if unit_id not in guests:
            raise InvalidInput(fields={"attendees": {str(index): {"unit_id": ["须为召集单位或受邀单位"]}}})
        people.append(person)
    if len(people) > MAX_ATTENDEES or len(decisions or ()) > MAX_DECISIONS:
        raise InvalidInput(fields={"attendees": [f"参会人员不能超过 {MAX_ATTENDEES} 人，决定事项不能超过 {MAX_DECISIONS} 条"]})
    if lead_unit_id is not None and lead_unit_id not in guests:
        raise InvalidInput(fields={"lead_unit_id": ["牵头单位须为召集单位或受邀单位"]})
    co = list(dict.fromkeys(co_unit_ids or []))
    if any(u not in invited or u == lead_unit_id for u in co):
        raise InvalidInput(fields={"co_unit_ids": ["配合单位须为受邀单位，且不是牵头单位"]})
    counts = {}
    for index, row in enumerate(trained or []):
        if meeting.kind != "training":
            raise InvalidInput(fields={"trained": ["只有培训记录培训人次"]})
        if row.get("unit_id") not in invited:
            raise InvalidInput(fields={"trained": {str(index): {"unit_id": ["须为参加培训的单位"]}}})
        counts[row["unit_id"]] = row["count"]
    texts = [_text(d, "decisions", "决定事项", 4000) for d in decisions or ()]
    existing = list(db.session.scalars(select(MeetingDecision).where(MeetingDecision.meeting_id == meeting.id)
                                       .order_by(MeetingDecision.position)))
    tasked = set(db.session.scalars(select(MeetingTask.decision_id).where(MeetingTask.meeting_id == meeting.id,
                                                                          MeetingTask.decision_id.is_not(None))))
    if any(d.id in tasked for d in existing[len(texts):]):
        raise IllegalTransition("已交办任务的决定事项不能删除")
    for position, content in enumerate(texts):
        if position < len(existing):
            existing[position].content = content
        else:
            db.session.add(MeetingDecision(meeting_id=meeting.id, position=position, content=content))
    for surplus in existing[len(texts):]:
        db.session.delete(surplus)
    for old in db.session.scalars(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id)):
        db.session.delete(old)
    for position, person in enumerate(people):
        db.session.add(MeetingAttendee(meeting_id=meeting.id, position=position, name=person["name"].strip(),
                                       post=(person.get("post") or "").strip(), attendee_unit_id=person["unit_id"]))
    with system_scope("meeting guest list"):
        for invitation in db.session.scalars(select(MeetingInvitation)
                                             .where(MeetingInvitation.meeting_id == meeting.id)):
            uid = invitation.invited_unit_id
            invitation.part = "lead" if uid == lead_unit_id else "co" if uid in co else "invited"
            if meeting.kind == "training":
                invitation.trained_count = counts.get(uid, invitation.trained_count)
        db.session.flush()
    meeting.minutes = minutes
    if topics is not None:
        meeting.topics = _text(topics, "topics", "议题", 8000, False)
    meeting.lead_unit_id = lead_unit_id
    meeting.held_at = held_at or meeting.held_at or utcnow()
    first = meeting.state == "planned"
    meeting.state = "held"
    _bump(meeting)
    audit.record("meeting.minutes_recorded", actor=actor, target_type="meeting", target_id=meeting.id,
                 detail={"count": len(people), "updated": not first})
    db.session.commit()
    return meeting


def close_meeting(actor, meeting: CoordinationMeeting, *, version) -> CoordinationMeeting:
    """结束: the minutes stand; the invited units lose access to the matters (the tasks go on)."""
    _require_convener(actor, meeting, "结束会议")
    _require_state(meeting, ("held",), "结束会议")
    _require_version(meeting, version)
    _end_access(meeting)
    meeting.state = "closed"
    meeting.closed_at = utcnow()
    _bump(meeting)
    audit.record("meeting.closed", actor=actor, target_type="meeting", target_id=meeting.id)
    db.session.commit()
    return meeting


def cancel_meeting(actor, meeting: CoordinationMeeting, *, version, reason) -> CoordinationMeeting:
    _require_convener(actor, meeting, "取消会议")
    _require_state(meeting, ("planned",), "取消会议")
    _require_version(meeting, version)
    reason = _text(reason, "reason", "取消原因", 2000)
    _end_access(meeting)
    meeting.state = "cancelled"
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = reason
    _bump(meeting)
    for unit_id in invited_ids(meeting):
        _notify(kind="meeting_cancelled", event_key=f"meeting:{meeting.id}:cancelled:{unit_id}", unit_id=unit_id,
                title=f"会议取消：{meeting.title}", body=reason, link=_meeting_link(meeting.id),
                object_type="meeting", object_id=meeting.id, audience="unit")
    audit.record("meeting.cancelled", actor=actor, target_type="meeting", target_id=meeting.id,
                 detail={"reason": reason})
    db.session.commit()
    return meeting


def next_date(meeting: CoordinationMeeting) -> datetime:
    """The next 信息通报例会 of a series: a week, two or a month on, moved to the next working day of the
    county's calendar (county_net.deadlines) at the same time of day."""
    from county_net.petitions.settings import county_settings

    local = to_local(meeting.starts_at)
    day = local.date()
    if meeting.recurrence == "monthly":
        month = day.month % 12 + 1
        year = day.year + (day.month == 12)
        day = date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))
    else:
        day = day + timedelta(days=14 if meeting.recurrence == "biweekly" else 7)
    day = county_settings(meeting.county_unit_id).calendar().next_workday(day)
    return datetime.combine(day, local.timetz()).astimezone(COUNTY_TZ)


def schedule_next(actor, meeting: CoordinationMeeting, *, version) -> CoordinationMeeting:
    """安排下一次例会: the same units, place and topics, on the series' next date."""
    _require_convener(actor, meeting, "安排下一次例会")
    if meeting.kind != "briefing" or not meeting.recurrence:
        raise IllegalTransition("只有设定了周期的信息通报例会可以安排下一次")
    _require_state(meeting, ("held", "closed"), "安排下一次例会")
    _require_version(meeting, version)
    following = db.session.scalar(select(CoordinationMeeting.id).where(CoordinationMeeting.previous_id == meeting.id))
    if following is not None:
        raise IllegalTransition("下一次例会已经安排")
    _bump(meeting)
    db.session.flush()
    return convene(actor, {"kind": "briefing", "title": meeting.title, "starts_at": next_date(meeting),
                           "place": meeting.place, "convener_name": meeting.convener_name,
                           "topics": meeting.topics, "invited_unit_ids": invited_ids(meeting),
                           "recurrence": meeting.recurrence, "previous_id": meeting.id})


# ---- tasks ---------------------------------------------------------------------------------------

def add_task(actor, meeting: CoordinationMeeting, *, version, assignee_unit_id, content, due_on,
             decision_id=None) -> MeetingTask:
    """交办会议任务 to a unit at the meeting, with a day to report back by."""
    _require_convener(actor, meeting, "交办会议任务")
    _require_state(meeting, ("held",), "交办会议任务")
    _require_version(meeting, version)
    if assignee_unit_id not in _guest_units(meeting):
        raise InvalidInput(fields={"assignee_unit_id": ["承办单位须为召集单位或受邀单位"]})
    content = _text(content, "content", "任务内容", 4000)
    today = local_today()
    if due_on is None or due_on <= today or due_on > today + timedelta(days=TASK_DUE_MAX_DAYS):
        raise InvalidInput(fields={"due_on": [f"请设定今天之后 {TASK_DUE_MAX_DAYS} 日内的完成日期"]})
    if decision_id is not None and db.session.scalar(select(MeetingDecision.id).where(
            MeetingDecision.id == decision_id, MeetingDecision.meeting_id == meeting.id)) is None:
        raise InvalidInput(fields={"decision_id": ["不是本次会议的决定事项"]})
    task = MeetingTask(meeting_id=meeting.id, decision_id=decision_id, assignee_unit_id=assignee_unit_id,
                       content=content, due_on=due_on, state="open", report="", overdue_notified=False, version=1,
                       created_at=utcnow())
    db.session.add(task)
    _bump(meeting)
    db.session.flush()
    _notify(kind="task_assigned", event_key=f"task:{task.id}:assigned", unit_id=assignee_unit_id,
            title=f"会议交办任务：{meeting.title}", body=f"{content[:80]}（{due_on.isoformat()} 前报告）",
            link=_tasks_link(), object_type="meeting_task", object_id=task.id, audience="unit")
    audit.record("meeting.task_added", actor=actor, target_type="meeting", target_id=meeting.id,
                 detail={"unit": unit_info(assignee_unit_id).name, "due_on": due_on.isoformat()})
    db.session.commit()
    return task


def _task_meeting(task: MeetingTask) -> CoordinationMeeting:
    return db.session.get(CoordinationMeeting, task.meeting_id)


def report_task(actor, task: MeetingTask, *, version, report) -> MeetingTask:
    """The task's unit reports what it did (回告)."""
    _require_staff(actor, "报告任务完成情况")
    if actor.unit_id != task.assignee_unit_id:
        raise IllegalTransition("只有承办单位可以报告任务完成情况")
    if task.state != "open":
        raise IllegalTransition(f"任务处于“{TASK_STATES[task.state]}”状态，不能报告")
    _require_version(task, version)
    task.report = _text(report, "report", "完成情况", 8000)
    task.state = "reported"
    task.reported_at = utcnow()
    task.reported_by_id = actor.id
    task.return_reason = None
    _bump(task)
    meeting = _task_meeting(task)
    _notify(kind="task_reported", event_key=f"task:{task.id}:reported:{task.version}",
            unit_id=meeting.unit_id, title=f"会议任务已报告：{meeting.title}",
            body=f"{unit_info(task.assignee_unit_id).name}：{task.report[:80]}", link=_meeting_link(meeting.id),
            object_type="meeting_task", object_id=task.id, audience="unit")
    audit.record("meeting.task_reported", actor=actor, target_type="meeting", target_id=meeting.id)
    db.session.commit()
    return task


def _decide_task(actor, task: MeetingTask, version, what: str) -> CoordinationMeeting:
    meeting = _task_meeting(task)
    _require_convener(actor, meeting, what)
    if task.state != "reported":
        raise IllegalTransition(f"任务处于“{TASK_STATES[task.state]}”状态，不能{what}")
    _require_version(task, version)
    return meeting


def accept_task(actor, task: MeetingTask, *, version) -> MeetingTask:
    meeting = _decide_task(actor, task, version, "确认任务完成")
    task.state = "done"
    task.done_at = utcnow()
    _bump(task)
    audit.record("meeting.task_accepted", actor=actor, target_type="meeting", target_id=meeting.id)
    db.session.commit()
    return task


def return_task(actor, task: MeetingTask, *, version, reason) -> MeetingTask:
    meeting = _decide_task(actor, task, version, "退回任务")
    task.return_reason = _text(reason, "reason", "退回理由", 2000)
    task.state = "open"
    _bump(task)
    _notify(kind="task_returned", event_key=f"task:{task.id}:returned:{task.version}",
            unit_id=task.assignee_unit_id, title=f"会议任务被退回：{meeting.title}", body=task.return_reason,
            link=_tasks_link(), object_type="meeting_task", object_id=task.id, audience="unit")
    audit.record("meeting.task_returned", actor=actor, target_type="meeting", target_id=meeting.id,
                 detail={"reason": task.return_reason})
    db.session.commit()
    return task


def is_overdue(task: MeetingTask, today: date | None = None) -> bool:
    """Computed on read: open past its day. A reported task waits on the convener, not on the unit."""
    return task.state == "open" and task.due_on < (today or local_today())


def sweep_tasks(today: date | None = None, batch: int = 500) -> dict:
    """Daily: each task that has become overdue notifies its unit and the convening unit once. Reruns and a
    rerun after a crash send nothing twice (stable event keys; the flag is set in the same commit). Runs in
    system scope; costs time in proportion to the tasks that became overdue, not to all tasks."""
    today = today or local_today()
    notified = 0
    while True:
        rows = db.session.execute(
            select(MeetingTask.id, MeetingTask.assignee_unit_id, MeetingTask.content, MeetingTask.due_on,
                   CoordinationMeeting.id.label("meeting_id"), CoordinationMeeting.unit_id.label("convener_id"),
                   CoordinationMeeting.title)
            .join(CoordinationMeeting, CoordinationMeeting.id == MeetingTask.meeting_id)
            .where(MeetingTask.state == "open", MeetingTask.overdue_notified.is_(False), MeetingTask.due_on < today)
            .order_by(MeetingTask.id).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            unit = unit_info(row.assignee_unit_id)
            for recipient in dict.fromkeys((row.assignee_unit_id, row.convener_id)):
                _notify(kind="task_overdue", event_key=f"task:{row.id}:overdue", unit_id=recipient,
                        title=f"会议任务已超期：{row.title}",
                        body=f"{unit.name if unit else ''}：{row.content[:80]}（应于 {row.due_on.isoformat()} 前完成）",
                        link=_tasks_link() if recipient == row.assignee_unit_id else _meeting_link(row.meeting_id),
                        object_type="meeting_task", object_id=row.id, audience="unit")
        # A bulk UPDATE: the flag is the sweep's, not a change the version should announce to open forms.
        db.session.execute(update(MeetingTask).where(MeetingTask.id.in_([r.id for r in rows]))
                           .values(overdue_notified=True).execution_options(synchronize_session=False))
        db.session.commit()
        notified += len(rows)
    return {"notified": notified}
