"""Reads for the desk: the review queue, the county center's board, follow-up tasks and what the home page
asks of a unit. No writes. Every figure is counted with the same conditions as the list it links to."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import func, select, text

from county_net.core.jsonrows import json_rows
from county_net.core.timeutil import local_today
from county_net.desk.models import FOLLOW_UP_METHODS, FOLLOW_UP_RESULTS, FOLLOW_UP_STATES, FollowUp
from county_net.desk.services import REVIEW_ACTIONS
from county_net.extensions import db
from county_net.petitions import queries as petition_queries
from county_net.petitions.models import Petition, PetitionEvent
from county_net.petitions.workflow import OPEN_STATES, state_label
from county_net.units.directory import unit_info

REVIEW_STATES = tuple(REVIEW_ACTIONS)
REPORT_EVENTS = ("file_report", "sub_file_report")
QUEUE_LIMIT = 200  # a unit's queue is short; the count above the list says when there are more
COLLECTIVE_DAYS = 30  # the board's window for collective visits (a reporting window, not a legal limit)
LATEST_COLLECTIVE = 5


# ---- the review queue -----------------------------------------------------------------------------

def _waiting_for(actor):
    """Reports waiting for this unit's verdict: the unit holds the matter in a review state (the sender of a
    交办, or the township whose village reported), so the inbox index answers it."""
    return (Petition.holder_unit_id == actor.unit_id) & Petition.state.in_(REVIEW_STATES)


def review_page(actor, limit: int = QUEUE_LIMIT) -> tuple[int, list[dict]]:
    """(how many wait, the oldest `limit` of them: the time each report was filed first), with what a verdict
    needs: the report and the version. One column select: the list row's columns (names included), the
    report's event as a JSON array of one, and the count riding along."""
    filed = (select(func.max(PetitionEvent.id)).where(PetitionEvent.petition_id == Petition.id,
                                                      PetitionEvent.kind.in_(REPORT_EVENTS))
             .correlate(Petition).scalar_subquery())
    report, decode = json_rows({"note": PetitionEvent.note, "occurred_at": PetitionEvent.occurred_at,
                                "actor_unit_id": PetitionEvent.actor_unit_id}, PetitionEvent.id == filed)
    waiting = select(func.count(Petition.id)).where(_waiting_for(actor)).scalar_subquery()
    found = db.session.execute(select(*petition_queries.list_columns(), report.label("report"),
                                      waiting.label("waiting"))
                               .where(_waiting_for(actor)).order_by(filed, Petition.id).limit(limit)).all()
    events = [next(iter(decode(row.report)), None) for row in found]
    rows = petition_queries.rows(actor, found)
    names = petition_queries.unit_names({e["actor_unit_id"] for e in events if e})
    for row, petition, event in zip(rows, found, events):
        row.update({"report": event["note"] if event else "", "reported_at": event["occurred_at"] if event else None,
                    "reported_by_unit": names.get(event["actor_unit_id"]) if event else None,
                    "is_sub": petition.state == "sub_reported", "handling_unit_id": petition.handling_unit_id})
    return (found[0].waiting if found else 0), rows


# ---- the board ------------------------------------------------------------------------------------

_JIT: dict = {}  # whether this process's database compiles with JIT, read once


def _without_jit() -> None:
    """The row policy makes the planner's estimate large enough to JIT-compile a 20 ms statement, which then
    costs 30 ms more in compilation: off for the rest of this read's transaction. The migration switches JIT off
    for the whole database when it owns it (docs/performance.md), and then this costs no statement."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if "on" not in _JIT:
        _JIT["on"] = db.session.scalar(text("SELECT current_setting('jit')")) == "on"
    if _JIT["on"]:
        db.session.execute(text("SET LOCAL jit = off"))


def board(actor) -> dict:
    """督办看板: open matters by holding unit with due-soon and overdue counts (one grouped count over the
    county's open matters), the review queue, due follow-ups, and the latest collective visits."""
    county_id = unit_info(actor.unit_id).county_id
    soon = petition_queries.due_condition("soon", county_id)
    overdue = petition_queries.due_condition("overdue", county_id)
    # One pass over the open matters; the unit's own review queue rides along (its holder row, review states).
    # Grouped on `holder_unit_id + 0`, an expression: SQLite would otherwise walk the whole inbox index
    # (holder first, so already grouped) instead of searching the county's open matters on
    # ix_petitions_county_state_holder_due, which covers the statement.
    holder = (Petition.holder_unit_id + 0).label("holder")
    _without_jit()
    found = db.session.execute(
        select(holder, func.count(Petition.id), func.count(Petition.id).filter(soon),
               func.count(Petition.id).filter(overdue),
               func.count(Petition.id).filter(Petition.state.in_(REVIEW_STATES)))
        .where(Petition.state.in_(OPEN_STATES)).group_by(holder)).all()
    names = petition_queries.unit_names({unit_id for unit_id, *_ in found})
    units = [{"unit_id": unit_id, "unit": names.get(unit_id, ""), "open": n_open, "due_soon": n_soon or 0,
              "overdue": n_over or 0} for unit_id, n_open, n_soon, n_over, _ in found]
    in_review = next((n or 0 for unit_id, *_, n in found if unit_id == actor.unit_id), 0)
    units.sort(key=lambda u: (-u["overdue"], -u["due_soon"], -u["open"], u["unit"]))
    since = local_today() - timedelta(days=COLLECTIVE_DAYS)
    collective_args = {"collective": True, "received_from": since}
    # The rest in one statement of scalar subqueries, each the statement the figure stood for on its own.
    collective = petition_queries.search_filter(actor, collective_args)
    order = petition_queries.list_order(collective_args)
    latest_of = (collective.with_only_columns(
        Petition.id, Petition.number, Petition.received_at, Petition.head_count, Petition.summary,
        Petition.holder_unit_id, Petition.state, func.row_number().over(order_by=order).label("rank"))
        .order_by(*order).limit(LATEST_COLLECTIVE).subquery())
    latest_json, decode = json_rows({name: latest_of.c[name] for name in (
        "id", "number", "received_at", "head_count", "summary", "holder_unit_id", "state", "rank")},
        select_from=latest_of)
    levels = _supervision_levels(actor)
    figures = db.session.execute(select(
        _follow_ups(actor, due=True).with_only_columns(func.count(FollowUp.id)).scalar_subquery(),
        select(func.count()).select_from(collective.with_only_columns(Petition.id).subquery()).scalar_subquery(),
        latest_json, *levels.values())).one()
    latest = [SimpleNamespace(**row) for row in sorted(decode(figures[2]), key=lambda r: r["rank"])]
    return {
        "units": units,
        "totals": {"open": sum(u["open"] for u in units), "due_soon": sum(u["due_soon"] for u in units),
                   "overdue": sum(u["overdue"] for u in units)},
        "review_queue": in_review,
        "follow_ups_due": figures[0] or 0,
        "collective": {"days": COLLECTIVE_DAYS, "since": since, "count": figures[1] or 0,
                       "latest": _collective_rows(latest)},
        "due_soon_days": _due_soon_days(county_id),
        "supervision": _by_level(dict(zip(levels, figures[3:]))),
    }


def _supervision_levels(actor) -> dict:
    """level -> a scalar subquery counting the open 督办 of that level as the
    supervision lists show them: the center's list holds every record it may see, any other unit's the records
    aimed at it."""
    from county_net.supervision.models import LEVELS, OPEN_STATES, Supervision

    stmt = select(func.count(Supervision.id)).where(Supervision.state.in_(OPEN_STATES))
    if not _is_center(actor):
        stmt = stmt.where(Supervision.target_unit_id == actor.unit_id)
    return {level: stmt.where(Supervision.level == level).scalar_subquery() for level in LEVELS}


def _by_level(counts: dict) -> list[dict]:
    from county_net.supervision.models import LEVELS

    return [{"level": level, "label": label, "count": counts.get(level) or 0} for level, label in LEVELS.items()]


def _is_center(actor) -> bool:
    info = unit_info(actor.unit_id)
    return info is not None and info.kind == "county_center"


def _collective_rows(found) -> list[dict]:
    """The board's short list: no petitioners' names (a board shows no one), so no party lookup."""
    names = petition_queries.unit_names({r.holder_unit_id for r in found})
    return [{"id": r.id, "number": r.number, "received_at": r.received_at, "head_count": r.head_count,
             "summary": r.summary[:60], "holder_unit": names.get(r.holder_unit_id), "state": r.state,
             "state_label": state_label(r.state)} for r in found]


def _due_soon_days(county_id: int) -> int:
    from county_net.petitions.settings import county_settings

    return county_settings(county_id)["due_soon_days"]


# ---- follow-ups -----------------------------------------------------------------------------------

def _follow_ups(actor, *, state: str | None = None, due: bool = False, own: bool = True):
    """Tasks joined to their matter: a task is seen only with its matter (the petition's rule applies)."""
    stmt = select(FollowUp, Petition).join(Petition, Petition.id == FollowUp.petition_id)
    if own:
        stmt = stmt.where(FollowUp.unit_id == actor.unit_id)
    if state:
        stmt = stmt.where(FollowUp.state == state)
    if due:
        stmt = stmt.where(FollowUp.state == "pending", FollowUp.due_on <= local_today())
    return stmt


def follow_up_list(actor, *, state: str | None = None, due: bool = False, page: int = 1, page_size: int = 20):
    from county_net.core.pagination import paginate

    stmt = _follow_ups(actor, state=state, due=due).order_by(FollowUp.state.desc(), FollowUp.due_on, FollowUp.id)
    result = paginate(stmt, page, page_size, scalars=False)
    result.items = [follow_up_view(f, p) for f, p in result.items]
    return result


def get_follow_up(follow_up_id: int) -> tuple[FollowUp, Petition]:
    found = db.session.execute(select(FollowUp, Petition).join(Petition, Petition.id == FollowUp.petition_id)
                               .where(FollowUp.id == follow_up_id)).first()
    if found is None:
        from county_net.core.errors import NotVisible

        raise NotVisible()
    return found[0], found[1]


def follow_up_view(follow_up: FollowUp, petition: Petition) -> dict:
    today = local_today()
    return {
        **{k: getattr(follow_up, k) for k in (
            "id", "petition_id", "unit_id", "closed_on", "due_on", "state", "method", "person", "result", "note",
            "could_not_reach", "attempts", "last_attempt_at", "done_at", "recorded_by_name", "new_petition_id",
            "version")},
        "state_label": FOLLOW_UP_STATES[follow_up.state],
        "method_label": FOLLOW_UP_METHODS.get(follow_up.method or "", ""),
        "result_label": FOLLOW_UP_RESULTS.get(follow_up.result or "", ""),
        "unit": petition_queries.unit_names([follow_up.unit_id]).get(follow_up.unit_id, ""),
        "is_due": follow_up.state == "pending" and follow_up.due_on <= today,
        "petition": {"id": petition.id, "number": petition.number, "state": petition.state,
                     "state_label": state_label(petition.state), "summary": petition.summary[:80],
                     "version": petition.version},
    }


# ---- the home page --------------------------------------------------------------------------------

def asked_of(actor) -> dict:
    """What is asked of the user's unit at login, beyond the inbox the home page already shows: reports
    waiting for its verdict and follow-ups due. (Supervision feedback and meeting tasks join here when those
    capabilities land.) Every figure a scalar subquery of its own statement, all in one."""
    from county_net.supervision.models import Supervision

    owed = select(func.count(Supervision.id)).where(Supervision.target_unit_id == actor.unit_id)
    figures = db.session.execute(select(
        select(func.count(Petition.id)).where(_waiting_for(actor)).scalar_subquery(),
        _follow_ups(actor, due=True).with_only_columns(func.count(FollowUp.id)).scalar_subquery(),
        _follow_ups(actor, state="pending").with_only_columns(func.count(FollowUp.id)).scalar_subquery(),
        owed.where(Supervision.state == "issued").scalar_subquery(),
        owed.where(Supervision.state == "received").scalar_subquery(),
        _tasks_counted(actor, "open"), _tasks_counted(actor, "overdue"))).one()
    review, due, pending, issued, received, tasks_open, tasks_overdue = (n or 0 for n in figures)
    return {"review_queue": review, "follow_ups_due": due, "follow_ups_pending": pending,
            "supervision": {"issued": issued, "received": received},
            "tasks": {"open": tasks_open, "overdue": tasks_overdue}, "is_center": _is_center(actor)}


def _tasks_counted(actor, state: str):
    from county_net.coordination.models import MeetingTask
    from county_net.coordination.queries import task_query

    stmt = task_query(actor, {"state": state}).order_by(None).with_only_columns(MeetingTask.id)
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery()


def with_links(view: dict, api: bool = False) -> dict:
    """Each figure's list: the search page (or its API twin) filtered exactly as the figure was counted."""
    from flask import url_for
    from flask_login import current_user

    matters = "petitions_api.search" if api else "petitions.index"
    base = url_for(matters)  # once: a county has a few hundred units, each with three links
    for unit in view["units"]:
        unit_id = int(unit["unit_id"])
        unit["links"] = {"open": f"{base}?unit_id={unit_id}&open=1",
                         "due_soon": f"{base}?unit_id={unit_id}&due=soon",
                         "overdue": f"{base}?unit_id={unit_id}&due=overdue"}
    view["total_links"] = {"open": url_for(matters, open=1), "due_soon": url_for(matters, due="soon"),
                           "overdue": url_for(matters, due="overdue")}
    view["review_queue_link"] = url_for("desk_api.review_queue" if api else "desk.review")
    view["follow_ups_due_link"] = url_for("desk_api.follow_ups" if api else "desk.follow_ups", due=1)
    view["collective"]["link"] = url_for(matters, collective=1,
                                         received_from=view["collective"]["since"].isoformat())
    if api:
        records = "supervision_api.list_supervisions"
    else:
        records = "supervision.index" if _is_center(current_user) else "supervision.mine"
    for row in view["supervision"] or []:
        row["link"] = url_for(records, level=row["level"], open_only=1)
    return view
