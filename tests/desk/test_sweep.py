"""`flask desk sweep`: a follow-up that has fallen due reminds its unit's handlers once; one not yet due
reminds no one; a second run writes nothing."""
import pytest
import sqlalchemy as sa

from county_net.core.timeutil import local_today
from county_net.desk.models import FollowUp
from county_net.extensions import db
from county_net.notifications.models import Notification
from county_net.tenancy import system_scope
from tests.desk.helpers import closed_by_township
from tests.petitions.helpers import Api


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _notes(app):
    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(Notification.user_id, Notification.kind, Notification.link,
                                            Notification.object_id)).all()
        db.session.remove()
    return rows


def test_due_follow_ups_notify_the_handlers_once(api, net, app):
    due = closed_by_township(api, net)
    later = closed_by_township(api, net)
    with app.app_context(), system_scope("test"):
        db.session.execute(sa.update(FollowUp).where(FollowUp.petition_id == due["id"]).values(due_on=local_today()))
        task_id = db.session.scalar(sa.select(FollowUp.id).where(FollowUp.petition_id == due["id"]))
        db.session.commit()
        db.session.remove()
    before = len(_notes(app))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["desk", "sweep"])
    assert first.exit_code == 0 and "提醒到期回访 1 件" in first.output, first.output
    new = [n for n in _notes(app)[before:] if n.kind == "follow_up_due"]
    # 东镇's receptionist handles it; its head is not a handler.
    assert [(n.user_id, n.object_id, n.link) for n in new] == [(net.users["t1_recv"], task_id,
                                                                f"/desk/follow-ups/{task_id}")]
    second = runner.invoke(args=["desk", "sweep"])
    assert second.exit_code == 0 and "提醒到期回访 0 件" in second.output
    assert len([n for n in _notes(app) if n.kind == "follow_up_due"]) == 1
    assert later["id"] != due["id"]
    # Once recorded, a task is no longer due: nothing more to remind.
    task = api.get("t1_recv", f"/api/v1/desk/follow-ups/{task_id}").get_json()
    assert task["is_due"] and task["version"] == 1  # the reminder is not a user's edit
