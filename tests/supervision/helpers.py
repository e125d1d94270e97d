"""Driving supervision through the JSON API, and reading what the sweep left, as the owner would."""
from datetime import date, timedelta

import sqlalchemy as sa

from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, add_user


def setup_center_head(app, net):
    if "c_head" not in net.users:
        add_user(app, net, "c_head", "C0", ["head"])


def transferred(api, net, to="T1", user="c_recv"):
    matter = api.register(user)
    return api.act(user, matter, "transfer", to_unit_id=net.units[to])


def issue(api, net, petition_ids, *, user="c_recv", expect=201, **fields):
    body = {"petition_ids": petition_ids, "target_unit_id": net.units["T1"], "level": "normal",
            "method": "document", "problem": "overdue", "content": "该事项逾期未办结。",
            "required_action": "请立即办理并报送办理情况。",
            "feedback_due_on": (local_today() + timedelta(days=7)).isoformat()}
    body.update(fields)
    resp = api.post(user, "/api/v1/supervisions", body)
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def act(api, user, record, action, expect=200, **fields):
    resp = api.post(user, f"/api/v1/supervisions/{record['id']}/{action}", {"version": record["version"], **fields})
    assert resp.status_code == expect, (action, resp.status_code, resp.get_json())
    return resp.get_json()


def rows(app, sql: str, **params) -> list:
    with app.app_context(), system_scope("test read"):
        found = [tuple(r) for r in db.session.execute(sa.text(sql), params)]
        db.session.remove()
    return found


def count(app, sql: str, **params) -> int:
    return rows(app, sql, **params)[0][0]


def notified(app, event_key_like: str) -> list[str]:
    """Usernames notified under keys LIKE the pattern, sorted."""
    return sorted(r[0] for r in rows(app, "SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id "
                                          "WHERE n.event_key LIKE :k", k=event_key_like))


def restart_clock(app, petition_id: int, step: str, started_on: date) -> None:
    """Move a clock's start back (as if the step had begun that day) and recompute its marks, the way
    `flask supervision rebuild-clocks` does: the clock keeps its start and counts on the county's calendar."""
    from county_net.petitions.models import Petition
    from county_net.supervision import clocks

    with app.app_context(), system_scope("test clock"):
        db.session.execute(sa.text("UPDATE supervision_clocks SET started_on = :d, reached = 'none' "
                                   "WHERE petition_id = :p AND step = :s"), {"d": started_on, "p": petition_id,
                                                                            "s": step})
        petition = db.session.get(Petition, petition_id)
        clocks.refresh(petition, started_on)
        db.session.commit()
        db.session.remove()


def run_sweep(app, today: date, **kw) -> dict:
    from county_net.supervision.jobs import daily_sweep

    with app.app_context():
        try:
            return daily_sweep(today=today, **kw)
        finally:
            db.session.remove()


__all__ = ["Api", "setup_center_head", "transferred", "issue", "act", "rows", "count", "notified",
           "restart_clock", "run_sweep"]
