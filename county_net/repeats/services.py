"""First petition or repeat, at the desk. Two answers, never mixed:

- 本人其他事项: every other matter of the same petitioner files (ID number or name and phone), whatever it is
  about; context, never called a repeat;
- 可能重复: earlier matters this one may repeat, each with the signals that fired and their weights.

The same `examine` serves the preview before saving and the registration itself, in the caller's tenant scope:
a matter the caller may not see is neither counted nor shown."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, union
from sqlalchemy.orm import joinedload

from county_net.core import crypto
from county_net.core.models import utcnow
from county_net.extensions import db
from county_net.petitions.identity import normalise_id, normalise_phone
from county_net.petitions.models import Petition, PetitionLink, PetitionParty, Petitioner
from county_net.repeats import index, score
from county_net.repeats.models import PetitionReading
from county_net.repeats.settings import repeat_settings
from county_net.repeats.text import READER_VERSION, Reading, mask_name, read

OWN_LIMIT = 50  # a person's other matters shown at the desk, latest first
TEXT_TERMS = 12  # the rarest words of the new text that look for candidates
RARE_SHARE = 0.02  # a word in more than this share of the county's matters does not look for candidates
SEARCH_LIMIT = 30


@dataclass
class Person:
    """A petitioner of the new matter: identity keys (keyed hashes of the ID number and of name + phone, and
    the file ids) and the name as registers write it."""
    keys: set[str] = field(default_factory=set)
    name: str | None = None


@dataclass
class Draft:
    county_unit_id: int
    text: str
    category_id: int | None
    locality_unit_id: int | None
    received_at: datetime
    people: list[Person]
    exclude_id: int | None = None


@dataclass
class Suggestion:
    petition: Petition
    verdict: score.Verdict


@dataclass
class Examination:
    reading: Reading
    own: list[Petition]
    suggestions: list[Suggestion]


def person_from_input(name: str | None, id_number: str | None, phone: str | None) -> Person:
    keys = set()
    if id_number:
        keys.add("i" + crypto.lookup_hash(normalise_id(id_number), "id_number"))
    if name and phone:
        keys.add("n" + crypto.lookup_hash(f"{name.strip()}|{normalise_phone(phone)}", "name_phone"))
    return Person(keys=keys, name=mask_name(name or ""))


def person_from_file(petitioner: Petitioner) -> Person:
    keys = {f"f{petitioner.id}"}
    if petitioner.id_number_hash:
        keys.add("i" + petitioner.id_number_hash)
    if petitioner.name_phone_hash:
        keys.add("n" + petitioner.name_phone_hash)
    return Person(keys=keys, name=mask_name(petitioner.name))


def _same_files(people: list[Person]):
    """Petitioner ids of the same people: their files by id, ID-number hash or name-and-phone hash (two files of
    one person, opened at different units, still meet)."""
    ids = [int(k[1:]) for p in people for k in p.keys if k[0] == "f"]
    id_hashes = [k[1:] for p in people for k in p.keys if k[0] == "i"]
    np_hashes = [k[1:] for p in people for k in p.keys if k[0] == "n"]
    if not (ids or id_hashes or np_hashes):
        return None
    return select(Petitioner.id).where(or_(Petitioner.id.in_(ids or [-1]),
                                           Petitioner.id_number_hash.in_(id_hashes or ["-"]),
                                           Petitioner.name_phone_hash.in_(np_hashes or ["-"])))


def _file_ids(people: list[Person]) -> tuple[set[int], set[str], set[str]]:
    return ({int(k[1:]) for p in people for k in p.keys if k[0] == "f"},
            {k[1:] for p in people for k in p.keys if k[0] == "i"},
            {k[1:] for p in people for k in p.keys if k[0] == "n"})


def _is_same(petitioner: Petitioner, files) -> bool:
    """The test `_same_files` puts to the database, on a file already loaded."""
    ids, id_hashes, np_hashes = files
    return (petitioner.id in ids or (petitioner.id_number_hash or "") in id_hashes
            or (petitioner.name_phone_hash or "") in np_hashes)


def own_matters(people: list[Person], exclude_id: int | None = None, limit: int = OWN_LIMIT) -> list[Petition]:
    """本人其他事项: the visible matters of the same petitioner files, latest first."""
    stmt = own_matters_query(select(Petition), people, exclude_id, limit)
    return [] if stmt is None else list(db.session.scalars(stmt))


def own_matters_query(stmt, people: list[Person], exclude_id: int | None = None, limit: int = OWN_LIMIT):
    """`stmt` (a select of Petition or its columns) narrowed to the same people's other matters, latest first;
    None when the people have no file to match."""
    files = _same_files(people)
    if files is None:
        return None
    stmt = (stmt.where(Petition.id.in_(select(PetitionParty.petition_id).where(PetitionParty.petitioner_id.in_(files))))
            .order_by(Petition.received_at.desc(), Petition.id.desc()).limit(limit))
    if exclude_id:
        stmt = stmt.where(Petition.id != exclude_id)
    return stmt


def index_queries(draft: Draft, reading: Reading, settings) -> list[tuple[list[str], datetime]]:
    """The two index queries of a draft, as (keys, since): named things and people far back; the rarest
    words (and the named things) within the text window."""
    mine = index.terms_of(reading, draft.county_unit_id, ())
    for person in draft.people:
        if person.name:
            mine[index.term("p", person.name, draft.county_unit_id)] = person.name
    df, documents = index.frequencies(draft.county_unit_id, [k for k in mine if k[0] in "wo"])
    cap = max(20, int(documents * RARE_SHARE))
    words = sorted((k for k in mine if k[0] == "w" and df.get(k, 0) <= cap), key=lambda k: (df.get(k, 0), k))
    far_keys = sorted(k for k in mine if k[0] in "op")
    # Look-back windows of the detector (county settings), not legal dates: plain elapsed days, no holidays or
    # roll-over, so they do not come from county_net/deadlines/.
    now = draft.received_at
    return [(far_keys, now - timedelta(days=settings["object_window_days"])),
            (words[:TEXT_TERMS] + [k for k in far_keys if k[0] == "o"],
             now - timedelta(days=settings["text_window_days"]))]


def examine(draft: Draft, reading: Reading | None = None) -> Examination:
    settings = repeat_settings(draft.county_unit_id)
    reading = reading or read(draft.text)

    # The candidates from the index (named things and people far back, the rarest words within the text
    # window), the person's other matters (本人其他事项), their readings and their people, in one statement:
    # the index search is its subquery (ids only; the index is outside the tenant criteria), the matters are
    # read through the tenant criteria, so only matters the caller may see are scored or shown. Which order the
    # index found them in does not matter: every candidate is scored and the suggestions sorted by score.
    found = index.search_statement(draft.county_unit_id, index_queries(draft, reading, settings), SEARCH_LIMIT,
                                   draft.exclude_id)
    own_ids = own_matters_query(select(Petition.id), draft.people, draft.exclude_id)
    parts = []
    if found is not None:
        found = found.subquery("found")
        parts.append(select(found.c.petition_id))
    if own_ids is not None:
        own_ids = own_ids.subquery("own")
        parts.append(select(own_ids.c.id))
    # One IN over the UNION of both lists: `id IN (a) OR id IN (b)` made PostgreSQL filter every matter of
    # the county through two hashed subplans (500-800 ms at 1M); a single IN is a semi-join on the key.
    rows = db.session.execute(
        select(Petition, PetitionReading)
        .outerjoin(PetitionReading, PetitionReading.petition_id == Petition.id)
        .options(joinedload(Petition.parties))
        .where(Petition.id.in_(union(*parts) if len(parts) > 1 else parts[0]))).unique().all() if parts else []
    files = _file_ids(draft.people)
    own = sorted((p for p, _ in rows if any(_is_same(party.petitioner, files) for party in p.parties)),
                 key=lambda p: (p.received_at, p.id), reverse=True)[:OWN_LIMIT]
    matters = {p.id: p for p, _ in rows if p.id != draft.exclude_id}
    if not matters:
        return Examination(reading, own, [])
    readings = {p.id: r for p, r in rows if r is not None}
    people = {p.id: [person_from_file(party.petitioner) for party in p.parties] for p in matters.values()}
    theirs = {}
    for pid, petition in matters.items():
        row = readings.get(pid)
        theirs[pid] = index.reading_of(row) if row is not None and row.reader_version == READER_VERSION \
            else read(f"{petition.summary}{petition.demands or ''}")

    # The IDF of every word on both sides, in one read.
    vocabulary = {}
    key = index.hash_key()
    for r in (reading, *theirs.values()):
        for w in r.word_set:
            vocabulary[w] = index.term("w", w, draft.county_unit_id, key)
    for r in (reading, *theirs.values()):
        for o in r.objects:
            vocabulary.setdefault(o, index.term("o", o, draft.county_unit_id, key))
    counts, documents = index.frequencies(draft.county_unit_id, vocabulary.values())
    idf = score.idf_from({w: counts.get(k, 0) for w, k in vocabulary.items()}, documents)

    new_people = [{"keys": p.keys, "name": p.name} for p in draft.people]
    suggestions = []
    for pid, petition in matters.items():
        earlier = theirs[pid]
        old_people = [{"keys": p.keys, "name": p.name} for p in people.get(pid, [])]
        facts = score.Facts(
            same_category=petition.category_id == draft.category_id,
            other_locality=bool(draft.locality_unit_id and petition.locality_unit_id
                                and draft.locality_unit_id != petition.locality_unit_id),
            age_days=max(0, (draft.received_at - petition.received_at).days),
            people_known=any(p["name"] for p in new_people) and any(p["name"] for p in old_people),
            object_idf_full=settings.weights.get("object_idf_full", 4.0),
            **score.people_facts(new_people, old_people, reading, earlier))
        verdict = score.decide(reading, earlier, facts, idf, settings)
        if verdict is not None:
            suggestions.append(Suggestion(petition, verdict))
    suggestions.sort(key=lambda s: (-s.verdict.score, -s.petition.id))
    return Examination(reading, own, suggestions[:settings["max_suggestions"]])


def on_register(petition: Petition, petitioners: list[Petitioner]) -> Examination:
    """Registration: keep the reading, propose the links with their signals, index the matter; in the
    registration's transaction (the caller commits)."""
    text = f"{petition.summary}{petition.demands or ''}"
    reading = read(text)
    draft = Draft(county_unit_id=petition.county_unit_id, text=text, category_id=petition.category_id,
                  locality_unit_id=petition.locality_unit_id, received_at=petition.received_at,
                  people=[person_from_file(p) for p in petitioners], exclude_id=petition.id)
    found = examine(draft, reading)
    for suggestion in found.suggestions:
        verdict = suggestion.verdict
        db.session.add(PetitionLink(petition_id=petition.id, earlier_id=suggestion.petition.id,
                                    score=round(verdict.score * 100), reason=verdict.reason,
                                    signals=json.dumps([s.as_dict() for s in verdict.signals], ensure_ascii=False)))
    index.store_reading(petition.id, reading)
    index.add(petition, reading, [p.name for p in petitioners])
    return found



def preview(actor, body: dict) -> dict:
    """The desk's two lists before saving (nothing is written): the same examination as the registration."""
    from county_net.repeats.queries import own_views, suggestion_views
    from county_net.units.directory import unit_info

    from county_net.petitions.services import find_petitioner

    text = f"{body['summary']}{body.get('demands') or ''}"
    people = []
    for given in body.get("petitioners") or []:
        name = (given.get("name") or "").strip()
        if not name and given.get("id_number"):
            # An ID number typed before the name: the file's name, as the registration will have it.
            known = find_petitioner(given["id_number"])
            name = known.name if known is not None else ""
        people.append(person_from_input(name or None, given.get("id_number"), given.get("phone")))
    draft = Draft(county_unit_id=unit_info(actor.unit_id).county_id, text=text, category_id=body.get("category_id"),
                  locality_unit_id=body.get("locality_unit_id"), received_at=body.get("received_at") or utcnow(),
                  people=[p for p in people if p.keys or p.name])
    found = examine(draft)
    return {"own_matters": own_views(found.own), "suggestions": suggestion_views(found.suggestions)}
