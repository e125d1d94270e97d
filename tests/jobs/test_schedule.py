"""Every periodic job runs as `flask jobs run <name>` would run it, on this run's database, and a second run
writes nothing new (each job is safe to repeat)."""
import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.jobs.runner import run_job
from county_net.jobs.schedule import PERIODIC
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api


def _notifications(app) -> int:
    with app.app_context(), system_scope("test count"):
        n = db.session.scalar(sa.text("SELECT count(*) FROM notifications"))
        db.session.remove()
    return n


@pytest.mark.parametrize("name,path", [(name, path) for name, path, _ in PERIODIC])
def test_each_job_runs_and_repeats_harmlessly(app, net, api_token, name, path):
    api = Api(app, api_token)
    api.act("c_recv", api.register("c_recv"), "transfer", to_unit_id=net.units["B1"])
    with app.app_context():
        run_job(path)
        db.session.remove()
    first = _notifications(app)
    with app.app_context():
        run_job(path)
        db.session.remove()
    assert _notifications(app) == first
