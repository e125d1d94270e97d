"""The demo county carries a matter for each of the ten documents, and each prints as the regulations want it:
Chinese dates, the issuer's contact, the right issuer on the review opinions."""
import re

import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope

DEMO_PASSWORD = "Demo-2026!"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEN = ("registration_form", "acceptance_notice", "decline_notice", "redirect_notice", "transfer_slip",
       "assignment_slip", "extension_notice", "reply_letter", "reexamination_opinion", "final_review_opinion")


def _web(app, username):
    from tests.conftest import Browser

    b = Browser(app.test_client())
    assert b.login(username, DEMO_PASSWORD).status_code == 302
    return b


def test_every_document_is_reachable_in_the_demo_county(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context(), system_scope("demo matters"):
        ids = list(db.session.scalars(sa.select(Petition.id).order_by(Petition.id)))
        letter = db.session.scalar(sa.select(Petition.id).where(Petition.channel == "letter"))
        concluded = db.session.scalar(sa.select(Petition.id).where(Petition.state == "concluded"))
        db.session.remove()
    center = _web(app, "center_reception")
    found = {}
    for pid in ids:
        page = center.get(f"/petitions/{pid}").get_data(as_text=True)
        for kind in TEN:
            if f"/petitions/{pid}/documents/{kind}" in page:
                found.setdefault(kind, pid)
    assert set(found) == set(TEN)
    for kind, pid in found.items():
        resp = center.get(f"/petitions/{pid}/documents/{kind}")
        text = re.sub(r"<[^>]+>", "", resp.get_data(as_text=True).split("<article", 1)[1])
        assert resp.status_code == 200, kind
        assert not ISO_DATE.search(text), (kind, ISO_DATE.findall(text))
        assert "None" not in text and "号 号" not in text and "。，" not in text and "依据：依据" not in text, kind
        assert "联系电话" in text, kind
    assert "来信登记表" in center.get(f"/petitions/{letter}/documents/registration_form").get_data(as_text=True)
    final = center.get(f"/petitions/{concluded}/documents/final_review_opinion").get_data(as_text=True)
    assert "经听证" in final and "不再受理" in final
    # Issued by the organ above the county, which the county center records: both are named.
    assert "青川市人民政府" in final.split("<h1>", 1)[0] and "经办单位：清溪县信访局" in final
    again = center.get(f"/petitions/{concluded}/documents/reexamination_opinion").get_data(as_text=True)
    assert "清溪县人民政府" in again.split("<h1>", 1)[0]  # the organ that decided the 复查, not 城关镇
