"""Attachments: checked by content and size, stored outside the database, streamed only to those who may see."""
import io

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import PetitionAttachment
from county_net.tenancy import system_scope
from tests.petitions.helpers import PDF, PNG, Api


@pytest.fixture
def api(app, net, api_token, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "store"))
    return Api(app, api_token)


def test_upload_and_download(app, api, net, tmp_path):
    p = api.register("c_recv")
    rows = api.upload("c_recv", p["id"], [("来信.pdf", PDF), ("现场照片.png", PNG)])
    assert [r["content_type"] for r in rows] == ["application/pdf", "image/png"]
    stored = list((tmp_path / "store").rglob("*"))
    assert len([f for f in stored if f.is_file()]) == 2
    with app.app_context(), system_scope("check"):
        columns = [c.name for c in PetitionAttachment.__table__.columns]
        db.session.remove()
    assert not any("data" in c or "content" == c for c in columns)  # bytes never in the database
    got = api.get("c_recv", f"/api/v1/petitions/{p['id']}/attachments/{rows[0]['id']}")
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    shown = api.show("c_recv", p["id"])
    assert [a["filename"] for a in shown["attachments"]] == ["来信.pdf", "现场照片.png"]
    # Another township never gets it.
    assert api.get("t2_recv", f"/api/v1/petitions/{p['id']}/attachments/{rows[0]['id']}").status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("假的.pdf", b"MZ\x90\x00 not a pdf", "只接受"),
    ("空.pdf", b"", "为空"),
    ("巨大.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "超过"),
])
def test_bad_files_are_refused_and_nothing_is_kept(app, api, net, tmp_path, name, content, message):
    p = api.register("c_recv")
    resp = api.client.post(f"/api/v1/petitions/{p['id']}/attachments",
                           data={"files": [(io.BytesIO(PDF), "好的.pdf"), (io.BytesIO(content), name)]},
                           headers=api.headers("c_recv"), content_type="multipart/form-data")
    assert resp.status_code in (400, 413)
    if resp.status_code == 400:
        assert message in str(resp.get_json()["error"]["fields"])
    store = tmp_path / "store"
    assert not store.exists() or not [f for f in store.rglob("*") if f.is_file()]
    with app.app_context(), system_scope("check"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PetitionAttachment)) == 0
        db.session.remove()


def test_accuser_letters_follow_the_identity_rule(app, api, net):
    p = api.register("c_recv", nature="accusation", accused_unit_id=net.units["T1"], summary="反映东镇干部问题线索。")
    rows = api.upload("c_recv", p["id"])
    p = api.act("c_recv", api.show("c_recv", p["id"]), "transfer", to_unit_id=net.units["B1"])
    assert api.show("b1_recv", p["id"])["attachments"] == []
    assert api.get("b1_recv", f"/api/v1/petitions/{p['id']}/attachments/{rows[0]['id']}").status_code == 404
    assert api.get("b1_head", f"/api/v1/petitions/{p['id']}/attachments/{rows[0]['id']}").status_code == 200


def test_web_registration_with_a_scanned_letter(app, api, net, login):
    from tests.petitions.helpers import category_id

    desk = login("c_recv")
    resp = desk.post("/petitions/new", data={
        "channel": "letter", "category_id": str(category_id(app)), "nature": "suggestion",
        "summary": "建议在东镇增设公交站点。", "name_0": "钱某", "files": (io.BytesIO(PDF), "来信.pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "来信.pdf" in page
