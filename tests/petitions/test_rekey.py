"""Key rotation for people's data: a new data key reads what the old one sealed until `flask petitions rekey`
re-seals it; a new lookup key finds files again once the hashes are recomputed; a second run changes nothing."""
import sqlalchemy as sa

from county_net.core import crypto
from county_net.extensions import db
from county_net.petitions.models import PetitionParty, Petitioner, PetitionerContactChange
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api, id_number

PERSON = id_number(42)
PHONE = "13900004242"


def _tokens(app):
    with app.app_context(), system_scope("read ciphertexts"):
        rows = [*db.session.execute(sa.select(Petitioner.id_number_enc, Petitioner.phone_enc)).all(),
                *db.session.execute(sa.select(PetitionParty.phone_enc, sa.null())).all(),
                *db.session.execute(sa.select(PetitionerContactChange.old_phone_enc, sa.null())).all()]
        db.session.remove()
    return [t for row in rows for t in row if t]


def _lookup(api):
    resp = api.client.post("/api/v1/petitioners/lookup", json={"id_number": PERSON}, headers=api.headers("c_recv"))
    assert resp.status_code == 200
    return resp.get_json()["found"]


def _reveal(api, p):
    with api.app.app_context(), system_scope("whose file"):
        petitioner_id = db.session.scalar(sa.select(PetitionParty.petitioner_id)
                                          .where(PetitionParty.petition_id == p["id"]))
        db.session.remove()
    resp = api.client.post(f"/api/v1/petitions/{p['id']}/petitioners/{petitioner_id}/reveal",
                           headers=api.headers("c_recv"))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_rotating_both_keys(app, net, api_token, monkeypatch):
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", "old-data-key-2025")
    monkeypatch.setitem(app.config, "LOOKUP_HMAC_KEY", "old-lookup-key-2025")
    api = Api(app, api_token)
    p = api.register("c_recv", petitioners=[{"name": "换钥人", "id_number": PERSON, "phone": PHONE}])
    api.register("c_recv", petitioners=[{"name": "换钥人", "id_number": PERSON, "phone": "13900005555"}])
    with app.app_context():
        old_kid = crypto.key_id(crypto._as_key("old-data-key-2025"))
    tokens = _tokens(app)
    assert len(tokens) >= 5 and {crypto.sealed_with(t) for t in tokens} == {old_kid}

    # The new keys are configured; the old data key stays readable.
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", "new-data-key-2026")
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_OLD_KEYS", "old-data-key-2025")
    monkeypatch.setitem(app.config, "LOOKUP_HMAC_KEY", "new-lookup-key-2026")
    assert _reveal(api, p)["id_number"] == PERSON
    assert _lookup(api) is False  # the hashes are still the old key's

    result = app.test_cli_runner().invoke(args=["petitions", "rekey"])
    assert result.exit_code == 0, result.output
    assert "信访人 1 人" in result.output

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_OLD_KEYS", "")  # the old key is gone for good
    with app.app_context():
        new_kid = crypto.current_key_id()
    assert {crypto.sealed_with(t) for t in _tokens(app)} == {new_kid}
    assert _reveal(api, p) == {"id_number": PERSON, "phone": "13900005555"}  # the file's current phone
    assert _lookup(api) is True

    again = app.test_cli_runner().invoke(args=["petitions", "rekey"])
    assert "信访人 0 人，事项当事人 0 条，联系方式变更记录 0 条" in again.output


def test_values_sealed_before_key_ids_still_open(app):
    with app.app_context():
        sealed = crypto.encrypt("13900001234", "phone")
        body = sealed.split(":", 2)[2]
        assert crypto.decrypt("v1:" + body, "phone") == "13900001234"


def test_an_unconfigured_key_is_named_not_guessed(app, monkeypatch):
    with app.app_context():
        sealed = crypto.encrypt("13900001234", "phone")
        monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", "some-other-key")
        try:
            crypto.decrypt(sealed, "phone")
        except ValueError as exc:
            assert "DATA_ENCRYPTION_OLD_KEYS" in str(exc)
        else:
            raise AssertionError("decrypt with the wrong key must fail")


def test_the_contact_history_stays_append_only_but_for_resealing(app, net, api_token):
    import pytest

    api = Api(app, api_token)
    api.register("c_recv", petitioners=[{"name": "换钥人", "id_number": PERSON, "phone": PHONE}])
    api.register("c_recv", petitioners=[{"name": "换钥人", "id_number": PERSON, "phone": "13900005555"}])
    table = PetitionerContactChange.__table__
    with app.app_context(), system_scope("tamper"):
        for values in ({"old_address": "别处"}, {"old_phone_masked": "139****0000"}):
            with pytest.raises(sa.exc.DBAPIError):
                db.session.execute(sa.update(table).values(**values))
            db.session.rollback()
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(sa.delete(table))
        db.session.rollback()
        token = db.session.scalar(sa.select(table.c.old_phone_enc))
        resealed = crypto.encrypt(crypto.decrypt(token, "phone"), "phone")
        db.session.execute(sa.update(table).values(old_phone_enc=resealed))
        db.session.commit()
        db.session.remove()
