"""The county center's desk: the only writers of follow-up tasks, and the review queue's one-step verdicts
(through the petition services, never by writing a matter here)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from county_net.core.errors import IllegalTransition, InvalidInput, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.timeutil import local_today, to_local
from county_net.deadlines import compute_due
from county_net.desk.models import FOLLOW_UP_METHODS, FOLLOW_UP_RESULTS, FollowUp
from county_net.extensions import db
from county_net.petitions import actions
from county_net.petitions import services as petition_services
from county_net.petitions.models import Petition
from county_net.petitions.settings import county_settings
from county_net.petitions.signals import event_written
from county_net.petitions.workflow import OPEN_STATES
from county_net.units.directory import unit_info

# The states a matter waits in for the unit that sent it down to approve its report (审查回告).
REVIEW_ACTIONS = {"reported": ("approve_report", "return_report"),
                  "sub_reported": ("sub_approve_report", "sub_return_report")}
# A follow-up falls due after the matter's handling ends with a decision on the merits.
FOLLOWED_UP = frozenset({"closed", "concluded"})
# How a re-opened matter came in: the follow-up's method as a registration channel.
REOPEN_CHANNELS = {"phone": "phone", "visit": "visit", "sms": "other"}


def _require_clerk(actor) -> None:
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired("需要接访员或一把手角色")


# ---- the review queue -----------------------------------------------------------------------------

def review(actor, petition: Petition, *, verdict: str, body: dict) -> Petition:
    """Approve or return a waiting report in one step from the queue: the matter's own action for its state
    (交办 report or a village's report), run through petitions.actions like the matter page's forms."""
    pair = REVIEW_ACTIONS.get(petition.state)
    if pair is None:
        raise IllegalTransition("该事项没有待审查的办结报告")
    endpoint = actions.ENDPOINTS[pair[0] if verdict == "approve" else pair[1]]
    return actions.run(endpoint, actor, petition, body)


# ---- follow-up tasks ------------------------------------------------------------------------------

def follow_up_due(petition: Petition, closed_on: date, unit_id: int) -> date:
    """The day the follow-up falls due: the county's `follow_up` rule (default 15 days), from deadlines."""
    settings = county_settings(petition.county_unit_id)
    info = unit_info(unit_id)
    rule = settings.rules(info.code if info else None)["follow_up"]
    return compute_due(rule, closed_on, settings.calendar(), rollover=settings["holiday_rollover"])


@event_written.connect
def _on_petition_event(petition: Petition, *, event, **_) -> None:
    """A closure opens its follow-up task in the closing service's transaction (one per closing event, so
    the same closure never gives two)."""
    if event.to_state not in FOLLOWED_UP or event.from_state not in OPEN_STATES:
        return
    open_follow_up(petition, event)


def open_follow_up(petition: Petition, event) -> None:
    """The task for one closing event, unless it exists already (a repeated signal writes nothing): one
    INSERT that the unique (matter, closing event) pair turns into nothing the second time."""
    closed_on = to_local(event.occurred_at).date()
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(FollowUp).values(
        petition_id=petition.id, unit_id=event.actor_unit_id, county_unit_id=petition.county_unit_id,
        close_event_id=event.id, closed_on=closed_on, due_on=follow_up_due(petition, closed_on,
                                                                           event.actor_unit_id),
        state="pending", note="", could_not_reach=False, attempts=0, version=1, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["petition_id", "close_event_id"]))


def _text(value, field: str, label: str, max_len: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(fields={field: [f"{label}不能超过 {max_len} 字"]})
    return value


def record_follow_up(actor, follow_up: FollowUp, petition: Petition, *, version: int, method: str,
                     person: str = "", result: str | None = None, note: str = "", could_not_reach: bool = False,
                     new_summary: str = "", new_demands: str = "") -> FollowUp:
    """回访 done (or tried): by the unit the task belongs to. Not reached: the attempt is counted and the task
    stays open. Re-opened: a new matter for the same petitioners, linked to this one. The matter's timeline
    gets its 回访 entry through the petition service, which commits the whole of it once."""
    _require_clerk(actor)
    if actor.unit_id != follow_up.unit_id:
        raise IllegalTransition("该回访任务不由本单位办理")
    if follow_up.state != "pending":
        raise IllegalTransition("该回访任务已完成")
    if version is None or version != follow_up.version:
        raise StaleVersion()
    errors = {}
    if method not in FOLLOW_UP_METHODS:
        errors["method"] = ["请选择回访方式"]
    if could_not_reach and result:
        errors["result"] = ["未能联系上信访人时不填写回访结果"]
    if not could_not_reach and result not in FOLLOW_UP_RESULTS:
        errors["result"] = ["请选择回访结果"]
    if errors:
        raise InvalidInput(fields=errors)
    person = _text(person, "person", "回访对象", 60)
    note = _text(note, "note", "回访情况", 2000)
    follow_up.method, follow_up.person = method, person or None
    follow_up.attempts += 1
    follow_up.last_attempt_at = utcnow()
    follow_up.recorded_by_id, follow_up.recorded_by_name = actor.id, actor.name
    follow_up.note = note
    if could_not_reach:
        follow_up.could_not_reach = True
        summary = f"{FOLLOW_UP_METHODS[method]}回访，未能联系上信访人"
    else:
        if result == "reopened":
            new_summary = _text(new_summary, "new_summary", "新事项反映的问题", 4000, required=True)
            new_demands = _text(new_demands, "new_demands", "新事项的具体诉求", 4000)
            if len(new_summary) < 5:
                raise InvalidInput(fields={"new_summary": ["请填写反映的主要问题（5–4000 字）"]})
            if petition.state not in FOLLOWED_UP:
                raise IllegalTransition("事项已不在办结状态，不能据此回访登记新事项")
            new = petition_services.reopen_as_new(actor, petition, channel=REOPEN_CHANNELS[method],
                                                  summary=new_summary, demands=new_demands)
            follow_up.new_petition_id = new.id
        follow_up.could_not_reach = False
        follow_up.result, follow_up.state, follow_up.done_at = result, "done", utcnow()
        summary = f"{FOLLOW_UP_METHODS[method]}回访{('（' + person + '）') if person else ''}：{FOLLOW_UP_RESULTS[result]}"
    follow_up.version += 1
    db.session.flush()
    text = f"{summary}。{note}" if note else summary
    petition_services.record_follow_up(actor, petition, version=petition.version, note=text)  # commits
    return follow_up


def _follow_up_link(follow_up_id: int) -> str:
    from county_net.core.links import relative_url

    return relative_url("desk.follow_up", follow_up_id=follow_up_id)


def sweep_followups(today: date | None = None, batch: int = 500) -> dict:
    """Daily: tasks that fall due today or earlier remind their unit's handlers, once (the task remembers it,
    and the notification's key is the task's). The caller holds a system scope. Rerunning writes nothing."""
    from county_net.notifications.services import notify

    today = today or local_today()
    reminded = 0
    last = 0
    while True:
        found = db.session.execute(
            select(FollowUp, Petition.number).join(Petition, Petition.id == FollowUp.petition_id)
            .where(FollowUp.state == "pending", FollowUp.due_on <= today, FollowUp.notified_at.is_(None),
                   FollowUp.id > last).order_by(FollowUp.id).limit(batch)).all()
        if not found:
            break
        for follow_up, number in found:
            notify(kind="follow_up_due", event_key=f"follow_up:{follow_up.id}:due", unit_id=follow_up.unit_id,
                   title=f"回访到期：{number}", link=_follow_up_link(follow_up.id), object_type="follow_up",
                   object_id=follow_up.id, body=f"应于 {follow_up.due_on.isoformat()} 前回访", audience="handlers")
            follow_up.notified_at = utcnow()  # not a user's edit: the version stays, so no open form goes stale
            reminded += 1
        last = found[-1][0].id
        db.session.commit()
    return {"reminded": reminded}

