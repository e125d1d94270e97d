"""Numbers: county-wide per year, in the configured pattern, gapless and unique under concurrency."""
import threading

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


def test_admin_maintains_categories(app, net, api_token, login):
    from tests.petitions.helpers import Api

    api = Api(app, api_token)
    created = api.post("admin", "/api/v1/categories", {"code": "21", "name": "文化旅游"})
    assert created.status_code == 201
    cid = created.get_json()["id"]
    assert api.post("admin", "/api/v1/categories", {"code": "22", "name": "文化旅游"}).status_code == 400
    assert api.post("c_recv", "/api/v1/categories", {"code": "23", "name": "x"}).status_code == 403
    retired = api.client.patch(f"/api/v1/categories/{cid}", json={"is_active": False}, headers=api.headers("admin"))
    assert retired.status_code == 200 and retired.get_json()["is_active"] is False
    names = {c["name"] for c in api.get("c_recv", "/api/v1/categories").get_json()}
    assert "文化旅游" not in names and "劳动社保" in names
    page = login("admin").get("/admin/categories").get_data(as_text=True)
    assert "文化旅游" in page and "劳动社保" in page


def test_category_forms_answer_a_bad_sort_order_with_a_field_message(app, net, login):
    admin = login("admin")
    created = admin.post("/admin/categories", {"code": "31", "name": "林业", "sort_order": "第一"})
    assert created.status_code == 400 and "排序须为整数" in created.get_data(as_text=True)
    ok = admin.post("/admin/categories", {"code": "31", "name": "林业", "sort_order": "7"})
    assert ok.status_code == 302
    from county_net.petitions.models import Category

    with app.app_context(), system_scope("check"):
        cid = db.session.scalar(sa.select(Category.id).where(Category.code == "31"))
        db.session.remove()
    changed = admin.post(f"/admin/categories/{cid}", {"name": "林业", "sort_order": "1e9", "is_active": "1"},
                         form_page="/admin/categories")
    assert changed.status_code == 400 and "排序须为整数" in changed.get_data(as_text=True)
