"""The only writers of screening sheets. Each public function is one step: role (403), the unit's part (409),
state (409), version (409), the change, its timeline entry, its audit record and notices, one commit.
The liaison drafts and submits; the unit's head signs (the sheet is then filed with the parent unit); the
parent accepts or returns it. Accepted sheets are locked: a correction is a new revision."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from county_net.audit import services as audit
from county_net.core.errors import Conflict, IllegalTransition, InvalidInput, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.timeutil import local_today, to_local
from county_net.deadlines.periods import (Period, is_late, parse_period, period_of, previous_period,
                                          screening_due_on)
from county_net.extensions import db
from county_net.screening.models import (EDITABLE_STATES, OPEN_DISPUTE_STATUSES, STATES,
                                         Dispute, ScreeningEvent, ScreeningExemption, ScreeningReport, scale_band)
from county_net.screening.settings import screening_settings
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info

DRAFTERS = ("liaison", "receptionist", "head")  # may draft and submit their own unit's sheet
REVIEWERS = ("head", "receptionist")  # the parent unit's staff who accept or return
EVENT_LABELS = {"open": "新建草稿", "edit": "修改", "nil": "零报告", "submit": "提交一把手签发", "sign": "一把手签发上报",
                "return_head": "一把手退回", "return_parent": "上级退回", "accept": "上级接收", "correct": "更正（新版本）",
                "carry": "结转上期未化解纠纷", "import": "从 Excel 导入", "escalate": "转为信访事项",
                "link": "关联信访事项"}


# The demo county and the bench data file sheets "in the past"; nothing a request can reach sets this.
_backdated: ContextVar[datetime | None] = ContextVar("screening_backdated", default=None)


@contextmanager
def backdated(moment: datetime):
    token = _backdated.set(moment)
    try:
        yield
    finally:
        _backdated.reset(token)


def _now() -> datetime:
    return _backdated.get() or utcnow()


# ---- periods and due days -------------------------------------------------------------------------

def county_of(unit_id: int) -> int:
    return unit_info(unit_id).county_id


def cadence_of(unit_id: int) -> str | None:
    unit = unit_info(unit_id)
    settings, _ = screening_settings(unit.county_id)
    return settings.cadence(unit.kind)


def due_on(unit_id: int, period: Period) -> date:
    """The period's due day for this unit, rolled over a weekend or holiday (county_net/deadlines)."""
    settings, county = screening_settings(county_of(unit_id))
    return screening_due_on(period, settings.due_spec(period.kind), county.calendar(), county["holiday_rollover"])


def current_period(unit_id: int, today: date | None = None) -> Period | None:
    """The period a unit files for today: the one holding today (a sheet is filed within its own period)."""
    cadence = cadence_of(unit_id)
    return period_of(cadence, today or local_today()) if cadence else None


def exemption_for(unit_id: int, period: Period) -> ScreeningExemption | None:
    """The exemption covering the period, if any (read in system scope: it is the county center's decision)."""
    with system_scope("screening exemption"):
        return db.session.scalar(
            select(ScreeningExemption).where(ScreeningExemption.unit_id == unit_id,
                                             ScreeningExemption.revoked_at.is_(None),
                                             ScreeningExemption.starts_on <= period.end,
                                             (ScreeningExemption.ends_on.is_(None))
                                             | (ScreeningExemption.ends_on >= period.start))
            .order_by(ScreeningExemption.id).limit(1))


def resolve_period(unit_id: int, code: str | None) -> Period:
    """The period named by `code` for this unit's cadence (400 when malformed, of another cadence, in the
    future, or older than the history the county keeps)."""
    cadence = cadence_of(unit_id)
    if cadence is None:
        raise IllegalTransition("本单位无需报送矛盾纠纷排查表")
    if not code:
        return period_of(cadence, local_today())
    period = parse_period(code)
    if period is None or period.kind != cadence:
        raise InvalidInput(fields={"period": [f"周期格式应为{_PERIOD_HINT[cadence]}"]})
    today = local_today()
    if period.start > today:
        raise InvalidInput(fields={"period": ["不能填报尚未开始的周期"]})
    settings, _ = screening_settings(county_of(unit_id))
    # An input sanity bound on how far back a sheet may be opened (the county's history depth), not a legal window.
    if period.start < today - timedelta(days=31 * settings["history_periods"]):
        raise InvalidInput(fields={"period": [f"只能补报最近 {settings['history_periods']} 个月内的周期"]})
    return period


_PERIOD_HINT = {"month": " 2026-11（月报）", "half_month": " 2026-11-1 或 2026-11-2（上/下半月）",
                "quarter": " 2026-Q4（季报）"}


# ---- shared checks --------------------------------------------------------------------------------

def _require_version(row, version: int | None) -> None:
    if version is None or version != row.version:
        raise StaleVersion()


def _require_state(report: ScreeningReport, states, what: str) -> None:
    if report.state not in states:
        raise IllegalTransition(f"排查表处于“{STATES[report.state]}”状态，不能{what}")


def _require_own_unit(actor, report: ScreeningReport, roles, what: str) -> None:
    if not actor.has_role(*roles):
        raise RoleRequired(f"“{what}”需要{_role_names(roles)}角色")
    if actor.unit_id != report.unit_id:
        raise IllegalTransition(f"只有报送单位本身可以{what}")


def _require_parent(actor, report: ScreeningReport, what: str) -> None:
    if not actor.has_role(*REVIEWERS):
        raise RoleRequired(f"“{what}”需要上级单位的一把手或接访员角色")
    if actor.unit_id != unit_info(report.unit_id).parent_id:
        raise IllegalTransition(f"只有报送单位的上级单位可以{what}")


def _role_names(roles) -> str:
    from county_net.accounts.models import ROLES

    return "、".join(ROLES[r] for r in roles)


def _bump(report: ScreeningReport) -> None:
    report.version += 1
    report.updated_at = _now()


def _event(report: ScreeningReport, actor, kind: str, from_state: str | None, note: str = "") -> None:
    db.session.add(ScreeningEvent(report_id=report.id, unit_id=report.unit_id, kind=kind, from_state=from_state,
                                  to_state=report.state, actor_id=getattr(actor, "id", None),
                                  actor_name=getattr(actor, "name", None) or "系统",
                                  actor_unit_id=getattr(actor, "unit_id", None), note=note or "",
                                  occurred_at=_now()))


def _about(actor, report: ScreeningReport, **detail) -> dict:
    """audit.record()'s arguments for a step on a sheet (the action code stays at the call, to be labelled)."""
    return {"actor": actor, "target_type": "screening_report", "target_id": report.id,
            "detail": {"unit": unit_info(report.unit_id).name, "period": report.period_code,
                       "revision": report.revision, **detail}}


def _link(report_id: int) -> str:
    from county_net.core.links import relative_url

    return relative_url("screening.report", report_id=report_id)


def _notify(report: ScreeningReport, kind: str, step: str, unit_id: int, title: str, audience: str,
            user_ids=None, body: str = "") -> None:
    from county_net.notifications.services import notify

    notify(kind=kind, event_key=f"screening:{report.id}:{report.version}:{step}", unit_id=unit_id, title=title,
           body=body, link=_link(report.id), object_type="screening_report", object_id=report.id,
           audience=audience, user_ids=user_ids)


def _filler(report: ScreeningReport) -> list[int] | None:
    """The person who drafted the sheet (a liaison is not among a unit's "handlers"); else the unit's staff."""
    return [report.filled_by_id] if report.filled_by_id else None


def _title(report: ScreeningReport, what: str) -> str:
    return f"{unit_info(report.unit_id).short_name or unit_info(report.unit_id).name}{report.period_code}排查表{what}"


# ---- lines ------------------------------------------------------------------------------------------

def _check_lines(report: ScreeningReport, lines: list[dict], prefix: str = "lines") -> list[dict]:
    """The county's own lists (types, risk ladder) and the cross-field rules, as field errors named by row."""
    settings, _ = screening_settings(report.county_unit_id)
    types = set(settings["dispute_types"])
    ladder = settings.risk_by_code
    errors: dict[str, list[str]] = {}
    checked = []
    for index, line in enumerate(lines):
        where = f"{prefix}.{index}" if prefix else ""
        line = dict(line)

        def bad(field, message):
            errors.setdefault(f"{where}.{field}" if where else field, []).append(message)

        if line["dispute_type"] not in types:
            bad("dispute_type", "纠纷类型不在本县类型表中")
        if not line.get("risk_level"):
            line["risk_level"] = settings.suggested_risk(line["people_count"])
        elif line["risk_level"] not in ladder:
            bad("risk_level", "风险等级不在本县等级表中（可选：" + "、".join(ladder) + "）")
        found = line.get("found_on") or local_today()
        if found > local_today():
            bad("found_on", "排查时间不能晚于今天")
        if found < report.period_start - timedelta(days=366 * 3):
            bad("found_on", "排查时间不能早于三年前")
        line["found_on"] = found
        target = line.get("target_date")
        if target is not None and target < found:
            bad("target_date", "化解时限不能早于排查时间")
        if line["status"] == "resolved" and not (line.get("measures") or "").strip():
            bad("measures", "调处成功的须填写已采取的措施")
        checked.append(line)
    if errors:
        raise InvalidInput("有 {} 处填写有误".format(sum(len(v) for v in errors.values())), fields=errors)
    return checked


def _apply_line(dispute: Dispute, line: dict, major_codes) -> None:
    for key in ("found_on", "dispute_type", "parties", "people_count", "place", "summary", "risk_level",
                "collective_risk", "skip_level_risk", "measures", "responsible_unit", "responsible_leader",
                "status", "target_date"):
        setattr(dispute, key, line.get(key) if key != "measures" else (line.get("measures") or ""))
    dispute.scale_band = scale_band(dispute.people_count)
    dispute.is_major = dispute.risk_level in major_codes


def _new_dispute(report: ScreeningReport, seq: int, line: dict, major_codes, origin_key: str | None = None,
                 carried: bool = False, petition_id: int | None = None) -> Dispute:
    dispute = Dispute(report_id=report.id, unit_id=report.unit_id, county_unit_id=report.county_unit_id, seq=seq,
                      origin_key=origin_key or uuid.uuid4().hex, carried=carried, petition_id=petition_id)
    _apply_line(dispute, line, major_codes)
    return dispute


def line_of(dispute: Dispute) -> dict:
    """A dispute as the line schema reads it (a copy into a new sheet, the Excel download)."""
    return {key: getattr(dispute, key) for key in (
        "found_on", "dispute_type", "parties", "people_count", "place", "summary", "risk_level", "collective_risk",
        "skip_level_risk", "measures", "responsible_unit", "responsible_leader", "status", "target_date")}


def _major_codes(report: ScreeningReport):
    settings, _ = screening_settings(report.county_unit_id)
    return settings.major_codes


def refresh_successions(origin_keys) -> None:
    """Recompute `superseded_on` of every counted line of these disputes (after a sheet starts or stops
    counting). All lines of a dispute belong to one unit, so the actor's scope sees them all."""
    keys = sorted(set(origin_keys))
    if not keys:
        return
    db.session.flush()
    rows = db.session.execute(
        select(Dispute.id, Dispute.origin_key, Dispute.superseded_on, ScreeningReport.period_end, ScreeningReport.id)
        .join(ScreeningReport, Dispute.report_id == ScreeningReport.id)
        .where(Dispute.origin_key.in_(keys), ScreeningReport.counted.is_(True))
        .order_by(Dispute.origin_key, ScreeningReport.period_end, ScreeningReport.id, Dispute.id)).all()
    changes = []
    for index, row in enumerate(rows):
        after = rows[index + 1] if index + 1 < len(rows) else None
        wanted = after.period_end if after is not None and after.origin_key == row.origin_key else None
        if row.superseded_on != wanted:
            changes.append({"id": row.id, "superseded_on": wanted})
    if changes:
        db.session.execute(update(Dispute), changes)


def _origins(*reports) -> set[str]:
    return set(db.session.scalars(select(Dispute.origin_key).where(
        Dispute.report_id.in_([r.id for r in reports if r is not None]))))


def _lines(report: ScreeningReport) -> list[Dispute]:
    return list(db.session.scalars(select(Dispute).where(Dispute.report_id == report.id).order_by(Dispute.seq)))


# ---- steps ------------------------------------------------------------------------------------------

def open_draft(actor, period_code: str | None = None) -> ScreeningReport:
    """A draft of the actor's own unit for a period (this one by default), carrying last period's open lines.
    If the period already has a sheet, that sheet is answered (409 only for a second draft race)."""
    if not actor.has_role(*DRAFTERS):
        raise RoleRequired("填报排查表需要信息员、接访员或一把手角色")
    unit_id = actor.unit_id
    period = resolve_period(unit_id, period_code)
    existing = latest_revision(unit_id, period)
    if existing is not None:
        return existing
    exemption = exemption_for(unit_id, period)
    if exemption is not None:
        raise IllegalTransition(f"本单位{period.label}已免报：{exemption.reason}")
    county = county_of(unit_id)
    report = ScreeningReport(unit_id=unit_id, county_unit_id=county, period_kind=period.kind,
                             period_start=period.start, period_end=period.end, period_code=period.code, revision=1,
                             due_on=due_on(unit_id, period), state="draft", filled_by_id=actor.id,
                             filled_by_name=actor.name, note="", created_at=_now(), updated_at=_now())
    db.session.add(report)
    db.session.flush()
    carried = _carry_forward(report)
    _event(report, actor, "open", None, f"结转上期未化解纠纷 {carried} 件" if carried else "")
    audit.record("screening.drafted", **_about(actor, report, count=carried))
    _commit_unique()
    return report


def _carry_forward(report: ScreeningReport) -> int:
    """Copy the open lines of the unit's last counted sheet (the period before) into the new draft."""
    before = previous_period(Period(report.period_start, report.period_end, report.period_kind))
    prior = db.session.scalar(select(ScreeningReport).where(
        ScreeningReport.unit_id == report.unit_id, ScreeningReport.period_kind == report.period_kind,
        ScreeningReport.period_start == before.start, ScreeningReport.counted.is_(True)))
    if prior is None:
        return 0
    majors = _major_codes(report)
    seq = 0
    for old in _lines(prior):
        if old.status not in OPEN_DISPUTE_STATUSES:
            continue
        seq += 1
        db.session.add(_new_dispute(report, seq, line_of(old), majors, origin_key=old.origin_key, carried=True,
                                    petition_id=old.petition_id))
    return seq


def _commit_unique() -> None:
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("本周期的排查表已由他人同时创建，请刷新") from None


def latest_revision(unit_id: int, period: Period) -> ScreeningReport | None:
    return db.session.scalar(select(ScreeningReport).where(
        ScreeningReport.unit_id == unit_id, ScreeningReport.period_kind == period.kind,
        ScreeningReport.period_start == period.start).order_by(ScreeningReport.revision.desc()).limit(1))


def _editable(actor, report: ScreeningReport, version: int | None, what: str = "修改") -> None:
    _require_own_unit(actor, report, DRAFTERS, what)
    _require_state(report, EDITABLE_STATES, what)
    _require_version(report, version)


def put_lines(actor, report: ScreeningReport, version: int | None, lines: list[dict], note: str | None = None,
              source: str = "edit") -> ScreeningReport:
    """Replace every line of a draft (the Excel upload, an API client). A line that names an existing one by
    its 序号 (`_seq`, read from the uploaded template) keeps that dispute's identity wherever the row moved
    (a carried-over line keeps its origin and petition link); without it, lines match by position. Existing
    lines no row names are removed; the lines are numbered 1..n in the order given."""
    _editable(actor, report, version, "导入" if source == "import" else "修改")
    checked = _check_lines(report, lines)
    majors = _major_codes(report)
    old = _lines(report)
    by_seq = {d.seq: d for d in old}
    named = any(line.get("_seq") is not None for line in checked)
    chosen: list[Dispute | None] = []
    taken: set[int] = set()
    for index, line in enumerate(checked):
        match = by_seq.get(line.get("_seq")) if named else (old[index] if index < len(old) else None)
        if match is not None and match.id in taken:
            match = None  # a 序号 typed twice: the second row is a new dispute
        if match is not None:
            taken.add(match.id)
        chosen.append(match)
    for dispute in old:
        if dispute.id not in taken:
            db.session.delete(dispute)
    for index, dispute in enumerate(d for d in chosen if d is not None):
        dispute.seq = -(index + 1)  # out of the way of the final numbers (unique per sheet)
    db.session.flush()
    for index, (line, dispute) in enumerate(zip(checked, chosen)):
        if dispute is None:
            db.session.add(_new_dispute(report, index + 1, line, majors))
        else:
            _apply_line(dispute, line, majors)
            dispute.seq = index + 1
    if checked:
        report.is_nil = False
    if note is not None:
        report.note = note
    _bump(report)
    _event(report, actor, "import" if source == "import" else "edit", report.state, f"共 {len(checked)} 条")
    audit.record("screening.imported" if source == "import" else "screening.edited",
                 **_about(actor, report, count=len(checked)))
    db.session.commit()
    return report


def add_line(actor, report: ScreeningReport, version: int | None, line: dict) -> Dispute:
    _editable(actor, report, version, "添加矛盾纠纷")
    (line,) = _check_lines(report, [line], prefix="")
    seq = (db.session.scalar(select(Dispute.seq).where(Dispute.report_id == report.id)
                             .order_by(Dispute.seq.desc()).limit(1)) or 0) + 1
    dispute = _new_dispute(report, seq, line, _major_codes(report))
    db.session.add(dispute)
    report.is_nil = False
    _bump(report)
    _event(report, actor, "edit", report.state, f"添加第 {seq} 条")
    audit.record("screening.edited", **_about(actor, report, count=seq))
    db.session.commit()
    return dispute


def update_line(actor, dispute: Dispute, version: int | None, line: dict) -> Dispute:
    report = dispute.report
    _editable(actor, report, version, "修改矛盾纠纷")
    (line,) = _check_lines(report, [line], prefix="")
    _apply_line(dispute, line, _major_codes(report))
    _bump(report)
    _event(report, actor, "edit", report.state, f"修改第 {dispute.seq} 条")
    audit.record("screening.edited", **_about(actor, report))
    db.session.commit()
    return dispute


def delete_line(actor, dispute: Dispute, version: int | None) -> ScreeningReport:
    report = dispute.report
    _editable(actor, report, version, "删除矛盾纠纷")
    seq = dispute.seq
    db.session.delete(dispute)
    db.session.flush()
    for later in _lines(report):  # keep the numbering 1..n (the printed sheet's 序号)
        if later.seq > seq:
            later.seq -= 1
            db.session.flush()
    _bump(report)
    _event(report, actor, "edit", report.state, f"删除第 {seq} 条")
    audit.record("screening.edited", **_about(actor, report))
    db.session.commit()
    return report


def set_nil(actor, report: ScreeningReport, version: int | None, is_nil: bool, note: str | None = None):
    """零报告: explicitly nothing found this period. Only on a sheet with no lines (carried lines must be
    resolved or removed first: an open dispute cannot vanish into a nil return)."""
    _editable(actor, report, version, "设为零报告")
    if is_nil and _lines(report):
        raise IllegalTransition("排查表已有矛盾纠纷，不能设为零报告；请先删除各条（上期结转的须在表中写明化解结果）")
    report.is_nil = is_nil
    if note is not None:
        report.note = note
    _bump(report)
    _event(report, actor, "nil", report.state, "本期无矛盾纠纷" if is_nil else "取消零报告")
    audit.record("screening.edited", **_about(actor, report, nil=is_nil))
    db.session.commit()
    return report


def _require_content(report: ScreeningReport) -> None:
    if not report.is_nil and not _lines(report):
        raise IllegalTransition("排查表没有任何矛盾纠纷：请逐条填写，或明确勾选“本期无矛盾纠纷（零报告）”")


def submit(actor, report: ScreeningReport, version: int | None) -> ScreeningReport:
    """The liaison hands the sheet to the unit's head."""
    _require_own_unit(actor, report, DRAFTERS, "提交")
    _require_state(report, EDITABLE_STATES, "提交")
    _require_version(report, version)
    _require_content(report)
    before = report.state
    report.state = "submitted"
    report.submitted_at = _now()
    _bump(report)
    _event(report, actor, "submit", before)
    audit.record("screening.submitted", **_about(actor, report))
    _notify(report, "screening_submitted", "submitted", report.unit_id, _title(report, "待签发"), "heads")
    db.session.commit()
    return report


def sign(actor, report: ScreeningReport, version: int | None, note: str = "") -> ScreeningReport:
    """The unit's head signs (签发): the sheet is filed with the parent. A head may sign a draft directly
    (a township without a liaison). Filed after the due day: accepted and marked 过期录入."""
    _require_own_unit(actor, report, ("head",), "签发")
    _require_state(report, {"submitted", *EDITABLE_STATES}, "签发")
    _require_version(report, version)
    _require_content(report)
    before = report.state
    now = _now()
    previous = _previous_counted(report)
    if report.filed_at is None:
        # Lateness is decided by the first filing (a return and refiling, or a correction, keeps it).
        first = previous.filed_at if previous is not None and previous.filed_at else now
        report.filed_at = first
        report.late = previous.late if previous is not None else is_late(report.due_on, to_local(now).date())
    if previous is not None and previous.id != report.id:
        previous.counted = False
        previous.state = "superseded"
        previous.version += 1
        db.session.flush()
    report.state = "filed"
    report.counted = True
    db.session.flush()
    refresh_successions(_origins(report, previous))
    report.signed_by_id, report.signed_by_name = actor.id, actor.name
    if report.submitted_at is None:
        report.submitted_at = now
    _bump(report)
    _event(report, actor, "sign", before, note or ("过期录入" if report.late else ""))
    audit.record("screening.signed", **_about(actor, report, late=report.late, nil=report.is_nil))
    parent = unit_info(report.unit_id).parent_id
    what = "（零报告）已报送" if report.is_nil else "已报送"
    _notify(report, "screening_filed", "filed", parent, _title(report, what + ("，过期录入" if report.late else "")),
            "handlers")
    db.session.commit()
    return report


def _previous_counted(report: ScreeningReport) -> ScreeningReport | None:
    if report.supersedes_id is None:
        return None
    return db.session.get(ScreeningReport, report.supersedes_id)


def return_sheet(actor, report: ScreeningReport, version: int | None, note: str) -> ScreeningReport:
    """The head returns a submitted sheet to the liaison; the parent returns a filed one to the unit. A filed
    sheet returned by the parent stops counting until it is signed again."""
    if report.state == "submitted":
        _require_own_unit(actor, report, ("head",), "退回")
        stage = "head"
    elif report.state == "filed":
        _require_parent(actor, report, "退回")
        stage = "parent"
    else:
        raise IllegalTransition(f"排查表处于“{STATES[report.state]}”状态，不能退回")
    _require_version(report, version)
    if not (note or "").strip():
        raise InvalidInput(fields={"note": ["请填写退回意见"]})
    before = report.state
    report.state = "returned"
    report.return_stage, report.return_note = stage, note.strip()
    report.returned_at, report.returned_by_name = _now(), actor.name
    if stage == "parent":
        report.counted = False
        previous = _previous_counted(report)
        if previous is not None and previous.state == "superseded":
            previous.state, previous.counted = "accepted", True  # the accepted revision counts again
            previous.version += 1
        db.session.flush()
        refresh_successions(_origins(report, previous))
    _bump(report)
    _event(report, actor, f"return_{stage}", before, note.strip())
    audit.record("screening.returned", **_about(actor, report, stage=stage))
    _notify(report, "screening_returned", f"returned_{stage}", report.unit_id, _title(report, "被退回修改"), "unit",
            user_ids=_filler(report), body=note.strip()[:200])
    db.session.commit()
    return report


def accept(actor, report: ScreeningReport, version: int | None, note: str = "") -> ScreeningReport:
    _require_parent(actor, report, "接收")
    _require_state(report, {"filed"}, "接收")
    _require_version(report, version)
    before = report.state
    report.state = "accepted"
    report.accepted_by_id, report.accepted_by_name, report.accepted_at = actor.id, actor.name, _now()
    _bump(report)
    _event(report, actor, "accept", before, note or "")
    audit.record("screening.accepted", **_about(actor, report))
    _notify(report, "screening_accepted", "accepted", report.unit_id, _title(report, "已被上级接收"), "unit",
            user_ids=_filler(report))
    db.session.commit()
    return report


def correct(actor, report: ScreeningReport, version: int | None, note: str) -> ScreeningReport:
    """A correction of an accepted sheet: a new revision (a draft copying every line); the accepted one stays
    readable and counts until the correction is signed."""
    _require_own_unit(actor, report, DRAFTERS, "更正")
    _require_state(report, {"accepted"}, "更正")
    _require_version(report, version)
    if not (note or "").strip():
        raise InvalidInput(fields={"note": ["请填写更正原因"]})
    newest = latest_revision(report.unit_id, Period(report.period_start, report.period_end, report.period_kind))
    if newest.id != report.id:
        raise IllegalTransition(f"已有更正版本（第 {newest.revision} 版），请在该版本上修改")
    fresh = ScreeningReport(unit_id=report.unit_id, county_unit_id=report.county_unit_id,
                            period_kind=report.period_kind, period_start=report.period_start,
                            period_end=report.period_end, period_code=report.period_code,
                            revision=report.revision + 1, due_on=report.due_on, is_nil=report.is_nil,
                            note=note.strip(), state="draft", supersedes_id=report.id, filled_by_id=actor.id,
                            filled_by_name=actor.name, late=report.late)
    db.session.add(fresh)
    db.session.flush()
    majors = _major_codes(report)
    for old in _lines(report):
        db.session.add(_new_dispute(fresh, old.seq, line_of(old), majors, origin_key=old.origin_key,
                                    carried=old.carried, petition_id=old.petition_id))
    _bump(report)  # the accepted sheet now shows its correction; a stale form on it must refresh
    _event(fresh, actor, "correct", None, note.strip())
    audit.record("screening.corrected", **_about(actor, fresh, supersedes=report.id))
    _commit_unique()
    return fresh


# ---- exemptions ---------------------------------------------------------------------------------------

def exempt(actor, unit_id: int, reason: str, starts_on: date, ends_on: date | None) -> ScreeningExemption:
    """The county center (or the admin) excuses a unit of its county from filing, with the reason."""
    if not (actor.has_role("head", "admin") and unit_info(actor.unit_id).kind == "county_center"):
        raise RoleRequired("免报须由县信访局一把手或系统管理员设定")
    unit = unit_info(unit_id)
    if unit is None or unit.county_id != unit_info(actor.unit_id).county_id or unit.id == actor.unit_id:
        raise InvalidInput(fields={"unit_id": ["请选择本县的下级单位"]})
    if not (reason or "").strip():
        raise InvalidInput(fields={"reason": ["请填写免报原因"]})
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput(fields={"ends_on": ["结束日期不能早于开始日期"]})
    row = ScreeningExemption(unit_id=unit.id, county_unit_id=unit.county_id, reason=reason.strip(),
                             starts_on=starts_on, ends_on=ends_on, created_by_id=actor.id,
                             created_by_name=actor.name)
    db.session.add(row)
    db.session.flush()
    audit.record("screening.exempted", actor=actor, target_type="unit", target_id=unit.id,
                 detail={"unit": unit.name, "reason": reason.strip(), "from": starts_on.isoformat(),
                         "until": ends_on.isoformat() if ends_on else None})
    db.session.commit()
    return row


def revoke_exemption(actor, row: ScreeningExemption, version: int | None) -> ScreeningExemption:
    if not (actor.has_role("head", "admin") and unit_info(actor.unit_id).kind == "county_center"):
        raise RoleRequired("免报须由县信访局一把手或系统管理员设定")
    _require_version(row, version)
    if row.revoked_at is not None:
        raise IllegalTransition("该免报已撤销")
    row.revoked_at, row.revoked_by_name = _now(), actor.name
    row.version += 1
    audit.record("screening.exemption_revoked", actor=actor, target_type="unit", target_id=row.unit_id,
                 detail={"unit": unit_info(row.unit_id).name, "reason": row.reason})
    db.session.commit()
    return row

