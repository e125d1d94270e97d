"""Viewing an accusation writes an audit record. A GET begins by reading, and on SQLite a read transaction
cannot become a write once another writer has committed: the outside battery saw 166 of 300 parallel views
answered 500 "database is locked". Every view must be answered and audited, on both engines."""
import threading

import sqlalchemy as sa

from county_net.audit.models import AuditRecord
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, category_id

VIEWERS = 12
VIEWS_EACH = 25  # 300 views in all, as in the battery


def test_parallel_views_of_an_accusation_are_all_answered_and_audited(app, net, api_token, login):
    api = Api(app, api_token)
    p = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"],
                     accused_description="东镇某干部", category_id=category_id(app, "党纪政纪"),
                     summary="反映东镇某干部在征地补偿中虚报冒领。")
    headers = api.headers("c_recv")
    web = login("c_recv")
    cookie = web.client.get_cookie("session").value
    barrier = threading.Barrier(VIEWERS)
    answers: list[int] = []

    def viewer(n: int):
        client = app.test_client()
        if n % 2:
            client.set_cookie("session", cookie)
        barrier.wait()
        for _ in range(VIEWS_EACH):
            if n % 2:  # half through the web page, half through the API: both audit the view
                resp = client.get(f"/petitions/{p['id']}")
            else:
                resp = client.get(f"/api/v1/petitions/{p['id']}", headers=headers)
            answers.append(resp.status_code)

    threads = [threading.Thread(target=viewer, args=(n,)) for n in range(VIEWERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(answers) == VIEWERS * VIEWS_EACH
    assert {code: answers.count(code) for code in set(answers)} == {200: VIEWERS * VIEWS_EACH}
    with app.app_context(), system_scope("count views"):
        audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditRecord).where(
            AuditRecord.action == "petition.confidential_viewed", AuditRecord.target_id == str(p["id"])))
        db.session.remove()
    assert audited == VIEWERS * VIEWS_EACH


def test_a_view_that_audits_leaves_the_rest_of_the_page_reading(app, net, api_token):
    """Only the audit's own transaction takes SQLite's write lock; the request does not hold it afterwards."""
    from county_net.audit import services as audit
    from county_net.core import database

    with app.test_request_context("/petitions/1", method="GET"):
        with system_scope("check"):
            db.session.execute(sa.select(sa.literal(1)))  # a read transaction is open, as in a page view
            audit.record("petition.confidential_viewed", actor_name="test", target_type="petition", target_id=1)
            db.session.commit()
            conn_info = db.session.connection().info  # the next transaction: the page goes on reading
            assert not conn_info.get(database._IMMEDIATE)
            db.session.rollback()
