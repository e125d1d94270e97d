"""Driving matters to the desk's screens through the JSON API."""
import sqlalchemy as sa

from county_net.desk.models import FollowUp
from county_net.extensions import db
from county_net.tenancy import system_scope
from tests.petitions.helpers import in_days


def reported(api, net, unit="T1", user="t1_recv", **fields):
    """A matter the county assigned to `unit`, handled there and reported back: waiting for the county."""
    p = api.register("c_recv", **fields)
    api.act("c_recv", p, "assign", to_unit_id=net.units[unit], report_due_on=in_days(40))
    t = api.act(user, api.show(user, p["id"]), "sign-for")
    t = api.act(user, t, "accept")
    t = api.act(user, t, "reply", outcome="support", request="支付工资", facts="经查属实", basis="《劳动合同法》第三十条")
    return api.act(user, t, "report", report="已督促企业支付，附支付凭证")


def closed_by_township(api, net):
    """A matter 东镇 registered, handled itself and closed: its follow-up task is 东镇's."""
    p = api.register("t1_recv")
    p = api.act("t1_recv", p, "handle-self")
    p = api.act("t1_recv", p, "reply", outcome="support", request="支付工资", facts="经查属实", basis="依据")
    return api.act("t1_recv", p, "close", satisfaction="satisfied")


def follow_ups_of(app, petition_id):
    with app.app_context(), system_scope("test"):
        rows = db.session.execute(sa.select(FollowUp.id, FollowUp.unit_id, FollowUp.state, FollowUp.due_on,
                                            FollowUp.closed_on)
                                  .where(FollowUp.petition_id == petition_id).order_by(FollowUp.id)).all()
        db.session.remove()
    return rows
