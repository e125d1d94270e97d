"""The escalation sweep (`flask supervision sweep`, daily). It reads only the clocks whose next mark has come
(`next_on <= today`, an index), so its cost follows what is due, not how many matters are open. Per clock:
the warning, the card (a record the sweep issues, or an open one raised: never lowered), the ledger lines, the
matter's due-soon and overdue notices. Each batch commits once with the clocks it moved on, so a crash
loses at most the batch in hand and a rerun finishes it; the records' `auto_key`, the ledger's `key` and the
notifications' (user, event_key) are unique, so nothing is written twice."""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, delete, select, update

from county_net.core.models import utcnow
from county_net.core.timeutil import cn_date, local_today
from county_net.deadlines import compute_due
from county_net.extensions import db
from county_net.notifications.services import batched, flush_outbox
from county_net.petitions.workflow import OPEN_STATES as PETITION_OPEN
from county_net.supervision import clocks
from county_net.supervision.models import (LEVEL_RANK, LEVELS, Supervision, SupervisionClock, SupervisionEvent,
                                          SupervisionPetition)
from county_net.supervision.services import book_level, notify_target, link
from county_net.supervision.settings import supervision_settings
from county_net.tenancy import system_scope

STEP_WORDS = {"sign": "未签收", "handle": "未办结"}


def sweep(today: date | None = None, batch: int = 500, after_batch=None) -> dict:
    """Run once a day (any number of times: a second run the same day writes nothing). `after_batch` is
    called after each commit with the counts so far (progress; the crash test stops there)."""
    from county_net.petitions.models import Petition

    today = today or local_today()
    table = SupervisionClock.__table__
    counts = {"clocks": 0, "warned": 0, "cards": 0, "records_issued": 0, "records_raised": 0, "due_soon": 0,
              "overdue": 0, "batches": 0}
    last_id = 0
    settings = _Settings()
    while True:
        with system_scope("supervision sweep"):
            rows = db.session.execute(select(table).where(table.c.next_on <= today, table.c.id > last_id)
                                      .order_by(table.c.id).limit(batch)).all()
            if not rows:
                break
            matters = {m.id: m for m in db.session.execute(
                select(Petition.id, Petition.number, Petition.state, Petition.holder_unit_id, Petition.due_on,
                       Petition.county_unit_id).where(Petition.id.in_({r.petition_id for r in rows})))}
            known = _records_for(rows)
            moves = []
            # The batch's notices and ledger lines are queued and written in a few statements before its commit.
            issued: list = []  # records the batch issues: flushed together, then announced
            with batched() as outbox, clocks.batched_ledger() as ledger:
                for row in rows:
                    moved = _act(row, matters.get(row.petition_id), today, counts, settings, known, issued)
                    if moved is not None:
                        moves.append(moved)
                    counts["clocks"] += 1
                _announce_issued(issued)
                flush_outbox(outbox)
                clocks.flush_ledger(ledger)
            _move(moves)
            last_id = rows[-1].id
            db.session.commit()
            db.session.expunge_all()
        counts["batches"] += 1
        if after_batch is not None:
            after_batch(dict(counts))
    return counts


def _auto_key(row) -> str:
    return f"clock:{row.petition_id}:{row.step}:{row.unit_id}:{row.started_on.isoformat()}"


def _records_for(rows) -> dict:
    """The records a batch's cards may land on, in two queries: the sweep's own (by `auto_key`) and the open
    ones aimed at the same unit about the same matter (the newest per pair)."""
    cards = [r for r in rows if r.step != "due"]
    if not cards:
        return {}
    known: dict = {r.auto_key: r for r in db.session.scalars(
        select(Supervision).where(Supervision.auto_key.in_([_auto_key(r) for r in cards])))}
    pairs = db.session.execute(
        select(SupervisionPetition.petition_id, Supervision)
        .join(Supervision, SupervisionPetition.supervision_id == Supervision.id)
        .where(SupervisionPetition.petition_id.in_({r.petition_id for r in cards}),
               Supervision.state.in_(("issued", "received", "feedback_submitted")))
        .order_by(Supervision.id)).all()
    for petition_id, record in pairs:
        known[(petition_id, record.target_unit_id)] = record  # the newest wins
    return known


class _Settings(dict):
    """Each county's settings and calendar, read once per run (outside a request nothing else caches them)."""

    def of(self, county_unit_id: int):
        if county_unit_id not in self:
            settings, county = supervision_settings(county_unit_id)
            self[county_unit_id] = (settings, county, county.calendar())
        return self[county_unit_id]


def _act(row, matter, today: date, counts: dict, cache: _Settings, known: dict, issued: list) -> dict | None:
    """Act on one clock's marks that have come; returns the clock's new state (None: the clock is gone)."""
    table = SupervisionClock.__table__
    if matter is None or matter.state not in PETITION_OPEN:
        # Its event removes the clock; a row left behind acts on nothing.
        db.session.execute(delete(table).where(table.c.id == row.id))
        return None
    settings, county, calendar = cache.of(matter.county_unit_id)
    reached = row.reached
    if row.step == "due":
        marks = clocks.marks_of(row)
        if matter.due_on != row.due_on:  # moved by the deadline sweep (a pause ended, a schedule imported)
            if matter.due_on is None:
                db.session.execute(delete(table).where(table.c.id == row.id))
                return None
            marks, reached = clocks.due_marks(matter.due_on, settings), "none"
        passed = _passed("due", marks, reached, today)
        if passed:
            _due_notice(matter, passed[-1], counts)
            reached = passed[-1]
        return {"cid": row.id, "due_on": matter.due_on, "warn_on": marks.warn_on, "overdue_on": marks.overdue_on,
                "reached": reached, "next_on": clocks.next_mark("due", marks, reached)}
    marks = clocks.marks_of(row)
    passed = _passed(row.step, marks, reached, today)
    cards = [m for m in passed if m in ("yellow", "red")]
    if cards:
        _card(row, matter, cards, today, settings, calendar, counts, known, issued)
    elif passed:
        _warn(row, matter, counts)
    if passed:
        reached = passed[-1]
    return {"cid": row.id, "due_on": row.due_on, "warn_on": row.warn_on, "overdue_on": row.overdue_on,
            "reached": reached, "next_on": clocks.next_mark(row.step, marks, reached)}


def _move(moves: list[dict]) -> None:
    """The batch's clocks moved on, in one statement (executemany), committed with what they caused."""
    if not moves:
        return
    table = SupervisionClock.__table__
    now = utcnow()
    db.session.execute(update(table).where(table.c.id == bindparam("cid")).values(
        due_on=bindparam("due_on"), warn_on=bindparam("warn_on"), overdue_on=bindparam("overdue_on"),
        reached=bindparam("reached"), next_on=bindparam("next_on"), updated_at=now), moves)


def _passed(step: str, marks, reached: str, today: date) -> list[str]:
    return [m for m in clocks.ORDER[step] if clocks.RANK[m] > clocks.RANK[reached]
            and marks.on(m) is not None and marks.on(m) <= today]


def _due_notice(matter, mark: str, counts: dict) -> None:
    from county_net.notifications.services import notify

    kind, word = ("petition_overdue", "已超期") if mark == "overdue" else ("petition_due_soon", "即将到期")
    notify(kind=kind, event_key=f"petition:{matter.id}:{'overdue' if mark == 'overdue' else 'due_soon'}:"
                                f"{matter.due_on.isoformat()}",
           unit_id=matter.holder_unit_id, title=f"{word}：{matter.number}（期限 {cn_date(matter.due_on)}）",
           link=link("petitions.detail", petition_id=matter.id), object_type="petition", object_id=matter.id)
    counts["overdue" if mark == "overdue" else "due_soon"] += 1


def _warn(row, matter, counts: dict) -> None:
    from county_net.notifications.services import notify

    notify(kind="supervision_warning",
           event_key=f"clock:{row.petition_id}:{row.step}:{row.unit_id}:{row.started_on.isoformat()}:warn",
           unit_id=row.unit_id, title=f"督办预警：{matter.number}{STEP_WORDS[row.step]}，"
                                      f"{cn_date(row.yellow_on)}起将予黄牌督办",
           link=link("petitions.detail", petition_id=matter.id), object_type="petition", object_id=matter.id)
    counts["warned"] += 1


def _card(row, matter, cards: list[str], today: date, settings, calendar, counts: dict, known: dict,
          issued: list) -> None:
    """The card the clock earned: on the sweep's own record for this clock, or on an open record the center
    aimed at the same unit for the same matter; issued anew when there is none. Never lowered."""
    level = cards[-1]
    auto_key = _auto_key(row)
    record = known.get(auto_key) or known.get((row.petition_id, row.unit_id))
    counts["cards"] += 1
    if record is None:
        record = _issue(row, matter, level, auto_key, today, settings, calendar)
        known[auto_key] = known[(row.petition_id, row.unit_id)] = record
        issued.append((record, row, matter, cards, settings))
        counts["records_issued"] += 1
        return
    if LEVEL_RANK[level] <= LEVEL_RANK[record.level]:
        return
    if record.id is None:
        db.session.flush()  # issued earlier in this batch: it needs its id before it is raised
    before = record.level
    record.level, record.escalated_at, record.version = level, utcnow(), record.version + 1
    db.session.add(SupervisionEvent(supervision_id=record.id, kind="escalate", from_state=record.state,
                                    to_state=record.state, from_level=before, to_level=level, actor_id=None,
                                    actor_name="系统", occurred_at=utcnow(),
                                    note=f"{STEP_WORDS[row.step]}超过本县规定时限，自动升级"))
    notify_target(record, kind="supervision_escalated", key=f"level:{level}",
                   title=f"督办升级为{LEVELS[level]}：{record.number}（{matter.number}）")
    for card in cards:
        if LEVEL_RANK[card] > LEVEL_RANK[before]:
            book_level(record, card, settings, petition_id=row.petition_id)
    counts["records_raised"] += 1


def _issue(row, matter, level: str, auto_key: str, today: date, settings, calendar) -> Supervision:
    """A record the sweep issues; its event, notice and ledger lines follow in `_announce_issued`, once the
    batch's records are flushed together (one round of inserts instead of one per record)."""
    days = settings[f"{row.step}_{level}_days"] + (row.extension_days or 0)
    feedback_due = compute_due(clocks.CARD_RULES[row.step], today, calendar, days=settings["feedback_days"])
    now = utcnow()
    record = Supervision(
        unit_id=matter.county_unit_id, county_unit_id=matter.county_unit_id, target_unit_id=row.unit_id,
        level=level, method="document", problem="not_signed" if row.step == "sign" else "overdue",
        content=f"信访事项 {matter.number} 自 {cn_date(row.started_on)} 起{STEP_WORDS[row.step]}，"
                f"已超过本县规定的 {days} 个工作日。",
        required_action="请单位主要负责人督促立即办理，并于反馈期限前书面报送办理情况。",
        feedback_due_on=feedback_due, state="issued", source="sweep", auto_key=auto_key, created_at=now,
        issued_at=now, version=1)
    record.links = [SupervisionPetition(petition_id=matter.id)]
    db.session.add(record)
    return record


def _announce_issued(issued: list) -> None:
    if not issued:
        return
    db.session.flush()  # every record of the batch gets its id in one round
    for record, row, matter, cards, settings in issued:
        level = record.level
        db.session.add(SupervisionEvent(supervision_id=record.id, kind="issue", from_state=None, to_state="issued",
                                        from_level=level, to_level=level, actor_id=None, actor_name="系统",
                                        occurred_at=record.issued_at, note="逾期自动督办"))
        notify_target(record, kind="supervision_issued", key="issued",
                      title=f"{LEVELS[level]}：{record.number}（{matter.number}{STEP_WORDS[row.step]}）",
                      body=f"请于 {cn_date(record.feedback_due_on)} 前反馈。")
        for card in cards:
            book_level(record, card, settings, petition_id=row.petition_id)
