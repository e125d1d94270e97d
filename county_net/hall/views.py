"""HTML: the registration desk (check-in, bookings, the hall at a glance), a visit with its steps, the window
clerk's desk, the printable ticket slip and 告知单. Every step calls the same service as the API."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import Conflict, IllegalTransition, InvalidInput, NotVisible, RoleRequired, StaleVersion
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall import queries, services
from county_net.hall import schemas as s
from county_net.hall.labels import visit_ticket
from county_net.hall.models import COMPLEXITIES, OUTCOMES, PRIORITY_REASONS, PURPOSES, ROUTES, VISIT_STATES
from county_net.petitions import queries as petition_queries
from county_net.petitions.models import NATURES
from county_net.units.directory import county_directory, unit_info

bp = Blueprint("hall", __name__)

_STEPS = {  # slug -> (service, schema, from the window desk)
    "arrive": ("arrive", s.ArriveSchema),
    "prioritise": ("prioritise", s.PrioritiseSchema),
    "cancel": ("cancel_booking", s.VisitNoteSchema),
    "recall": ("recall", s.VisitStepSchema),
    "no_show": ("mark_no_show", s.VisitStepSchema),
    "requeue": ("requeue", s.VisitStepSchema),
    "start": ("start_interview", s.VisitStepSchema),
    "interview": ("record_interview", s.InterviewSchema),
    "finish": ("finish", s.FinishSchema),
    "leave": ("leave", s.VisitNoteSchema),
}
_NO_WINDOW = {"arrive", "prioritise", "cancel", "leave"}


def _me():
    return current_user._get_current_object()


# A required text left empty says what to fill in (the schema's own message speaks of lengths).
_EMPTY = {"purpose": "请填写反映的问题", "answer": "请填写当场答复的内容", "organ": "请填写应向其反映的机关或途径",
          "reason": "请填写告知理由", "agreed": "请填写电话约定的内容", "contact_person": "请填写联系人"}


def _load(schema_class, body: dict) -> dict:
    try:
        return schema_class().load(body)
    except ValidationError as exc:
        fields = _flat(exc.messages)
        for name, message in _EMPTY.items():
            if name in fields and not str(body.get(name) or "").strip():
                fields[name] = [message]
        raise InvalidInput(fields=fields) from None


def _flat(errors: dict) -> dict[str, list[str]]:
    def flat(value):
        if isinstance(value, dict):
            return [m for inner in value.values() for m in flat(inner)]
        return [value] if isinstance(value, str) else [m for inner in value for m in flat(inner)]
    return {str(name): flat(value) for name, value in errors.items()}


def _int(raw):
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"\d{1,10}", raw) else (raw or None)


def _county():
    try:
        return services.hall_of(_me())
    except RoleRequired:
        abort(403)
    except NotVisible:
        abort(404)


def _choices(county_id: int) -> dict:
    # Reference data kept per process (core/reference.py): the hall is the county center's, whose scope is the
    # whole county, so its directory lists the units a scoped read of the unit table would.
    with_units = [u for u in county_directory(county_id) if u.is_active]
    return {
        "categories": petition_queries.categories(),
        "townships": [u for u in with_units if u.kind == "township"],
        "units": [u for u in with_units if u.id != county_id and u.kind in ("township", "bureau")],
        "windows": [w for w in queries.window_names(county_id).values() if w.is_active],
        "purposes": PURPOSES, "complexities": COMPLEXITIES, "routes": ROUTES, "priorities": PRIORITY_REASONS,
        "outcomes": OUTCOMES, "natures": NATURES,
    }


def _people_from_form(form) -> list[dict]:
    people = []
    for index in range(5 + 1):  # one more row than the legal five, so a sixth typed in is refused, not dropped
        name = (form.get(f"people-{index}-name") or "").strip()
        id_number = (form.get(f"people-{index}-id_number") or "").strip()
        phone = (form.get(f"people-{index}-phone") or "").strip()
        if name or id_number or phone:
            people.append({"name": name, "id_number": id_number or None, "phone": phone or None,
                           "address": (form.get(f"people-{index}-address") or "").strip() or None})
    return people


def _triage_body(form) -> dict:
    body = {"people": _people_from_form(form), "purpose": form.get("purpose", ""), "demands": form.get("demands", ""),
            "purpose_kind": form.get("purpose_kind") or "other", "complexity": form.get("complexity") or "simple",
            "route_to": form.get("route_to") or "petition", "is_joint": form.get("is_joint") == "1",
            "head_count": 1 if not (form.get("head_count") or "").strip() else _int(form.get("head_count")),
            "concerned_unit_ids": [_int(v) for v in form.getlist("concerned_unit_ids") if v]}
    for key in ("category_id", "locality_unit_id", "window_id"):
        if form.get(key):
            body[key] = _int(form.get(key))
    return body


@bp.get("/hall")
@login_required
def index():
    county_id = _county()
    return render_template("hall/index.html", hall=queries.hall_today(county_id), today=local_today(),
                           center_code=unit_info(county_id).code)


@bp.route("/hall/check-in", methods=["GET", "POST"])
@login_required
def check_in():
    county_id = _county()
    errors, form = {}, request.form
    if request.method == "POST":
        body = _triage_body(form)
        body.update({"id_checked": form.get("id_checked") == "1",
                     "priority_reason": form.get("priority_reason") or None,
                     "priority_note": form.get("priority_note", "")})
        try:
            visit = services.check_in(_me(), _load(s.CheckInSchema, body))
        except (InvalidInput, Conflict) as exc:
            db.session.rollback()
            errors = exc.fields or {"_": [exc.message]}
            if isinstance(exc, Conflict):
                flash(exc.message, "error")
        else:
            flash(f"已取号 {queries.present(_me(), visit, with_events=False)['ticket']}", "success")
            return redirect(url_for("hall.visit", visit_id=visit.id))
    status = 400 if errors else 200
    return render_template("hall/check_in.html", errors=errors, form=form, **_choices(county_id)), status


@bp.route("/hall/bookings", methods=["GET", "POST"])
@login_required
def bookings():
    county_id = _county()
    errors, form = {}, request.form
    if request.method == "POST":
        body = _triage_body(form)
        body.update({"day": form.get("day") or None, "booked_time": form.get("booked_time", ""),
                     "booking_note": form.get("booking_note", "")})
        try:
            visit = services.book(_me(), _load(s.BookingSchema, body))
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.fields or {"_": [exc.message]}
        else:
            flash("已登记预约", "success")
            return redirect(url_for("hall.visit", visit_id=visit.id))
    return render_template("hall/bookings.html", errors=errors, form=form,
                           rows=queries.bookings(county_id, since=local_today()), **_choices(county_id)), \
        400 if errors else 200


@bp.get("/hall/visits/<int:visit_id>")
@login_required
def visit(visit_id):
    visit = queries.get_visit(visit_id)
    county_id = _county()
    v = queries.present(_me(), visit)
    return render_template("hall/visit.html", v=v, earlier=queries.earlier_matters(_me(), v["people"]),
                           **_choices(county_id))


@bp.get("/hall/visits/<int:visit_id>/slip")
@login_required
def slip(visit_id):
    visit = queries.get_visit(visit_id)
    county_id = _county()
    return render_template("hall/slip.html", v=queries.present(_me(), visit, with_events=False),
                           center=unit_info(county_id))


@bp.get("/hall/visits/<int:visit_id>/notice")
@login_required
def notice(visit_id):
    visit = queries.get_visit(visit_id)
    county_id = _county()
    v = queries.present(_me(), visit, with_events=False)
    if v["outcome"] != "notice":
        abort(404)
    return render_template("hall/notice.html", v=v, center=unit_info(county_id))


@bp.post("/hall/visits/<int:visit_id>/do/<slug>")
@login_required
def step(visit_id, slug):
    visit = queries.get_visit(visit_id)
    if slug not in _STEPS:
        abort(404)
    service, schema = _STEPS[slug]
    form = request.form
    body = {k: v for k, v in form.items() if k != "csrf_token" and v != ""}
    for key in ("version", "window_id", "contact_unit_id", "to_unit_id", "category_id"):
        if key in body:
            body[key] = _int(body[key])
    if "id_checked" in body:
        body["id_checked"] = body["id_checked"] == "1"
    back = url_for("hall.window", window_id=body["window_id"]) if body.get("window_id") else \
        url_for("hall.visit", visit_id=visit.id)
    try:
        data = _load(schema, body)
        if slug in _NO_WINDOW:
            data.pop("window_id", None)
        getattr(services, service)(_me(), visit, **data)
    except InvalidInput as exc:
        db.session.rollback()
        if slug == "finish":
            # The notes and the outcome's fields as typed, with the messages beside them: nothing is lost.
            return _again(visit, body.get("window_id"), form, _flat(exc.fields or {"outcome": [exc.message]}))
        detail = "；".join(m for v in _flat(exc.fields or {}).values() for m in v)
        flash(exc.message + (f"：{detail}" if detail else ""), "error")
        return redirect(back)
    except (IllegalTransition, StaleVersion, Conflict, RoleRequired) as exc:
        db.session.rollback()
        detail = "；".join(m for v in _flat(exc.fields or {}).values() for m in v)
        flash(exc.message + (f"：{detail}" if detail else ""), "error")
        return redirect(back)
    done = queries.get_visit(visit.id)
    label = queries.ACTIONS.get(slug, ("办理",))[0]
    flash(f"已保存：{label} {visit_ticket(done)}，现为“{VISIT_STATES[done.state]}”", "success")
    return redirect(back)


def _again(visit, window_id, form, errors: dict):
    """A refused 结束接谈, shown again where it was typed (the window's desk or the visit's page), status 400."""
    fresh = queries.get_visit(visit.id)
    window = queries.get_window(window_id) if isinstance(window_id, int) else None
    if window is not None and window.id == fresh.window_id:
        return _window_page(window, finish_form=form, finish_errors=errors), 400
    county_id = _county()
    v = queries.present(_me(), fresh)
    return render_template("hall/visit.html", v=v, earlier=queries.earlier_matters(_me(), v["people"]),
                           finish_form=form, finish_errors=errors, **_choices(county_id)), 400


@bp.get("/hall/windows/<int:window_id>")
@login_required
def window(window_id):
    unit = unit_info(_me().unit_id)
    if unit is not None and unit.kind == "county_center":  # its hall's windows: read with the window asked for
        queries.preload_windows(window_id, unit.id)
    return _window_page(queries.get_window(window_id))  # 404 first, then the role (403), as before


def _window_page(window, **extra):
    county_id = _county()
    desk = queries.window_desk(_me(), window)
    earlier = queries.earlier_matters(_me(), desk["current"]["people"]) if desk["current"] else []
    return render_template("hall/window.html", desk=desk, earlier=earlier, **extra,
                           all_windows=[w for w in queries.window_names(county_id).values() if w.is_active],
                           **_choices(county_id))


@bp.post("/hall/windows/<int:window_id>/call")
@login_required
def call(window_id):
    window = queries.get_window(window_id)
    try:
        visit = services.call_next(_me(), window.id)
    except (IllegalTransition, Conflict, RoleRequired) as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        flash(f"已叫号 {queries.present(_me(), visit, with_events=False)['ticket']}", "success")
    return redirect(url_for("hall.window", window_id=window.id))

