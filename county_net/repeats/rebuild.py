"""Rebuild a county's readings, word counts and retrieval index from its matters (system work, in batches)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, select

from county_net.extensions import db
from county_net.petitions.models import Petition, PetitionParty, Petitioner
from county_net.repeats import index
from county_net.repeats.models import PetitionReading, RepeatIndexEntry, RepeatTerm
from county_net.repeats.text import READER_VERSION, read
from county_net.units.models import Unit

BATCH = 2000


def rebuild(county_code: str | None = None) -> dict:
    stmt = select(Unit.id).where(Unit.parent_id.is_(None))
    if county_code:
        stmt = stmt.where(Unit.code == county_code)
    counties = list(db.session.scalars(stmt))
    totals = {"counties": len(counties), "matters": 0, "read": 0}
    key = index.hash_key()
    for county_id in counties:
        db.session.execute(delete(RepeatTerm).where(RepeatTerm.county_unit_id == county_id))
        db.session.execute(delete(RepeatIndexEntry).where(RepeatIndexEntry.county_unit_id == county_id))
        df: Counter = Counter()
        last = 0
        while True:
            matters = list(db.session.scalars(select(Petition).where(Petition.county_unit_id == county_id,
                                                                     Petition.id > last)
                                              .order_by(Petition.id).limit(BATCH)))
            if not matters:
                break
            last = matters[-1].id
            ids = [p.id for p in matters]
            readings = {r.petition_id: r for r in db.session.scalars(
                select(PetitionReading).where(PetitionReading.petition_id.in_(ids)))}
            names: dict[int, list[str]] = {}
            for pid, name in db.session.execute(select(PetitionParty.petition_id, Petitioner.name)
                                                .join(Petitioner, Petitioner.id == PetitionParty.petitioner_id)
                                                .where(PetitionParty.petition_id.in_(ids))):
                names.setdefault(pid, []).append(name)
            for petition in matters:
                row = readings.get(petition.id)
                if row is None or row.reader_version != READER_VERSION:
                    reading = read(f"{petition.summary}{petition.demands or ''}")
                    if row is not None:
                        db.session.delete(row)
                        db.session.flush()
                    index.store_reading(petition.id, reading)
                    totals["read"] += 1
                else:
                    reading = index.reading_of(row)
                keys = index.terms_of(reading, county_id, names.get(petition.id, []), key)
                db.session.add(RepeatIndexEntry(petition_id=petition.id, county_unit_id=county_id,
                                                received_at=petition.received_at, terms=" ".join(sorted(keys))))
                df.update(index.counted_terms(keys))
                df[index.DOCUMENTS] += 1
            totals["matters"] += len(matters)
            db.session.flush()
        db.session.add_all(RepeatTerm(county_unit_id=county_id, term=k, df=n) for k, n in df.items())
        db.session.commit()
    return totals
