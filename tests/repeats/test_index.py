"""The retrieval index: candidates come from PostgreSQL full text (GIN) or SQLite FTS5, never from a scan of
the county's matters; it holds no word in clear; `flask repeats reindex` rebuilds exactly what registrations
built one by one; a principal cannot read it through the ORM."""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from county_net.extensions import db
from county_net.repeats import index
from county_net.repeats.models import RepeatIndexEntry, RepeatTerm
from county_net.tenancy import scope_for_user, system_scope
from county_net.tenancy.context import set_request_scope
from tests.petitions.helpers import Api, category_id

TEXTS = ["东镇宏达建筑工程有限公司拖欠农民工工资41.6万元", "翠湖湾小区开发商逾期交房两年，要求支付违约金",
         "甲村修村道占用承包地0.6亩未补偿", "宏达建筑县医院住院楼工地欠薪，包工头失联"]


def _seed(app, net, api_token):
    api = Api(app, api_token)
    return [api.register("c_recv", summary=t, demands="", category_id=category_id(app),
                         petitioners=[{"name": f"测试{n}", "phone": f"1370000{n:04d}"}]) for n, t in enumerate(TEXTS)]


def _snapshot(county_id):
    entries = {e.petition_id: e.terms for e in db.session.scalars(
        sa.select(RepeatIndexEntry).where(RepeatIndexEntry.county_unit_id == county_id))}
    terms = {t.term: t.df for t in db.session.scalars(
        sa.select(RepeatTerm).where(RepeatTerm.county_unit_id == county_id))}
    return entries, terms


def test_the_index_finds_by_rare_terms_and_holds_no_word_in_clear(app, net, api_token):
    made = _seed(app, net, api_token)
    county = net.units["C0"]
    with app.app_context(), system_scope("test"):
        entries, terms = _snapshot(county)
        assert set(entries) == {m["id"] for m in made} and terms[index.DOCUMENTS] == 4
        stored = " ".join(entries.values()) + " ".join(terms)
        assert not any("\u4e00" <= c <= "\u9fff" for c in stored)  # hashes only
        since = datetime.now(timezone.utc) - timedelta(days=1)
        hongda = index.term("o", "宏达", county)
        assert set(index.search(county, [hongda], since, 10)) == {made[0]["id"], made[3]["id"]}
        assert index.search(county, [index.term("o", "翠湖湾", county)], since, 10) == [made[1]["id"]]
        assert index.term("o", "宏达", county) != index.term("o", "宏达", net.units["T1"])  # keyed to the county
        assert index.search(county, [hongda], since, 10, exclude_id=made[0]["id"]) == [made[3]["id"]]
        assert index.search(net.units["C0"], [hongda], since + timedelta(days=2), 10) == []  # the window
        plan = _plan(hongda, county, since)
        db.session.remove()
    assert plan["uses_index"], plan["text"]


def _plan(key, county, since) -> dict:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask which index serves
        # Four rows: the county's btree would do; ask whether the GIN index can serve @@ for this role.
        rows = db.session.execute(sa.text(
            "EXPLAIN SELECT petition_id FROM repeat_index WHERE tsv @@ to_tsquery('simple', :q)"),
            {"q": key}).scalars().all()
        text = "\n".join(rows)
        return {"text": text, "uses_index": "ix_repeat_index_tsv" in text}
    rows = db.session.execute(sa.text(
        "EXPLAIN QUERY PLAN SELECT f.rowid FROM repeat_index_fts f JOIN repeat_index r ON r.petition_id = f.rowid "
        "WHERE repeat_index_fts MATCH :q AND r.county_unit_id = :c"), {"q": f'"{key}"', "c": county}).all()
    text = "\n".join(str(r[-1]) for r in rows)
    return {"text": text, "uses_index": "VIRTUAL TABLE INDEX" in text and "SCAN r" not in text}


def test_reindex_rebuilds_what_registration_built(app, net, api_token):
    _seed(app, net, api_token)
    county = net.units["C0"]
    with app.app_context(), system_scope("test"):
        before = _snapshot(county)
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["repeats", "reindex"])
    assert result.exit_code == 0 and "事项 4 件" in result.output, result.output
    with app.app_context(), system_scope("test"):
        assert _snapshot(county) == before
        db.session.remove()


def test_a_principal_reads_none_of_it_through_the_orm(app, net, api_token):
    from county_net.accounts.models import User

    _seed(app, net, api_token)
    with app.test_request_context():
        with system_scope("test"):
            scope = scope_for_user(db.session.get(User, net.users["c_recv"]))
        set_request_scope(scope)
        assert db.session.scalars(sa.select(RepeatIndexEntry)).all() == []
        assert db.session.scalars(sa.select(RepeatTerm)).all() == []
        db.session.remove()
