"""The synthetic province: deterministic, consistent with the product's own rules, and usable by the
product as it stands (logins, tenancy, the audit chain, the deadline sweep)."""
import json

import sqlalchemy as sa

from county_net.extensions import db
from county_net.tenancy import system_scope


def _generate(app, tmp_path, seed=3):
    manifest = tmp_path / f"manifest-{seed}.json"
    result = app.test_cli_runner().invoke(args=["bench", "generate", "--units", "40", "--petitions", "600",
                                                "--seed", str(seed), "--today", "2026-11-20",
                                                "--manifest", str(manifest)])
    assert result.exit_code == 0, result.output
    return json.loads(manifest.read_text())


def _fingerprint(app):
    from county_net.petitions.models import Petition

    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(Petition.number, Petition.state, Petition.holder_unit_id,
                                            Petition.due_on, Petition.summary).order_by(Petition.id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_a_small_province_is_consistent_and_usable(app, tmp_path):
    from county_net.audit.services import verify_chain
    from county_net.petitions import services
    from county_net.petitions.models import Petition, PetitionEvent

    manifest = _generate(app, tmp_path)
    sizes = manifest["sizes"]
    assert sizes["petitions"] == 600 and sizes["units"] >= 40 and len(manifest["counties"]) == 2
    assert sizes["events"] >= 3 * 600 and sizes["petitioners"] < 600  # repeat visitors reuse their files
    with app.app_context(), system_scope("test"):
        assert verify_chain().ok
        # Every matter's version counts its timeline entries, as the services keep it.
        versions = dict(db.session.execute(sa.select(Petition.id, Petition.version)).all())
        counted = dict(db.session.execute(sa.select(PetitionEvent.petition_id, sa.func.count())
                                          .group_by(PetitionEvent.petition_id)).all())
        assert versions == counted
        # Numbers: gapless per county and year, and unique within the county.
        seqs = db.session.execute(sa.select(Petition.county_unit_id, Petition.year, sa.func.count(),
                                            sa.func.max(Petition.seq)).group_by(Petition.county_unit_id,
                                                                                 Petition.year)).all()
        assert all(count == top for _, _, count, top in seqs)
        first = services.sweep()
        second = services.sweep()
        db.session.remove()
    assert first["checked"] == second["checked"] > 0
    assert second["refreshed"] == 0 and second["resumed"] == 0  # nothing changed: nothing written

    # A generated receptionist logs in and sees only what the tenancy rules give it.
    user = next(u for u in manifest["users"] if u["unit_kind"] != "county_center" and u["petition_ids"])
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": user["username"],
                                                    "password": manifest["password"]}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/petitions/{user['petition_ids'][0]}", headers=headers).status_code == 200
    other = next(c["unit_id"] for c in manifest["counties"] if c["unit_id"] != user["county_unit_id"])
    with app.app_context(), system_scope("test"):
        foreign = db.session.scalar(sa.select(Petition.id).where(Petition.county_unit_id == other).limit(1))
        db.session.remove()
    assert client.get(f"/api/v1/petitions/{foreign}", headers=headers).status_code == 404
    found = client.post("/api/v1/petitioners/lookup", json={"id_number": manifest["id_numbers"][0]},
                        headers=headers)
    assert found.status_code == 200


def test_the_same_seed_gives_the_same_province(app, tmp_path):
    _generate(app, tmp_path, seed=5)
    first = _fingerprint(app)
    with app.app_context():
        db.engine.dispose()
    request_reset(app)
    _generate(app, tmp_path, seed=5)
    assert _fingerprint(app) == first


def request_reset(app):
    """Empty the tables again (what the autouse fixture does between tests)."""
    import shutil
    from pathlib import Path

    from tests.conftest import SEEDED_CATEGORY_CODES  # noqa: F401  (same reset as the fixture)

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        path = Path(uri.replace("sqlite:///", ""))
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.copyfile(path.parent / "template.sqlite3", path)
    else:
        engine = sa.create_engine(app.config["MIGRATION_DATABASE_URL"])
        with engine.begin() as conn:
            tables = conn.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                                          "tablename NOT IN ('alembic_version', 'categories')")).all()
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        engine.dispose()


def test_the_repeat_index_is_what_registration_would_have_written(app, tmp_path):
    """Readings, keyed-hash terms and word counts of generated matters equal a rebuild from the matters'
    texts (county_net.repeats.rebuild), and the index answers a search."""
    from county_net.petitions.models import Petition
    from county_net.repeats import index
    from county_net.repeats.models import PetitionReading, RepeatIndexEntry, RepeatTerm
    from county_net.repeats.rebuild import rebuild
    from county_net.repeats.text import read

    manifest = _generate(app, tmp_path, seed=7)
    assert manifest["version"] >= 2 and manifest["sizes"]["repeat_terms"] > 0

    def snapshot():
        with app.app_context(), system_scope("test"):
            entries = {r.petition_id: (r.county_unit_id, r.received_at, r.terms)
                       for r in db.session.scalars(sa.select(RepeatIndexEntry))}
            terms = {(r.county_unit_id, r.term): r.df for r in db.session.scalars(sa.select(RepeatTerm))}
            db.session.remove()
        return entries, terms

    entries, terms = snapshot()
    assert len(entries) == 600 and sum(df for (_, k), df in terms.items() if k == index.DOCUMENTS) == 600
    with app.app_context(), system_scope("test"):
        for petition in db.session.scalars(sa.select(Petition).order_by(Petition.id).limit(40)):
            stored = db.session.scalar(sa.select(PetitionReading).where(PetitionReading.petition_id == petition.id))
            expected = index.reading_values(read(f"{petition.summary}{petition.demands or ''}"))
            assert {k: getattr(stored, k) for k in expected} == expected
        # The FTS table (SQLite) or the GIN-indexed tsvector (PostgreSQL) finds a matter by its own terms.
        first = db.session.get(RepeatIndexEntry, 1)
        some = [k for k in first.terms.split() if k[0] == "w"][:3]
        found = index.search(first.county_unit_id, some, first.received_at, 50)
        assert 1 in found
        db.session.remove()
        rebuild()
        db.session.remove()
    assert snapshot() == (entries, terms)


def _spread(app, preset: str, matters: int = 8000) -> dict:
    """Units, users and matters of a small province (not the repeat tables: the texts do not move the
    distribution), and the open-matter distribution the generator reports, checked against its rows."""
    import io
    from datetime import date

    from county_net.bench.generate import BulkWriter, Generator, bulk_url, open_distribution
    from county_net.petitions.models import Petition
    from county_net.petitions.workflow import OPEN_STATES
    from county_net.units.models import Unit

    today = date(2026, 11, 20)
    with app.app_context(), system_scope("test"):
        writer = BulkWriter(bulk_url(app.config))
        try:
            generator = Generator(units=200, petitions=matters, seed=11, today=today, writer=writer, app=app,
                                  preset=preset, out=io.StringIO())
            generator.build_network("not-a-login")
            generator.build_matters()
        finally:
            writer.close()
        spread = generator.open_matters()
        db.session.remove()  # a read begun during the load (the county settings) would not see its rows
        is_open = Petition.state.in_(OPEN_STATES)
        held = dict(db.session.execute(sa.select(Petition.holder_unit_id, sa.func.count()).where(is_open)
                                       .group_by(Petition.holder_unit_id)).all())
        overdue = db.session.scalar(sa.select(sa.func.count()).where(is_open, Petition.due_on < today))
        kinds = dict(db.session.execute(sa.select(Unit.id, Unit.kind)).all())
        db.session.remove()
    handling = [u for u, kind in kinds.items() if kind in ("township", "bureau")]
    centers = [u for u, kind in kinds.items() if kind == "county_center"]
    assert spread == {**open_distribution(held, handling, centers), "overdue": overdue, "matters": matters}
    return spread


def test_the_realistic_preset_spreads_open_matters_over_a_countys_units(app):
    """Most matters are long closed, and no township or bureau holds many times the median's open matters
    (a ratio, so the bound holds at any size; at 1M the busiest holds a few hundred)."""
    spread = _spread(app, "realistic")
    assert spread["open"] < 0.08 * spread["matters"]
    assert spread["p50"] > 0 and spread["busiest"] <= 4 * spread["p50"]


def test_the_stress_preset_keeps_its_busiest_unit(app):
    """The heavy case stays heavy: the busiest township holds tens of times the median's open matters."""
    spread = _spread(app, "stress")
    assert spread["open"] > 0.12 * spread["matters"]
    assert spread["busiest"] >= 10 * spread["p50"]
