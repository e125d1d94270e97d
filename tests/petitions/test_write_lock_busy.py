"""On SQLite, a write that cannot get the write lock within the busy timeout answers 503 with Retry-After and
writes nothing, never a 500."""
import sqlite3

import pytest

from county_net.extensions import db

from tests.conftest import make_app
from tests.petitions.helpers import Api


@pytest.mark.sqlite_only
def test_a_write_lock_held_too_long_is_503_not_500(app, net, api_token, database):
    impatient = make_app(database, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"timeout": 0.3}})
    headers = Api(impatient, api_token).headers("c_recv")  # the token first: getting one writes too
    holder = sqlite3.connect(str(database.path), timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        resp = impatient.test_client().post("/api/v1/petitions", headers=headers, json={
            "channel": "visit", "petitioners": [{"name": "排队测试"}], "category_id": 1, "nature": "inquiry",
            "summary": "写锁被占用时的登记。"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        with impatient.app_context():
            db.engine.dispose()  # the next test's fresh copy of the file must find no connection open on it
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "2"
    assert resp.get_json()["error"]["code"] == "busy"
    assert Api(app, api_token).get("c_recv", "/api/v1/petitions").get_json()["meta"]["total"] == 0
