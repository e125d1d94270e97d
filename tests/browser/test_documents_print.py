"""Printed through headless Chromium, a short 处理意见书 and the review opinions fit one A4 page: the seal and
the date stay with the text."""
import re

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import Petition
from county_net.tenancy import system_scope
from tests.conftest import Browser

pytestmark = pytest.mark.browser


def test_short_opinions_print_on_one_page(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context(), system_scope("demo matters"):
        concluded = db.session.scalar(sa.select(Petition.id).where(Petition.state == "concluded"))
        db.session.remove()
    center = Browser(app.test_client())
    assert center.login("center_reception", "Demo-2026!").status_code == 302
    for kind in ("reply_letter", "reexamination_opinion", "final_review_opinion"):
        resp = center.get(f"/petitions/{concluded}/documents/{kind}/pdf")
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF"), kind
        assert len(re.findall(rb"/Type\s*/Page[^s]", resp.data)) == 1, kind
