"""The only writers of immediate reports (即时报告 / 苗头性信息 / 重要情况专报) and of a dispute's link to a
petition matter. Each public function is one step: role (403), state (409), version (409), the change, its
timeline entry, audit record and notifications, one commit. Petition matters are registered only through
petitions.services.register_petition; no petition row is written here."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from county_net.audit import services as audit
from county_net.core.errors import IllegalTransition, InvalidInput, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.schemas import valid_id
from county_net.deadlines.periods import immediate_report_due_at
from county_net.extensions import db
from county_net.petitions import services as petitions
from county_net.petitions.models import Petition
from county_net.screening.models import (INFO_KINDS, INFO_STATES, Dispute, InfoReport, InfoReportEvent,
                                         ScreeningEvent, ScreeningReport)
from county_net.screening.settings import screening_settings
from county_net.units.directory import unit_info

SENDERS = ("liaison", "receptionist", "head")
STAFF = ("head", "receptionist")  # the county center's staff who sign for, assess and settle a report
MAX_TEXT = 8000

# step -> (the states it starts from, its label, what the page says when done)
STEPS = {
    "receive": (("sent",), "签收", "已签收"),
    "assess": (("received",), "研判", "已记录研判意见"),
    "convert": (("assessed",), "转为信访事项", "已登记为信访事项"),
    "link": (("assessed",), "关联已有事项", "已关联信访事项"),
    "close": (("received", "assessed"), "办结", "已办结"),
}
EVENT_LABELS = {"send": "报送", **{k: v[1] for k, v in STEPS.items()}}


# ---- shared checks -------------------------------------------------------------------------------

def is_center(actor) -> bool:
    info = unit_info(actor.unit_id)
    return info is not None and info.kind == "county_center"


def _require_center_staff(actor, what: str) -> None:
    if not (is_center(actor) and actor.has_role(*STAFF)):
        raise RoleRequired(f"“{what}”需要县信访局一把手或接访员角色")


def _require_state(report: InfoReport, step: str) -> None:
    states, label, _ = STEPS[step]
    if report.state not in states:
        raise IllegalTransition(f"即时报告处于“{INFO_STATES[report.state]}”状态，不能{label}")


def _require_version(row, version: int | None) -> None:
    if version is None or version != row.version:
        raise StaleVersion()


def _text(value, field: str, label: str, max_len: int = MAX_TEXT, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(fields={field: [f"{label}不能超过 {max_len} 字"]})
    return value


def _notify(**kwargs) -> None:
    from county_net.notifications.services import notify

    notify(**kwargs)


def _link(endpoint: str, **values) -> str:
    """A relative URL, also from the command line (the sweep runs outside any request)."""
    from county_net.core.links import relative_url

    return relative_url(endpoint, **values)


def report_link(report_id: int) -> str:
    return _link("screening_info.detail", info_report_id=report_id)


def dispute_link(dispute_id: int) -> str:
    return _link("screening_info.dispute", dispute_id=dispute_id)


def _event(report: InfoReport, actor, kind: str, from_state: str | None, note: str = "") -> None:
    db.session.add(InfoReportEvent(
        unit_id=report.unit_id, info_report_id=report.id, kind=kind, from_state=from_state, to_state=report.state,
        actor_id=actor.id, actor_name=actor.name, actor_unit_id=actor.unit_id, occurred_at=utcnow(), note=note))


def _move(report: InfoReport, actor, step: str, to_state: str, note: str = "") -> str:
    """The state change, the version, the timeline entry; returns the state it came from."""
    from_state = report.state
    report.state = to_state
    report.version += 1
    _event(report, actor, step, from_state, note)
    return from_state


def _tell_reporter(report: InfoReport, step: str, body: str = "") -> None:
    """The reporting unit learns each step the county center takes (its reporter, and its head)."""
    key = f"info_report:{report.id}:{step}"
    title = f"{INFO_KINDS[report.kind]}“{report.title}”{STEPS[step][2]}"
    if report.reporter_id:
        _notify(kind="info_report_progress", event_key=key, unit_id=None, user_ids=[report.reporter_id],
                title=title, body=body, link=report_link(report.id), object_type="info_report", object_id=report.id)
    _notify(kind="info_report_progress", event_key=key, unit_id=report.unit_id, audience="heads", title=title,
            body=body, link=report_link(report.id), object_type="info_report", object_id=report.id)


# ---- immediate reports ---------------------------------------------------------------------------

def send(actor, body: dict) -> InfoReport:
    """报送: any unit below the county center, any day; due at the county center within the county's limit."""
    if not actor.has_role(*SENDERS):
        raise RoleRequired("报送即时报告需要联络员、接访员或一把手角色")
    me = unit_info(actor.unit_id)
    if me.kind == "county_center":
        raise RoleRequired("即时报告由县信访局以下的单位报送")
    kind = body.get("kind") or "immediate"
    if kind not in INFO_KINDS:
        raise InvalidInput(fields={"kind": ["请选择报告类型"]})
    title = _text(body.get("title"), "title", "标题", 100)
    content = _text(body.get("content"), "content", "报告内容")
    people = body.get("people_count") or 0
    if not isinstance(people, int) or isinstance(people, bool) or not 0 <= people <= 100000:
        raise InvalidInput(fields={"people_count": ["涉及人数须为 0–100000 的整数"]})
    settings, _ = screening_settings(me.county_id)
    now = utcnow()
    report = InfoReport(
        unit_id=actor.unit_id, county_unit_id=me.county_id, kind=kind, title=title, content=content,
        place=_text(body.get("place"), "place", "地点", 200, required=False), people_count=people,
        collective_risk=bool(body.get("collective_risk")), skip_level_risk=bool(body.get("skip_level_risk")),
        is_urgent=bool(body.get("is_urgent")), occurred_on=body.get("occurred_on"), state="sent",
        reporter_id=actor.id, reporter_name=actor.name, sent_at=now,
        due_at=immediate_report_due_at(now, settings["immediate_limit_hours"]), version=1)
    db.session.add(report)
    db.session.flush()
    _event(report, actor, "send", None)
    audit.record("info_report.sent", actor=actor, target_type="info_report", target_id=report.id,
                 detail={"kind": kind, "title": title})
    key = f"info_report:{report.id}:sent"
    label = ("【加急】" if report.is_urgent else "") + f"{INFO_KINDS[kind]}：{title}"
    text = f"{me.name} {actor.name} 报送，请于 {_local(report.due_at)} 前签收"
    common = dict(kind="info_report_sent", event_key=key, title=label, body=text, link=report_link(report.id),
                  object_type="info_report", object_id=report.id)
    _notify(unit_id=me.county_id, audience="unit", **common)  # the center's head and handlers
    if me.parent_id and me.parent_id != me.county_id:
        _notify(unit_id=me.parent_id, audience="heads", **common)  # the township above an enterprise or village
    db.session.commit()
    return report


def _local(value: datetime) -> str:
    from county_net.core.timeutil import format_local

    return format_local(value)


def receive(actor, report: InfoReport, *, version: int) -> InfoReport:
    """签收: the county center has it; late when after `due_at`."""
    _require_center_staff(actor, "签收即时报告")
    _require_state(report, "receive")
    _require_version(report, version)
    now = utcnow()
    report.received_at, report.received_by_name = now, actor.name
    late = now > report.due_at
    _move(report, actor, "receive", "received", "逾期签收" if late else "")
    audit.record("info_report.received", actor=actor, target_type="info_report", target_id=report.id,
                 detail={"late": late})
    _tell_reporter(report, "receive")
    db.session.commit()
    return report


def assess(actor, report: InfoReport, *, version: int, assessment: str, risk_level: str) -> InfoReport:
    """研判: the center's assessment and a rung of the county's risk ladder."""
    _require_center_staff(actor, "研判即时报告")
    _require_state(report, "assess")
    _require_version(report, version)
    settings, _ = screening_settings(report.county_unit_id)
    errors = {}
    if risk_level not in settings.risk_by_code:
        errors["risk_level"] = ["请选择本县风险等级中的一级"]
    try:
        assessment = _text(assessment, "assessment", "研判意见")
    except InvalidInput as exc:
        errors.update(exc.fields)
    if errors:
        raise InvalidInput(fields=errors)
    report.assessment, report.assessed_level = assessment, risk_level
    report.assessed_at, report.assessed_by_name = utcnow(), actor.name
    _move(report, actor, "assess", "assessed", f"{settings.risk_by_code[risk_level]['label']}。{assessment}")
    audit.record("info_report.assessed", actor=actor, target_type="info_report", target_id=report.id,
                 detail={"level": risk_level})
    _tell_reporter(report, "assess", settings.risk_by_code[risk_level]["label"])
    db.session.commit()
    return report


def convert(actor, report: InfoReport, *, version: int, matter: dict) -> InfoReport:
    """转为信访事项: a matter registered by the center through the petition services, linked here."""
    _require_center_staff(actor, "将即时报告转为信访事项")
    _require_state(report, "convert")
    _require_version(report, version)
    data = {**matter}
    data["summary"] = (data.get("summary") or "").strip() or report.content[:4000]
    if not data.get("head_count"):
        data["head_count"] = min(max(report.people_count, 1), 10000)
    petition = petitions.register_petition(actor, data, commit=False)  # 400 before any write
    report.petition_id = petition.id
    _move(report, actor, "convert", "converted", f"登记为信访事项 {petition.number}")
    audit.record("info_report.converted", actor=actor, target_type="info_report", target_id=report.id,
                 detail={"petition": petition.number})
    _tell_reporter(report, "convert", petition.number)
    db.session.commit()
    return report


def visible_petition(petition_id, field: str = "petition_id") -> Petition:
    """A matter named in a body, through the tenant criteria: one the actor may not see is not there."""
    petition = db.session.scalar(select(Petition).where(Petition.id == petition_id)) if valid_id(petition_id) else None
    if petition is None:
        raise InvalidInput(fields={field: ["事项不存在或无权查看"]})
    return petition


def link(actor, report: InfoReport, *, version: int, petition_id: int) -> InfoReport:
    """关联已有事项: the risk is already a matter the center can see."""
    _require_center_staff(actor, "将即时报告关联信访事项")
    _require_state(report, "link")
    _require_version(report, version)
    petition = visible_petition(petition_id)
    report.petition_id = petition.id
    _move(report, actor, "link", "converted", f"关联信访事项 {petition.number}")
    audit.record("info_report.linked", actor=actor, target_type="info_report", target_id=report.id,
                 detail={"petition": petition.number})
    _tell_reporter(report, "link", petition.number)
    db.session.commit()
    return report


def close(actor, report: InfoReport, *, version: int, note: str) -> InfoReport:
    """办结 without a matter: the note says why (化解在基层, 不构成信访事项, …)."""
    _require_center_staff(actor, "办结即时报告")
    _require_state(report, "close")
    _require_version(report, version)
    note = _text(note, "note", "办结说明", 2000)
    report.closed_at, report.close_note = utcnow(), note
    _move(report, actor, "close", "closed", note)
    audit.record("info_report.closed", actor=actor, target_type="info_report", target_id=report.id)
    _tell_reporter(report, "close", note[:200])
    db.session.commit()
    return report


ACTIONS = {"receive": receive, "assess": assess, "convert": convert, "link": link, "close": close}


def allowed_steps(actor, report: InfoReport) -> list[str]:
    if not (is_center(actor) and actor.has_role(*STAFF)):
        return []
    return [step for step, (states, _, _) in STEPS.items() if report.state in states]


def sweep_overdue(now: datetime | None = None, batch: int = 500) -> dict:
    """Reports not signed for by their due time: the county center's heads are told once (the report
    remembers it, and the notice's key is the report's). The caller holds a system scope. Rerunning writes
    nothing new."""
    now = now or utcnow()
    notified = 0
    last = 0
    while True:
        rows = list(db.session.scalars(
            select(InfoReport).where(InfoReport.state == "sent", InfoReport.due_at < now,
                                     InfoReport.overdue_notified_at.is_(None), InfoReport.id > last)
            .order_by(InfoReport.id).limit(batch)))
        if not rows:
            break
        for report in rows:
            last = report.id
            unit = unit_info(report.unit_id)
            _notify(kind="info_report_overdue", event_key=f"info_report:{report.id}:overdue",
                    unit_id=report.county_unit_id, audience="heads",
                    title=f"{INFO_KINDS[report.kind]}超时未签收：{report.title}",
                    body=f"{unit.name if unit else ''} 于 {_local(report.sent_at)} 报送，应于 {_local(report.due_at)} 前签收",
                    link=report_link(report.id), object_type="info_report", object_id=report.id)
            notified += 1
        # One statement, no version check: a report signed for meanwhile was still late when it was told.
        db.session.execute(update(InfoReport).where(InfoReport.id.in_([r.id for r in rows]))
                           .values(overdue_notified_at=now).execution_options(synchronize_session=False))
        db.session.commit()
    return {"notified": notified}


# ---- disputes → petition matters -----------------------------------------------------------------

def _require_dispute_actor(actor, dispute: Dispute, what: str) -> None:
    """The dispute's own unit or the county center, by its head or receptionist (who may register)."""
    if not actor.has_role(*STAFF):
        raise RoleRequired(f"“{what}”需要一把手或接访员角色")
    if actor.unit_id != dispute.unit_id and not is_center(actor):
        raise RoleRequired(f"只有填报单位或县信访局可以{what}")


def _dispute_step(actor, dispute: Dispute, version: int | None, what: str) -> ScreeningReport:
    _require_dispute_actor(actor, dispute, what)
    if dispute.petition_id is not None:
        raise IllegalTransition("该矛盾纠纷已关联信访事项")
    report = dispute.report
    _require_version(report, version)
    return report


def _dispute_event(report: ScreeningReport, actor, kind: str, note: str) -> None:
    db.session.add(ScreeningEvent(
        unit_id=report.unit_id, report_id=report.id, kind=kind, from_state=report.state, to_state=report.state,
        actor_id=actor.id, actor_name=actor.name, actor_unit_id=actor.unit_id, occurred_at=utcnow(), note=note))


def escalate_dispute(actor, dispute: Dispute, body: dict) -> Dispute:
    """转为信访事项: the dispute becomes a matter registered by the acting unit (whatever the sheet's state:
    a filed sheet's line may still need a matter). Bumps the sheet's version: its line changed."""
    report = _dispute_step(actor, dispute, body.get("version"), "将矛盾纠纷转为信访事项")
    data = {k: v for k, v in body.items() if k != "version"}
    data["summary"] = (data.get("summary") or "").strip() or dispute.summary[:4000]
    if not data.get("head_count"):
        data["head_count"] = min(max(dispute.people_count, 1), 10000)
    petition = petitions.register_petition(actor, data, commit=False)  # 400 before any write
    dispute.petition_id = petition.id
    report.version += 1
    _dispute_event(report, actor, "escalate", f"第 {dispute.seq} 项矛盾纠纷登记为信访事项 {petition.number}")
    audit.record("dispute.escalated", actor=actor, target_type="dispute", target_id=dispute.id,
                 detail={"petition": petition.number})
    db.session.commit()
    return dispute


def link_dispute(actor, dispute: Dispute, petition_id: int, version: int | None) -> Dispute:
    """关联已有事项: the dispute is already a matter the actor can see."""
    report = _dispute_step(actor, dispute, version, "将矛盾纠纷关联信访事项")
    petition = visible_petition(petition_id)
    dispute.petition_id = petition.id
    report.version += 1
    _dispute_event(report, actor, "link", f"第 {dispute.seq} 项矛盾纠纷关联信访事项 {petition.number}")
    audit.record("dispute.linked", actor=actor, target_type="dispute", target_id=dispute.id,
                 detail={"petition": petition.number})
    db.session.commit()
    return dispute
