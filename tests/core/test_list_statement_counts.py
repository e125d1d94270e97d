"""Issue 14: every list page of the capabilities beyond petitions (web and API) in at most 4 statements, the
principal and the header's unread count included (BEGIN not counted), and the same number with a few rows as
with many (no N+1). Each case seeds its capability twice, measuring every list after each seeding."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from county_net.core.timeutil import COUNTY_TZ
from tests.petitions.helpers import Api, add_user
from tests.petitions.test_statement_counts import StatementCounter

CEILING = 4


def _measure(app, send) -> int:
    send()  # warm: settings, reference data, compiled statements
    with StatementCounter(app) as counter:
        resp = send()
    assert resp.status_code == 200, (resp.status_code, resp.get_data(as_text=True)[:300])
    import os
    if os.environ.get("COUNT_DUMP"):
        with open(os.environ["COUNT_DUMP"], "a") as out:
            out.write(f"-- {counter.count} {resp.request.path}\n" + "".join(f"   {s}\n" for s in counter.statements))
    return counter.count


class Lists:
    """The routes of one capability: name -> (user, path, web?)."""

    def __init__(self, app, api, login, routes):
        self.app, self.api, self.login, self.routes = app, api, login, routes
        self.browsers = {}

    def _send(self, user, path, web):
        if not web:
            return lambda: self.api.get(user, path)
        if user not in self.browsers:
            self.browsers[user] = self.login(user)
        return lambda: self.browsers[user].get(path)

    def counts(self) -> dict[str, int]:
        return {name: _measure(self.app, self._send(*route)) for name, route in self.routes.items()}


# ---- seeding, a round at a time -----------------------------------------------------------------------------

def _supervision(app, net, api, n):
    from tests.supervision.helpers import issue, transferred

    for _ in range(n):
        matter = transferred(api, net)
        issue(api, net, [matter["id"]])


def _coordination(app, net, api, n):
    from tests.coordination.helpers import seed_meeting

    for _ in range(n):
        seed_meeting(api, net)


def _notifications(app, net, api, n):
    from county_net.extensions import db
    from county_net.notifications.services import notify
    from county_net.tenancy import system_scope

    with app.app_context(), system_scope("test seed"):
        for i in range(n):
            key = f"count-{datetime.now(timezone.utc).timestamp()}-{i}"
            notify(kind="petition_transferred", event_key=key, unit_id=net.units["C0"], title=f"通知{i}",
                   link="/", object_type="petition", object_id=i + 1, audience="unit")
        db.session.commit()
        db.session.remove()


_SCREENING_UNITS = ["E1", "V1", "T1", "T2", "E2", "B1"]


def _screening(app, net, api, n):
    from tests.screening.helpers import seed_rows
    from tests.screening.info_helpers import send

    done = getattr(net, "_screened", 0)
    for code in _SCREENING_UNITS[done:done + n]:
        seed_rows(app, net.units[code])
        send(api)
    net._screened = done + n


def _hall(app, net, api, n):
    from tests.hall.helpers import visitor
    from tests.hall.seed_incident import seed_incident

    for i in range(n):
        resp = api.post("c_recv", "/api/v1/hall/visits", visitor(f"来访{i}"))
        assert resp.status_code == 201, resp.get_json()
        seed_incident(app, net.units["C0"])
        resp = api.post("c_head", "/api/v1/hall/reception-days", {
            "day": (date(2026, 12, 1) + timedelta(days=len(getattr(net, "_days", [])))).isoformat(),
            "starts": "09:00", "ends": "11:30", "form": "fixed", "place": "县信访局接待室",
            "leader_name": "县领导", "leader_post": "副县长"})
        assert resp.status_code == 201, resp.get_json()
        net._days = [*getattr(net, "_days", []), resp.get_json()["id"]]


def _desk(app, net, api, n):
    from tests.desk.helpers import closed_by_township, reported

    for _ in range(n):
        reported(api, net)
        closed_by_township(api, net)


def _window(app, net):
    import sqlalchemy as sa

    from county_net.extensions import db
    from county_net.tenancy import system_scope
    from county_net.units.models import Window

    with app.app_context(), system_scope("test"):
        found = db.session.scalar(sa.select(Window.id).where(Window.unit_id == net.units["C0"]))
        db.session.remove()
    return found


def _routes(app, net, capability):
    if capability == "supervision":
        return {"web_list": ("c_recv", "/supervision", True), "web_late": ("c_recv", "/supervision/late", True),
                "web_mine": ("t1_recv", "/supervision/mine", True),
                "api_list": ("c_recv", "/api/v1/supervisions", False),
                "api_mine": ("t1_recv", "/api/v1/supervisions?mine=1", False),
                "api_late_units": ("c_recv", "/api/v1/supervision/late-units", False)}
    if capability == "coordination":
        return {"web_meetings": ("c_recv", "/meetings", True), "web_tasks": ("b1_recv", "/meeting-tasks", True),
                "api_meetings": ("c_recv", "/api/v1/meetings", False),
                "api_tasks": ("b1_recv", "/api/v1/meeting-tasks", False)}
    if capability == "notifications":
        return {"web": ("c_recv", "/notifications", True), "api": ("c_recv", "/api/v1/notifications", False)}
    if capability == "screening":
        return {"web_reports": ("c_head", "/screening", True),
                "api_reports": ("c_head", "/api/v1/screening/reports", False),
                "web_late": ("c_head", "/screening/late?month=2026-10", True),
                "api_late": ("c_head", "/api/v1/screening/late?month=2026-10", False),
                "web_exemptions": ("c_head", "/screening/exemptions", True),
                "api_exemptions": ("c_head", "/api/v1/screening/exemptions", False),
                "web_info": ("c_head", "/screening/info", True),
                "api_info": ("c_head", "/api/v1/info-reports", False),
                "web_disputes": ("c_head", "/screening/rollup/disputes?period=2026-10", True),
                "api_disputes": ("c_head", "/api/v1/screening/rollup/disputes?period=2026-10", False),
                "web_rollup": ("c_head", "/screening/rollup?period=2026-10", True),
                "api_rollup": ("c_head", "/api/v1/screening/rollup?period=2026-10", False)}
    if capability == "hall":
        window = _window(app, net)
        return {"web_hall": ("c_recv", "/hall", True), "api_today": ("c_recv", "/api/v1/hall/today", False),
                "api_visits": ("c_recv", "/api/v1/hall/visits", False),
                "web_window": ("c_recv", f"/hall/windows/{window}", True),
                "api_queue": ("c_recv", f"/api/v1/hall/windows/{window}/queue", False),
                "web_incidents": ("c_recv", "/hall/incidents", True),
                "api_incidents": ("c_recv", "/api/v1/hall/incidents", False),
                "web_rota": ("c_head", "/hall/reception-days", True),
                "api_rota": ("c_head", "/api/v1/hall/reception-days", False)}
    if capability == "desk":
        return {"web_board": ("c_recv", "/desk", True), "api_board": ("c_recv", "/api/v1/desk/board", False),
                "api_asked": ("t1_recv", "/api/v1/desk/asked", False),
                "web_review": ("c_recv", "/desk/review", True),
                "api_review": ("c_recv", "/api/v1/desk/review-queue", False),
                "web_follow_ups": ("t1_recv", "/desk/follow-ups", True),
                "api_follow_ups": ("t1_recv", "/api/v1/desk/follow-ups", False)}
    raise AssertionError(capability)


SEEDERS = {"supervision": _supervision, "coordination": _coordination, "notifications": _notifications,
           "screening": _screening, "hall": _hall, "desk": _desk}


@pytest.fixture
def hall_morning(monkeypatch):
    # A working morning inside the hall's hours (tests/hall/helpers.py), for every service that reads the clock.
    moment = datetime(2026, 11, 30, 10, 0, tzinfo=COUNTY_TZ).astimezone(timezone.utc)
    for target in ("county_net.core.timeutil.utcnow", "county_net.hall.services.utcnow",
                   "county_net.hall.board.utcnow", "county_net.petitions.services.utcnow"):
        monkeypatch.setattr(target, lambda: moment)


@pytest.mark.parametrize("capability", list(SEEDERS))
def test_every_list_is_a_few_statements_however_many_rows(app, net, api_token, login, capability, request):
    if capability == "hall":
        request.getfixturevalue("hall_morning")
    for name, unit, roles in (("c_head", "C0", ["head"]),):
        add_user(app, net, name, unit, roles)
    api = Api(app, api_token)
    lists = Lists(app, api, login, _routes(app, net, capability))
    SEEDERS[capability](app, net, api, 1)
    few = lists.counts()
    SEEDERS[capability](app, net, api, 4)
    many = lists.counts()
    print(capability, {k: (few[k], many[k]) for k in few})
    grows = {k: (few[k], many[k]) for k in few if many[k] != few[k]}
    over = {k: many[k] for k in many if many[k] > CEILING}
    assert not grows and not over, (grows, over)
