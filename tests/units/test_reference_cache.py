"""Issue 14, items 1 and 2: reference data and the principal's scope are kept per process, and a change made
by any other process (here: another connection writing SQL, as a second worker or host would) is seen on the
next request, because triggers give `reference_stamps` a new value in the changing transaction."""
import sqlalchemy as sa

from county_net.core import reference
from county_net.extensions import db
from tests.petitions.helpers import Api
from tests.petitions.test_statement_counts import StatementCounter


def _elsewhere(database, sql, **params):
    """Another process's write: its own connection, its own transaction, committed."""
    engine = database.owner_engine()
    with engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    engine.dispose()


def _stamps(app):
    with app.app_context():
        db.session.rollback()
        reference.mark_stale()
        return reference.current()


def test_every_watched_table_gives_a_new_stamp(app, net, database):
    before = _stamps(app)
    _elsewhere(database, "UPDATE units SET contact_person = '张三' WHERE code = 'T1'")
    after_units = _stamps(app)
    assert after_units.units != before.units and after_units.categories == before.categories
    _elsewhere(database, "UPDATE categories SET name = name WHERE code = '01'")
    after_categories = _stamps(app)
    assert after_categories.categories != after_units.categories and after_categories.units == after_units.units
    _elsewhere(database, "INSERT INTO holiday_years (year, off, work, source, revision, imported_at, imported_by) "
                         "VALUES (2031, '[]', '[]', 'test', 1, CURRENT_TIMESTAMP, 'test')")
    assert _stamps(app).calendar != after_categories.calendar


def test_a_rolled_back_change_leaves_no_stamp_behind(app, net, database):
    before = _stamps(app)
    engine = database.owner_engine()
    with engine.connect() as conn:
        conn.execute(sa.text("UPDATE units SET name = '改名' WHERE code = 'T1'"))
        conn.rollback()
    engine.dispose()
    assert _stamps(app) == before


def test_names_changed_by_another_process_show_on_the_next_request(app, net, api_token, database):
    api = Api(app, api_token)
    matter = api.register("c_recv", category_id=1)
    first = api.get("c_recv", f"/api/v1/petitions/{matter['id']}").get_json()
    _elsewhere(database, "UPDATE units SET name = '测试县信访局（新）', short_name = '县信访局新' WHERE code = 'C0'")
    _elsewhere(database, "UPDATE categories SET name = '新类别名' WHERE id = 1")
    second = api.get("c_recv", f"/api/v1/petitions/{matter['id']}").get_json()
    assert "新类别名" in str(second) and "新类别名" not in str(first)
    assert "测试县信访局（新）" in str(second) and "测试县信访局（新）" not in str(first)


def test_a_unit_moved_by_another_process_moves_the_scope_at_once(app, net, api_token, database):
    """E2 moves from 西镇 (T2) to 东镇 (T1): T1 sees it on its next request, T2 no longer does."""
    api = Api(app, api_token)
    e2, t1 = net.units["E2"], net.units["T1"]
    assert api.get("t2_recv", f"/api/v1/units/{e2}").status_code == 200
    assert api.get("t1_recv", f"/api/v1/units/{e2}").status_code == 404
    _elsewhere(database, "UPDATE units SET parent_id = :t1, path = (SELECT path FROM units WHERE id = :t1) || :me "
                         "WHERE id = :e2", t1=t1, e2=e2, me=f"{e2}/")
    assert api.get("t1_recv", f"/api/v1/units/{e2}").status_code == 200
    assert api.get("t2_recv", f"/api/v1/units/{e2}").status_code == 404


def test_a_warm_request_reads_no_reference_data(app, net, api_token):
    """Once warm, the principal is one statement and the directory, categories, settings and calendar none."""
    api = Api(app, api_token)
    matter = api.register("c_recv")
    path = f"/api/v1/petitions/{matter['id']}"
    api.get("c_recv", path)
    with StatementCounter(app) as counter:
        assert api.get("c_recv", path).status_code == 200
    reads = " ".join(counter.statements)
    assert counter.statements[0].startswith("SELECT auth_sessions.id")
    for table in ("FROM units", "FROM categories", "FROM holiday_years", "FROM reference_stamps"):
        assert table not in reads, (table, counter.statements)


def test_a_request_that_changes_categories_reads_them_again(app, net, api_token):
    api = Api(app, api_token)
    created = api.post("admin", "/api/v1/categories", {"code": "77", "name": "新设类别"})
    assert created.status_code == 201, created.get_json()
    names = [c["name"] for c in api.get("c_recv", "/api/v1/categories").get_json()]
    assert "新设类别" in names
