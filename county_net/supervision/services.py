"""The only writers of supervision records. Each public function is one transition: role (403), tenant (the
caller loaded the record through the scoped query: 404), state (409), version (409); it writes the record's
event and the notification, and commits once. Matters are only read here, never written."""
from __future__ import annotations

import json
from datetime import date, timedelta

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from county_net.audit import services as audit
from county_net.core.errors import IllegalTransition, InvalidInput, NotVisible, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.timeutil import cn_date, local_today
from county_net.extensions import db
from county_net.supervision.models import (APPROVED_METHODS, LEVEL_RANK, LEVELS, METHODS, OPEN_STATES, PROBLEMS,
                                          STATES, Supervision, SupervisionEvent, SupervisionPetition)
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info

MAX_MATTERS = 50
FEEDBACK_MAX_DAYS = 90  # an input sanity bound for the answer date, not a legal window
CLERK = ("receptionist", "head")


# ---- shared -------------------------------------------------------------------------------------------

def link(endpoint: str, **values) -> str:
    """A relative URL, inside a request or outside one (the sweep runs from the command line or a worker)."""
    if has_request_context():
        return url_for(endpoint, _external=False, **values)
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return adapter.build(endpoint, values, force_external=False)


def is_center_actor(actor) -> bool:
    info = unit_info(getattr(actor, "unit_id", None))
    return info is not None and info.kind == "county_center"


def _require_center(actor, roles=CLERK, what: str = "督办") -> None:
    if not is_center_actor(actor):
        raise RoleRequired(f"{what}由县信访局（联合接待中心）办理")
    if not actor.has_role(*roles):
        names = "一把手" if roles == ("head",) else "接访员或一把手"
        raise RoleRequired(f"{what}需要县信访局{names}角色")


def _require_target(actor, record: Supervision, roles=CLERK, what: str = "答复督办") -> None:
    if actor.unit_id != record.target_unit_id:
        raise IllegalTransition(f"该督办不是督办本单位的，不能{what}")
    if not actor.has_role(*roles):
        raise RoleRequired(f"{what}需要被督办单位{'一把手' if roles == ('head',) else '接访员或一把手'}角色")


def _check(record: Supervision, sources: set[str], version: int | None, what: str) -> None:
    if record.state not in sources:
        raise IllegalTransition(f"督办处于“{STATES[record.state]}”状态，不能{what}")
    if version is None or version != record.version:
        raise StaleVersion()


def _event(record: Supervision, actor, kind: str, from_state: str | None, *, note: str = "",
           from_level: str | None = None, payload: dict | None = None) -> None:
    db.session.add(SupervisionEvent(
        supervision_id=record.id, kind=kind, from_state=from_state, to_state=record.state,
        from_level=from_level or record.level, to_level=record.level,
        actor_id=getattr(actor, "id", None), actor_name=_actor_name(actor),
        actor_unit_id=getattr(actor, "unit_id", None), occurred_at=utcnow(), note=note or "",
        payload=json.dumps(payload or {}, ensure_ascii=False, default=str)))


def _actor_name(actor) -> str:
    if actor is None:
        return "系统"
    return getattr(actor, "name", None) or str(getattr(actor, "username", "系统"))


def _text(value: str | None, field: str, label: str, max_len: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(fields={field: [f"{label}不能超过 {max_len} 字"]})
    return value


def notify_target(record: Supervision, *, kind: str, key: str, title: str, body: str = "") -> None:
    """The target unit's head (一把手) answers for a supervision: it reaches the heads and no one else."""
    from county_net.notifications.services import notify

    notify(kind=kind, event_key=f"supervision:{record.id}:{key}", unit_id=record.target_unit_id, title=title,
           body=body, link=link("supervision.detail", supervision_id=record.id), object_type="supervision",
           object_id=record.id, audience="heads")


def _notify_issuer(record: Supervision, *, kind: str, key: str, title: str, body: str = "") -> None:
    from county_net.notifications.services import notify

    notify(kind=kind, event_key=f"supervision:{record.id}:{key}", unit_id=record.unit_id, title=title, body=body,
           link=link("supervision.detail", supervision_id=record.id), object_type="supervision",
           object_id=record.id, audience="unit")


def _unit_name(unit_id: int | None) -> str:
    info = unit_info(unit_id)
    return info.name if info else "—"


def _announce(record: Supervision) -> None:
    """Issued: the target's heads are told; a yellow or red card is booked on the unit's ledger."""
    label = LEVELS[record.level]
    kind = "supervision_urged" if record.level == "urge" else "supervision_issued"
    notify_target(record, kind=kind, key="issued", title=f"{label}：{record.number}",
                   body=f"请于 {cn_date(record.feedback_due_on)} 前反馈。{record.required_action[:200]}")
    book_level(record, record.level)


def book_level(record: Supervision, level: str, settings=None, petition_id: int | None = None) -> None:
    """A yellow or red card on the target unit's ledger, once per record and level. The sweep names the matter
    (it has it in hand), which spares loading the record's links."""
    if level not in ("yellow", "red"):
        return
    from county_net.supervision.clocks import book
    from county_net.supervision.settings import supervision_settings

    settings = settings or supervision_settings(record.county_unit_id)[0]
    first = petition_id if petition_id is not None else (record.links[0].petition_id if record.links else None)
    book(unit_id=record.target_unit_id, county_unit_id=record.county_unit_id, points=settings[f"score_{level}"],
         reason=level, petition_id=first, supervision_id=record.id, occurred_on=local_today(),
         key=f"supervision:{record.id}:{level}")


# ---- issue --------------------------------------------------------------------------------------------

def _matters(petition_ids) -> list:
    """The matters, each through the caller's scope: one the center cannot see is 404, as if it did not exist."""
    from county_net.petitions.models import Petition
    from county_net.petitions.workflow import OPEN_STATES as PETITION_OPEN

    ids = list(dict.fromkeys(petition_ids or []))
    if not ids:
        raise InvalidInput(fields={"petition_ids": ["请至少选择一件事项"]})
    if len(ids) > MAX_MATTERS:
        raise InvalidInput(fields={"petition_ids": [f"一次最多督办 {MAX_MATTERS} 件事项"]})
    found = {p.id: p for p in db.session.scalars(select(Petition).where(Petition.id.in_(ids)))}
    if set(found) != set(ids):
        raise NotVisible()
    closed = [found[i].number for i in ids if found[i].state not in PETITION_OPEN]
    if closed:
        raise IllegalTransition(f"事项 {'、'.join(closed)} 已办结或终止，不能督办")
    return [found[i] for i in ids]


def _target(actor, target_unit_id) -> object:
    unit = unit_info(target_unit_id) if isinstance(target_unit_id, int) else None
    county = unit_info(actor.unit_id).county_id
    if unit is None or not unit.is_active or unit.county_id != county:
        raise InvalidInput(fields={"target_unit_id": ["被督办单位须为本县（市、区）的单位"]})
    if unit.id == actor.unit_id or unit.kind == "county_center":
        raise InvalidInput(fields={"target_unit_id": ["不能督办县信访局本身"]})
    return unit


def _feedback_due(day: date | None) -> date:
    today = local_today()
    if day is None or day <= today or day > today + timedelta(days=FEEDBACK_MAX_DAYS):
        raise InvalidInput(fields={"feedback_due_on": [f"请设定今天之后 {FEEDBACK_MAX_DAYS} 日内的反馈期限"]})
    return day


def issue_supervision(actor, *, petition_ids, target_unit_id, level, method, problem, content, required_action,
                      feedback_due_on, is_priority=False, is_listed=False, for_approval=False) -> Supervision:
    """督办 (or 催办) one matter or a group. 实地 and 联合 need the county center head's approval: the head
    issues them (and is recorded as approver), or a clerk submits them for approval (`for_approval`)."""
    _require_center(actor, what="下发督办")
    errors = {}
    if level not in LEVELS:
        errors["level"] = ["请选择督办级别"]
    if method not in METHODS:
        errors["method"] = ["请选择督办方式"]
    if problem not in PROBLEMS:
        errors["problem"] = ["请选择督办事由"]
    if errors:
        raise InvalidInput(fields=errors)
    needs_approval = method in APPROVED_METHODS
    is_head = actor.has_role("head")
    if needs_approval and not is_head and not for_approval:
        raise RoleRequired(f"{METHODS[method]}须经县信访局一把手批准：请由一把手签发，或提交一把手审批")
    matters = _matters(petition_ids)
    target = _target(actor, target_unit_id)
    content = _text(content, "content", "督办内容")
    required_action = _text(required_action, "required_action", "工作要求")
    due = _feedback_due(feedback_due_on)
    now = utcnow()
    pending = needs_approval and not is_head
    record = Supervision(
        unit_id=actor.unit_id, county_unit_id=unit_info(actor.unit_id).county_id, target_unit_id=target.id,
        level=level, is_priority=bool(is_priority), is_listed=bool(is_listed), method=method, problem=problem,
        content=content, required_action=required_action, feedback_due_on=due,
        state="pending_approval" if pending else "issued", source="manual", created_by_id=actor.id,
        created_at=now, issued_by_id=None if pending else actor.id, issued_at=None if pending else now,
        approved_by_id=actor.id if needs_approval and is_head else None,
        approved_at=now if needs_approval and is_head else None, version=1)
    record.links = [SupervisionPetition(petition_id=m.id) for m in matters]
    db.session.add(record)
    db.session.flush()
    _event(record, actor, "submit" if pending else "issue", None,
           payload={"matters": [m.number for m in matters], "target": target.name})
    if pending:
        _notify_heads_of_center(record)
    else:
        _announce(record)
    db.session.commit()
    return record


def _notify_heads_of_center(record: Supervision) -> None:
    from county_net.notifications.services import notify

    notify(kind="supervision_issued", event_key=f"supervision:{record.id}:approval", unit_id=record.unit_id,
           title=f"{METHODS[record.method]}待批准：{record.number}", link=link("supervision.detail",
                                                                          supervision_id=record.id),
           object_type="supervision", object_id=record.id, audience="heads")


def approve_supervision(actor, record: Supervision, *, version, note="") -> Supervision:
    """The county center head approves a 实地/联合 督办 and it goes out."""
    _require_center(actor, roles=("head",), what="批准实地督办、联合督办")
    _check(record, {"pending_approval"}, version, "批准")
    now = utcnow()
    record.state, record.approved_by_id, record.approved_at = "issued", actor.id, now
    record.issued_by_id, record.issued_at = actor.id, now
    record.version += 1
    _event(record, actor, "approve", "pending_approval", note=note)
    audit.record("supervision.approved", actor=actor, target_type="supervision", target_id=record.id,
                 detail={"method": METHODS[record.method], "unit": _unit_name(record.target_unit_id)})
    _announce(record)
    db.session.commit()
    return record


# ---- the target answers -------------------------------------------------------------------------------

def receive_supervision(actor, record: Supervision, *, version) -> Supervision:
    """签收: the target unit acknowledges the record."""
    _require_target(actor, record, what="签收督办")
    _check(record, {"issued"}, version, "签收")
    record.state, record.received_by_id, record.received_at = "received", actor.id, utcnow()
    record.version += 1
    _event(record, actor, "receive", "issued")
    db.session.commit()
    return record


def submit_feedback(actor, record: Supervision, *, version, feedback) -> Supervision:
    """反馈: the target unit's head answers what was done (the 一把手 signs it off)."""
    _require_target(actor, record, roles=("head",), what="报送督办反馈")
    if record.state in ("cancelled", "closed"):
        raise IllegalTransition(f"督办已{'撤销' if record.state == 'cancelled' else '办结'}，不能再反馈")
    _check(record, {"received"}, version, "反馈（请先签收）")
    feedback = _text(feedback, "feedback", "反馈内容", 8000)
    record.state, record.feedback, record.feedback_by_id, record.feedback_at = ("feedback_submitted", feedback,
                                                                               actor.id, utcnow())
    record.version += 1
    _event(record, actor, "feedback", "received", note=feedback)
    _notify_issuer(record, kind="supervision_feedback", key=f"feedback:{record.version}",
                   title=f"督办反馈待审核：{record.number}（{_unit_name(record.target_unit_id)}）")
    db.session.commit()
    return record


# ---- the center reviews -------------------------------------------------------------------------------

def accept_feedback(actor, record: Supervision, *, version, note="") -> Supervision:
    _require_center(actor, what="审核督办反馈")
    _check(record, {"feedback_submitted"}, version, "认可反馈")
    record.state, record.reviewed_by_id, record.reviewed_at = "accepted", actor.id, utcnow()
    record.review_note = (note or "").strip() or None
    record.version += 1
    _event(record, actor, "accept", "feedback_submitted", note=note)
    notify_target(record, kind="supervision_reviewed", key=f"accepted:{record.version}",
                   title=f"督办反馈已认可：{record.number}")
    db.session.commit()
    return record


def return_feedback(actor, record: Supervision, *, version, reason) -> Supervision:
    """退回重办: the answer falls short; the target works on (back to 已签收)."""
    _require_center(actor, what="审核督办反馈")
    _check(record, {"feedback_submitted"}, version, "退回反馈")
    reason = _text(reason, "reason", "退回理由")
    record.state, record.reviewed_by_id, record.reviewed_at, record.review_note = ("received", actor.id, utcnow(),
                                                                                   reason)
    record.rework_count += 1
    record.version += 1
    _event(record, actor, "return", "feedback_submitted", note=reason)
    notify_target(record, kind="supervision_reviewed", key=f"returned:{record.version}",
                   title=f"督办反馈被退回重办：{record.number}", body=reason[:200])
    db.session.commit()
    return record


def close_supervision(actor, record: Supervision, *, version, note="") -> Supervision:
    _require_center(actor, what="办结督办")
    _check(record, {"accepted"}, version, "办结")
    record.state, record.closed_at = "closed", utcnow()
    record.version += 1
    _event(record, actor, "close", "accepted", note=note)
    db.session.commit()
    return record


def cancel_supervision(actor, record: Supervision, *, version, reason) -> Supervision:
    """撤销, with the reason (e.g. issued in error, the matter was settled)."""
    _require_center(actor, what="撤销督办")
    _check(record, set(OPEN_STATES), version, "撤销")
    reason = _text(reason, "reason", "撤销理由", 500)
    before = record.state
    record.state, record.cancelled_at, record.cancelled_reason = "cancelled", utcnow(), reason
    record.version += 1
    _event(record, actor, "cancel", before, note=reason)
    audit.record("supervision.cancelled", actor=actor, target_type="supervision", target_id=record.id,
                 detail={"reason": reason, "unit": _unit_name(record.target_unit_id)})
    if before != "pending_approval":
        notify_target(record, kind="supervision_reviewed", key="cancelled", title=f"督办已撤销：{record.number}",
                       body=reason[:200])
    db.session.commit()
    return record


def raise_level(actor, record: Supervision, *, version, level, is_priority=None, is_listed=None,
                note="") -> Supervision:
    """升级 (never down): a higher card, or the 重点 / 挂牌 flags set."""
    _require_center(actor, what="升级督办")
    _check(record, {"issued", "received", "feedback_submitted"}, version, "升级")
    if level not in LEVELS or LEVEL_RANK[level] < LEVEL_RANK[record.level]:
        raise InvalidInput(fields={"level": ["督办级别只能升高，不能降低"]})
    flags_up = (is_priority and not record.is_priority) or (is_listed and not record.is_listed)
    if level == record.level and not flags_up:
        raise InvalidInput(fields={"level": ["请选择更高的级别或加设重点、挂牌"]})
    before = record.level
    record.level = level
    record.is_priority = record.is_priority or bool(is_priority)
    record.is_listed = record.is_listed or bool(is_listed)
    record.escalated_at = utcnow()
    record.version += 1
    _event(record, actor, "escalate", record.state, from_level=before, note=note)
    if level != before:
        notify_target(record, kind="supervision_escalated", key=f"level:{level}",
                       title=f"督办升级为{LEVELS[level]}：{record.number}")
        book_level(record, level)
    db.session.commit()
    return record


ACTIONS = {
    "approve": (approve_supervision, "批准并下发", "已批准并下发"),
    "receive": (receive_supervision, "签收", "已签收"),
    "feedback": (submit_feedback, "报送反馈", "已报送反馈"),
    "accept": (accept_feedback, "认可反馈", "已认可反馈"),
    "return": (return_feedback, "退回重办", "已退回重办"),
    "close": (close_supervision, "办结", "督办已办结"),
    "cancel": (cancel_supervision, "撤销", "督办已撤销"),
    "escalate": (raise_level, "升级", "督办已升级"),
}
