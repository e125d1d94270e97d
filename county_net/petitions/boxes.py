"""The inbox's boxes. Which box a matter sits in for the unit that holds it; the per-unit counters of the boxes
that depend on the matter alone, moved by `services.write_event` in the transition's own transaction; the
counts an inbox shows, in one statement; and the recount from the rows (`flask petitions recount`).

待签收, 办理中, 被退回 and 待审查 follow from a matter's state (被退回 also from whether its last verdict sent it
back for rework), so a transition knows what it moves. 即将到期 and 已超期 depend on today's date: no stored
figure stays right overnight, so they are counted at read time from the inbox index, in the same statement
that reads the counters."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import String, bindparam, cast, delete, func, insert, literal, or_, select, text

from county_net.core.timeutil import local_today
from county_net.deadlines import warning_window
from county_net.extensions import db
from county_net.petitions.models import InboxCounter, Petition, PetitionEvent
from county_net.petitions.workflow import OPEN_STATES
from county_net.tenancy import system_scope

# The counted boxes and the states in each (the SQL conditions and a transition's bookkeeping read both).
STATE_BOXES = {
    "to_sign": ("transferred", "assigned", "sub_assigned"),
    "handling": ("registered", "signed", "handling", "replied", "sub_handling"),
    "returned": ("returned",),
    "review": ("reported", "reexamination", "final_review", "sub_reported"),
}
COUNTED = tuple(STATE_BOXES)
# The order the inbox shows them in.
BOXES = ("to_sign", "handling", "due_soon", "overdue", "returned", "review")
DUE_SOON_DAYS = 3

# A matter in these states is also 被退回 while its latest verdict sent it back for rework: a matter sent back
# for rework (退回重办), or refused by the village it was handed to, stays there until it is answered again,
# pauses and extensions on the way notwithstanding.
REWORK_STATES = ("handling", "sub_handling")
VERDICTS = ("reply", "return_report", "decide_reexamination", "sub_assign", "sub_send_back", "sub_file_report",
            "sub_approve_report", "sub_return_report")
REWORK = ("return_report", "sub_return_report", "sub_send_back")


def last_verdict():
    """The kind of a matter's latest verdict (a correlated subquery on the matter)."""
    return (select(PetitionEvent.kind).where(PetitionEvent.petition_id == Petition.id,
                                             PetitionEvent.kind.in_(VERDICTS))
            .order_by(PetitionEvent.id.desc()).limit(1).correlate(Petition).scalar_subquery())


def conditions(today=None) -> dict:
    """Each box as a condition on a matter (the holder is the caller's to add). Shared: do not change it."""
    return _conditions(today or local_today())


@lru_cache(maxsize=2)
def _conditions(today) -> dict:
    # SQL expressions are immutable: built once a day, not on every request (building costs more than running).
    today, soon = warning_window(today, DUE_SOON_DAYS)
    open_ = Petition.state.in_(OPEN_STATES)
    found = {box: Petition.state.in_(states) if len(states) > 1 else Petition.state == states[0]
             for box, states in STATE_BOXES.items()}
    found["returned"] = found["returned"] | (Petition.state.in_(REWORK_STATES) & last_verdict().in_(REWORK))
    found["due_soon"] = open_ & (Petition.due_on >= today) & (Petition.due_on <= soon)
    found["overdue"] = open_ & (Petition.due_on < today)
    found["all_open"] = open_  # the list of every open matter the unit holds (API `box=all_open`)
    return found


def counts(actor) -> dict[str, int]:
    """Every box of the actor's unit in one statement: the counters, and the dated boxes counted over the
    unit's open matters due within the window (the inbox index: holder, state, due day). Both are read under
    the tenant criteria: a unit outside the principal's scope has no counters to show."""
    row = db.session.execute(_counts_statement(local_today()), {"unit_id": actor.unit_id}).one()
    return {box: getattr(row, box) or 0 for box in BOXES}


@lru_cache(maxsize=2)
def _counts_statement(today):
    found = conditions(today)
    unit = bindparam("unit_id")
    stored = [select(getattr(InboxCounter, box)).where(InboxCounter.unit_id == unit).scalar_subquery().label(box)
              for box in COUNTED]
    return (select(func.count().filter(found["due_soon"]).label("due_soon"),
                   func.count().filter(found["overdue"]).label("overdue"), *stored)
            .where(Petition.holder_unit_id == unit, Petition.state.in_(OPEN_STATES),
                   Petition.due_on <= warning_window(today, DUE_SOON_DAYS)[1]))


# ---- a transition moves the counters ---------------------------------------------------------------

def _places(state, holder_id, accused_id, rework: bool) -> set[tuple[int, str]]:
    """(unit, box) pairs a matter counts in: its holder's boxes, unless the holder may not see it (a matter
    accusing the holder or a unit above it is hidden from the holder, as the tenant criteria hide it)."""
    from county_net.units.directory import unit_info

    if holder_id is None or state not in OPEN_STATES:
        return set()
    if accused_id is not None:
        holder = unit_info(holder_id)
        if holder is not None and accused_id in holder.ancestor_ids:
            return set()
    found = {(holder_id, box) for box, states in STATE_BOXES.items() if state in states}
    if rework and state in REWORK_STATES:
        found.add((holder_id, "returned"))
    return found


def _sent_back(petition_id: int, before_event_id: int) -> bool:
    kind = db.session.scalar(select(PetitionEvent.kind).where(
        PetitionEvent.petition_id == petition_id, PetitionEvent.kind.in_(VERDICTS),
        PetitionEvent.id < before_event_id).order_by(PetitionEvent.id.desc()).limit(1))
    return kind in REWORK


def count_transition(petition: Petition, event: PetitionEvent) -> None:
    """Move the counters from where the matter was (as loaded, or as the last transition left it) to where it
    is now: one upsert in the caller's transaction, after the matter's own UPDATE has passed its version
    check. A new matter was nowhere. Nothing is read or written when neither state nor holder changed."""
    was_state, was_holder, was_rework = getattr(petition, "_box_place", (None, None, None))
    state, holder = petition.state, petition.holder_unit_id
    verdict = event.kind in VERDICTS
    if (was_state, was_holder) == (state, holder) and not verdict:
        return
    with system_scope("inbox counters"):  # the receiving unit's counters are not the sender's to see
        if was_rework is None and (was_state in REWORK_STATES or (state in REWORK_STATES and not verdict)):
            was_rework = _sent_back(petition.id, event.id)
        rework = event.kind in REWORK if verdict else bool(was_rework)
        before = _places(was_state, was_holder, petition.accused_unit_id, bool(was_rework))
        after = _places(state, holder, petition.accused_unit_id, rework)
        deltas: dict[int, dict[str, int]] = {}
        for (unit_id, box), step in [(p, -1) for p in before - after] + [(p, 1) for p in after - before]:
            deltas.setdefault(unit_id, dict.fromkeys(COUNTED, 0))[box] += step
        if deltas:
            _add(deltas)
    petition._box_place = (state, holder, rework)


def _add(deltas: dict[int, dict[str, int]]) -> None:
    """One statement: n = n + delta per box, inserting a unit's row the first time. Rows go in unit order, so
    two transitions touching the same two units lock their rows in the same order."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    table = InboxCounter.__table__
    statement = upsert(table).values([{"unit_id": unit_id, **deltas[unit_id]} for unit_id in sorted(deltas)])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.unit_id],
        set_={box: table.c[box] + getattr(statement.excluded, box) for box in COUNTED}))


# ---- from the rows ---------------------------------------------------------------------------------

def from_rows(unit_ids=None) -> dict[int, dict[str, int]]:
    """Each unit's counted boxes computed from the matters (and their verdicts) alone: what the counters must
    hold. `unit_ids`: only these holders. Units with nothing counted are left out."""
    from sqlalchemy.orm import aliased

    from county_net.units.models import Unit

    holder = aliased(Unit, name="holder_unit")
    found = conditions()
    # Hidden from its holder: the matter accuses the holder or a unit on its path.
    accuses_holder = holder.path.like(literal("%/") + cast(Petition.accused_unit_id, String) + "/%")
    stmt = (select(Petition.holder_unit_id, *(func.count().filter(found[box]).label(box) for box in COUNTED))
            .join(holder, holder.id == Petition.holder_unit_id)
            .where(Petition.state.in_(OPEN_STATES), or_(Petition.accused_unit_id.is_(None), ~accuses_holder))
            .group_by(Petition.holder_unit_id))
    return _per_unit(stmt, Petition.holder_unit_id, unit_ids)


def stored(unit_ids=None) -> dict[int, dict[str, int]]:
    """What the counters hold (units with all zero left out, as in `from_rows`)."""
    stmt = select(InboxCounter.unit_id, *(getattr(InboxCounter, box) for box in COUNTED))
    return _per_unit(stmt, InboxCounter.unit_id, unit_ids)


def _per_unit(stmt, unit, unit_ids) -> dict[int, dict[str, int]]:
    if unit_ids is not None:
        stmt = stmt.where(unit.in_(sorted(unit_ids)))
    with system_scope("inbox counters"):
        rows = db.session.execute(stmt).all()
    return {row[0]: {box: getattr(row, box) for box in COUNTED} for row in rows
            if any(getattr(row, box) for box in COUNTED)}


def recount(unit_ids=None) -> int:
    """Rebuild the counters from the rows (every unit, or these); the caller commits. On PostgreSQL the table
    is locked first: a transition that commits while the rows are read waits at its own upsert and adds its
    step to the fresh figures, so nothing is counted twice or lost. Returns the number of units with a row."""
    with system_scope("inbox recount"):
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("LOCK TABLE inbox_counters IN EXCLUSIVE MODE"))
        fresh = from_rows(unit_ids)
        wipe = delete(InboxCounter)
        if unit_ids is not None:
            wipe = wipe.where(InboxCounter.unit_id.in_(sorted(unit_ids)))
        db.session.execute(wipe)
        if fresh:
            db.session.execute(insert(InboxCounter), [{"unit_id": unit_id, **boxes}
                                                      for unit_id, boxes in sorted(fresh.items())])
    return len(fresh)
