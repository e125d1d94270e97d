"""The weekly issue: stored once per county and week, read back unchanged, the county center's heads told once."""
from datetime import date

import sqlalchemy as sa

from county_net.digest import services
from county_net.digest.models import DigestIssue
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.digest.conftest import add_matter, at

MONDAY = date(2026, 11, 23)  # publishes 2026-W47


def _count(app, model, *where):
    with app.app_context(), system_scope("test count"):
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        db.session.remove()
    return n


def _notified(app):
    from county_net.notifications.models import Notification

    with app.app_context(), system_scope("test count"):
        rows = db.session.execute(sa.select(Notification.user_id, Notification.event_key, Notification.link)).all()
        db.session.remove()
    return rows


def test_publish_twice_stores_one_issue_and_tells_each_head_once(app, county):
    with app.app_context():
        first = services.publish_weekly(today=MONDAY)
        db.session.remove()
    with app.app_context():
        again = services.publish_weekly(today=MONDAY)
        db.session.remove()
    c0 = county.units["C0"]
    assert [(r["county_unit_id"], r["label"], r["created"], r["notified"]) for r in first] == \
        [(c0, "2026-W47", True, 2)]
    assert [(r["created"], r["notified"]) for r in again] == [(False, 0)]
    assert _count(app, DigestIssue) == 1
    rows = _notified(app)
    # The two heads of the county center, nobody else (its receptionist, the townships' heads).
    assert sorted(r.user_id for r in rows) == sorted([county.users["c_head"], county.users["c_head2"]])
    assert {r.event_key for r in rows} == {f"digest:{c0}:2026-W47"}
    assert {r.link for r in rows} == {"/digest/issues/2026-W47"}


def test_a_stored_issue_reads_the_same_later(app, county, api_token, login):
    with app.app_context():
        services.publish_weekly(today=MONDAY)
        db.session.remove()
    # A late registration for that week changes the on-demand figures, not the issue.
    with app.app_context(), system_scope("test: a late matter"):
        add_matter(county.units, county.users, county.categories, 99, "T1", "A", "T1", "letter", 1,
                   at("2026-11-20"), {}, dict(county.ids))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    headers = api_token("c_recv")
    stored = client.get("/api/v1/digest/issues/2026-W47", headers=headers).get_json()
    live = client.get("/api/v1/digest?start=2026-11-16&end=2026-11-22", headers=headers).get_json()
    assert stored["figures"]["totals"]["items"]["current"] == 7 and live["totals"]["items"]["current"] == 8
    assert stored["figures"]["overdue"]["as_of"] == "2026-11-23"
    assert stored["label"] == "2026-W47" and stored["period_start"] == "2026-11-16"
    listed = client.get("/api/v1/digest/issues", headers=headers).get_json()
    assert [i["label"] for i in listed] == ["2026-W47"]
    page = login("c_head").get("/digest/issues/2026-W47")
    assert page.status_code == 200 and "2026-W47（已生成周报）" in page.get_data(as_text=True)
    assert login("c_head").get("/digest/issues/2026-W47/print").status_code == 200
    assert login("c_head").get("/digest/issues").status_code == 200


def test_a_township_cannot_read_the_county_issue(app, county, api_token, login):
    with app.app_context():
        services.publish_weekly(today=MONDAY)
        db.session.remove()
    client = app.test_client()
    assert client.get("/api/v1/digest/issues/2026-W47", headers=api_token("t1_head")).status_code == 404
    assert client.get("/api/v1/digest/issues", headers=api_token("t1_head")).get_json() == []
    assert login("t1_head").get("/digest/issues/2026-W47").status_code == 404
    for bad in ("2026-W99", "nonsense", "0000-W01"):
        assert client.get(f"/api/v1/digest/issues/{bad}", headers=api_token("c_recv")).status_code == 404


def test_the_command_publishes_a_named_week(app, county):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["digest", "publish", "--week", "2026-W46", "--county", "C0"])
    assert result.exit_code == 0, result.output
    assert "2026-W46" in result.output and "新生成" in result.output
    result = runner.invoke(args=["digest", "publish", "--week", "2026-W46"])
    assert "已存在" in result.output
    assert _count(app, DigestIssue, DigestIssue.label == "2026-W46") == 1
    assert runner.invoke(args=["digest", "publish", "--week", "bad"]).exit_code != 0


def test_two_publishers_at_once_store_one_issue(app, county):
    """Cron and the job queue firing together: one issue, each head told once, neither run fails."""
    import threading

    results, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            with app.app_context():
                start.wait(timeout=10)
                results.extend(services.publish_weekly(today=MONDAY))
                db.session.remove()
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(r["created"] for r in results) == [False, True]
    assert sum(r["notified"] for r in results) == 2
    assert _count(app, DigestIssue) == 1 and len(_notified(app)) == 2


def test_the_job_function_takes_no_arguments(app, county):
    from county_net.digest.jobs import weekly_issue

    with app.app_context():
        line = weekly_issue()
        again = weekly_issue()
        db.session.remove()
    assert "1 new issue(s) of 1 county(ies), 2 head(s) notified" in line
    assert "0 new issue(s) of 1 county(ies), 0 head(s) notified" in again
