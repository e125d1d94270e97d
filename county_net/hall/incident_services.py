"""The only writers of hall incidents (突发情况): behaviour named in the hall's rules, or someone falling ill,
recorded by the county center's receptionists or heads against a visit or the hall. Each function checks the
role (403), the visit (404 when unseen), the input (400 per field) and the version (409), writes the row, its
audit record and any notification, and commits once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from county_net.audit import services as audit
from county_net.core.errors import InvalidInput, NotVisible, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.schemas import valid_id
from county_net.core.timeutil import COUNTY_TZ, local_today, to_local
from county_net.extensions import db
from county_net.hall.models import INCIDENT_KINDS, INCIDENT_RESPONDERS, Incident, Visit
from county_net.units.directory import unit_info

STAFF = ("receptionist", "head")
MAX_WHO, MAX_TEXT = 200, 4000
# A clock a minute ahead of the server's must not make "just now" a time to come.
CLOCK_SLACK = timedelta(minutes=2)
# Input sanity, not a legal window: an incident is written up the same day, or soon after.
MAX_AGE_DAYS = 366
# These reach the center's heads at once (domain.md §11.2: illness is reported to the head; the police room
# taking over is a matter for the head too).
ALERT_KINDS = frozenset({"medical"})
ALERT_RESPONDERS = frozenset({"police"})


def hall_unit_id(actor) -> int:
    """The hall the actor's unit runs: only a county center runs one; any other unit sees none (404)."""
    info = unit_info(getattr(actor, "unit_id", None))
    if info is None or info.kind != "county_center":
        raise NotVisible("本单位不设联合接待中心")
    return info.id


def may_record(actor) -> bool:
    info = unit_info(getattr(actor, "unit_id", None))
    return info is not None and info.kind == "county_center" and actor.has_role(*STAFF)


def _require_staff(actor) -> int:
    unit_id = hall_unit_id(actor)
    if not actor.has_role(*STAFF):
        raise RoleRequired("记录突发情况需要县信访局接访员或一把手角色")
    return unit_id


def _text(value, field: str, label: str, max_len: int, required: bool) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        raise InvalidInput(fields={field: [f"{label}应为文字"]})
    if required and not value:
        raise InvalidInput(fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(fields={field: [f"{label}不能超过 {max_len} 字"]})
    return value


def _moment(value) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInput(fields={"occurred_at": ["请填写发生时间（含时区）"]})
    if value > utcnow() + CLOCK_SLACK:
        raise InvalidInput(fields={"occurred_at": ["发生时间不能晚于现在"]})
    try:
        day = to_local(value).date()
    except (OverflowError, ValueError):  # year 1 with an eastern offset falls off the calendar
        raise InvalidInput(fields={"occurred_at": ["发生时间无效"]}) from None
    if day > local_today():
        raise InvalidInput(fields={"occurred_at": ["发生时间须在今天或以前"]})
    if day < local_today() - timedelta(days=MAX_AGE_DAYS):
        raise InvalidInput(fields={"occurred_at": [f"发生时间不能早于 {MAX_AGE_DAYS} 日前"]})
    return value


def _responders(values) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(fields={"responders": ["处置力量应为列表"]})
    unknown = [v for v in values if v not in INCIDENT_RESPONDERS]
    if unknown:
        raise InvalidInput(fields={"responders": ["处置力量只能从列出的选项中选择"]})
    return [code for code in INCIDENT_RESPONDERS if code in values]  # the registry's order, once each


def _kind(value) -> str:
    if not isinstance(value, str) or value not in INCIDENT_KINDS:
        raise InvalidInput(fields={"kind": ["请选择突发情况类别"]})
    return value


def _visit(hall_id: int, visit_id) -> Visit | None:
    if visit_id is None:
        return None
    if not valid_id(visit_id):
        raise InvalidInput(fields={"visit_id": ["来访批次编号无效"]})
    visit = db.session.scalar(select(Visit).where(Visit.id == visit_id, Visit.unit_id == hall_id))
    if visit is None:  # another hall's visit, or none: the same answer
        raise NotVisible("未找到该来访批次")
    return visit


def incident_link(incident_id: int) -> str:
    from county_net.core.links import relative_url

    return relative_url("hall_incidents.detail", incident_id=incident_id)


def _alert_heads(incident: Incident) -> None:
    from county_net.notifications.services import notify

    responders = set(filter(None, incident.responders.split(",")))
    if incident.kind not in ALERT_KINDS and not responders & ALERT_RESPONDERS:
        return
    when = to_local(incident.occurred_at).strftime("%H:%M")
    called = "、".join(INCIDENT_RESPONDERS[r] for r in incident.responders.split(",") if r)
    notify(kind="hall_incident", event_key=f"hall_incident:{incident.id}", unit_id=incident.unit_id,
           audience="heads", title=f"接待大厅突发情况：{INCIDENT_KINDS[incident.kind]}（{when}）",
           body=f"{incident.who}：{incident.what[:200]}" + (f"\n已通知：{called}" if called else ""),
           link=incident_link(incident.id), object_type="hall_incident", object_id=incident.id)


def record_incident(actor, *, visit_id: int | None = None, kind: str, occurred_at: datetime, who: str, what: str,
                    responders=None, outcome: str = "") -> Incident:
    """记录突发情况. A medical emergency, or one where the police were called, reaches the heads at once."""
    hall_id = _require_staff(actor)
    visit = _visit(hall_id, visit_id)
    errors: dict = {}
    values: dict = {}
    checks = {
        "kind": lambda: _kind(kind),
        "occurred_at": lambda: _moment(occurred_at),
        "who": lambda: _text(who, "who", "当事人", MAX_WHO, True),
        "what": lambda: _text(what, "what", "经过", MAX_TEXT, True),
        "responders": lambda: _responders(responders),
        "outcome": lambda: _text(outcome, "outcome", "处置结果", MAX_TEXT, False),
    }
    for name, check in checks.items():  # every field's message at once, not the first only
        try:
            values[name] = check()
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    incident = Incident(
        unit_id=hall_id, day=values["occurred_at"].astimezone(COUNTY_TZ).date(),
        visit_id=visit.id if visit is not None else None, kind=values["kind"], occurred_at=values["occurred_at"],
        who=values["who"], what=values["what"], responders=",".join(values["responders"]),
        outcome=values["outcome"], recorded_by_id=actor.id, recorded_by_name=actor.name, created_at=utcnow(),
        version=1)
    db.session.add(incident)
    db.session.flush()
    audit.record("hall_incident.recorded", actor=actor, target_type="hall_incident", target_id=incident.id,
                 detail={"kind": incident.kind, "visit_id": incident.visit_id,
                         "responders": values["responders"]})
    _alert_heads(incident)
    db.session.commit()
    return incident


def update_outcome(actor, incident: Incident, *, version, outcome) -> Incident:
    """处置结果: written when the incident is settled, or corrected later; the version guards a concurrent edit."""
    _require_staff(actor)
    if incident.unit_id != hall_unit_id(actor):
        raise NotVisible()
    text = _text(outcome, "outcome", "处置结果", MAX_TEXT, True)
    if version is None or version != incident.version:
        raise StaleVersion()
    incident.outcome = text
    incident.version += 1
    audit.record("hall_incident.outcome_updated", actor=actor, target_type="hall_incident", target_id=incident.id,
                 detail={"version": incident.version})
    db.session.commit()
    return incident
