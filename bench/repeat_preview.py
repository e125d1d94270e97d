"""Request bodies for the `repeat_preview` operation of bench/run (issue 13), and the index queries the
product makes for each, so that the baseline runs the same two queries on repeat_index.

Run by bench/run in a subprocess with the product's environment (the keyed hashes need the product's lookup
key, and the queries the county's word counts):

    python -m bench.repeat_preview --counties 1,201 --count 2000 --seed 1 --ids ids.json --out bodies.json

Bodies are what a receptionist types at a county center: a generated template with a place (the
generator's own templates and syllables, so its words meet the dataset's), or the text of one of the
county's recent matters told again; two in five name a person already on file by ID number, so the
person route (本人其他事项) has matters to find."""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def build(counties: list[int], count: int, seed: int, id_numbers: list[str]) -> list[dict]:
    from sqlalchemy import select

    from county_net import create_app
    from county_net.bench.generate import _GIVEN, _SURNAMES, _SYLLABLES, _TOPICS
    from county_net.core.models import utcnow
    from county_net.extensions import db
    from county_net.petitions.models import Petition
    from county_net.repeats import services
    from county_net.repeats.settings import repeat_settings
    from county_net.repeats.text import read
    from county_net.tenancy import system_scope
    from county_net.units.models import Unit

    from bench.harness.workload import synthetic_id

    rng = random.Random(seed)
    app = create_app()
    out = []
    with app.app_context(), system_scope("bench repeat_preview bodies"):
        townships = {c: list(db.session.scalars(select(Unit.id).where(Unit.parent_id == c, Unit.kind == "township")))
                     for c in counties}
        recent = {c: list(db.session.execute(
            select(Petition.summary, Petition.demands, Petition.category_id, Petition.locality_unit_id)
            .where(Petition.county_unit_id == c).order_by(Petition.id.desc()).limit(500)).all()) for c in counties}
        settings = {c: repeat_settings(c) for c in counties}
        categories = list(db.session.scalars(select(Petition.category_id).distinct().limit(50)))
        for i in range(count):
            county = counties[i % len(counties)]
            if recent[county] and rng.random() < 0.4:
                summary, demands, category, locality = rng.choice(recent[county])
                demands = demands or ""
            else:
                topic = rng.choice(_TOPICS)
                place = "".join(rng.choice(_SYLLABLES) for _ in range(3))  # as the generator names places
                summary = topic[1].format(n=rng.randrange(2, 60), m=rng.randrange(1, 300), place=place)
                demands = topic[2]
                category = rng.choice(categories) if categories else None
                locality = rng.choice(townships[county]) if townships[county] else None
            name = rng.choice(_SURNAMES) + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
            id_number = rng.choice(id_numbers) if id_numbers and rng.random() < 0.4 else synthetic_id(rng)
            person = {"name": name, "id_number": id_number, "phone": f"139{rng.randrange(10**8):08d}"}
            body = {"summary": summary, "demands": demands, "category_id": category, "locality_unit_id": locality,
                    "petitioners": [person]}
            # The product's own queries for this body (services.index_queries, as preview builds the draft).
            people = [services.person_from_input(name, id_number, person["phone"])]
            draft = services.Draft(county_unit_id=county, text=f"{summary}{demands}", category_id=category,
                                   locality_unit_id=locality, received_at=utcnow(), people=people)
            queries = services.index_queries(draft, read(draft.text), settings[county])
            out.append({"county": county, "body": body,
                        "queries": [{"keys": keys, "since": since.isoformat()} for keys, since in queries]})
        db.session.remove()
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--counties", required=True, help="comma list of county-center unit ids")
    p.add_argument("--count", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--ids", help="JSON list of ID numbers on file")
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    ids = json.loads(Path(a.ids).read_text()) if a.ids else []
    items = build([int(c) for c in a.counties.split(",") if c], a.count, a.seed, ids)
    Path(a.out).write_text(json.dumps(items, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
