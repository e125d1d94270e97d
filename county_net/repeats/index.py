"""The county's retrieval index and word counts. Terms are keyed hashes (w… a word, o… a named thing, p… a
person's name as registers write it), so neither table holds a word in clear; both are read in system scope
and hand back matter ids, which the caller reads through the tenant criteria.

Candidates come from an index, never from a scan of the county's matters: PostgreSQL full-text search over a
generated tsvector (GIN), SQLite FTS5 (repeat_index_fts, kept by triggers)."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone

from sqlalchemy import Integer, bindparam, column, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from county_net.core import crypto
from county_net.core.models import UTCDateTime
from county_net.extensions import db
from county_net.repeats.models import PetitionReading, RepeatIndexEntry, RepeatTerm
from county_net.repeats.text import READER_VERSION, Reading, mask_name
from county_net.tenancy import system_scope

DOCUMENTS = "#"  # the term that counts the county's matters


def hash_key() -> bytes:
    return crypto.lookup_key()


def term(kind: str, value: str, county_id: int, key: bytes | None = None) -> str:
    """A term is keyed to its county: one county's posting lists hold that county's matters only, so a search
    never walks a whole province's matters of a common word or name to keep one county's."""
    digest = hmac.new(key or hash_key(), f"repeat|{county_id}|{kind}|{value}".encode(), hashlib.sha256).hexdigest()
    return kind + digest[:15]


def terms_of(reading: Reading, county_id: int, person_names=(), key: bytes | None = None) -> dict[str, str]:
    """{hashed term: what it stands for} of one matter: its words, named things and people."""
    key = key or hash_key()
    found = {term("w", w, county_id, key): w for w in reading.word_set}
    found.update({term("o", o, county_id, key): o for o in reading.objects})
    names = set(reading.names) | {n for n in (mask_name(p) for p in person_names) if n}
    found.update({term("p", n, county_id, key): n for n in names})
    return found


def reading_values(reading: Reading) -> dict:
    """The stored form of a reading (petition_readings' columns but the ids)."""
    return {"words": " ".join(reading.words),
            "amounts": json.dumps({k: sorted(v) for k, v in reading.amounts.items()}),
            "objects": json.dumps(reading.objects, ensure_ascii=False), "names": " ".join(sorted(reading.names)),
            "reader_version": READER_VERSION}


def store_reading(petition_id: int, reading: Reading) -> PetitionReading:
    row = PetitionReading(petition_id=petition_id, **reading_values(reading))
    db.session.add(row)
    return row


def reading_of(row: PetitionReading) -> Reading:
    return Reading(words=row.words.split(), amounts={k: set(v) for k, v in json.loads(row.amounts).items()},
                   objects=json.loads(row.objects), names=set(row.names.split()))


def counted_terms(keys) -> list[str]:
    """What a matter adds to the county's counts: its words and named things (not the people)."""
    return sorted(k for k in keys if k[0] in "wo")


def add(petition, reading: Reading, person_names) -> None:
    """Index a newly registered matter and count its terms, in the registration's transaction."""
    key = hash_key()
    keys = terms_of(reading, petition.county_unit_id, person_names, key)
    with system_scope("repeat index: keyed hashes of a new matter"):
        db.session.add(RepeatIndexEntry(petition_id=petition.id, county_unit_id=petition.county_unit_id,
                                        received_at=petition.received_at, terms=" ".join(sorted(keys))))
        _count(petition.county_unit_id, counted_terms(keys) + [DOCUMENTS])


def _count(county_id: int, keys: list[str]) -> None:
    """df += 1 for each key, in key order (two registrations never wait on each other crosswise)."""
    if not keys:
        return
    rows = [{"county_unit_id": county_id, "term": k, "df": 1} for k in keys]
    table = RepeatTerm.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = pg_insert(table).values(rows)
    else:
        stmt = sqlite_insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(index_elements=["county_unit_id", "term"], set_={"df": table.c.df + 1})
    db.session.execute(stmt)


def frequencies(county_id: int, keys) -> tuple[dict[str, int], int]:
    """({key: df}, number of matters) of a county."""
    keys = sorted(set(keys) | {DOCUMENTS})
    found: dict[str, int] = {}
    with system_scope("repeat index: word counts"):
        for start in range(0, len(keys), 5000):
            chunk = keys[start:start + 5000]
            found.update(db.session.execute(select(RepeatTerm.term, RepeatTerm.df).where(
                RepeatTerm.county_unit_id == county_id, RepeatTerm.term.in_(chunk))).all())
    return found, found.pop(DOCUMENTS, 0)


def search(county_id: int, keys: list[str], since: datetime, limit: int,
           exclude_id: int | None = None) -> list[int]:
    """Matter ids of the county received since `since` holding any of `keys`, those holding more (and rarer)
    of them first."""
    return search_all(county_id, [(keys, since)], limit, exclude_id)


def search_all(county_id: int, queries: list[tuple[list[str], datetime]], limit: int,
               exclude_id: int | None = None) -> list[int]:
    """`search` for several (keys, since) at once, in one statement (UNION ALL of the searches, each ranked and
    cut on its own): the ids of the first search first, then the new ones of the next."""
    stmt = search_statement(county_id, queries, limit, exclude_id)
    if stmt is None:
        return []
    with system_scope("repeat index: candidates (ids only)"):
        rows = db.session.execute(stmt).all()
    # Each search's own order: best rank first, then the latest (received_at as stored: text on SQLite sorts
    # like time, and every row of a search compares to the others of the same engine).
    ordered = sorted(rows, key=lambda r: (r.part, r.rank, _newest_first(r.received_at)))
    return list(dict.fromkeys(r.petition_id for r in ordered))


def search_statement(county_id: int, queries: list[tuple[list[str], datetime]], limit: int,
                     exclude_id: int | None = None):
    """The searches of `search_all` as one text statement with its parameters bound (part, petition_id, rank,
    received_at), or None when no search has a key. The index is outside the tenant criteria and row-level
    security (keyed hashes and ids only), so a caller may use it as a subquery of a statement read in its own
    scope. Parameter names are the index's own (rx_…), clear of the names the ORM gives."""
    parts, params = [], {"rx_county": county_id, "rx_exclude": exclude_id or 0, "rx_limit": limit}
    postgres = db.session.get_bind().dialect.name == "postgresql"
    for n, (keys, since) in enumerate(queries):
        if not keys:
            continue
        params[f"rx_since{n}"] = since
        if postgres:
            params[f"rx_q{n}"] = " | ".join(keys)
            parts.append(
                f"SELECT {n} AS part, petition_id, -ts_rank(tsv, to_tsquery('simple', :rx_q{n})) AS rank, "
                f"received_at FROM repeat_index WHERE county_unit_id = :rx_county AND received_at >= :rx_since{n} "
                f"AND tsv @@ to_tsquery('simple', :rx_q{n}) AND petition_id <> :rx_exclude "
                f"ORDER BY rank, received_at DESC LIMIT :rx_limit")
        else:
            params[f"rx_q{n}"] = " OR ".join(f'"{k}"' for k in keys)
            parts.append(
                f"SELECT {n} AS part, f.rowid AS petition_id, f.rank AS rank, r.received_at AS received_at "
                f"FROM repeat_index_fts f JOIN repeat_index r ON r.petition_id = f.rowid "
                f"WHERE repeat_index_fts MATCH :rx_q{n} AND r.county_unit_id = :rx_county "
                f"AND r.received_at >= :rx_since{n} AND r.petition_id <> :rx_exclude "
                f"ORDER BY f.rank, r.received_at DESC LIMIT :rx_limit")
    if not parts:
        return None
    sql = " UNION ALL ".join(f"SELECT * FROM ({part}) AS s{n}" for n, part in enumerate(parts))
    return text(sql).bindparams(
        *(bindparam(k, v, type_=UTCDateTime()) if k.startswith("rx_since") else bindparam(k, v)
          for k, v in params.items())).columns(column("rank"), column("received_at"), part=Integer, petition_id=Integer)


def _newest_first(moment) -> float:
    if isinstance(moment, str):  # SQLite hands back the stored text
        moment = datetime.fromisoformat(moment)
    return -moment.timestamp() if moment.tzinfo else -moment.replace(tzinfo=timezone.utc).timestamp()


def indexed_count(county_id: int) -> int:
    with system_scope("repeat index: size"):
        return db.session.scalar(select(func.count()).select_from(RepeatIndexEntry)
                                 .where(RepeatIndexEntry.county_unit_id == county_id)) or 0
