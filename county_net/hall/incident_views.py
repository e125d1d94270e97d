"""HTML: the incident form (from a visit, ?visit_id=, or from the hall), a day's incidents (今日突发情况, any
day selectable) and one incident with its outcome. The forms call the same services as the JSON API."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput, RoleRequired, StaleVersion
from county_net.core.models import utcnow
from county_net.core.schemas import valid_id
from county_net.core.timeutil import COUNTY_TZ, local_today, to_local
from county_net.extensions import db
from county_net.hall import incident_queries as queries
from county_net.hall import incident_schemas as s
from county_net.hall import incident_services as services
from county_net.hall.models import INCIDENT_KINDS, INCIDENT_RESPONDERS
from county_net.petitions.views import form_to_body

bp = Blueprint("hall_incidents", __name__)


def _me():
    return current_user._get_current_object()


def _staff_hall() -> int:
    """The hall of the user's unit (404 if it runs none), for its receptionists and heads (403 otherwise)."""
    me = _me()
    hall_id = services.hall_unit_id(me)
    if not me.has_role(*services.STAFF):
        raise RoleRequired("突发情况由县信访局接访员或一把手记录和查看")
    return hall_id


def _day_arg():
    try:
        return s.IncidentDayArgsSchema().load({k: v for k, v in request.args.items() if k == "day" and v})["day"]
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


@bp.get("/hall/incidents")
@login_required
def index():
    hall_id = _staff_hall()
    day = _day_arg() or local_today()
    return render_template("hall/incidents.html", day=day, today=local_today(),
                           rows=queries.day_incidents(hall_id, day), kinds=INCIDENT_KINDS)


def _form_body(form) -> dict:
    body = form_to_body(s.IncidentCreateSchema, form)
    local = form.get("occurred_at_local", "").strip()
    if local:
        try:
            body["occurred_at"] = datetime.fromisoformat(local).replace(tzinfo=COUNTY_TZ).isoformat()
        except ValueError:
            body["occurred_at"] = "invalid"
    return body


@bp.route("/hall/incidents/new", methods=["GET", "POST"])
@login_required
def new():
    _staff_hall()
    raw_visit = request.values.get("visit_id", "").strip()
    context = {"kinds": INCIDENT_KINDS, "responders": INCIDENT_RESPONDERS, "errors": {},
               "visit_id": raw_visit, "ticket_no": None}
    if raw_visit.isdigit() and len(raw_visit) <= 10 and valid_id(int(raw_visit)):
        context["ticket_no"] = queries.visit_ticket(int(raw_visit))[1]
    if request.method == "GET":
        now = to_local(utcnow()).strftime("%Y-%m-%dT%H:%M")
        return render_template("hall/incident_new.html", form={"occurred_at_local": now}, **context)
    try:
        body = s.IncidentCreateSchema().load(_form_body(request.form))
        incident = services.record_incident(_me(), **body)
    except (ValidationError, InvalidInput) as exc:
        db.session.rollback()
        messages = dict(exc.messages if isinstance(exc, ValidationError) else exc.fields)
        if "occurred_at" in messages:  # the form's field is the local time
            messages["occurred_at_local"] = messages.pop("occurred_at")
        return render_template("hall/incident_new.html", form=request.form, **{**context, "errors": messages}), 400
    flash("已记录突发情况", "success")
    return redirect(url_for("hall_incidents.detail", incident_id=incident.id))


def _render_detail(incident, errors=None, status=200):
    return render_template("hall/incident_detail.html", v=queries.present(incident), errors=errors or {},
                           form=request.form if errors else {}, may_edit=services.may_record(_me())), status


@bp.get("/hall/incidents/<int:incident_id>")
@login_required
def detail(incident_id: int):
    incident = queries.get_incident(incident_id)
    _staff_hall()
    return _render_detail(incident)


@bp.post("/hall/incidents/<int:incident_id>/outcome")
@login_required
def outcome(incident_id: int):
    incident = queries.get_incident(incident_id)
    _staff_hall()
    page = url_for("hall_incidents.detail", incident_id=incident_id)
    try:
        body = s.IncidentOutcomeSchema().load(form_to_body(s.IncidentOutcomeSchema, request.form))
        services.update_outcome(_me(), incident, version=body["version"], outcome=body["outcome"])
    except (ValidationError, InvalidInput) as exc:
        db.session.rollback()
        return _render_detail(incident, exc.messages if isinstance(exc, ValidationError) else exc.fields, 400)
    except StaleVersion as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(page)
    flash("已保存处置结果", "success")
    return redirect(page)
