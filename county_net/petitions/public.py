"""The petitioner's own page: no login, rate-limited; a query code plus the phone's last four digits show
only the state, the unit handling it and its dates, and take a satisfaction rating once."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from county_net.audit.services import client_addr
from county_net.core import throttle
from county_net.core.errors import DomainError
from county_net.extensions import db
from county_net.petitions import services
from county_net.petitions.models import SATISFACTION
from county_net.petitions.queries import unit_names
from county_net.petitions.workflow import state_label
from county_net.tenancy import system_scope

bp = Blueprint("public", __name__)


def _count_this_request() -> None:
    """Every query and rating counts against the address, in the counters all processes share (a query code
    plus four digits is guessable). Committed at once: the lookup below rolls back, and a failure must count."""
    throttle.limit("public.query", client_addr() or "-", current_app.config["PUBLIC_QUERY_LIMIT"])
    db.session.commit()


def _public_view(petition) -> dict:
    names = unit_names([petition.handling_unit_id, petition.holder_unit_id, petition.unit_id])
    return {
        "number": petition.number, "state_label": state_label(petition.state),
        "unit": names.get(petition.handling_unit_id or petition.holder_unit_id),
        "received_at": petition.received_at, "accepted_at": petition.accepted_at,
        "replied_at": petition.replied_at, "closed_at": petition.closed_at, "due_on": petition.due_on,
        "due_provisional": petition.due_provisional,
        "may_rate": petition.state in ("closed", "concluded") and not petition.satisfaction,
        "satisfaction": SATISFACTION.get(petition.satisfaction or ""),
    }


@bp.route("/query", methods=["GET", "POST"])
@throttle.answers_throttled
def query():
    if request.method == "GET":
        return render_template("public/query.html", result=None)
    _count_this_request()
    code = request.form.get("query_code", "")[:16]
    last4 = request.form.get("phone_last4", "")[:4]
    try:
        with system_scope("public query"):
            result = _public_view(services.public_lookup(code, last4))
            db.session.rollback()
    except DomainError as exc:
        return render_template("public/query.html", result=None, error=exc.message, code=code), 404
    return render_template("public/query.html", result=result, code=code, last4=last4, ratings=SATISFACTION)


@bp.post("/query/rate")
@throttle.answers_throttled
def rate():
    _count_this_request()
    services.rate_by_petitioner(request.form.get("query_code", "")[:16], request.form.get("phone_last4", "")[:4],
                                request.form.get("rating", ""))
    flash("感谢您的评价", "success")
    return redirect(url_for("public.query"))
