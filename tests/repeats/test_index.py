"""The retrieval index: candidates come from PostgreSQL full text (GIN) or SQLite FTS5, never from a scan of
the county's matters; it holds no word in clear; `flask repeats reindex` rebuilds exactly what registrations
built one by one; a principal cannot read it through the ORM."""
import re
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


def test_the_candidates_are_read_by_key_not_by_filtering_the_county(app, net, api_token):
    """The candidates' statement names the matters by id, from the index search and the person's other matters.
    As `id IN (a) OR id IN (b)` PostgreSQL read every matter of the county and filtered each through two hashed
    subplans (500-800 ms at 1M); as one IN over a UNION it looks each candidate up by its key."""
    from county_net.accounts.models import User
    from county_net.core.models import utcnow
    from county_net.repeats import services

    made = _seed(app, net, api_token)
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "petition_readings" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    with app.test_request_context():
        with system_scope("test"):
            scope = scope_for_user(db.session.get(User, net.users["c_recv"]))
            person = services.person_from_input("测试0", None, "13700000000")
        set_request_scope(scope)
        draft = services.Draft(county_unit_id=net.units["C0"], text=TEXTS[0] + "，宏达公司至今未付", category_id=None,
                               locality_unit_id=None, received_at=utcnow(), people=[person])
        sa.event.listen(db.engine, "before_cursor_execute", keep)
        try:
            found = services.examine(draft)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", keep)
        assert made[0]["id"] in {p.id for p in found.own}  # both lists fed the statement
        assert {s.petition.id for s in found.suggestions} >= {made[0]["id"]}
        assert len(statements) == 1, [s for s, _ in statements]
        statement, parameters = statements[0]
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            # The tables are tiny here, so the access path says little; the shape of the filter is what scaled
            # with the county: an OR of two subplans, put to every matter the county index returned.
            plan = "\n".join(r[0] for r in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert not re.search(r"SubPlan \d+\) OR \((hashed )?SubPlan \d+\)\)*$", plan, re.M), plan
        else:
            _stats_of_a_big_county(connection)
            plan = "\n".join(str(r[-1]) for r in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                             parameters))
            top = next(line for line in plan.splitlines() if re.search(r"\b(SEARCH|SCAN) petitions\b", line))
            assert "INTEGER PRIMARY KEY" in top, plan
        db.session.remove()


def _stats_of_a_big_county(connection) -> None:
    """SQLite's planner reads sizes from sqlite_stat1: tell it petitions holds a million rows, half of them in
    each county, as the benchmark's databases do after ANALYZE."""
    connection.exec_driver_sql("ANALYZE")
    indexes = [row[1] for row in connection.exec_driver_sql("PRAGMA index_list('petitions')")]
    connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'petitions'")
    for name in indexes:
        columns = [row[2] for row in connection.exec_driver_sql(f"PRAGMA index_info('{name}')")]
        per = ["500000" if c == "county_unit_id" else "1" if c in ("id", "query_code") else "20" for c in columns]
        connection.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('petitions', ?, ?)",
                                   (name, " ".join(["1000000", *per])))
    connection.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('petitions', NULL, '1000000')")
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # load the statistics just written
