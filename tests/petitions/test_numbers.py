"""Numbers: county-wide per year, in the configured pattern, gapless and unique under concurrency."""
import threading

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api


def test_numbers_follow_the_pattern_and_run_on(app, net, api_token):
    api = Api(app, api_token)
    first = api.register("c_recv")
    second = api.register("t1_recv")  # any unit of the county draws from the same sequence
    year = first["received_at"][:4]
    assert first["number"] == f"清信〔{year}〕00001号"
    assert second["number"] == f"清信〔{year}〕00002号"


@pytest.mark.postgres_only
def test_fifty_concurrent_registrations_get_fifty_consecutive_numbers(app, net, api_token):
    api = Api(app, api_token)
    headers = api.headers("c_recv")
    body = {"channel": "visit", "petitioners": [{"name": "并发测试"}], "category_id": 1, "nature": "inquiry",
            "summary": "同时登记的咨询事项，用于检验编号。"}
    barrier = threading.Barrier(50)
    results = []

    def register():
        client = app.test_client()
        barrier.wait()
        results.append(client.post("/api/v1/petitions", json=body, headers=headers))

    threads = [threading.Thread(target=register) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201] * 50, [r.get_json() for r in results if r.status_code != 201]
    with app.app_context(), system_scope("check"):
        seqs = sorted(db.session.scalars(sa.select(Petition.seq)))
        db.session.remove()
    assert seqs == list(range(1, 51))
