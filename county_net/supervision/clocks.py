"""The clocks the escalation sweep reads. Every petition event brings the matter's clocks up to date in the
event's own transaction (signal `petitions.signals.event_written`), so the sweep never scans open matters: it
reads the rows whose next mark has come (`next_on <= today`, an index). Marks are dates computed once, with the
county's calendar (county_net/deadlines), when a step starts or its inputs change (extension, pause)."""
from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace
from datetime import date, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from county_net.core.models import utcnow
from county_net.core.timeutil import to_local
from county_net.deadlines import Rule, compute_due
from county_net.deadlines.rules import RECEIVED_BY_UNIT, WORKING
from county_net.extensions import db
from county_net.petitions.models import CLOCK_FIELDS, UNSET
from county_net.petitions.workflow import OPEN_STATES
from county_net.supervision.models import SupervisionClock, SupervisionScore
from county_net.supervision.settings import supervision_settings
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info

SIGN_STATES = frozenset({"transferred", "assigned", "sub_assigned"})
# The handling unit's own work: from 签收 (or its own registration) until its reply or report goes up.
HANDLE_STATES = frozenset({"registered", "returned", "signed", "handling", "sub_assigned", "sub_handling",
                           "sub_reported", "replied"})
CLOSING_KINDS = frozenset({"close", "approve_report"})
# Marks in the order they fall; `reached` only ever moves right.
ORDER = {"sign": ("warn", "yellow", "red"), "handle": ("warn", "yellow", "red"), "due": ("warn", "overdue")}
RANK = {"none": 0, "warn": 1, "yellow": 2, "red": 3, "overdue": 2}
# The card limits count working days on the county's calendar, like any other limit (never by hand).
CARD_RULES = {step: Rule(f"card_{step}", label, None, WORKING, RECEIVED_BY_UNIT, False, 0, "本县督办规则")
              for step, label in (("sign", "签收"), ("handle", "办理"))}


@dataclass(frozen=True)
class Marks:
    warn_on: date | None = None
    yellow_on: date | None = None
    red_on: date | None = None
    overdue_on: date | None = None

    def on(self, mark: str) -> date | None:
        return getattr(self, f"{mark}_on")


def card_marks(step: str, started_on: date, extra_days: int, settings, calendar) -> Marks:
    """签收/办理: the card comes on the first working day after the limit's last day; the limit is the county's
    working days plus the approved extension days; the warning falls when the days used reach
    ⌊(limit + extension) × ratio⌋ (none when that is 0)."""
    rule = CARD_RULES[step]
    yellow_days = settings[f"{step}_yellow_days"] + extra_days
    red_days = settings[f"{step}_red_days"] + extra_days

    def after(days: int) -> date:
        last = compute_due(rule, started_on, calendar, days=days)
        return compute_due(rule, last, calendar, days=1)

    used = math.floor(yellow_days * settings["warn_ratio"] + 1e-9)
    warn_on = compute_due(rule, started_on, calendar, days=used) if used >= 1 else None
    return Marks(warn_on=warn_on, yellow_on=after(yellow_days), red_on=after(red_days))


def due_marks(due_on: date, settings) -> Marks:
    """The matter's own limit: within the county's warning window (the inbox's 即将到期), then overdue."""
    return Marks(warn_on=due_on - timedelta(days=settings.due_soon_days), overdue_on=due_on + timedelta(days=1))


def next_mark(step: str, marks: Marks, reached: str) -> date | None:
    dates = [marks.on(m) for m in ORDER[step] if RANK[m] > RANK[reached] and marks.on(m) is not None]
    return min(dates) if dates else None


def level_on(step: str, marks: Marks, today: date) -> str:
    """What a screen shows: the highest mark whose day has come, whether or not the sweep has run."""
    level = "none"
    for mark in ORDER[step]:
        day = marks.on(mark)
        if day is not None and day <= today:
            level = mark
    return level


def marks_of(row) -> Marks:
    return Marks(row.warn_on, row.yellow_on, row.red_on, row.overdue_on)


def _is_center(unit_id: int | None) -> bool:
    info = unit_info(unit_id)
    return info is None or info.kind == "county_center"


def wanted(petition) -> dict[str, int]:
    """step -> the unit whose clock it is, for the matter as it now is. The county center cards no one of
    its own; the legal limit's clock follows the holder wherever it is."""
    clocks: dict[str, int] = {}
    if petition.state not in OPEN_STATES:
        return clocks
    if petition.state in SIGN_STATES and not _is_center(petition.holder_unit_id):
        clocks["sign"] = petition.holder_unit_id
    if petition.state in HANDLE_STATES:
        own = petition.state in ("registered", "returned")
        unit = petition.holder_unit_id if own else (petition.handling_unit_id or petition.holder_unit_id)
        if not _is_center(unit):
            clocks["handle"] = unit
    if petition.due_on is not None:
        clocks["due"] = petition.holder_unit_id
    return clocks


def _extra_days(petition, step: str) -> int:
    # Approved extension and completed pauses lengthen the handling card limit, day for day.
    return (petition.extension_days or 0) + (petition.paused_days or 0) if step == "handle" else 0


def _values(petition, step: str, unit_id: int, started_on: date, reached: str, settings, calendar) -> dict:
    extra = _extra_days(petition, step)
    if step == "due":
        marks = due_marks(petition.due_on, settings)
    else:
        marks = card_marks(step, started_on, extra, settings, calendar)
    paused = step != "due" and petition.paused_since is not None
    return {"county_unit_id": petition.county_unit_id, "petition_id": petition.id, "step": step,
            "unit_id": unit_id, "started_on": started_on, "extension_days": extra,
            "due_on": petition.due_on if step == "due" else None, "warn_on": marks.warn_on,
            "yellow_on": marks.yellow_on, "red_on": marks.red_on, "overdue_on": marks.overdue_on,
            "reached": reached, "next_on": None if paused else next_mark(step, marks, reached),
            "updated_at": utcnow()}


def refresh(petition, on: date, *, closing_kind: str | None = None, new: bool = False) -> None:
    """Bring the matter's clocks in line with its state; `on` is the day a newly started step starts.
    `new`: the matter was registered in this transaction, so it has no clocks to read."""
    table = SupervisionClock.__table__
    settings, county = supervision_settings(petition.county_unit_id)
    calendar = county.calendar()
    want = wanted(petition)
    with system_scope("supervision clocks"):
        # System scope: the matter's clocks belong to the units that hold its steps, not only the actor's.
        existing = {} if new or _all_start_afresh(petition, want, closing_kind) else {
            row.step: row for row in db.session.execute(select(table).where(table.c.petition_id == petition.id))}
        if closing_kind in CLOSING_KINDS and petition.state == "closed" and "due" in existing:
            _score_on_time(petition, existing["due"], on, settings)
        due = existing.get("due")
        if "due" not in want and due is not None and petition.state in OPEN_STATES:
            # The matter is open with no limit running (a reply awaits its report or its closing): the last
            # limit stays, frozen, with whether it was met, for the on-time point at closing.
            if due.next_on is not None or due.warn_on is not None:
                late = due.due_on is not None and on > due.due_on
                db.session.execute(update(table).where(table.c.id == due.id).values(
                    warn_on=None, overdue_on=None, next_on=None, updated_at=utcnow(),
                    reached="overdue" if late else due.reached))
            existing.pop("due")
        gone = [row.id for step, row in existing.items() if step not in want]
        if gone:
            db.session.execute(delete(table).where(table.c.id.in_(gone)))
        values = []
        for step, unit_id in want.items():
            row = existing.get(step)
            same = row is not None and row.unit_id == unit_id and (step != "due" or row.due_on == petition.due_on)
            started, reached = (row.started_on, row.reached) if same else (on, "none")
            values.append(_values(petition, step, unit_id, started, reached, settings, calendar))
        if values:  # one statement for all of the matter's clocks, new or changed
            dialect = db.session.get_bind().dialect.name
            insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(values)
            db.session.execute(insert.on_conflict_do_update(
                index_elements=["petition_id", "step"],
                set_={name: insert.excluded[name] for name in values[0] if name not in ("petition_id", "step")}))
    petition._clock_place = tuple(getattr(petition, name) for name in CLOCK_FIELDS)


def _all_start_afresh(petition, want: dict[str, int], closing_kind: str | None) -> bool:
    """Whether the matter's clocks need not be read: the clocks it has are those its state as last written
    wanted (every transition brings them in line), and none of them is to be removed, frozen or carried on
    (each wanted step passes to another unit, so it starts afresh). A transfer from the center is one. When
    in doubt (the state as loaded unknown, a closing, a limit that may be frozen or moved by the sweep), read."""
    place = getattr(petition, "_clock_place", None)
    if place is None or UNSET in place:
        return False
    was = SimpleNamespace(**dict(zip(CLOCK_FIELDS, place)))
    if closing_kind in CLOSING_KINDS or (was.state in OPEN_STATES and was.due_on is None):
        return False
    before = wanted(was)
    return set(before) <= set(want) and all(before[step] != want[step] for step in before)


def _score_on_time(petition, due_row, closed_on: date, settings) -> None:
    """+1 when the matter's last limit was met: by the closing itself, or (frozen row) by the reply."""
    unit_id = petition.handling_unit_id
    frozen = due_row.next_on is None and due_row.warn_on is None
    late = due_row.reached == "overdue" or (not frozen and (due_row.due_on is None or closed_on > due_row.due_on))
    if unit_id is None or _is_center(unit_id) or late:
        return
    book(unit_id=unit_id, county_unit_id=petition.county_unit_id, points=settings["score_on_time_close"],
         reason="on_time_close", petition_id=petition.id, supervision_id=None, occurred_on=closed_on,
         key=f"petition:{petition.id}:on_time_close")


_ledger: ContextVar[list | None] = ContextVar("county_net_supervision_ledger", default=None)


@contextmanager
def batched_ledger():
    """Inside the block, book() queues its lines; flush_ledger() writes them in one executemany (the sweep)."""
    box: list = []
    token = _ledger.set(box)
    try:
        yield box
    finally:
        _ledger.reset(token)


def _ledger_insert():
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(SupervisionScore.__table__).on_conflict_do_nothing(index_elements=["key"])


def flush_ledger(box: list) -> None:
    if box:
        with system_scope("supervision score"):
            db.session.execute(_ledger_insert(), list(box))
        box.clear()


def book(**values) -> None:
    """One ledger line; a cause already booked (its key) is skipped, so reruns and races book once."""
    line = {"created_at": utcnow(), **values}
    box = _ledger.get()
    if box is not None:
        box.append(line)
        return
    with system_scope("supervision score"):
        db.session.execute(_ledger_insert(), [line])


def on_event_written(petition, event=None, **_) -> None:
    on = to_local(event.occurred_at).date() if event is not None and event.occurred_at else None
    from county_net.core.timeutil import local_today

    refresh(petition, on or local_today(), closing_kind=event.kind if event is not None else None,
            new=event is not None and event.kind == "register")


def connect() -> None:
    from county_net.petitions.signals import event_written

    event_written.connect(on_event_written)  # blinker keeps a weak reference to functions; module-level is fine


def rebuild(batch: int = 2000, today: date | None = None) -> dict:
    """Every open matter's clocks again (after installing, importing a holiday schedule or changing the
    county's card settings). Steps already running keep their start; a missing one starts on the day of the
    matter's latest event. Idempotent; commits per batch."""
    from county_net.petitions.models import Petition, PetitionEvent
    from county_net.core.timeutil import local_today

    today = today or local_today()
    done, last_id = 0, 0
    while True:
        with system_scope("supervision clocks rebuild"):
            petitions = list(db.session.scalars(select(Petition).where(
                Petition.state.in_(OPEN_STATES), Petition.id > last_id).order_by(Petition.id).limit(batch)))
            if not petitions:
                break
            latest = dict(db.session.execute(
                select(PetitionEvent.petition_id, db.func.max(PetitionEvent.occurred_at))
                .where(PetitionEvent.petition_id.in_([p.id for p in petitions]))
                .group_by(PetitionEvent.petition_id)).all())
            for petition in petitions:
                moment = latest.get(petition.id)
                refresh(petition, to_local(moment).date() if moment else today)
                done += 1
            last_id = petitions[-1].id
            db.session.commit()
            db.session.expunge_all()
    return {"matters": done}
