"""Years without a published holiday schedule: a limit that rests on one is marked 暂定 (screen and API);
an imported schedule makes it exact, and the next sweep writes the change; admins are warned while a year is
missing; the calendar in use follows the table in every process."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.deadlines import services as deadline_services
from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api

# An official 2027 schedule as it might be published (a test fixture, not the real notice): the Spring
# Festival 2-6 to 2-13 with Sunday 2-14 worked.
OFFICIAL_2027 = """
[2027]
source = "国务院办公厅关于2027年部分节假日安排的通知（测试用）"
off = ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
       "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13"]
work = ["2027-02-14"]
"""


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _extended_into_the_spring_festival(api, app, net):
    """The issue's 延期告知书: accepted on 2026-11-30, 60 days to 2027-01-29, extended 10 days → 2027-02-08."""
    p = api.register("c_recv")
    p = api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    p = api.act("b1_recv", api.show("b1_recv", p["id"]), "sign-for")
    p = api.act("b1_recv", p, "accept")
    with app.app_context(), system_scope("test dates"):
        db.session.execute(sa.update(Petition).where(Petition.id == p["id"]).values(
            accepted_at=datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)))
        db.session.commit()
        db.session.remove()
    p = api.show("b1_head", p["id"])
    return api.act("b1_head", p, "extend", days=10, reason="情况复杂", petitioner_told=True)


def _stored(app, pid):
    with app.app_context(), system_scope("test"):
        row = db.session.execute(sa.select(Petition.due_on, Petition.due_provisional).where(Petition.id == pid)).one()
        db.session.remove()
    return tuple(row)


def test_2027_limit_provisional_then_exact_after_import_and_sweep(api, app, net, login):
    p = _extended_into_the_spring_festival(api, app, net)
    # 2027-02-08 is a provisional day off (补假 for 初一/初二 on the weekend): the limit rolls to 2-11, 暂定.
    assert p["deadline"]["due_on"] == "2027-02-11" and p["deadline"]["provisional"] is True
    assert p["due_provisional"] is True
    rows = api.get("b1_recv", "/api/v1/petitions").get_json()["items"]
    assert [r["due_provisional"] for r in rows if r["id"] == p["id"]] == [True]
    web = login("b1_recv")
    assert "暂定" in web.get(f"/petitions/{p['id']}").get_data(as_text=True)
    assert "暂定" in web.get("/inbox?box=handling").get_data(as_text=True)
    notice = web.get(f"/petitions/{p['id']}/documents/extension_notice").get_data(as_text=True)
    assert "2027年2月11日" in notice and "暂定" in notice

    admin = login("admin")
    resp = admin.post("/admin/holidays", {"schedule": OFFICIAL_2027})
    assert resp.status_code == 302
    # Stored limits change at the next sweep, not before.
    assert _stored(app, p["id"]) == (date(2027, 2, 11), True)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["petitions", "sweep"]).output
    assert "更新期限 1 件" in out, out
    assert _stored(app, p["id"]) == (date(2027, 2, 14), False)  # the published make-up Sunday
    shown = api.show("b1_recv", p["id"])
    assert shown["deadline"]["due_on"] == "2027-02-14" and shown["deadline"]["provisional"] is False
    assert shown["due_provisional"] is False
    assert "暂定" not in web.get("/inbox?box=handling").get_data(as_text=True)
    assert "更新期限 0 件" in runner.invoke(args=["petitions", "sweep"]).output
    with app.app_context(), system_scope("test"):
        audit = db.session.scalars(sa.select(AuditRecord)
                                   .where(AuditRecord.action == "deadlines.import_holidays")).one()
        assert audit.actor_name == "admin" and audit.target_id == "2027"
        db.session.remove()


def test_same_dates_confirmed_still_clears_the_mark(api, app, net):
    # If the notice confirms the provisional days exactly, the date stays and only the 暂定 mark goes: the
    # sweep compares the mark too.
    p = _extended_into_the_spring_festival(api, app, net)
    confirmed = ('[2027]\nsource = "通知（测试用）"\noff = ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", '
                 '"2027-02-09", "2027-02-10"]\nwork = []\n')
    result = app.test_cli_runner().invoke(args=["deadlines", "import-holidays", "-"], input=confirmed)
    assert result.exit_code == 0, result.output
    assert _stored(app, p["id"]) == (date(2027, 2, 11), True)
    app.test_cli_runner().invoke(args=["petitions", "sweep"])
    assert _stored(app, p["id"]) == (date(2027, 2, 11), False)


def test_cli_import_from_a_file(app, net, tmp_path):
    path = tmp_path / "2027.toml"
    path.write_text(OFFICIAL_2027, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["deadlines", "import-holidays", str(path)])
    assert result.exit_code == 0 and "2027" in result.output, result.output
    with app.app_context():
        assert 2027 in deadline_services.published_years()
        db.session.remove()


BAD = [
    ('[2027]\nsource = "x"\noff = ["2028-01-01"]\n', "[2027].off", "不在 2027 年"),
    ('[2027]\nsource = "x"\noff = ["2027-02-14"]\nwork = ["2027-02-14"]\n', "[2027]", "既是放假又是上班"),
    ('[2027]\nsource = "x"\noff = ["2027-02-31"]\n', "[2027].off", "不是日期"),
    ('[2027]\noff = ["2027-02-10"]\n', "[2027].source", "通知"),
    ('[2027]\nsource = "x"\noff = ["2027-02-10"]\nwork = ["2027-02-10"]\n', "[2027].work", "应为周末"),
    ('[abc]\nsource = "x"\n', "[abc]", "年份"),
    ("[2027\n", "schedule", "TOML"),
]


@pytest.mark.parametrize("text,field,message", BAD, ids=[b[2] for b in BAD])
def test_bad_schedules_are_refused_with_field_errors(app, net, login, text, field, message):
    admin = login("admin")
    resp = admin.post("/admin/holidays", {"schedule": text})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert field in page and message in page
    with app.app_context():
        assert 2027 not in deadline_services.published_years()  # nothing loaded
        db.session.remove()
    cli = app.test_cli_runner().invoke(args=["deadlines", "import-holidays", "-"], input=text)
    assert cli.exit_code == 1 and message in cli.output


def test_only_admins_import(app, net, login):
    assert login("c_recv").get("/admin/holidays").status_code == 403
    resp = login("c_recv").post("/admin/holidays", {"schedule": OFFICIAL_2027}, form_page="/")
    assert resp.status_code == 403


def test_admin_warning_appears_and_disappears(app, net, login, monkeypatch):
    monkeypatch.setattr(deadline_services, "local_today", lambda: date(2026, 11, 30))
    admin = login("admin")
    page = admin.get("/").get_data(as_text=True)
    assert 'id="holiday-warning"' in page and "2027年" in page
    assert 'id="holiday-warning"' not in login("c_recv").get("/").get_data(as_text=True)  # admins only
    assert admin.post("/admin/holidays", {"schedule": OFFICIAL_2027}).status_code == 302
    assert 'id="holiday-warning"' not in admin.get("/").get_data(as_text=True)


def test_warning_window(app, net):
    with app.app_context():
        assert deadline_services.missing_schedule_warning(date(2026, 10, 31)) is None
        assert "2027年" in deadline_services.missing_schedule_warning(date(2026, 11, 1))
        assert "2027年" in deadline_services.missing_schedule_warning(date(2027, 3, 1))  # still missing
        db.session.remove()


def test_calendar_follows_an_import_made_by_another_process(app, net, database):
    with app.app_context():
        assert deadline_services.calendar_in_use().is_provisional_year(2028)
        db.session.remove()
    # Another worker imports 2028: this process's cached calendar must not outlive it.
    engine = database.owner_engine()
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO holiday_years (year, source, off, work, revision, imported_at, imported_by) "
                             "VALUES (2028, 'x', '[\"2028-01-03\"]', '[]', 7, :at, 'other')"),
                     {"at": datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc)})
    engine.dispose()
    with app.app_context():
        calendar = deadline_services.calendar_in_use()
        assert not calendar.is_provisional_year(2028) and not calendar.is_workday(date(2028, 1, 3))
        db.session.remove()
