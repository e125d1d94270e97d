"""Hot pages run a small, fixed number of SQL statements however many rows they show (no N+1)."""
import pytest
from sqlalchemy import event

from county_net.extensions import db
from tests.petitions.helpers import Api


class StatementCounter:
    def __init__(self, app):
        self.app = app
        self.count = 0

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def _count(self, *args, **kwargs):
        self.count += 1

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def busy(app, net, api_token):
    api = Api(app, api_token)
    made = [api.register("c_recv", petitioners=[{"name": f"人{i}", "phone": f"1370000{i:04d}"}]) for i in range(12)]
    for p in made[:6]:
        api.act("c_recv", p, "transfer", to_unit_id=net.units["B1"])
    return api, made


def _count(app, fn):
    fn()  # warm caches (settings, compiled statements)
    with StatementCounter(app) as counter:
        resp = fn()
    assert resp.status_code == 200
    return counter.count


@pytest.mark.parametrize("path", ["/api/v1/petitions?page_size=12", "/api/v1/petitions?box=handling"])
def test_lists_are_not_n_plus_one(app, busy, path):
    api, _ = busy
    few = _count(app, lambda: api.get("c_recv", path.replace("12", "2")))
    many = _count(app, lambda: api.get("c_recv", path))
    assert many == few and many <= 13, (few, many)  # measured: 11 for 2 rows and for 12


def test_matter_page_and_inbox_page(app, busy, login):
    api, made = busy
    web = login("b1_recv")
    detail = _count(app, lambda: web.get(f"/petitions/{made[0]['id']}"))
    inbox = _count(app, lambda: web.get("/inbox?box=to_sign"))
    api_detail = _count(app, lambda: api.get("b1_recv", f"/api/v1/petitions/{made[0]['id']}"))
    # Measured: 21, 18 and 16 statements (login session, scope, matter, parties, links, timeline, names).
    assert detail <= 24 and inbox <= 21 and api_detail <= 18, (detail, inbox, api_detail)
