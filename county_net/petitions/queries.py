"""Reads: lookups, inbox and search, and the views of a matter the screens and the API show. No writes
(audited reveals go through services)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from types import SimpleNamespace

from flask import g, has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from county_net.core import crypto, reference
from county_net.core.errors import NotVisible
from county_net.core.jsonrows import columns_of, json_rows
from county_net.core.pagination import Page, paginate_rows
from county_net.core.timeutil import COUNTY_TZ, local_today
from county_net.deadlines import deadline_status
from county_net.extensions import db
from county_net.petitions import boxes, page, services
from county_net.petitions.models import DELIVERY_METHODS
from county_net.petitions.identity import looks_like_id, normalise_id
from county_net.petitions.models import (Category, Petition, PetitionAttachment, PetitionEvent, PetitionLink,
                                         PetitionParty, Petitioner, PetitionerContactChange)
from county_net.petitions.settings import county_settings
from county_net.petitions.workflow import ACTIONS, INVOLVED, OPEN_STATES, REVIEW, available_actions, state_label
from county_net.units.directory import county_directory, unit_info

CONFIDENTIAL = "（保密）"
EVENT_LABELS = {"register": "登记", "link_confirmed": "确认重复信访关联", "link_rejected": "否定重复信访关联",
                "rated": "信访人评价", "attachments_added": "上传附件", **{name: a.label for name, a in ACTIONS.items()}}


def get_petition(petition_id: int) -> Petition:
    """Once per request: the API preloads the URL's matter before parsing the body, the view asks again."""
    cache = g.setdefault("_petitions", {}) if has_request_context() else {}
    if petition_id not in cache:
        # The parties and their files come in the same statement: every page and every answer shows them.
        found = db.session.execute(select(Petition).options(joinedload(Petition.parties))
                                   .where(Petition.id == petition_id)).unique().scalar_one_or_none()
        if found is None:
            raise NotVisible()
        cache[petition_id] = found
    return cache[petition_id]


def unit_names(ids) -> dict[int, str]:
    """Names from the county directory (names only, never a unit's records)."""
    return {i: info.name for i in {i for i in ids if i} if (info := unit_info(i)) is not None}


def deadline_of(petition: Petition):
    if not petition.due_on or not petition.due_step:
        return None
    settings = county_settings(petition.county_unit_id)
    rule = settings.rules(services._unit_code(petition.holder_unit_id)).get(petition.due_step)
    if rule is None:
        return None
    return deadline_status(rule, petition.due_on, local_today(), settings["due_soon_days"],
                           paused=petition.paused_since is not None, provisional=bool(petition.due_provisional))


def review_window_of(petition: Petition) -> dict | None:
    """The window the petitioner may still use: 复查 after the 处理意见书, or 复核 after the 复查意见书."""
    if petition.state not in ("replied", "reported", "closed"):
        return None  # the petitioner's right runs from receipt of the opinion, whatever the unit does next
    if petition.reexamination_decided_at is not None:
        return services.review_window(petition, "reexamination") if petition.final_review_requested_at is None \
            else None
    if petition.replied_at is not None and petition.reexamination_requested_at is None:
        return services.review_window(petition, "reply")
    return None


def deliveries_of(petition: Petition) -> dict:
    """送达 of each opinion issued so far."""
    result = {}
    for opinion, label in services.OPINION_LABELS.items():
        if getattr(petition, services.OPINIONS[opinion][2]) is None:
            continue
        method = getattr(petition, f"{opinion}_delivery")
        result[opinion] = {"document": label, "delivery_method": method,
                           "delivery_label": DELIVERY_METHODS.get(method, "未登记"),
                           "delivered_on": getattr(petition, f"{opinion}_delivered_on")}
    return result


def actions_for(actor, petition: Petition) -> list[str]:
    names = []
    involved = None
    for action in available_actions(petition.state):
        if not actor.has_role(*action.roles):
            continue
        if action.party == INVOLVED:
            involved = involved if involved is not None else services._unit_ids_involved(petition)
            ok = actor.unit_id in involved
        elif action.party == REVIEW and action.name.startswith("request"):
            if action.name == "request_reexamination":
                ok = petition.reexamination_requested_at is None and petition.handling_unit_id is not None and \
                    services.review_organ_for(petition, petition.handling_unit_id)[0] == actor.unit_id
            else:
                ok = petition.reexamination_decided_at is not None and petition.final_review_requested_at is None \
                    and services.review_organ_for(petition, petition.review_unit_id)[0] == actor.unit_id
        else:
            ok = actor.unit_id == services._party_unit(petition, action.party)
        if action.name in ("file_report",) and petition.route != "assign":
            ok = False
        if action.name == "close" and petition.route == "assign":
            ok = False
        if action.name == "record_delivery" and actor.unit_id not in (petition.handling_unit_id,
                                                                      petition.review_unit_id):
            ok = False
        if action.name == "sub_assign" and (petition.paused_since is not None
                                            or not services.subordinate_units(actor.unit_id)):
            ok = False
        if action.name == "archive" and petition.is_archived:
            ok = False
        if action.name == "pause" and petition.paused_since is not None:
            ok = False
        if action.name == "resume" and petition.paused_since is None:
            ok = False
        if ok:
            names.append(action.name)
    return names


def party_views(actor, petition: Petition) -> list[dict]:
    show = services.may_see_identity(actor, petition)
    views = []
    for party in petition.parties:
        person = party.petitioner
        views.append({
            "petitioner_id": person.id if show else None,
            "name": person.name if show else CONFIDENTIAL,
            "id_number": (person.id_number_masked or "") if show else CONFIDENTIAL,
            "phone": (person.phone_masked or "") if show else CONFIDENTIAL,
            "address": person.address if show else None,
            "is_representative": party.is_representative,
        })
    return views


def link_views(petition: Petition) -> list[dict]:
    """Links to earlier matters the viewer may see. The earlier matter is joined through the tenant criteria:
    a link to one the viewer may not see is, to it, not there (an accused unit must not learn from it that
    its accuser filed against it). Read once per version, since the page and the timeline both ask."""
    cached = getattr(petition, "_links", None)
    if cached is not None and cached[0] == petition.version:
        return cached[1]
    rows = page.rows_of(petition, "links", _links_part(None, petition))
    from county_net.repeats.queries import reason_label, signals_of

    views = [{"id": l["id"], "earlier_id": l["earlier_id"], "earlier_number": l["earlier_number"],
              "score": l["score"], "reason": l["reason"], "reason_label": reason_label(l["reason"]),
              "signals": signals_of(l["signals"]), "status": l["status"], "decision_note": l["decision_note"]}
             for l in sorted(rows, key=lambda r: (-r["score"], r["id"]))]
    petition._links = (petition.version, views)
    return views


def _own_matters(actor, petition: Petition) -> list[dict]:
    from county_net.repeats.queries import matter_own

    return matter_own(actor, petition)


def present(actor, petition: Petition) -> dict:
    page.preload(actor, petition, page.MATTER_PARTS)  # one statement for all that hangs off the matter
    names = unit_names([petition.unit_id, petition.holder_unit_id, petition.handling_unit_id,
                        petition.locality_unit_id, petition.sub_unit_id])
    category_name = category_names().get(petition.category_id, "")
    unit = lambda i: {"id": i, "name": names.get(i, "")} if i else None  # noqa: E731
    show = services.may_see_identity(actor, petition)
    return {
        **{k: getattr(petition, k) for k in (
            "id", "number", "version", "state", "channel", "nature", "head_count", "is_collective",
            "is_no_longer_accepted", "is_confidential", "is_major", "is_simple", "is_archived", "received_at",
            "accepted_at", "replied_at", "closed_at", "report_due_on", "extension_days", "satisfaction",
            "sub_report_due_on")},
        "query_code": petition.query_code if show else None,
        "summary": petition.summary,
        "demands": petition.demands,
        "state_label": state_label(petition.state),
        "category": category_name,
        "registering_unit": unit(petition.unit_id),
        "holder_unit": unit(petition.holder_unit_id),
        "handling_unit": unit(petition.handling_unit_id),
        "locality": unit(petition.locality_unit_id),
        "sub_unit": unit(petition.sub_unit_id),
        "deadline": deadline_of(petition),
        "due_provisional": bool(petition.due_provisional and petition.due_on),
        "review_window": review_window_of(petition),
        "deliveries": deliveries_of(petition),
        "accused": _accused(petition) if show else None,
        "parties": party_views(actor, petition),
        "links": link_views(petition),
        "own_matters": _own_matters(actor, petition),
        # Marked repeat only through a link this viewer may see.
        "is_repeat": petition.is_repeat and any(l["status"] == "confirmed" for l in link_views(petition)),
        "attachments": attachment_views(actor, petition),
        "actions": (offered := actions_for(actor, petition)),
        # Where 交办下级 may go: only the unit's own villages and enterprises (the form's choices).
        "sub_unit_choices": ([u.id for u in services.subordinate_units(actor.unit_id)]
                             if "sub_assign" in offered else []),
        "can_query_online": any(services.query_last4(p) for p in petition.parties),
    }


def _accused(petition: Petition) -> dict | None:
    """被反映单位和人: part of an accusation's protected content (services.may_see_identity decides)."""
    if petition.accused_unit_id is None and not petition.accused_description:
        return None
    return {"unit": unit_names([petition.accused_unit_id]).get(petition.accused_unit_id),
            "description": petition.accused_description}


def attachment_views(actor, petition: Petition) -> list[dict]:
    if not services.may_see_identity(actor, petition):
        return []  # an accuser's letter names the accuser
    rows = page.rows_of(petition, "attachments", _attachments_part(actor, petition))
    return sorted(rows, key=lambda a: a["id"])


def attachment_response(actor, petition: Petition, attachment_id: int):
    """Stream one attachment to someone who may see the matter (and, for an accusation, the accuser)."""
    from flask import Response

    from county_net.core.errors import NotVisible
    from county_net.petitions.attachments import read

    attachment = db.session.scalar(select(PetitionAttachment).where(
        PetitionAttachment.id == attachment_id, PetitionAttachment.petition_id == petition.id))
    if attachment is None or not services.may_see_identity(actor, petition):
        raise NotVisible()
    from urllib.parse import quote

    response = Response(read(attachment), mimetype=attachment.content_type)
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(attachment.filename)}"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def timeline(petition: Petition) -> list[dict]:
    """The matter's events, read once per version (a page shows them and also asks which documents exist)."""
    cached = getattr(petition, "_timeline", None)
    if cached is not None and cached[0] == petition.version:
        return cached[1]
    entries = _read_timeline(petition)
    petition._timeline = (petition.version, entries)
    return entries


def _read_timeline(petition: Petition) -> list[dict]:
    rows = page.rows_of(petition, "events", _events_part(None, petition))
    events = [SimpleNamespace(**row) for row in sorted(rows, key=lambda r: r["id"])]
    names = unit_names({e.actor_unit_id for e in events} | {e.target_unit_id for e in events})
    petition._event_ids = [e.id for e in events]  # all of them, hidden ones included: one per version
    events = _hide_unseen_links(petition, events)
    return [{"id": e.id, "kind": e.kind, "label": EVENT_LABELS.get(e.kind, e.kind), "from_state": e.from_state,
             "to_state": e.to_state, "actor_name": e.actor_name, "actor_unit": names.get(e.actor_unit_id),
             "target_unit": names.get(e.target_unit_id), "actor_unit_id": e.actor_unit_id,
             "target_unit_id": e.target_unit_id, "occurred_at": e.occurred_at, "note": e.note,
             "payload": json.loads(e.payload or "{}")} for e in events]


def _hide_unseen_links(petition: Petition, events: list[PetitionEvent]) -> list[PetitionEvent]:
    """Link decisions on earlier matters the viewer may not see are left out, and the count of proposals
    at registration is the viewer's own count (the stored rows are not changed: they are append-only)."""
    payloads = [json.loads(e.payload or "{}") for e in events]
    if not any(e.kind in _LINK_DECISIONS or p.get("proposed_links") for e, p in zip(events, payloads)):
        return events
    links = link_views(petition)
    seen = {l["earlier_id"] for l in links}
    shown = []
    for event, payload in zip(events, payloads):
        if event.kind in _LINK_DECISIONS and payload.get("earlier_id") not in seen:
            continue
        if payload.get("proposed_links"):
            payload["proposed_links"] = len(links)
            event = _Shown(event, json.dumps(payload, ensure_ascii=False))
        shown.append(event)
    return shown


_LINK_DECISIONS = ("link_confirmed", "link_rejected")


class _Shown:
    """An event as this viewer reads it (a changed payload), never written back."""

    def __init__(self, event, payload: str):
        self._event, self.payload = event, payload

    def __getattr__(self, name):
        return getattr(self._event, name)


def events_since(petition: Petition, version: int) -> list[dict]:
    """What happened after the version a stale form was drawn from: every version bump writes one event
    (services._finish and its siblings), so the last (current - seen) entries are the changes."""
    missed = petition.version - version
    entries = timeline(petition)
    if missed <= 0:
        return []
    # Counted on every event, so that one hidden from this viewer never pulls an older one into the list.
    first = petition._event_ids[-missed:][0]
    return [e for e in entries if e["id"] >= first]


def current_state(actor, petition: Petition, seen_version) -> dict:
    """A 409's answer to an API client: the matter as it now is and what changed since `seen_version`."""
    since = events_since(petition, seen_version) if isinstance(seen_version, int) else []
    return {"version": petition.version, "state": petition.state, "state_label": state_label(petition.state),
            "holder_unit": unit_names([petition.holder_unit_id]).get(petition.holder_unit_id),
            "actions": actions_for(actor, petition),
            "changes": [{"kind": e["kind"], "label": e["label"], "actor_name": e["actor_name"],
                         "actor_unit": e["actor_unit"], "occurred_at": e["occurred_at"].isoformat(),
                         "to_state": e["to_state"]} for e in since]}


def co_units(petition: Petition) -> list[str]:
    """协办单位, by name, from the timeline every involved unit may read (a unit sees only its own grant rows):
    those named by each 转送/交办 since the last 退回, which is what ends their grants."""
    names: list[str] = []
    for e in timeline(petition):
        if e["kind"] == "send_back":
            names = []
        elif e["kind"] in ("transfer", "assign"):
            names += [n for n in e["payload"].get("co_units", []) if n not in names]
    return names


def stage_banner(petition: Petition, deadline) -> dict | None:
    """The current stage's own limit and what changes it: an extension belongs to the handling stage only,
    a pause to the stages whose rule allows one."""
    if deadline is None:
        return None
    rule = county_settings(petition.county_unit_id).rules(services._unit_code(petition.holder_unit_id))[deadline.step]
    extended = petition.extension_days if deadline.step == "handling" and rule.extendable else 0
    paused = petition.paused_days if rule.pausable else 0
    return {"limit": f"{rule.days}{rule.unit_label}" if rule.days else None, "extension_days": extended,
            "paused_days": paused}


def last_event(petition: Petition, kind: str) -> dict | None:
    matching = [e for e in timeline(petition) if e["kind"] == kind]
    return matching[-1] if matching else None


# ---- lists ----------------------------------------------------------------------------------------

def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=COUNTY_TZ)


def due_condition(kind: str, county_unit_id: int):
    """Open matters due within the county's warning window (`soon`) or past their limit (`overdue`): the
    board counts with the same condition the list behind each figure filters on."""
    from county_net.deadlines import warning_window

    today, last = warning_window(local_today(), county_settings(county_unit_id)["due_soon_days"])
    open_ = Petition.state.in_(OPEN_STATES)
    if kind == "soon":
        return open_ & (Petition.due_on >= today) & (Petition.due_on <= last)
    return open_ & (Petition.due_on < today)


def search_query(actor, args: dict):
    """Search and inbox filters, in the list's order. Tenancy is not filtered here: the scope does that."""
    return search_filter(actor, args).order_by(*list_order(args))


def search_filter(actor, args: dict):
    stmt = select(Petition)
    if args.get("number"):
        stmt = stmt.where(Petition.number.contains(args["number"].strip(), autoescape=True))
    if args.get("petitioner"):
        people = select(PetitionParty.petition_id).join(Petitioner, Petitioner.id == PetitionParty.petitioner_id) \
            .where(_petitioner_match(args["petitioner"]))
        stmt = stmt.where(Petition.id.in_(people), Petition.nature != "accusation")
    for key, column in (("locality_unit_id", Petition.locality_unit_id), ("category_id", Petition.category_id),
                        ("state", Petition.state)):
        if args.get(key):
            stmt = stmt.where(column == args[key])
    if args.get("unit_id"):
        stmt = stmt.where(Petition.holder_unit_id == args["unit_id"])
    if args.get("received_from"):
        stmt = stmt.where(Petition.received_at >= _day_start(args["received_from"]))
    if args.get("received_to"):
        stmt = stmt.where(Petition.received_at < _day_start(args["received_to"] + timedelta(days=1)))
    if args.get("overdue"):
        stmt = stmt.where(Petition.state.in_(OPEN_STATES), Petition.due_on < local_today())
    if args.get("open"):
        stmt = stmt.where(Petition.state.in_(OPEN_STATES))
    if args.get("due"):
        stmt = stmt.where(due_condition(args["due"], unit_info(actor.unit_id).county_id))
    if args.get("collective"):
        stmt = stmt.where(Petition.is_collective.is_(True))
    box = args.get("box")
    if box:
        stmt = stmt.where(Petition.holder_unit_id == actor.unit_id, boxes.conditions()[box])
    return stmt


def list_order(args: dict) -> tuple:
    """An inbox by deadline (none last), a search newest first."""
    if args.get("box"):
        return Petition.due_on.is_(None), Petition.due_on, Petition.id
    return Petition.received_at.desc(), Petition.id.desc()


def _petitioner_match(term: str):
    """An ID number finds the person exactly through the keyed hash (no plaintext column exists); anything
    else is a part of a name."""
    term = term.strip()
    id_number = normalise_id(term)
    if looks_like_id(id_number):
        return Petitioner.id_number_hash == crypto.lookup_hash(id_number, "id_number")
    return Petitioner.name.contains(term, autoescape=True)


def _names_of(ids) -> dict[int, str]:
    """Each matter's petitioners, in their order, joined with 、, in one query."""
    names: dict[int, list[str]] = {}
    if ids:
        for pid, name in db.session.execute(
                select(PetitionParty.petition_id, Petitioner.name).join(Petitioner)
                .where(PetitionParty.petition_id.in_(ids)).order_by(PetitionParty.position)):
            names.setdefault(pid, []).append(name)
    return {pid: "、".join(found) for pid, found in names.items()}


def rows(actor, petitions) -> list[dict]:
    """List rows with petitioner names (confidential ones hidden), in a fixed number of queries. `petitions`:
    matters, or rows of `list_columns()`, which carry the names already."""
    carried = bool(petitions) and hasattr(petitions[0], "petitioner_names")
    names = {} if carried else _names_of([p.id for p in petitions])
    categories = category_names()
    units = unit_names({p.holder_unit_id for p in petitions})
    today = local_today()
    result = []
    for p in petitions:
        open_ = p.state in OPEN_STATES and p.due_on is not None
        days_left = (p.due_on - today).days if open_ else None
        who = ((p.petitioner_names if carried else names.get(p.id)) or "") \
            if services.may_see_identity(actor, p) else CONFIDENTIAL
        result.append({"id": p.id, "number": p.number, "state": p.state, "state_label": state_label(p.state),
                       "category": categories.get(p.category_id, ""), "received_at": p.received_at,
                       "summary": p.summary[:80], "petitioners": who,
                       "holder_unit": units.get(p.holder_unit_id), "due_on": p.due_on if open_ else None,
                       "due_provisional": bool(open_ and p.due_provisional),
                       "days_left": days_left, "overdue": bool(open_ and days_left < 0),
                       "due_soon": bool(open_ and 0 <= days_left <= 3), "version": p.version})
    return result


def _petitioner_names(dialect: str):
    """The 信访人 column as a correlated subquery: every name of the matter, in order, joined with 、. The
    parties and files are ORM entities, so their tenant criteria apply inside. SQLite before 3.44 has no
    ORDER BY inside an aggregate; it concatenates an ordered subquery in its order."""
    if dialect == "postgresql":
        return (select(func.aggregate_strings(Petitioner.name, "、").aggregate_order_by(PetitionParty.position))
                .select_from(PetitionParty).join(Petitioner, Petitioner.id == PetitionParty.petitioner_id)
                .where(PetitionParty.petition_id == Petition.id).correlate(Petition).scalar_subquery())
    ordered = (select(Petitioner.name).select_from(PetitionParty)
               .join(Petitioner, Petitioner.id == PetitionParty.petitioner_id)
               .where(PetitionParty.petition_id == Petition.id).order_by(PetitionParty.position)
               .correlate(Petition).subquery())
    return select(func.group_concat(ordered.c.name, "、")).scalar_subquery()


def list_columns() -> tuple:
    """What a list row shows, and what `services.may_see_identity` asks of a matter, as ORM attributes (the
    tenant criteria apply to them; a table's bare columns would escape them)."""
    return _list_columns(db.session.get_bind().dialect.name)


@lru_cache(maxsize=2)
def _list_columns(dialect: str) -> tuple:
    return (Petition.id, Petition.number, Petition.state, Petition.category_id, Petition.received_at,
            func.substr(Petition.summary, 1, 80).label("summary"), Petition.holder_unit_id, Petition.due_on,
            Petition.due_provisional, Petition.version, Petition.registered_by_id, Petition.handling_unit_id,
            Petition.county_unit_id, (Petition.nature == "accusation").label("is_confidential"),
            _petitioner_names(dialect).label("petitioner_names"))


def list_page(actor, args: dict, page, page_size, total: int | None = None) -> Page:
    """A page of the inbox or a search, as list rows, in one statement (core/pagination.paginate_rows)."""
    found = paginate_rows(search_filter(actor, args), list_order(args), list_columns(), page, page_size,
                          total=total)
    found.items = rows(actor, found.items)
    return found


def inbox_counts(actor) -> dict[str, int]:
    """Every box's count in one statement (petitions/boxes.py)."""
    return boxes.counts(actor)


def petitioner_file(petitioner: Petitioner, limit: int | None = None) -> list[Petition]:
    """Every visible matter of this person (their files at any unit, by ID or name+phone), newest first."""
    same = select(Petitioner.id).where(
        (Petitioner.id == petitioner.id)
        | ((Petitioner.id_number_hash == petitioner.id_number_hash) & Petitioner.id_number_hash.is_not(None))
        | ((Petitioner.name_phone_hash == petitioner.name_phone_hash) & Petitioner.name_phone_hash.is_not(None)))
    stmt = (select(Petition).join(PetitionParty, PetitionParty.petition_id == Petition.id)
            .where(PetitionParty.petitioner_id.in_(same)).order_by(Petition.received_at.desc()))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt).unique())


def get_petitioner(petitioner_id: int) -> Petitioner:
    return db.one_or_404(select(Petitioner).where(Petitioner.id == petitioner_id))


def get_category(category_id: int) -> Category:
    return db.one_or_404(select(Category).where(Category.id == category_id))


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.sort_order, Category.id)))


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    sort_order: int
    is_active: bool


def categories() -> list[CategoryInfo]:
    return [c for c in _all_categories() if c.is_active]


def category_names() -> dict[int, str]:
    """Names of every category, retired ones too (old matters keep theirs). Do not change the dict."""
    return reference.cached("categories", "names", lambda: {c.id: c.name for c in _all_categories()})


def category_by_id(category_id: int) -> CategoryInfo | None:
    return reference.cached("categories", "by_id", lambda: {c.id: c for c in _all_categories()}).get(category_id)


def _all_categories() -> tuple[CategoryInfo, ...]:
    """Reference data, kept per process until a category changes (core/reference.py)."""
    return reference.cached("categories", "all", _read_categories)


def _read_categories() -> tuple[CategoryInfo, ...]:
    rows = db.session.execute(select(Category.id, Category.code, Category.name, Category.sort_order,
                                     Category.is_active).order_by(Category.sort_order, Category.id))
    return tuple(CategoryInfo(*row) for row in rows)


def county_units(actor, kinds=None) -> list:
    """The county's directory of units (names only), for choosing where to transfer or assign."""
    return [u for u in county_directory(actor.unit_id) if u.is_active and (not kinds or u.kind in kinds)]


def archive_volumes(actor, year: int) -> list[dict]:
    """立卷归档: archived matters of a year, one file per petitioner (按信访人立户), in date order, numbered."""
    # Columns, not entities (what may_see_identity asks of a matter rides along); the first petitioner joined.
    stmt = (select(Petition.id, Petition.number, Petition.received_at, Petition.archived_at,
                   func.substr(Petition.summary, 1, 60).label("summary"), Petition.state, Petition.registered_by_id,
                   Petition.handling_unit_id, Petition.county_unit_id,
                   (Petition.nature == "accusation").label("is_confidential"),
                   Petitioner.id.label("person_id"), Petitioner.name.label("person_name"), Petitioner.id_number_hash,
                   Petitioner.name_phone_hash)
            .join(PetitionParty, PetitionParty.petition_id == Petition.id)
            .join(Petitioner, Petitioner.id == PetitionParty.petitioner_id)
            .where(Petition.is_archived.is_(True), Petition.year == year, PetitionParty.position == 0)
            .order_by(Petition.received_at, Petition.id))
    volumes: dict[str, dict] = {}
    for row in db.session.execute(stmt):
        confidential = not services.may_see_identity(actor, row)
        key = "confidential" if confidential else (row.id_number_hash or row.name_phone_hash or f"p{row.person_id}")
        volume = volumes.setdefault(key, {"petitioner": CONFIDENTIAL if confidential else row.person_name,
                                          "petitioner_id": None if confidential else row.person_id, "matters": []})
        volume["matters"].append({"seq": len(volume["matters"]) + 1, "id": row.id, "number": row.number,
                                "received_at": row.received_at, "archived_at": row.archived_at,
                                "summary": row.summary[:60], "state_label": state_label(row.state)})
    ordered = sorted(volumes.values(), key=lambda v: (v["petitioner"] == CONFIDENTIAL, v["petitioner"]))
    for number, volume in enumerate(ordered, start=1):
        volume["volume"] = f"{year}-{number:04d}"
    return ordered


LOOKUP_MATTERS = 20  # the desk's lookup shows the latest; the person's page shows the whole file


def petitioner_file_view(actor, petitioner, limit: int | None = None) -> dict:
    """A person's file: only for a unit that may know who they are (an accuser stays hidden from anyone the
    confidentiality rule excludes, even one that handles the accusation). `limit`: the latest matters only
    (the desk's lookup while typing; a frequent visitor's whole file can run to hundreds)."""
    matters = [m for m in petitioner_file(petitioner, limit) if services.may_see_identity(actor, m)]
    if not matters and petitioner.unit_id != actor.unit_id:
        raise NotVisible()
    # Every reply of these matters in one query (a frequent visitor has dozens of matters).
    latest: dict[int, PetitionEvent] = {}
    if matters:
        for event in db.session.scalars(select(PetitionEvent).where(
                PetitionEvent.petition_id.in_([m.id for m in matters]), PetitionEvent.kind == "reply")
                .order_by(PetitionEvent.id)):
            latest[event.petition_id] = event
    replies = []
    for matter in matters:
        event = latest.get(matter.id)
        if event:
            payload = json.loads(event.payload or "{}")
            replies.append({"number": matter.number, "occurred_at": event.occurred_at.isoformat(),
                            **{k: payload.get(k) for k in ("outcome_label", "facts", "basis")}})
    return {"id": petitioner.id, "name": petitioner.name, "id_number": petitioner.id_number_masked,
            "phone": petitioner.phone_masked, "address": petitioner.address,
            "matters": rows(actor, matters), "replies": replies,
            "matters_shown_latest": limit is not None and len(matters) >= limit,
            "version": petitioner.version, "contact_history": [] if limit is not None else contact_history(petitioner)}


def contact_history(petitioner: Petitioner) -> list[dict]:
    """Earlier phones (masked) and addresses, newest first. A change brought by a registration the viewer may
    not see is left out: its date and clerk would betray the matter (the criteria sit in the join's ON)."""
    changes = db.session.scalars(
        select(PetitionerContactChange).outerjoin(Petition, Petition.id == PetitionerContactChange.petition_id)
        .where(PetitionerContactChange.petitioner_id == petitioner.id,
               PetitionerContactChange.petition_id.is_(None) | Petition.id.is_not(None))
        .order_by(PetitionerContactChange.id.desc()))
    return [{"changed_at": c.changed_at, "source": c.source, "actor_name": c.actor_name,
             "old_phone": c.old_phone_masked, "new_phone": c.new_phone_masked, "old_address": c.old_address,
             "new_address": c.new_address} for c in changes]


# ---- the matter page's parts (petitions/page.py): one statement for all of them ---------------------------

@page.part("links")
def _links_part(actor, petition):
    """Links to earlier matters, joined to the earlier matter under the tenant criteria (the entity itself, not
    an alias: the matter's criteria are a fixed expression on `Petition`)."""
    return json_rows({"id": PetitionLink.id, "earlier_id": PetitionLink.earlier_id, "earlier_number": Petition.number,
                      "score": PetitionLink.score, "reason": PetitionLink.reason, "signals": PetitionLink.signals,
                      "status": PetitionLink.status, "decision_note": PetitionLink.decision_note},
                     PetitionLink.petition_id == petition.id, select_from=PetitionLink,
                     joins=[(Petition, Petition.id == PetitionLink.earlier_id)])


@page.part("attachments")
def _attachments_part(actor, petition):
    if actor is not None and not services.may_see_identity(actor, petition):
        return None
    return json_rows(columns_of(PetitionAttachment, "id", "filename", "content_type", "size", "sha256",
                                "uploaded_by_name", "created_at"), PetitionAttachment.petition_id == petition.id)


@page.part("events")
def _events_part(actor, petition):
    return json_rows(columns_of(PetitionEvent, "id", "kind", "from_state", "to_state", "actor_name", "actor_unit_id",
                                "target_unit_id", "occurred_at", "note", "payload"),
                     PetitionEvent.petition_id == petition.id)


@page.part("grants")
def _grants_part(actor, petition):
    return services.grants_part(petition)
