"""The 复查 and 复核 request windows at the service: counted by the deadlines module from the day the opinion
was delivered (送达), rolled past holidays, with the county's override; a late request is refused (409)
naming the last day. 登记送达 records the delivery later, on the web form and the JSON API alike."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from county_net.extensions import db
from county_net.petitions.models import Petition, PetitionEvent
from county_net.tenancy import system_scope
from tests.petitions.helpers import Api
from tests.petitions.test_settings import _sync

# 10:00 in Shanghai on 2026-11-20 (a Friday).
ISSUED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def api(app, net, api_token):
    return Api(app, api_token)


def _set(app, pid, **values):
    """Put the matter's dates where the case needs them (the clock of a real county cannot be waited for)."""
    with app.app_context(), system_scope("test dates"):
        db.session.execute(sa.update(Petition).where(Petition.id == pid).values(**values))
        db.session.commit()
        db.session.remove()


def _replied(api, app, **delivery):
    """A matter the county centre handled itself and answered on 2026-11-20, then closed."""
    p = api.register("c_recv")
    p = api.act("c_recv", p, "handle-self")
    p = api.act("c_recv", p, "reply", outcome="explain", request="支付工资", facts="经查", basis="依据", **delivery)
    p = api.act("c_recv", p, "close")
    _set(app, p["id"], replied_at=ISSUED,
         **({"reply_delivered_on": date(2026, 11, 20)} if p["deliveries"]["reply"]["delivered_on"] else {}))
    return api.show("c_recv", p["id"])


def _request(api, p, slug, on, expect):
    resp = api.post("c_recv", f"/api/v1/petitions/{p['id']}/{slug}", {"version": p["version"], "requested_on": on})
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def test_in_person_reply_takes_requests_through_monday_12_21(api, app, login):
    p = _replied(api, app)
    assert p["deliveries"]["reply"]["delivery_method"] == "in_person"
    window = p["review_window"]
    assert window["what"] == "复查" and window["last_day"] == "2026-12-21"  # 12-20 is a Sunday
    assert "第三十五条" in window["article"] and window["provisional"] is False
    assert window["counted_from"] == "2026-11-20"
    page = login("c_recv").get(f"/petitions/{p['id']}").get_data(as_text=True)
    assert "2026年12月21日" in page and "第三十五条" in page
    late = _request(api, p, "reexamination", "2026-12-22", 409)
    assert "2026年12月21日" in late["error"]["message"]
    p = _request(api, p, "reexamination", "2026-12-21", 200)
    assert p["state"] == "reexamination"


def test_post_delivery_counts_from_the_delivery_date(api, app, login):
    p = _replied(api, app, delivery_method="post")
    assert p["deliveries"]["reply"]["delivered_on"] is None
    assert p["review_window"]["last_day"] is None  # not yet known: counted from receipt
    # The return receipt comes back: delivered on Wednesday 11-25, so the window ends Friday 12-25.
    version = p["version"]
    p = api.act("c_recv", p, "delivery", opinion="reply", delivery_method="post", delivered_on="2026-11-25")
    assert p["version"] == version + 1
    assert p["deliveries"]["reply"] == {"document": "处理意见书", "delivery_method": "post",
                                        "delivery_label": "邮寄送达", "delivered_on": "2026-11-25"}
    assert p["review_window"]["last_day"] == "2026-12-25"
    with app.app_context(), system_scope("test"):
        event = db.session.scalars(sa.select(PetitionEvent).where(PetitionEvent.petition_id == p["id"],
                                                                  PetitionEvent.kind == "record_delivery")).one()
        assert '"last_day": "2026-12-25"' in event.payload
        db.session.remove()
    late = _request(api, p, "reexamination", "2026-12-28", 409)
    assert "2026年12月25日" in late["error"]["message"]
    assert _request(api, p, "reexamination", "2026-12-24", 200)["state"] == "reexamination"  # past 12-21


def test_delivery_on_the_web_form(api, app, login):
    p = _replied(api, app, delivery_method="electronic")
    web = login("c_recv")
    page = web.get(f"/petitions/{p['id']}").get_data(as_text=True)
    assert "登记送达" in page and "送达日期待登记" in page
    resp = web.post(f"/petitions/{p['id']}/do/delivery", {"version": p["version"], "opinion": "reply",
                                                          "delivery_method": "electronic",
                                                          "delivered_on": "2026-11-23"},
                    form_page=f"/petitions/{p['id']}")
    assert resp.status_code == 302
    page = web.get(f"/petitions/{p['id']}").get_data(as_text=True)
    assert "电子送达，2026年11月23日" in page and "2026年12月23日" in page
    # A posted delivery needs its date; a date before the opinion was issued is refused.
    p = api.show("c_recv", p["id"])
    bad = api.post("c_recv", f"/api/v1/petitions/{p['id']}/delivery",
                   {"version": p["version"], "opinion": "reply", "delivery_method": "post"})
    assert bad.status_code == 400 and "delivered_on" in bad.get_json()["error"]["fields"]
    bad = api.post("c_recv", f"/api/v1/petitions/{p['id']}/delivery",
                   {"version": p["version"], "opinion": "reply", "delivery_method": "post",
                    "delivered_on": "2026-11-19"})
    assert bad.status_code == 400 and "delivered_on" in bad.get_json()["error"]["fields"]


def test_county_override_of_the_window_is_honoured(api, app):
    _sync(app, {"deadline_rules": [{"step": "reexamination_request", "days": 15, "article": "本县信访工作规定第九条"}]})
    p = _replied(api, app)
    # 15 days from 11-20: Saturday 12-05 → Monday 12-07.
    assert p["review_window"]["last_day"] == "2026-12-07"
    assert p["review_window"]["article"] == "本县信访工作规定第九条"
    events = api.get("c_recv", f"/api/v1/petitions/{p['id']}/events").get_json()
    reply = [e for e in events if e["kind"] == "reply"]
    assert "自收到本意见书之日起15日内" in reply[0]["payload"]["remedy"]
    late = _request(api, p, "reexamination", "2026-12-08", 409)
    assert "2026年12月7日" in late["error"]["message"] and "本县信访工作规定第九条" in late["error"]["message"]
    assert _request(api, p, "reexamination", "2026-12-07", 200)["state"] == "reexamination"


def test_final_review_window_from_the_reexamination_opinion(api, app):
    p = _replied(api, app)
    p = _request(api, p, "reexamination", "2026-12-01", 200)
    p = api.act("c_recv", p, "reexamination-decision", result="uphold", opinion="维持", delivery_method="electronic")
    assert p["deliveries"]["reexamination"]["delivery_method"] == "electronic"
    # The 复查意见书 issued on 11-20 and delivered electronically on Monday 11-23: 30 days → Wed 12-23.
    _set(app, p["id"], reexamination_decided_at=ISSUED, reexamination_delivered_on=date(2026, 11, 23))
    p = api.show("c_recv", p["id"])
    window = p["review_window"]
    assert window["what"] == "复核" and window["last_day"] == "2026-12-23" and "第三十六条" in window["article"]
    # The reply's delivery can no longer be changed once 复查 was requested.
    refused = api.post("c_recv", f"/api/v1/petitions/{p['id']}/delivery",
                       {"version": p["version"], "opinion": "reply", "delivery_method": "in_person"})
    assert refused.status_code == 409
    late = _request(api, p, "final-review", "2026-12-24", 409)
    assert "2026年12月23日" in late["error"]["message"]
    p = _request(api, p, "final-review", "2026-12-23", 200)
    p = api.act("c_recv", p, "final-review-decision", result="uphold", opinion="维持", delivery_method="post",
                delivered_on=None)
    assert p["state"] == "concluded" and p["deliveries"]["final_review"]["delivered_on"] is None
    assert p["review_window"] is None


def test_a_window_into_2027_is_provisional(api, app):
    p = _replied(api, app)
    _set(app, p["id"], replied_at=datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc),
         reply_delivered_on=date(2026, 12, 10))
    window = api.show("c_recv", p["id"])["review_window"]
    assert window["last_day"] == "2027-01-11" and window["provisional"] is True


def test_the_window_shows_from_the_reply_on_not_only_after_closure(api):
    """The petitioner's 30 days run from receipt of the 处理意见书, whatever the unit still does before 办结."""
    p = api.register("c_recv")
    p = api.act("c_recv", p, "handle-self")
    assert p["review_window"] is None
    p = api.act("c_recv", p, "reply", outcome="explain", request="支付工资", facts="经查", basis="依据")
    assert p["state"] == "replied" and p["review_window"]["what"] == "复查"
    assert p["review_window"]["last_day"] is not None


def test_the_delivery_form_offers_only_opinions_issued(api, login):
    p = api.register("c_recv")
    p = api.act("c_recv", p, "handle-self")
    p = api.act("c_recv", p, "reply", outcome="explain", request="支付工资", facts="经查", basis="依据")
    page = login("c_recv").get(f"/petitions/{p['id']}").get_data(as_text=True)
    form = page.split('id="action-record_delivery"', 1)[1].split("</form>", 1)[0]
    assert '<option value="reply" selected>' in form
    assert 'value="reexamination"' not in form and 'value="final_review"' not in form
    assert "送达方式 *" in form and "（不选为当面送达） *" not in form
