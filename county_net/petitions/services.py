"""The only writers of matters. Each public function is one transition: check role, unit and state, change
the row, write a PetitionEvent, bump the version, recompute the deadline, commit once."""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value

from county_net.audit import services as audit
from county_net.core import crypto
from county_net.core.jsonrows import json_rows
from county_net.core.errors import IllegalTransition, InvalidInput, NotVisible, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.schemas import valid_id
from county_net.core.timeutil import cn_date, local_today, to_local
from county_net.extensions import db
from county_net.petitions import page
from county_net.petitions.identity import (id_number_problem, mask_id, mask_phone, normalise_id, normalise_phone,
                                           phone_problem)
from county_net.petitions.models import (CHANNELS, NATURES, REPLY_OUTCOMES, REVIEW_RESULTS, SATISFACTION, Category,
                                         Petition, PetitionAccess, PetitionCounter, PetitionEvent, PetitionLink,
                                         PetitionParty, Petitioner, PetitionerContactChange)
from county_net.petitions.models import DELIVERY_METHODS
from county_net.petitions.settings import county_settings
from county_net.petitions.workflow import ACTIONS, HANDLING, HOLDER, INVOLVED, OWNER, REVIEW, SENDER
from county_net.tenancy import system_scope
from county_net.units.directory import unit_info

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# ---- shared checks -------------------------------------------------------------------------------

def _unit_ids_involved(petition: Petition) -> set[int]:
    """Units with a part in the matter; remembered per version, since a page asks several times."""
    cached = getattr(petition, "_involved", None)
    if cached is not None and cached[0] == petition.version:
        return cached[1]
    ids = {petition.unit_id, petition.holder_unit_id, petition.handling_unit_id, petition.sender_unit_id,
           petition.review_unit_id}
    rows = page.rows_of(petition, "grants", grants_part(petition))
    involved = {i for i in ids | {r["grantee_unit_id"] for r in rows} if i is not None}
    petition._involved = (petition.version, involved)
    return involved


def grants_part(petition: Petition):
    """The units holding an active grant that lets them act (a coordination meeting's grant lets a unit read
    the matter, not act on it); a part of the matter page's one statement (petitions/page.py)."""
    return json_rows({"grantee_unit_id": PetitionAccess.grantee_unit_id},
                     PetitionAccess.petition_id == petition.id, PetitionAccess.is_active.is_(True),
                     PetitionAccess.via != COORDINATION)


def _party_unit(petition: Petition, party: str) -> int | None:
    return {HOLDER: petition.holder_unit_id, HANDLING: petition.handling_unit_id, SENDER: petition.sender_unit_id,
            REVIEW: petition.review_unit_id, OWNER: petition.unit_id}.get(party)


def _begin(actor, petition: Petition, action_name: str, version: int | None):
    """Role, party, state and version, in that order; nothing is changed before all four pass."""
    action = ACTIONS[action_name]
    if not actor.has_role(*action.roles):
        raise RoleRequired(f"“{action.label}”需要以下角色之一：{'、'.join(_role_names(action.roles))}")
    if action.party == INVOLVED:
        if actor.unit_id not in _unit_ids_involved(petition):
            raise IllegalTransition(f"本单位不是该事项的办理方，不能{action.label}")
    elif action.party != REVIEW or action_name.startswith("decide"):
        if actor.unit_id != _party_unit(petition, action.party):
            raise IllegalTransition(f"该事项当前不由本单位{action.label}")
    if petition.state not in action.sources:
        raise IllegalTransition(f"事项处于“{_state_label(petition.state)}”状态，不能{action.label}")
    if version is None or version != petition.version:
        raise StaleVersion()
    return action


def _role_names(roles) -> list[str]:
    from county_net.accounts.models import ROLES

    return [ROLES[r] for r in roles]


def _state_label(state: str) -> str:
    from county_net.petitions.workflow import state_label

    return state_label(state)


def write_event(petition: Petition, event: PetitionEvent) -> PetitionEvent:
    """Add a timeline entry, move the inbox counters (petitions/boxes.py) and tell the listeners
    (notifications, supervision clocks), in this transaction: what they write is committed with the event or
    not at all. Every transition of a matter passes here."""
    from county_net.petitions.boxes import count_transition
    from county_net.petitions.signals import event_written

    db.session.add(event)
    db.session.flush()
    count_transition(petition, event)
    event_written.send(petition, event=event)
    return event


def _finish(actor, petition: Petition, action_name: str, *, note: str = "", payload: dict | None = None,
            target_unit_id: int | None = None, to_state: str | None = None, after=None) -> Petition:
    action = ACTIONS[action_name]
    from_state = petition.state
    new_state = to_state or action.target or from_state
    petition.state = new_state
    petition.version = petition.version + 1
    refresh_due(petition)
    write_event(petition, PetitionEvent(
        petition_id=petition.id, kind=action_name, from_state=from_state, to_state=new_state,
        actor_id=actor.id, actor_name=actor.name if hasattr(actor, "name") else str(actor.username),
        actor_unit_id=actor.unit_id, target_unit_id=target_unit_id, occurred_at=utcnow(), note=note or "",
        payload=json.dumps(payload or {}, ensure_ascii=False, default=str),
    ))
    if after is not None:
        db.session.flush()  # written while the actor can still see the matter
        after()
    db.session.commit()
    return petition


def _visible_unit(unit_id: int, field: str, actor=None):
    """A unit the actor may address: any active unit of the actor's own county (the directory)."""
    unit = unit_info(unit_id) if isinstance(unit_id, int) else None
    county = unit_info(actor.unit_id).county_id if actor is not None else None
    if unit is None or not unit.is_active or (county is not None and unit.county_id != county):
        raise InvalidInput(fields={field: ["单位不存在"]})
    return unit


def _require_text(value: str | None, field: str, label: str, max_len: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(fields={field: [f"请填写{label}"]})
    if len(value) > max_len:
        raise InvalidInput(fields={field: [f"{label}不能超过 {max_len} 字"]})
    return value


def _grant(petition: Petition, actor, grantee_id: int, via: str) -> None:
    if grantee_id in {petition.unit_id}:
        return
    grantee = unit_info(grantee_id)
    if grantee is None or grantee.county_id != petition.county_unit_id:
        # The county scope's criteria rely on this: a matter is seen outside its county by no one.
        raise InvalidInput(fields={"to_unit_id": ["只能转交本县（市、区）的单位"]})
    db.session.add(PetitionAccess(petition_id=petition.id, unit_id=actor.unit_id, grantee_unit_id=grantee_id,
                                  via=via, is_active=True))


def _end_grants(petition: Petition, grantee_ids: set[int], vias=("transfer", "assign", "co_unit")) -> None:
    _end_grants_of(petition.id, grantee_ids, vias)


def _end_grants_of(petition_id: int, grantee_ids: set[int], vias) -> None:
    with system_scope("end grants"):
        db.session.execute(update(PetitionAccess).where(
            PetitionAccess.petition_id == petition_id, PetitionAccess.grantee_unit_id.in_(grantee_ids),
            PetitionAccess.via.in_(vias), PetitionAccess.is_active.is_(True)).values(is_active=False,
                                                                                    ended_at=utcnow()))


COORDINATION = "coordination"


def grant_coordination(petition: Petition, actor, unit_ids, field: str = "invited_unit_ids") -> list[int]:
    """协调会: the invited units may read the matter while the meeting lasts (a grant `via="coordination"`,
    which transfers and send-backs never end). Units of another county, or the accused unit and anything
    under it, are refused (400) before anything is written. Returns the units newly granted. The caller
    commits."""
    units = []
    for unit_id in dict.fromkeys(unit_ids):
        unit = unit_info(unit_id) if valid_id(unit_id) else None
        if unit is None or not unit.is_active or unit.county_id != petition.county_unit_id:
            raise InvalidInput(fields={field: ["只能邀请本县（市、区）的单位"]})
        _block_accused(petition, unit, field)
        units.append(unit.id)
    with system_scope("coordination grants"):
        held = set(db.session.scalars(select(PetitionAccess.grantee_unit_id).where(
            PetitionAccess.petition_id == petition.id, PetitionAccess.via == COORDINATION,
            PetitionAccess.is_active.is_(True))))
    added = [u for u in units if u not in held and u != petition.unit_id]
    for unit_id in added:
        db.session.add(PetitionAccess(petition_id=petition.id, unit_id=actor.unit_id, grantee_unit_id=unit_id,
                                      via=COORDINATION, is_active=True))
    petition._involved = None
    return added


def end_coordination(petition_id: int, unit_ids) -> None:
    """The meeting is over: its grants end (only coordination grants; a transfer's stay). The caller commits."""
    ids = set(unit_ids)
    if ids:
        _end_grants_of(petition_id, ids, (COORDINATION,))


def _block_accused(petition: Petition, unit, field: str) -> None:
    """检举控告 never goes to the unit it accuses, nor to anything under it."""
    if petition.accused_unit_id is None:
        return
    if petition.accused_unit_id in unit.ancestor_ids:
        raise InvalidInput(fields={field: ["检举控告事项不得转交被反映单位或其下级单位"]})


# ---- deadlines -----------------------------------------------------------------------------------

def refresh_due(petition: Petition) -> None:
    """Put the current limit on the row (step, last day, 暂定) for inboxes and the overdue sweep, with the
    basis it was counted under."""
    settings = county_settings(petition.county_unit_id)
    petition.due_basis = due_basis()
    petition.due_step, petition.due_on, petition.due_provisional = current_limit(petition, settings)


def _counting_version() -> bytes:
    """The code and packaged data a limit is counted with: the deadlines package and its holiday file, the
    county settings' defaults, this module, local time, and the lunar calendar behind provisional years. Read
    when the module is imported, so a process stamps what it runs, and a deploy that changes any of them makes
    every stored limit count again at the next sweep."""
    import hashlib
    import sys
    from importlib import metadata
    from pathlib import Path

    from county_net.deadlines.calendar import DEFAULT_FILE

    digest = hashlib.blake2b(digest_size=16)
    modules = ("county_net.deadlines.calendar", "county_net.deadlines.compute", "county_net.deadlines.rules",
               "county_net.deadlines.services", "county_net.petitions.settings", "county_net.core.timeutil")
    for path in [*(sys.modules[name].__file__ for name in modules), __file__, DEFAULT_FILE]:
        digest.update(Path(path).read_bytes())
    digest.update(metadata.version("lunar_python").encode())
    return digest.digest()


def due_basis() -> int:
    """A stored limit's basis: the reference stamps of the units (county settings, unit codes and kinds) and of
    the holiday schedules, with the counting code's version; a signed 63-bit number. Everything else a limit
    reads is the matter's own columns, written only by the services, each of which counts it again (and a
    paused clock, which moves with the day, is counted by every sweep)."""
    import hashlib

    from county_net.core import reference

    stamps = reference.current()
    digest = hashlib.blake2b(_COUNTING_VERSION + f":{stamps.units}:{stamps.calendar}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") >> 1


def current_deadline(petition: Petition, settings=None) -> tuple[str | None, date | None]:
    return current_limit(petition, settings)[:2]


def current_limit(petition: Petition, settings=None, calendar=None) -> tuple[str | None, date | None, bool]:
    """The current limit: its step, its last day, and whether it rests on a provisional holiday year.
    `calendar`: the county's calendar when the caller already holds it (the sweep takes it once per run)."""
    settings = settings or county_settings(petition.county_unit_id)
    calendar = calendar or settings.calendar()
    rollover = settings["holiday_rollover"]
    rules = settings.rules(_unit_code(petition.holder_unit_id))
    return _limit_from(_limit_plan(petition, _unit_kind(petition.holder_unit_id), _paused_total(petition)),
                       lambda step, start, extension, paused: _count(rules[step], start, calendar, rollover,
                                                                     extension, paused))


def _limit_plan(petition, holder_kind: str | None, paused: int) -> tuple:
    """What the current limit rests on, per state: ("count", step, start, extension days, paused days, the
    assigner's report date that wins when earlier) for a limit counted by deadlines.compute_due, or
    ("set", step, date) for a date someone set. Only what the state reads, so the sweep can key on it."""
    state = petition.state
    if state in ("registered", "returned"):
        if holder_kind == "county_center":
            return "count", "disposition", petition.received_at, 0, 0, None
        return "count", "acceptance_notice", petition.received_by_unit_at or petition.received_at, 0, 0, None
    if state in ("transferred", "assigned", "signed"):
        step = "simple_acceptance" if petition.is_simple else "acceptance_notice"
        return "count", step, petition.received_by_unit_at or petition.received_at, 0, 0, None
    if state in ("sub_assigned", "sub_handling"):
        # The village or enterprise works to the date its township set; the township's clock runs on.
        return "set", "report_back", petition.sub_report_due_on
    if state in ("handling", "sub_reported"):
        cap = petition.report_due_on if petition.route == "assign" else None
        if petition.is_simple:
            return "count", "simple_handling", petition.accepted_at, 0, paused, cap
        return "count", "handling", petition.accepted_at, petition.extension_days, paused, cap
    if state == "replied" and petition.route == "assign" and petition.report_due_on:
        return "set", "report_back", petition.report_due_on
    if state == "reexamination":
        return "count", "reexamination", petition.reexamination_requested_at, 0, paused, None
    if state == "final_review":
        return "count", "final_review", petition.final_review_requested_at, 0, paused, None
    return "set", None, None


def _limit_from(plan: tuple, count) -> tuple[str | None, date | None, bool]:
    """The limit a plan gives, `count(step, start, extension, paused)` -> (last day, 暂定) doing the counting."""
    if plan[0] == "set":
        return plan[1], plan[2], False
    _, step, start, extension, paused, cap = plan
    last, provisional = count(step, start, extension, paused)
    if cap and cap < last:
        return "report_back", cap, False  # a date the assigner set
    return step, last, provisional


def _count(rule, start, calendar, rollover: bool, extension: int, paused: int) -> tuple[date, bool]:
    from county_net.deadlines import compute_due, rests_on_provisional

    last = compute_due(rule, start, calendar, rollover=rollover, extension_days=extension, paused_days=paused)
    return last, rests_on_provisional(start, last, calendar)


def _paused_total(petition, today: date | None = None) -> int:
    return petition.paused_days + (_paused_so_far(petition, today) if petition.paused_since else 0)


def _paused_so_far(petition: Petition, today: date | None = None) -> int:
    """Whole days the clock has stood still so far; a pause with an end date stops counting after it."""
    end = today or local_today()
    if petition.paused_until is not None:
        end = min(end, petition.paused_until + timedelta(days=1))
    return max(0, (end - to_local(petition.paused_since).date()).days)


_COUNTING_VERSION = _counting_version()


def _unit_code(unit_id: int | None) -> str | None:
    info = unit_info(unit_id)
    return info.code if info else None


def _unit_kind(unit_id: int) -> str | None:
    info = unit_info(unit_id)
    return info.kind if info else None


# ---- registration --------------------------------------------------------------------------------

def _next_number(county_unit_id: int, year: int, pattern: str) -> tuple[int, str]:
    """Gapless per county and year: the counter row stays locked until this transaction commits."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    seq = db.session.execute(
        insert(PetitionCounter).values(county_unit_id=county_unit_id, year=year, last_seq=1)
        .on_conflict_do_update(index_elements=["county_unit_id", "year"],
                               set_={"last_seq": PetitionCounter.last_seq + 1})
        .returning(PetitionCounter.last_seq)).scalar_one()
    return seq, pattern.format(year=year, seq=seq)


def _query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(10))


def validate_people(people: list[dict], settings) -> list[dict]:
    if not people:
        raise InvalidInput(fields={"petitioners": ["请至少登记一名信访人"]})
    limit = settings["max_representatives"]
    if len(people) > limit:
        raise InvalidInput(fields={"petitioners": [f"多人反映同一事项的，应推选不超过 {limit} 名代表；请只登记代表"]})
    cleaned, errors = [], {}
    for index, person in enumerate(people):
        name = (person.get("name") or "").strip()
        id_number = normalise_id(person.get("id_number") or "")
        phone = normalise_phone(person.get("phone") or "")
        problems = {}
        if not name or len(name) > 60:
            problems["name"] = ["请填写姓名（不超过 60 字）"]
        if id_number and (problem := id_number_problem(id_number)):
            problems["id_number"] = [problem]
        if phone and (problem := phone_problem(phone)):
            problems["phone"] = [problem]
        if problems:
            errors[str(index)] = problems
        cleaned.append({"name": name, "id_number": id_number or None, "phone": phone or None,
                        "address": (person.get("address") or "").strip()[:200] or None})
    if errors:
        raise InvalidInput(fields={"petitioners": errors})
    ids = [p["id_number"] for p in cleaned if p["id_number"]]
    if len(ids) != len(set(ids)):
        raise InvalidInput(fields={"petitioners": ["同一身份证号重复登记"]})
    return cleaned


def find_petitioner(id_number: str | None = None, name: str | None = None, phone: str | None = None):
    """Exact ID number (keyed hash), else name and phone; only what the caller may see."""
    if id_number:
        digest = crypto.lookup_hash(normalise_id(id_number), "id_number")
        return db.session.scalars(select(Petitioner).where(Petitioner.id_number_hash == digest)
                                  .order_by(Petitioner.id)).first()
    if name and phone:
        digest = crypto.lookup_hash(f"{name.strip()}|{normalise_phone(phone)}", "name_phone")
        return db.session.scalars(select(Petitioner).where(Petitioner.name_phone_hash == digest)
                                  .order_by(Petitioner.id)).first()
    return None


def _open_file(actor, person: dict, petition: Petition | None = None) -> Petitioner:
    existing = find_petitioner(person["id_number"]) if person["id_number"] else None
    if existing is None and person["phone"]:
        existing = find_petitioner(name=person["name"], phone=person["phone"])
    if existing is not None:
        # What the person gives today is their current contact; the file keeps the old in its history.
        _update_contact(actor, existing, phone=person["phone"], address=person["address"], source="registration",
                        petition_id=petition.id if petition is not None else None)
        return existing
    petitioner = Petitioner(unit_id=actor.unit_id, name=person["name"], address=person["address"])
    if person["id_number"]:
        petitioner.id_number_enc = crypto.encrypt(person["id_number"], "id_number")
        petitioner.id_number_hash = crypto.lookup_hash(person["id_number"], "id_number")
        petitioner.id_number_masked = mask_id(person["id_number"])
    if person["phone"]:
        _set_phone(petitioner, person["phone"])
    db.session.add(petitioner)
    db.session.flush()
    return petitioner


def open_petitioner_files(actor, people: list[dict]) -> list[Petitioner]:
    """Find or open the files of the people a desk registers before any matter exists (the hall's check-in):
    the same checks and the same lookup as a registration. Never commits; the caller's service does."""
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired("登记信访人需要接访员或一把手角色")
    cleaned = validate_people(people, county_settings(unit_info(actor.unit_id).county_id))
    return [_open_file(actor, person) for person in cleaned]


def people_of_files(petitioner_ids: list[int]) -> list[dict]:
    """The people of files already open, in the shape `register_petition` takes, so that a matter registered
    later from a visit finds the same files (by the keyed hash) rather than opening new ones."""
    rows = {p.id: p for p in db.session.scalars(select(Petitioner).where(Petitioner.id.in_(petitioner_ids or [-1])))}
    return [{"name": rows[i].name, "id_number": crypto.decrypt(rows[i].id_number_enc, "id_number"),
             "phone": crypto.decrypt(rows[i].phone_enc, "phone"), "address": rows[i].address}
            for i in petitioner_ids if i in rows]


def _set_phone(petitioner: Petitioner, phone: str) -> None:
    petitioner.phone_enc = crypto.encrypt(phone, "phone")
    petitioner.phone_hash = crypto.lookup_hash(phone, "phone")
    petitioner.phone_masked = mask_phone(phone)
    petitioner.phone_last4 = phone[-4:]
    petitioner.name_phone_hash = crypto.lookup_hash(f"{petitioner.name}|{phone}", "name_phone")


NO_QUERY_PHONE = "未登记联系电话，信访人无法凭查询码在网上查询"


def _update_contact(actor, petitioner: Petitioner, *, phone: str | None, address: str | None, source: str,
                    petition_id: int | None = None) -> bool:
    """A new phone or address replaces the file's; the old values go to the contact history, and the audit
    record names the phones masked only. False when nothing differs."""
    new_phone = bool(phone) and crypto.lookup_hash(phone, "phone") != petitioner.phone_hash
    new_address = bool(address) and address != (petitioner.address or "")
    if not (new_phone or new_address):
        return False
    change = PetitionerContactChange(petitioner_id=petitioner.id, petition_id=petition_id, source=source,
                                     changed_at=utcnow(), actor_id=actor.id, actor_name=actor.name,
                                     actor_unit_id=actor.unit_id)
    if new_phone:
        change.old_phone_enc, change.old_phone_masked = petitioner.phone_enc, petitioner.phone_masked
        _set_phone(petitioner, phone)
        change.new_phone_masked = petitioner.phone_masked
    if new_address:
        change.old_address, change.new_address = petitioner.address, address
        petitioner.address = address
    petitioner.version += 1
    db.session.add(change)
    audit.record("petitioner.contact_changed", actor=actor, target_type="petitioner", target_id=petitioner.id,
                 detail={"source": source, "petition_id": petition_id, "old_phone": change.old_phone_masked,
                         "new_phone": change.new_phone_masked, "address_changed": new_address})
    return True


def correct_contact(actor, petitioner: Petitioner, *, version: int | None, phone: str | None = None,
                    address: str | None = None) -> Petitioner:
    """A clerk corrects a petitioner's phone or address (screen and API alike). Matters registered with the
    phone being replaced take the corrected one for /query; others keep theirs."""
    require_clerk(actor)
    if not may_open_file(actor, petitioner):
        raise NotVisible()
    phone, address = normalise_phone(phone or ""), (address or "").strip()
    errors = {}
    if phone and (problem := phone_problem(phone)):
        errors["phone"] = [problem]
    if len(address) > 200:
        errors["address"] = ["住址不能超过 200 字"]
    if not errors and not phone and not address:
        errors["phone"] = ["请填写新的联系电话或住址"]
    if errors:
        raise InvalidInput(fields=errors)
    if version is None or version != petitioner.version:
        raise StaleVersion()
    old_hash = petitioner.phone_hash
    if not _update_contact(actor, petitioner, phone=phone or None, address=address or None, source="correction"):
        raise InvalidInput(fields={"phone": ["与档案中的联系方式相同，无需更正"]})
    if phone and old_hash:
        db.session.execute(update(PetitionParty).where(
            PetitionParty.petitioner_id == petitioner.id, PetitionParty.phone_hash == old_hash).values(
            phone_enc=petitioner.phone_enc, phone_hash=petitioner.phone_hash, phone_last4=petitioner.phone_last4),
            execution_options={"synchronize_session": False})
    db.session.commit()
    return petitioner


def may_open_file(actor, petitioner: Petitioner) -> bool:
    """The unit that opened the file, or one that may know who the person is on one of their matters (an
    accuser stays hidden from anyone the confidentiality rule excludes)."""
    from county_net.petitions.queries import petitioner_file

    return petitioner.unit_id == actor.unit_id or any(may_see_identity(actor, m) for m in petitioner_file(petitioner))


def query_last4(party: PetitionParty) -> str | None:
    """The phone /query accepts for this matter: the one it was registered with, else the file's current one
    (matters registered without a phone, or before matters kept their own)."""
    return party.phone_last4 if party.phone_enc else party.petitioner.phone_last4


def register_petition(actor, data: dict, files=(), *, commit: bool = True) -> Petition:
    """登记: one matter, its petitioners' files, a number, a query code, proposed repeat links and the
    letters or photos handed over at the desk, in one transaction. `commit=False`: another service (a
    follow-up that re-opens a matter) finishes the transaction with its own rows."""
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired("登记信访事项需要接访员或一把手角色")
    county_id = unit_info(actor.unit_id).county_id
    settings = county_settings(county_id)
    errors = {}
    channel = data.get("channel")
    if channel not in CHANNELS:
        errors["channel"] = ["请选择信访形式"]
    nature = data.get("nature")
    if nature not in NATURES:
        errors["nature"] = ["请选择事项性质"]
    head_count = data.get("head_count") or 1
    if not isinstance(head_count, int) or isinstance(head_count, bool) or not 1 <= head_count <= 10000:
        errors["head_count"] = ["人数须为 1–10000 的整数"]
    received_at = data.get("received_at") or utcnow()
    if not isinstance(received_at, datetime) or received_at.tzinfo is None:
        errors["received_at"] = ["收件时间无效"]
    elif received_at > utcnow() + timedelta(minutes=5):
        errors["received_at"] = ["收件时间不能晚于现在"]
    from county_net.petitions.queries import category_by_id  # reference data kept per process

    category = category_by_id(data["category_id"]) if valid_id(data.get("category_id")) else None
    if category is None or not category.is_active:
        errors["category_id"] = ["请选择事项类别"]
    summary = (data.get("summary") or "").strip()
    if not 5 <= len(summary) <= 4000:
        errors["summary"] = ["请填写反映的主要问题（5–4000 字）"]
    demands = (data.get("demands") or "").strip()
    if len(demands) > 4000:
        errors["demands"] = ["具体诉求不能超过 4000 字"]
    locality = None
    if data.get("locality_unit_id"):
        locality = unit_info(data["locality_unit_id"])
        if locality is None or locality.kind != "township" or locality.county_id != county_id:
            errors["locality_unit_id"] = ["属地须为本县的乡镇（街道）"]
    accused = None
    if data.get("accused_unit_id"):
        accused = unit_info(data["accused_unit_id"])
        if accused is None or accused.county_id != county_id:
            errors["accused_unit_id"] = ["被反映单位不存在"]
        elif accused.id in unit_info(actor.unit_id).ancestor_ids:
            # The matter would be hidden from the unit that registers it (the accuser's protection): it
            # belongs to a unit above the one accused.
            errors["accused_unit_id"] = ["反映本单位或上级单位的检举控告，请引导信访人向被反映单位的上级机关提出"]
    if nature != "accusation" and (accused or data.get("accused_description")):
        errors.setdefault("accused_unit_id", []).append("只有检举控告事项登记被反映单位")
    try:
        people = validate_people(data.get("petitioners") or [], settings)
    except InvalidInput as exc:
        errors.update(exc.fields)
        people = []
    if errors:
        raise InvalidInput(fields=errors)

    year = to_local(received_at).year
    seq, number = _next_number(county_id, year, settings["number_pattern"])
    petition = Petition(
        unit_id=actor.unit_id, county_unit_id=county_id, year=year, seq=seq, number=number,
        query_code=_query_code(), registered_by_id=actor.id, received_at=received_at, registered_at=utcnow(),
        channel=channel, head_count=head_count, is_collective=head_count >= settings["collective_threshold"],
        locality_unit_id=locality.id if locality else None, category_id=category.id, nature=nature,
        summary=summary, demands=demands, accused_unit_id=accused.id if accused else None,
        accused_description=(data.get("accused_description") or "").strip()[:200] or None,
        is_major=bool(data.get("is_major")), state="registered", holder_unit_id=actor.unit_id,
        received_by_unit_at=received_at, version=1, paused_days=0, extension_days=0, is_simple=False,
    )
    refresh_due(petition)  # before the INSERT, so the row is written once
    db.session.add(petition)
    db.session.flush()
    petitioners = [_open_file(actor, person, petition) for person in people]
    parties = [PetitionParty(petition_id=petition.id, petitioner_id=petitioner.id, position=position,
                             is_representative=petition.is_collective, phone_enc=petitioner.phone_enc,
                             phone_hash=petitioner.phone_hash, phone_last4=petitioner.phone_last4)
               for position, petitioner in enumerate(petitioners)]
    db.session.add_all(parties)
    db.session.flush()
    # The answer shows the parties just written: hand them to the matter rather than read them back.
    set_committed_value(petition, "parties", parties)
    for party, petitioner in zip(parties, petitioners):
        set_committed_value(party, "petitioner", petitioner)
    from county_net.repeats.services import on_register

    proposals = on_register(petition, petitioners).suggestions
    write_event(petition, PetitionEvent(
        petition_id=petition.id, kind="register", from_state=None, to_state="registered", actor_id=actor.id,
        actor_name=actor.name, actor_unit_id=actor.unit_id, occurred_at=utcnow(),
        note="", payload=json.dumps({"number": number, "proposed_links": len(proposals)}, ensure_ascii=False)))
    if petition.nature == "accusation":
        audit.record("petition.confidential_registered", actor=actor, target_type="petition", target_id=petition.id)
    if files:
        from county_net.petitions.attachments import add_attachments

        add_attachments(actor, petition, files, commit=False)
        petition.version = 1  # the attachments arrive with the registration, not after it
    if commit:
        db.session.commit()
    return petition


REOPEN_REASON = "回访重开"


def reopen_as_new(actor, earlier: Petition, *, channel: str, summary: str, demands: str = "") -> Petition:
    """回访 finds the problem unresolved: a new matter for the same petitioners, registered through
    `register_petition` and linked to the earlier one as a confirmed repeat (same thread). Does not commit:
    the caller's service records the follow-up in the same transaction."""
    if not may_see_identity(actor, earlier):
        raise RoleRequired("无权查看该事项信访人的身份，不能据此登记新事项")
    people = [{"name": p.petitioner.name,
               "id_number": crypto.decrypt(p.petitioner.id_number_enc, "id_number"),
               "phone": crypto.decrypt(p.phone_enc or p.petitioner.phone_enc, "phone"),
               "address": p.petitioner.address} for p in earlier.parties]
    data = {"channel": channel, "category_id": earlier.category_id, "nature": earlier.nature,
            "summary": summary, "demands": demands, "head_count": earlier.head_count,
            "locality_unit_id": earlier.locality_unit_id, "accused_unit_id": earlier.accused_unit_id,
            "accused_description": earlier.accused_description, "petitioners": people}
    petition = register_petition(actor, data, commit=False)
    link = db.session.scalar(select(PetitionLink).where(PetitionLink.petition_id == petition.id,
                                                        PetitionLink.earlier_id == earlier.id))
    if link is None:  # the repeat check may already have proposed it
        link = PetitionLink(petition_id=petition.id, earlier_id=earlier.id, score=100, reason=REOPEN_REASON)
        db.session.add(link)
    link.status = "confirmed"
    petition.is_repeat = True
    petition.thread_id = earlier.thread_id or earlier.id
    petition.version += 1  # one event per version: the link below is the second
    write_event(petition, PetitionEvent(
        petition_id=petition.id, kind="link_confirmed", from_state=petition.state, to_state=petition.state,
        actor_id=actor.id, actor_name=actor.name, actor_unit_id=actor.unit_id, occurred_at=utcnow(),
        note=REOPEN_REASON, payload=json.dumps({"earlier_id": earlier.id, "score": link.score,
                                                "reason": REOPEN_REASON}, ensure_ascii=False)))
    return petition


def require_clerk(actor) -> None:
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired("需要接访员或一把手角色")


def preview_candidates(actor, body: dict) -> dict:
    """Before saving: the person's other matters and the earlier matters this one may repeat (nothing is
    written)."""
    from county_net.repeats.services import preview

    require_clerk(actor)
    return preview(actor, body)


# ---- repeat links ---------------------------------------------------------------------------------

def decide_link(actor, petition: Petition, *, version: int, link_id: int, confirm: bool, note: str = "") -> Petition:
    """The clerk confirms or rejects a suggested repeat; the decision, who made it and why are kept on the link
    and in the matter's timeline."""
    if not actor.has_role("receptionist", "head"):
        raise RoleRequired()
    if actor.unit_id not in _unit_ids_involved(petition):
        raise IllegalTransition("本单位不是该事项的办理方")
    # The earlier matter through the tenant criteria: a link to a matter the actor may not see is not there.
    found = db.session.execute(select(PetitionLink, Petition).join(Petition, Petition.id == PetitionLink.earlier_id)
                               .where(PetitionLink.id == link_id, PetitionLink.petition_id == petition.id)).first()
    if found is None:
        raise NotVisible()
    link, earlier = found
    if version != petition.version:
        raise StaleVersion()
    if link.status != "proposed":
        raise IllegalTransition("该关联已处理")
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput(fields={"note": ["理由不超过 200 字"]})
    link.status = "confirmed" if confirm else "rejected"
    link.decision_note = note or None
    link.decided_by_id = actor.id
    link.decided_at = utcnow()
    payload = {"earlier_id": link.earlier_id, "score": link.score}
    if confirm:
        earlier_thread = earlier.thread_id or earlier.id
        with system_scope("thread of the earlier matter"):
            # 不再受理 holds whoever may read the concluded matter; its number is named only to those who may.
            concluded_id = db.session.scalars(select(Petition.id).where(
                (Petition.thread_id == earlier_thread) | (Petition.id == earlier_thread),
                Petition.state == "concluded")).first()
        petition.is_repeat = True
        petition.thread_id = earlier_thread
        if concluded_id is not None:
            petition.is_no_longer_accepted = True  # 不再受理: the same facts after 复核
            number = db.session.scalar(select(Petition.number).where(Petition.id == concluded_id))
            if number is not None:
                payload["concluded_number"] = number
    petition.version += 1
    write_event(petition, PetitionEvent(
        petition_id=petition.id, kind="link_confirmed" if confirm else "link_rejected", from_state=petition.state,
        to_state=petition.state, actor_id=actor.id, actor_name=actor.name, actor_unit_id=actor.unit_id,
        occurred_at=utcnow(), note=note, payload=json.dumps(payload, ensure_ascii=False)))
    db.session.commit()
    return petition


# ---- disposition by the registering office ---------------------------------------------------------

def _route(actor, petition, version, action, to_unit_id, note, co_unit_ids, report_due_on=None):
    _begin(actor, petition, action, version)
    target = _visible_unit(to_unit_id, "to_unit_id", actor)
    if target.id == actor.unit_id:
        raise InvalidInput(fields={"to_unit_id": ["不能转交给本单位"]})
    _block_accused(petition, target, "to_unit_id")
    co_units = []
    for co_id in dict.fromkeys(co_unit_ids or []):
        co = _visible_unit(co_id, "co_unit_ids", actor)
        if co.id in (target.id, actor.unit_id):
            raise InvalidInput(fields={"co_unit_ids": ["协办单位不能是主办单位或本单位"]})
        _block_accused(petition, co, "co_unit_ids")
        co_units.append(co)
    if action == "assign":
        petition.report_due_on = _report_date(report_due_on)
    petition.sender_unit_id = actor.unit_id
    petition.holder_unit_id = target.id
    petition.handling_unit_id = target.id
    petition.route = action
    petition.received_by_unit_at = utcnow()
    _grant(petition, actor, target.id, action)
    for co in co_units:
        _grant(petition, actor, co.id, "co_unit")
    return _finish(actor, petition, action, note=note, target_unit_id=target.id,
                   payload={"to": target.name, "co_units": [c.name for c in co_units],
                            "report_due_on": report_due_on.isoformat() if report_due_on else None})


# Input sanity bounds, not legal windows (the legal limits come from county_net/deadlines): a 交办 report date
# and a pause's end further off than these is a typing slip. The schemas state the same bounds in the API document.
REPORT_DUE_MAX_DAYS = 90
PAUSE_MAX_DAYS = 180


def _report_date(report_due_on: date | None, latest: date | None = None) -> date:
    """A 交办 report date: after today, within REPORT_DUE_MAX_DAYS, and never after `latest` (the sender's own
    limit)."""
    today = local_today()
    own = f"，且不晚于本单位的办理期限（{cn_date(latest)}）" if latest is not None else ""
    if (report_due_on is None or report_due_on <= today
            or report_due_on > today + timedelta(days=REPORT_DUE_MAX_DAYS)):
        raise InvalidInput(fields={"report_due_on": [
            f"请设定今天之后 {REPORT_DUE_MAX_DAYS} 日内的报送办结报告日期{own}"]})
    if latest is not None and report_due_on > latest:
        raise InvalidInput(fields={"report_due_on": [f"报送办结报告日期不能晚于本单位的办理期限（{cn_date(latest)}）"]})
    return report_due_on


def transfer_petition(actor, petition, *, version, to_unit_id, note="", co_unit_ids=()):
    """转送 to the competent unit, which signs for it or sends it back."""
    return _route(actor, petition, version, "transfer", to_unit_id, note, co_unit_ids)


def assign_petition(actor, petition, *, version, to_unit_id, report_due_on, note="", co_unit_ids=()):
    """交办 with a date by which the completion report is due."""
    return _route(actor, petition, version, "assign", to_unit_id, note, co_unit_ids, report_due_on)


REDIRECT_CHANNELS = {"litigation": "诉讼", "arbitration": "仲裁", "reconsideration": "行政复议",
                     "discipline": "纪检监察机关", "political_legal": "政法机关（涉法涉诉）", "other": "其他法定途径"}


def redirect_petition(actor, petition, *, version, channel, organ, reason, organ_contact=""):
    """告知: the matter belongs to a statutory channel; the notice says where (organ, address or channel) and why."""
    _begin(actor, petition, "redirect", version)
    if channel not in REDIRECT_CHANNELS:
        raise InvalidInput(fields={"channel": ["请选择法定途径"]})
    organ = _require_text(organ, "organ", "应向其反映的机关", 120)
    reason = _require_text(reason, "reason", "告知理由")
    organ_contact = (organ_contact or "").strip()
    if len(organ_contact) > 200:
        raise InvalidInput(fields={"organ_contact": ["地址或联系方式不能超过 200 个字符"]})
    petition.closed_at = utcnow()
    return _finish(actor, petition, "redirect", note=reason,
                   payload={"channel": channel, "channel_label": REDIRECT_CHANNELS[channel], "organ": organ,
                            "organ_contact": organ_contact, "reason": reason})


def handle_self(actor, petition, *, version, note=""):
    """The registering unit is competent: it accepts the matter itself."""
    _begin(actor, petition, "handle_self", version)
    petition.handling_unit_id = actor.unit_id
    petition.route = "self"
    petition.accepted_at = utcnow()
    return _finish(actor, petition, "handle_self", note=note)


def report_up(actor, petition, *, version, note):
    """重大紧急事项: reported upward at once; the flag stays on the matter."""
    _begin(actor, petition, "report_up", version)
    petition.is_major = True
    return _finish(actor, petition, "report_up", note=_require_text(note, "note", "上报内容"))


# ---- at the receiving unit -------------------------------------------------------------------------

def sign_for(actor, petition, *, version):
    _begin(actor, petition, "sign_for", version)
    return _finish(actor, petition, "sign_for")


def send_back(actor, petition, *, version, reason, competent_unit_id=None):
    """退回: not within this unit's remit; within 5 working days of receipt, naming the competent unit."""
    from county_net.deadlines import compute_due

    _begin(actor, petition, "send_back", version)
    reason = _require_text(reason, "reason", "退回理由")
    settings = county_settings(petition.county_unit_id)
    rule = settings.rules(_unit_code(actor.unit_id))["objection"]
    last_day = compute_due(rule, petition.received_by_unit_at, settings.calendar())
    if local_today() > last_day:
        raise IllegalTransition(f"已超过异议期限（{last_day.isoformat()}，{rule.article}），不能退回")
    competent = _visible_unit(competent_unit_id, "competent_unit_id", actor) if competent_unit_id else None
    returned_from = petition.holder_unit_id
    petition.holder_unit_id = petition.sender_unit_id
    petition.handling_unit_id = None
    petition.route = None
    # Every unit granted by the course, read in system scope: the county center's co-unit grant is not the
    # township's to see, but it must end when the matter leaves.
    with system_scope("grants of a matter sent back"):
        granted = set(db.session.scalars(select(PetitionAccess.grantee_unit_id).where(
            PetitionAccess.petition_id == petition.id, PetitionAccess.is_active.is_(True),
            PetitionAccess.via.in_(("transfer", "assign", "co_unit")))))
    leaving = (_unit_ids_involved(petition) | granted) - {petition.unit_id, petition.sender_unit_id}
    return _finish(actor, petition, "send_back", note=reason, target_unit_id=petition.sender_unit_id,
                   payload={"reason": reason, "from_unit_id": returned_from,
                            "competent_unit": competent.name if competent else None,
                            "competent_unit_id": competent.id if competent else None},
                   after=lambda: _end_grants(petition, leaving))


def accept_petition(actor, petition, *, version, note="", simple=False):
    """受理: the 60-day handling clock starts now (10 working days under the simple procedure)."""
    _begin(actor, petition, "accept", version)
    if simple:
        if petition.is_repeat or petition.is_collective or petition.route == "assign":
            raise IllegalTransition("简易办理只适用于初次信访、非集体访、非上级交办的事项")
        petition.is_simple = True
    petition.accepted_at = utcnow()
    return _finish(actor, petition, "accept", note=note, payload={"simple": simple})


# The not-accepted cases of 国家信访局's 2014 逐级走访 measures (and the statutory-channel case), each with the
# article of the 条例 it rests on; the notice prints the article. Free text stays possible ("other").
DECLINE_GROUNDS = {
    "statutory_procedure": ("应当通过诉讼、仲裁、行政复议等法定途径解决", "《信访工作条例》第三十一条"),
    # The 2014 逐级走访 measures name this ground; the 条例's own article for it was not verified.
    "law_organs": ("属于人民代表大会、人民法院、人民检察院职权范围",
                   "《关于进一步规范信访事项受理办理程序引导来访人依法逐级走访的办法》"),
    "level_skipping": ("越级走访，未向依法有权处理的本级或者上一级机关提出", "《信访工作条例》第二十条第一款"),
    "in_progress": ("已经受理或者正在办理，在规定期限内向上级机关再提出同一事项", "《信访工作条例》第十九条第三款"),
    "review_skipped": ("对处理（复查）意见不服，未请求复查（复核）而向上级机关提出", "《信访工作条例》第三十五条、第三十六条"),
    "window_missed": ("无正当理由超过请求复查（复核）的期限", "《信访工作条例》第三十五条、第三十六条"),
    "concluded": ("已经复核终结或者审核认定办结，仍以同一事实和理由提出", "《信访工作条例》第三十六条第三款"),
    "other": ("其他情形", None),
}


def decline_petition(actor, petition, *, version, reason, channel, ground=None):
    """不予受理, with the reasons, the ground (and its article) and the lawful channel."""
    _begin(actor, petition, "decline", version)
    reason = _require_text(reason, "reason", "不予受理的理由")
    channel = _require_text(channel, "channel", "依法应当采取的途径", 200)
    if ground is not None and ground not in DECLINE_GROUNDS:
        raise InvalidInput(fields={"ground": ["请选择不予受理的情形"]})
    label, article = DECLINE_GROUNDS[ground] if ground else (None, None)
    petition.closed_at = utcnow()
    return _finish(actor, petition, "decline", note=reason, payload={
        "reason": reason, "channel": channel, "ground": ground, "ground_label": label, "ground_article": article})


# ---- handling --------------------------------------------------------------------------------------

def extend_handling(actor, petition, *, version, days, reason, petitioner_told=True):
    """延期: approved by the head, at most the rule's maximum in total, petitioner told."""
    _begin(actor, petition, "extend", version)
    settings = county_settings(petition.county_unit_id)
    rule = settings.rules(_unit_code(petition.handling_unit_id))["handling"]
    if petition.is_simple or not rule.extendable:
        raise IllegalTransition("该事项的办理期限不能延长")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise InvalidInput(fields={"days": ["延长天数须为正整数"]})
    if petition.extension_days + days > rule.max_extension_days:
        left = rule.max_extension_days - petition.extension_days
        raise InvalidInput(fields={"days": [f"延长合计不得超过 {rule.max_extension_days} 日（还可延长 {left} 日）"]})
    if not petitioner_told:
        raise InvalidInput(fields={"petitioner_told": ["延期须告知信访人"]})
    reason = _require_text(reason, "reason", "延期理由")
    # The notice names the handling limit itself, not an earlier report-back date that may be in force.
    old_due = _handling_due(petition, rule, settings)
    petition.extension_days += days
    new_due = _handling_due(petition, rule, settings)
    return _finish(actor, petition, "extend", note=reason,
                   payload={"days": days, "reason": reason, "old_due": old_due, "new_due": new_due,
                            "new_due_provisional": _rests_on_provisional(petition.accepted_at, new_due, settings),
                            "approver": actor.name})


def _rests_on_provisional(start, last: date, settings) -> bool:
    from county_net.deadlines import rests_on_provisional

    return rests_on_provisional(start, last, settings.calendar())


def _handling_due(petition: Petition, rule, settings) -> date:
    from county_net.deadlines import compute_due

    paused = petition.paused_days + (_paused_so_far(petition) if petition.paused_since else 0)
    return compute_due(rule, petition.accepted_at, settings.calendar(), extension_days=petition.extension_days,
                       paused_days=paused, rollover=settings["holiday_rollover"])


PAUSE_REASONS = {"materials": "等待信访人补充材料", "hearing": "听证"}


def pause_clock(actor, petition, *, version, reason, note="", until=None):
    """Stop the clock where the rules allow it; with `until`, it resumes by itself after that day."""
    _begin(actor, petition, "pause", version)
    if until is not None and (until < local_today() or until > local_today() + timedelta(days=PAUSE_MAX_DAYS)):
        raise InvalidInput(fields={"until": [f"恢复日期须在今天之后 {PAUSE_MAX_DAYS} 日内"]})
    if petition.paused_since is not None:
        raise IllegalTransition("计时已暂停")
    allowed = {"handling": ("materials",), "reexamination": ("materials",), "final_review": ("hearing", "materials")}
    if reason not in allowed[petition.state]:
        raise InvalidInput(fields={"reason": [f"当前阶段只能因{'、'.join(PAUSE_REASONS[r] for r in allowed[petition.state])}暂停计时"]})
    petition.paused_since = utcnow()
    petition.pause_reason = reason
    petition.paused_until = until
    return _finish(actor, petition, "pause", note=note, payload={"reason": reason, "label": PAUSE_REASONS[reason],
                                                                 "until": until.isoformat() if until else None})


def resume_clock(actor, petition, *, version, note=""):
    _begin(actor, petition, "resume", version)
    if petition.paused_since is None:
        raise IllegalTransition("计时未暂停")
    days = _paused_so_far(petition)
    _end_pause(petition, days)
    return _finish(actor, petition, "resume", note=note, payload={"paused_days": days})


def _end_pause(petition: Petition, days: int) -> None:
    petition.paused_days += days
    petition.paused_since = None
    petition.pause_reason = None
    petition.paused_until = None


_SWEEP_COLUMNS = ("id", "county_unit_id", "state", "holder_unit_id", "received_at", "received_by_unit_at", "is_simple",
                  "accepted_at", "extension_days", "paused_days", "paused_since", "paused_until", "route",
                  "report_due_on", "reexamination_requested_at", "final_review_requested_at", "due_step", "due_on",
                  "due_provisional", "sub_report_due_on", "due_basis", "version")


def _day(moment: datetime | None) -> date | None:
    return to_local(moment).date() if moment is not None else None


def sweep(batch: int = 5000) -> dict:
    """The deadline sweep (system scope): end pauses whose day has passed, with a timeline entry, and put
    the current limit on every open matter whose stored one is stale. It reads columns, not entities, and
    remembers each distinct deadline computation, so a province's open matters take seconds. It passes over a
    matter whose stored limit was counted under the current basis (`due_basis`) unless its clock is paused, so
    a second run with nothing changed reads and writes almost nothing. The calendar is read once per run, and a
    holiday schedule imported since the last run changes the basis, so the answers (date or 暂定 mark) are
    counted again and written."""
    from county_net.petitions.workflow import OPEN_STATES

    today = local_today()
    basis = due_basis()
    resumed = refreshed = counted = 0
    counties: dict = {}  # county -> (settings, calendar, rollover), taken once per run
    holders: dict = {}  # (county, holder unit) -> (its kind, its rules, the id of its counting context)
    contexts: dict = {}  # (calendar, rollover, rules) -> id: units whose counting agrees share one id
    memo: dict = {}  # (context id, step, local start day, extension days, paused days) -> (last day, 暂定)

    def county_of(county_unit_id):
        if county_unit_id not in counties:
            settings = county_settings(county_unit_id)
            counties[county_unit_id] = settings, settings.calendar(), settings["holiday_rollover"]
        return counties[county_unit_id]

    def holder_of(county_unit_id, unit_id):
        key = county_unit_id, unit_id
        if key not in holders:
            settings, calendar, rollover = county_of(county_unit_id)
            rules = settings.rules(_unit_code(unit_id))
            context = contexts.setdefault((calendar, rollover, tuple(sorted(rules.items()))), len(contexts))
            holders[key] = _unit_kind(unit_id), rules, context
        return holders[key]

    columns = [getattr(Petition, name) for name in _SWEEP_COLUMNS]
    # The open matters to count come from the state index (sorted here: ORDER BY id made SQLite walk the table),
    # then each batch reads its rows by key. Paging on `id > last` walked the whole table in id order, closed
    # matters included (4.2 s at 1M).
    stale = (Petition.due_basis.is_(None)) | (Petition.due_basis != basis) | (Petition.paused_since.is_not(None))
    open_ids = sorted(db.session.scalars(select(Petition.id).where(Petition.state.in_(OPEN_STATES), stale)))
    checked = db.session.scalar(select(func.count()).select_from(Petition).where(Petition.state.in_(OPEN_STATES)))
    for first in range(0, len(open_ids), batch):
        rows = db.session.execute(select(*columns).where(Petition.id.in_(open_ids[first:first + batch]),
                                                         Petition.state.in_(OPEN_STATES))
                                  .order_by(Petition.id)).all()
        changes: dict[int, tuple] = {}
        restamp: list[dict] = []
        lapsed = [row.id for row in rows if row.paused_since is not None and row.paused_until is not None
                  and row.paused_until < today]
        # The batch's lapsed pauses come back as entities in one query, not one query each.
        to_resume = {p.id: p for p in db.session.scalars(select(Petition).where(Petition.id.in_(lapsed)))} \
            if lapsed else {}
        for row in rows:
            counted += 1
            if row.id in to_resume:
                petition = to_resume[row.id]
                days = _paused_so_far(petition)
                _end_pause(petition, days)
                petition.version += 1
                write_event(petition, PetitionEvent(
                    petition_id=petition.id, kind="resume", from_state=petition.state, to_state=petition.state,
                    actor_id=None, actor_name="系统", occurred_at=utcnow(), note="暂停期满，自动恢复计时",
                    payload=json.dumps({"paused_days": days, "automatic": True})))
                settings, calendar, _ = county_of(petition.county_unit_id)
                petition.due_step, petition.due_on, petition.due_provisional = current_limit(
                    petition, settings, calendar)
                petition.due_basis = basis
                resumed += 1
                refreshed += 1
                continue
            kind, rules, context = holder_of(row.county_unit_id, row.holder_unit_id)
            plan = _limit_plan(row, kind, _paused_total(row, today))

            # Same inputs, same answer: the key holds only what the state's count reads, the holder unit's
            # rules by the id of its counting context, and the start as the local day (compute_due counts
            # from the day, never the hour), so matters of one day and one rule set share one computation.
            def count(step, start, extension, paused):
                key = context, step, _day(start), extension, paused
                found = memo.get(key)
                if found is None:
                    _, calendar, rollover = counties[row.county_unit_id]
                    found = memo[key] = _count(rules[step], start, calendar, rollover, extension, paused)
                return found

            wanted = _limit_from(plan, count)
            if wanted != (row.due_step, row.due_on, bool(row.due_provisional)):
                changes[row.id] = row.version, wanted
                refreshed += 1
            elif row.due_basis != basis:  # the same limit, stamped so that the next run passes over it
                restamp.append({"pid": row.id, "read_version": row.version})
        # One executemany per batch, not a round trip per matter; only at the version read, since a matter a
        # service moved meanwhile has its own limit and basis already. A stamp alone leaves the limit's
        # columns, and so their indexes, untouched.
        table = Petition.__table__
        at_version = table.update().where(table.c.id == bindparam("pid"),
                                          table.c.version == bindparam("read_version"))
        if changes:
            db.session.execute(at_version.values(due_step=bindparam("step"), due_on=bindparam("due"),
                                                 due_provisional=bindparam("provisional"), due_basis=basis),
                               [{"pid": pid, "read_version": version, "step": step, "due": due,
                                 "provisional": provisional}
                                for pid, (version, (step, due, provisional)) in changes.items()])
        if restamp:
            db.session.execute(at_version.values(due_basis=basis), restamp)
        db.session.commit()
        db.session.expunge_all()
    return {"checked": checked, "counted": counted, "resumed": resumed, "refreshed": refreshed}


def add_co_opinion(actor, petition, *, version, opinion):
    """协办意见: a co-unit's contribution, which the lead unit folds into its reply."""
    _begin(actor, petition, "co_opinion", version)
    return _finish(actor, petition, "co_opinion", note=_require_text(opinion, "opinion", "协办意见"))


def record_mediation(actor, petition, *, version, kind, terms):
    if kind not in ("mediation", "settlement"):
        raise InvalidInput(fields={"kind": ["请选择调解或和解"]})
    _begin(actor, petition, "record_mediation", version)
    return _finish(actor, petition, "record_mediation", note=_require_text(terms, "terms", "协议内容"),
                   payload={"kind": kind})


def review_organ_for(petition: Petition, after_unit_id: int) -> tuple[int, str]:
    """The organ one level above `after_unit_id`: a unit of the network, or, above the county, the
    configured upper organ (recorded by the county center)."""
    unit = unit_info(after_unit_id)
    parent = unit_info(unit.parent_id)
    settings = county_settings(petition.county_unit_id)
    if parent is not None:
        if parent.kind == "county_center":
            # Above a township or a county bureau stands the county government; its 信访 office records it.
            return parent.id, settings["county_government"] or f"{settings['county_name']}人民政府"
        return parent.id, parent.name
    return unit.id, settings["review_organ_above_county"]


def reply_petition(actor, petition, *, version, outcome, request, facts, basis, delivery_method=None,
                   delivered_on=None):
    """处理意见书: 支持 / 解释说明 / 不予支持, with request, facts, basis and the remedy; how it was delivered
    (当面送达 by default, that day)."""
    _begin(actor, petition, "reply", version)
    delivery = _delivery(delivery_method, delivered_on, local_today())
    if outcome not in REPLY_OUTCOMES:
        raise InvalidInput(fields={"outcome": ["请选择处理意见"]})
    request = _require_text(request, "request", "信访人的请求")
    facts = _require_text(facts, "facts", "查明的事实")
    basis = _require_text(basis, "basis", "处理依据")
    if petition.paused_since is not None:
        raise IllegalTransition("计时暂停期间不能出具处理意见书，请先恢复计时")
    _, organ = review_organ_for(petition, petition.handling_unit_id)
    window = county_settings(petition.county_unit_id).rules(_unit_code(petition.handling_unit_id))[
        "reexamination_request"]
    remedy = f"信访人对本处理意见不服的，可以自收到本意见书之日起{window.days}日内向{organ}请求复查。"
    petition.replied_at = utcnow()
    petition.reply_outcome = outcome
    petition.reply_delivery, petition.reply_delivered_on = delivery
    return _finish(actor, petition, "reply", payload={
        "outcome": outcome, "outcome_label": REPLY_OUTCOMES[outcome], "request": request, "facts": facts,
        "basis": basis, "remedy": remedy, "review_organ": organ, **_delivery_payload(petition, "reply")})


def file_report(actor, petition, *, version, report):
    """办结报告 to the assigning unit (assigned matters only)."""
    if petition.route != "assign":
        raise IllegalTransition("只有交办事项需要报送办结报告")
    _begin(actor, petition, "file_report", version)
    petition.holder_unit_id = petition.sender_unit_id
    return _finish(actor, petition, "file_report", note=_require_text(report, "report", "办结报告"),
                   target_unit_id=petition.sender_unit_id)


def approve_report(actor, petition, *, version, note=""):
    _begin(actor, petition, "approve_report", version)
    petition.closed_at = utcnow()
    petition.holder_unit_id = petition.handling_unit_id
    return _finish(actor, petition, "approve_report", note=note)


def return_report(actor, petition, *, version, reason):
    """审查回告 not passed: back for redo with reasons; the handling clock keeps running."""
    _begin(actor, petition, "return_report", version)
    reason = _require_text(reason, "reason", "退回重办的理由")
    petition.holder_unit_id = petition.handling_unit_id
    petition.replied_at = None
    petition.reply_outcome = None
    return _finish(actor, petition, "return_report", note=reason, target_unit_id=petition.handling_unit_id,
                   payload={"reason": reason})


def close_petition(actor, petition, *, version, satisfaction=None, note=""):
    """办结 (transferred or self-handled matters), with the petitioner's satisfaction where known."""
    if petition.route == "assign":
        raise IllegalTransition("交办事项须经交办单位审查通过后办结")
    _begin(actor, petition, "close", version)
    if satisfaction is not None and satisfaction not in SATISFACTION:
        raise InvalidInput(fields={"satisfaction": ["请选择满意度"]})
    petition.closed_at = utcnow()
    if satisfaction:
        petition.satisfaction, petition.satisfaction_at = satisfaction, utcnow()
    return _finish(actor, petition, "close", note=note, payload={"satisfaction": satisfaction})


# ---- 交办下级: the network's third level ----------------------------------------------------------------

def subordinate_units(unit_id: int) -> list:
    """The active villages and enterprises under `unit_id` that it may hand a matter down to. From the kinds
    registry: the third level (kinds that never sit directly under a root), below a unit of a kind that may
    hold them, so a county center never skips its townships."""
    from county_net.units.directory import county_directory
    from county_net.units.kinds import KINDS

    me = unit_info(unit_id)
    if me is None:
        return []
    third = {k.name for k in KINDS.values() if k.parents and all(KINDS[p].parents for p in k.parents)}
    return [u for u in county_directory(unit_id)
            if u.is_active and u.kind in third and me.kind in KINDS[u.kind].parents and me.id in u.ancestor_ids]


def sub_assign_petition(actor, petition, *, version, to_unit_id, report_due_on, note=""):
    """交办下级: the handling unit hands the matter to one of its own villages or enterprises with a report
    date no later than its own limit; it stays the handling unit and its clock keeps running."""
    _begin(actor, petition, "sub_assign", version)
    if petition.paused_since is not None:
        raise IllegalTransition("计时暂停期间不能交办下级，请先恢复计时")
    target = _visible_unit(to_unit_id, "to_unit_id", actor)
    if target.id not in {u.id for u in subordinate_units(actor.unit_id)}:
        raise InvalidInput(fields={"to_unit_id": ["只能交办本单位所属的村（社区）或企业"]})
    _block_accused(petition, target, "to_unit_id")
    _, own_due = current_deadline(petition)
    petition.sub_report_due_on = _report_date(report_due_on, own_due)
    petition.sub_unit_id = target.id
    petition.holder_unit_id = target.id
    _grant(petition, actor, target.id, "assign")
    return _finish(actor, petition, "sub_assign", note=note, target_unit_id=target.id,
                   payload={"to": target.name, "report_due_on": report_due_on.isoformat(),
                            "handling_due_on": own_due.isoformat() if own_due else None})


def sub_sign_for(actor, petition, *, version):
    _begin(actor, petition, "sub_sign_for", version)
    return _finish(actor, petition, "sub_sign_for")


def sub_send_back(actor, petition, *, version, reason):
    """The village or enterprise refuses before signing: back to the township in handling; its grant ends,
    as with any 退回."""
    _begin(actor, petition, "sub_send_back", version)
    reason = _require_text(reason, "reason", "退回理由")
    leaving = {petition.holder_unit_id}
    petition.holder_unit_id = petition.handling_unit_id
    petition.sub_unit_id = None
    petition.sub_report_due_on = None
    return _finish(actor, petition, "sub_send_back", note=reason, target_unit_id=petition.handling_unit_id,
                   payload={"reason": reason}, after=lambda: _end_grants(petition, leaving))


def sub_file_report(actor, petition, *, version, report):
    """办结报告 of the village or enterprise, to the township that handed the matter down."""
    _begin(actor, petition, "sub_file_report", version)
    report = _require_text(report, "report", "办结报告")
    petition.holder_unit_id = petition.handling_unit_id
    return _finish(actor, petition, "sub_file_report", note=report, target_unit_id=petition.handling_unit_id)


def sub_approve_report(actor, petition, *, version, note=""):
    """审查通过: the matter is back with the township in handling; it replies (and reports up) itself."""
    _begin(actor, petition, "sub_approve_report", version)
    return _finish(actor, petition, "sub_approve_report", note=note, target_unit_id=petition.sub_unit_id)


def sub_return_report(actor, petition, *, version, reason):
    """退回重办: back down to the same village or enterprise, with reasons; its report date stands."""
    _begin(actor, petition, "sub_return_report", version)
    reason = _require_text(reason, "reason", "退回重办的理由")
    petition.holder_unit_id = petition.sub_unit_id
    return _finish(actor, petition, "sub_return_report", note=reason, target_unit_id=petition.sub_unit_id,
                   payload={"reason": reason})


# ---- 复查 and 复核 -----------------------------------------------------------------------------------

# The opinions a petitioner may contest, and what follows each: {opinion: (window rule, 复查/复核, issued at)}.
OPINIONS = {"reply": ("reexamination_request", "复查", "replied_at"),
            "reexamination": ("final_review_request", "复核", "reexamination_decided_at"),
            "final_review": (None, None, "final_review_decided_at")}
OPINION_LABELS = {"reply": "处理意见书", "reexamination": "复查意见书", "final_review": "复核意见书"}


def _delivery(method: str | None, delivered_on: date | None, issued_on: date) -> tuple[str, date | None]:
    """送达方式 and 送达日期: in person defaults to the issue day; by post or electronically the date may follow
    later (登记送达, e.g. from the return receipt)."""
    method = method or "in_person"
    if method not in DELIVERY_METHODS:
        raise InvalidInput(fields={"delivery_method": ["请选择送达方式"]})
    if delivered_on is None and method == "in_person":
        delivered_on = issued_on
    if delivered_on is not None and delivered_on < issued_on:
        raise InvalidInput(fields={"delivered_on": [f"送达日期不能早于出具日期（{cn_date(issued_on)}）"]})
    if delivered_on is not None and delivered_on > local_today():
        raise InvalidInput(fields={"delivered_on": ["送达日期不能晚于今天"]})
    return method, delivered_on


def _delivery_payload(petition: Petition, opinion: str) -> dict:
    method, day = getattr(petition, f"{opinion}_delivery"), getattr(petition, f"{opinion}_delivered_on")
    return {"delivery_method": method, "delivery_label": DELIVERY_METHODS.get(method),
            "delivered_on": day.isoformat() if day else None}


def review_window(petition: Petition, opinion: str) -> dict | None:
    """The window to request 复查 (after the 处理意见书) or 复核 (after the 复查意见书): the county's rule for the
    issuing unit, counted from the day after delivery (条例 Arts. 35–36: 自收到之日起), rolled past holidays.
    `last_day` is None while a posted or electronic opinion's delivery date is not yet recorded. A matter
    from before delivery was recorded counts from the day it was issued."""
    from county_net.deadlines import compute_due, rests_on_provisional

    step, what, issued_attr = OPINIONS[opinion]
    issued = getattr(petition, issued_attr)
    if step is None or issued is None:
        return None
    issuer = petition.handling_unit_id if opinion == "reply" else petition.review_unit_id
    settings = county_settings(petition.county_unit_id)
    rule = settings.rules(_unit_code(issuer))[step]
    method = getattr(petition, f"{opinion}_delivery")
    start = getattr(petition, f"{opinion}_delivered_on")
    if start is None and method is None:
        start = to_local(issued).date()
    window = {"step": step, "what": what, "label": rule.label, "article": rule.article, "days": rule.days,
              "opinion": opinion, "opinion_label": OPINION_LABELS[opinion], "delivery_method": method,
              "delivery_label": DELIVERY_METHODS.get(method, "未登记"), "counted_from": start,
              "last_day": None, "provisional": False}
    if start is not None:
        calendar = settings.calendar()
        window["last_day"] = compute_due(rule, start, calendar, rollover=settings["holiday_rollover"])
        window["provisional"] = rests_on_provisional(start, window["last_day"], calendar)
    return window


def record_delivery(actor, petition, *, version, opinion, delivery_method, delivered_on=None, note=""):
    """登记送达: record or correct how and when an opinion reached the petitioner, by the unit that issued it,
    until the petitioner has used the window it opens."""
    _begin(actor, petition, "record_delivery", version)
    if opinion not in OPINIONS:
        raise InvalidInput(fields={"opinion": ["请选择送达的文书"]})
    issued = getattr(petition, OPINIONS[opinion][2])
    if issued is None:
        raise IllegalTransition(f"该事项尚未出具{OPINION_LABELS[opinion]}")
    issuer = petition.handling_unit_id if opinion == "reply" else petition.review_unit_id
    if actor.unit_id != issuer:
        raise IllegalTransition(f"只有出具{OPINION_LABELS[opinion]}的单位可以登记送达")
    used = {"reply": petition.reexamination_requested_at, "reexamination": petition.final_review_requested_at}
    if used.get(opinion) is not None:
        raise IllegalTransition(f"已登记{OPINIONS[opinion][1]}申请，{OPINION_LABELS[opinion]}的送达不能再更改")
    if delivery_method != "in_person" and delivered_on is None:
        raise InvalidInput(fields={"delivered_on": ["请填写送达日期（如邮件回执上的签收日期）"]})
    method, day = _delivery(delivery_method, delivered_on, to_local(issued).date())
    setattr(petition, f"{opinion}_delivery", method)
    setattr(petition, f"{opinion}_delivered_on", day)
    payload = {"opinion": opinion, "opinion_label": OPINION_LABELS[opinion], **_delivery_payload(petition, opinion)}
    window = review_window(petition, opinion)
    if window and window["last_day"]:
        payload.update(last_day=window["last_day"].isoformat(), article=window["article"],
                       provisional=window["provisional"])
    return _finish(actor, petition, "record_delivery", note=note, payload=payload)


def _request_review(actor, petition, *, action, version, above_unit_id, opinion, requested_on):
    """复查 and 复核 alike: registered by the organ above, within the window, which then holds the matter."""
    what = OPINIONS[opinion][1]
    review_unit_id, organ = review_organ_for(petition, above_unit_id)
    if actor.unit_id != review_unit_id:
        raise IllegalTransition(f"{what}申请应由{organ}登记")
    _begin(actor, petition, action, version)
    window = review_window(petition, opinion)
    if window is None:
        raise IllegalTransition(f"没有可以请求{what}的意见")
    if window["last_day"] is not None and (requested_on or local_today()) > window["last_day"]:
        raise IllegalTransition(f"已超过请求{what}的期限：最后一日为{cn_date(window['last_day'])}"
                                f"（{window['article']}）")
    petition.review_unit_id, petition.review_organ = review_unit_id, organ
    petition.holder_unit_id = review_unit_id
    _grant(petition, actor, review_unit_id, "review")
    return organ


def request_reexamination(actor, petition, *, version, requested_on=None, note=""):
    """复查 requested within 30 days of the reply, to the organ above the handling unit."""
    if petition.state != "closed" or petition.handling_unit_id is None or petition.replied_at is None:
        raise IllegalTransition("只有已出具处理意见并办结的事项才能请求复查")
    if petition.reexamination_requested_at is not None:
        raise IllegalTransition("该事项已经复查，只能请求复核")
    organ = _request_review(actor, petition, action="request_reexamination", version=version,
                            above_unit_id=petition.handling_unit_id, opinion="reply", requested_on=requested_on)
    petition.reexamination_requested_at = utcnow()
    petition.paused_days = 0  # the handling stage's pauses do not lengthen the 复查 limit
    return _finish(actor, petition, "request_reexamination", note=note, payload={"organ": organ})


def decide_reexamination(actor, petition, *, version, result, opinion, delivery_method=None, delivered_on=None):
    """复查意见: 维持 / 变更 close it again; 撤销 sends it back to the original unit to re-decide."""
    _begin(actor, petition, "decide_reexamination", version)
    delivery = _delivery(delivery_method, delivered_on, local_today())
    if result not in REVIEW_RESULTS:
        raise InvalidInput(fields={"result": ["请选择复查结论"]})
    opinion = _require_text(opinion, "opinion", "复查意见")
    if petition.paused_since is not None:
        raise IllegalTransition("计时暂停期间不能出具意见，请先恢复计时")
    payload = {"result": result, "result_label": REVIEW_RESULTS[result], "opinion": opinion,
               "organ": petition.review_organ}
    if result == "revoke":
        # The original unit re-decides; the petitioner may request 复查 again afterwards.
        petition.holder_unit_id = petition.handling_unit_id
        petition.reexamination_requested_at = None
        petition.replied_at = None
        petition.reply_outcome = None
        petition.accepted_at = utcnow()
        petition.extension_days = 0
        petition.paused_days = 0
        return _finish(actor, petition, "decide_reexamination", note=opinion, payload=payload, to_state="handling")
    petition.reexamination_result = result
    petition.reexamination_decided_at = utcnow()
    petition.reexamination_delivery, petition.reexamination_delivered_on = delivery
    petition.holder_unit_id = petition.handling_unit_id
    petition.paused_days = 0
    payload.update(_delivery_payload(petition, "reexamination"))
    return _finish(actor, petition, "decide_reexamination", note=opinion, payload=payload, to_state="closed")


def request_final_review(actor, petition, *, version, requested_on=None, note=""):
    """复核 requested within 30 days of the 复查 opinion, to the organ above the 复查 organ."""
    if petition.reexamination_decided_at is None:
        raise IllegalTransition("须先经复查，才能请求复核")
    if petition.final_review_requested_at is not None:
        raise IllegalTransition("该事项已请求复核")
    organ = _request_review(actor, petition, action="request_final_review", version=version,
                            above_unit_id=petition.review_unit_id, opinion="reexamination",
                            requested_on=requested_on)
    petition.final_review_requested_at = utcnow()
    petition.paused_days = 0
    return _finish(actor, petition, "request_final_review", note=note, payload={"organ": organ})


def decide_final_review(actor, petition, *, version, result, opinion, hearing_held=False, delivery_method=None,
                        delivered_on=None):
    """复核意见: the matter is concluded (终结); the same facts and reasons are not accepted again."""
    _begin(actor, petition, "decide_final_review", version)
    delivery = _delivery(delivery_method, delivered_on, local_today())
    if result not in REVIEW_RESULTS:
        raise InvalidInput(fields={"result": ["请选择复核结论"]})
    opinion = _require_text(opinion, "opinion", "复核意见")
    if petition.paused_since is not None:
        raise IllegalTransition("听证或补充材料期间不能出具复核意见，请先恢复计时")
    petition.final_review_result = result
    petition.final_review_decided_at = utcnow()
    petition.final_review_delivery, petition.final_review_delivered_on = delivery
    petition.concluded_at = utcnow()
    return _finish(actor, petition, "decide_final_review", note=opinion, payload={
        "result": result, "result_label": REVIEW_RESULTS[result], "opinion": opinion, "organ": petition.review_organ,
        "hearing_held": bool(hearing_held), "warning": "信访人对复核意见不服，仍以同一事实和理由提出信访请求的，不再受理。",
        **_delivery_payload(petition, "final_review")})


# ---- after closure --------------------------------------------------------------------------------

def record_follow_up(actor, petition, *, version, note):
    _begin(actor, petition, "follow_up", version)
    return _finish(actor, petition, "follow_up", note=_require_text(note, "note", "回访情况"))


def archive_petition(actor, petition, *, version):
    """立卷归档 by petitioner and year."""
    _begin(actor, petition, "archive", version)
    if petition.is_archived:
        raise IllegalTransition("该事项已归档")
    petition.is_archived, petition.archived_at = True, utcnow()
    return _finish(actor, petition, "archive")


def rate_by_petitioner(query_code: str, phone_last4: str, rating: str) -> None:
    """The public page takes the rating once, after closure."""
    if rating not in SATISFACTION:
        raise InvalidInput(fields={"rating": ["请选择满意度"]})
    with system_scope("public rating"):
        petition = public_lookup(query_code, phone_last4)
        if petition.state not in ("closed", "concluded") or petition.satisfaction:
            raise IllegalTransition("该事项当前不能评价或已评价")
        petition.satisfaction, petition.satisfaction_at = rating, utcnow()
        petition.version += 1
        write_event(petition, PetitionEvent(petition_id=petition.id, kind="rated", from_state=petition.state,
                                     to_state=petition.state, actor_id=None, actor_name="信访人",
                                     occurred_at=utcnow(), payload=json.dumps({"rating": rating})))
        db.session.commit()


def public_lookup(query_code: str, phone_last4: str) -> Petition:
    """Caller holds a system scope; the same answer for a wrong code and a wrong phone."""
    code = (query_code or "").strip().upper()
    petition = db.session.scalar(select(Petition).where(Petition.query_code == code)) if code else None
    if petition is None or not phone_last4 or not any(query_last4(p) == phone_last4 for p in petition.parties):
        raise NotVisible("查询码或电话号码不正确")
    return petition


# ---- people's data --------------------------------------------------------------------------------

def upload_attachments(actor, petition: Petition, files) -> list:
    """Add files to a matter the actor's unit is involved in."""
    from county_net.petitions.attachments import add_attachments

    if actor.unit_id not in _unit_ids_involved(petition):
        raise IllegalTransition("本单位不是该事项的办理方，不能上传附件")
    return add_attachments(actor, petition, files)


def may_see_identity(actor, petition: Petition) -> bool:
    """检举控告: only the registering receptionist, the handling unit's head and the county center."""
    if not petition.is_confidential:
        return True
    if actor.id == petition.registered_by_id:
        return True
    if actor.unit_id == petition.handling_unit_id and actor.has_role("head"):
        return True
    return actor.unit_id == petition.county_unit_id and actor.has_role("receptionist", "head")


def may_reveal(actor, petition: Petition) -> bool:
    """Full ID numbers and phones: receptionists and heads of a unit involved in the matter."""
    return (actor.has_role("receptionist", "head") and may_see_identity(actor, petition)
            and actor.unit_id in _unit_ids_involved(petition))


def reveal_party(actor, petition: Petition, petitioner_id: int) -> dict:
    """Decrypt one petitioner's ID number and phone for this matter; every reveal is audited."""
    if not may_reveal(actor, petition):
        raise RoleRequired("无权查看完整的身份证号和电话")
    party = next((p for p in petition.parties if p.petitioner_id == petitioner_id), None)
    if party is None:
        raise NotVisible()
    person = party.petitioner
    audit.record("petitioner.revealed", actor=actor, target_type="petitioner", target_id=person.id,
                 detail={"petition": petition.number})
    db.session.commit()
    return {"id_number": crypto.decrypt(person.id_number_enc, "id_number"),
            "phone": crypto.decrypt(person.phone_enc, "phone")}


def audit_confidential_view(actor, petition: Petition) -> None:
    """Every view of an accusation's identity is audited."""
    if petition.is_confidential and may_see_identity(actor, petition):
        audit.record("petition.confidential_viewed", actor=actor, target_type="petition", target_id=petition.id)
        db.session.commit()


# ---- the category list (county system administrator) -------------------------------------------------

def save_category(actor, *, category: Category | None = None, code: str | None = None, name: str | None = None,
                  sort_order: int | None = None, is_active: bool | None = None) -> Category:
    """Add or change a 事项类别. Categories are never deleted (matters refer to them): they are retired."""
    if not actor.has_role("admin"):
        raise RoleRequired("只有系统管理员可以维护事项类别")
    errors = {}
    if category is None:
        code = (code or "").strip()
        if not code or len(code) > 32 or not code.replace("-", "").isalnum():
            errors["code"] = ["编码为 1–32 位字母、数字或连字符"]
        elif db.session.scalar(select(Category.id).where(Category.code == code)):
            errors["code"] = ["编码已存在"]
        category = Category(code=code, name="", sort_order=0, is_active=True)
    if name is not None:
        name = name.strip()
        if not 1 <= len(name) <= 60:
            errors["name"] = ["名称为 1–60 字"]
        elif db.session.scalar(select(Category.id).where(Category.name == name, Category.id != (category.id or 0))):
            errors["name"] = ["名称已存在"]
        else:
            category.name = name
    elif not category.name:
        errors["name"] = ["必填"]
    if errors:
        raise InvalidInput(fields=errors)
    if sort_order is not None:
        category.sort_order = sort_order
    if is_active is not None:
        category.is_active = is_active
    db.session.add(category)
    db.session.flush()
    audit.record("category.saved", actor=actor, target_type="category", target_id=category.id,
                 detail={"code": category.code, "name": category.name, "active": category.is_active})
    db.session.commit()
    return category


# ---- key rotation for people's data ----------------------------------------------------------------

def _resealed(token: str | None, purpose: str, current: str) -> tuple[str | None, str | None]:
    """(plain text, the token sealed under the current key) — the same token when it already is."""
    plain = crypto.decrypt(token, purpose)
    if token is None or crypto.sealed_with(token) == current:
        return plain, token
    return plain, crypto.encrypt(plain, purpose)


def rekey_people(actor, batch: int = 500) -> dict:
    """Re-seal every encrypted ID number and phone under the current DATA_ENCRYPTION_KEY and recompute every
    lookup hash under the current LOOKUP_HMAC_KEY. Runs in batches, each committed; run it again after an
    interruption (values already current are left alone). The caller opens system_scope: it reads every file."""
    current = crypto.current_key_id()
    counts = {"petitioners": 0, "parties": 0, "contact_changes": 0}
    tables = [
        (Petitioner, "petitioners", _rekey_petitioner),
        (PetitionParty, "parties", _rekey_party),
        (PetitionerContactChange, "contact_changes", _rekey_contact_change),
    ]
    for model, name, rekey in tables:
        last = 0
        while True:
            rows = db.session.scalars(select(model).where(model.id > last).order_by(model.id).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                values = rekey(row, current)
                if values:
                    db.session.execute(update(model).where(model.id == row.id).values(**values)
                                       .execution_options(synchronize_session=False))
                    counts[name] += 1
            last = rows[-1].id
            db.session.commit()
            db.session.expunge_all()
    audit.record("petitions.rekeyed", actor=actor, target_type="keys", target_id=current, detail=counts)
    db.session.commit()
    return counts


def _changed(row, values: dict) -> dict:
    return {k: v for k, v in values.items() if getattr(row, k) != v}


def _rekey_petitioner(row: Petitioner, current: str) -> dict:
    id_number, id_enc = _resealed(row.id_number_enc, "id_number", current)
    phone, phone_enc = _resealed(row.phone_enc, "phone", current)
    return _changed(row, {
        "id_number_enc": id_enc, "id_number_hash": crypto.lookup_hash(id_number, "id_number"),
        "phone_enc": phone_enc, "phone_hash": crypto.lookup_hash(phone, "phone"),
        "name_phone_hash": crypto.lookup_hash(f"{row.name}|{phone}", "name_phone") if phone else None,
    })


def _rekey_party(row: PetitionParty, current: str) -> dict:
    phone, phone_enc = _resealed(row.phone_enc, "phone", current)
    return _changed(row, {"phone_enc": phone_enc, "phone_hash": crypto.lookup_hash(phone, "phone")})


def _rekey_contact_change(row: PetitionerContactChange, current: str) -> dict:
    _, old_phone_enc = _resealed(row.old_phone_enc, "phone", current)
    return _changed(row, {"old_phone_enc": old_phone_enc})
