"""HTML: the meeting list, arranging a meeting (from the 会议 menu or a matter's page), the meeting page with
its steps, the printable minutes, the unit's tasks and the training figures."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from county_net.core.errors import IllegalTransition, InvalidInput, StaleVersion
from county_net.core.timeutil import COUNTY_TZ, local_today
from county_net.coordination import actions, queries
from county_net.coordination import schemas as s
from county_net.coordination import services
from county_net.coordination.models import KINDS, PARTS, RECURRENCES, STATES, TASK_STATES
from county_net.extensions import db
from county_net.petitions import pdf
from county_net.petitions import queries as petition_queries

bp = Blueprint("coordination", __name__)


def _me():
    return current_user._get_current_object()


def _common() -> dict:
    return {"kinds": KINDS, "states": STATES, "recurrences": RECURRENCES, "parts": PARTS, "task_states": TASK_STATES,
            "directory": petition_queries.county_units(_me())}


def _load(schema_class, body: dict) -> dict:
    try:
        return schema_class().load(body)
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


def _int(raw: str):
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"\d{1,10}", raw) else (raw or None)


def _ints(form, name: str) -> list:
    return [_int(v) for v in form.getlist(name) if v.strip()]


def _local_moment(raw: str):
    """A datetime-local field, read as Beijing time; anything else goes on to the schema to be refused."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=COUNTY_TZ).isoformat()
    except ValueError:
        return raw


# ---- lists -----------------------------------------------------------------------------------------

@bp.get("/meetings")
@login_required
def index():
    args = _load(s.MeetingListArgsSchema, {k: v for k, v in request.args.items() if v != ""})
    page = queries.list_page(args, args["page"], args["page_size"])
    return render_template("coordination/index.html", page=page, args=request.args, **_common())


@bp.get("/meeting-tasks")
@login_required
def tasks():
    """交办给本单位的会议任务."""
    args = _load(s.TaskListArgsSchema, {k: v for k, v in request.args.items() if v != ""})
    page = queries.task_page(_me(), args, args["page"], args["page_size"])
    return render_template("coordination/tasks.html", page=page, state=args.get("state"), **_common())


@bp.get("/meetings/training")
@login_required
def training():
    today = local_today()
    raw = {"date_from": request.args.get("date_from") or date(today.year, 1, 1).isoformat(),
           "date_to": request.args.get("date_to") or today.isoformat()}
    args = _load(s.TrainingArgsSchema, raw)
    return render_template("coordination/training.html", rows=queries.training_figures(args["date_from"],
                                                                                         args["date_to"]),
                           period=args, **_common())


# ---- arranging a meeting -----------------------------------------------------------------------------

def _create_body(form) -> dict:
    body = {name: form.get(name, "").strip() for name in ("kind", "title", "place", "convener_name", "topics",
                                                          "recurrence") if form.get(name, "").strip()}
    body["starts_at"] = _local_moment(form.get("starts_at_local"))
    if body["starts_at"] is None:
        body.pop("starts_at")
    body["invited_unit_ids"] = _ints(form, "invited_unit_ids")
    body["petition_ids"] = _ints(form, "petition_ids")
    if form.get("target_unit_id", "").strip():
        body["target_unit_id"] = _int(form["target_unit_id"])
    return body


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new():
    form = request.form if request.method == "POST" else MultiDict(
        {"kind": request.args.get("kind", "coordination"), **({"petition_ids": request.args["petition_id"]}
                                                              if request.args.get("petition_id") else {})})
    matters = []
    for raw in form.getlist("petition_ids"):  # the matters offered on the form: those the user may see
        if raw.isdigit():
            found = petition_queries.get_petition(int(raw)) if request.method == "GET" else None
            matters.append({"id": int(raw), "number": found.number if found else raw})
    context = dict(_common(), form=form, errors={}, matters=matters)
    if request.method == "GET":
        return render_template("coordination/new.html", **context)
    try:
        data = _load(s.MeetingCreateSchema, _create_body(request.form))
        meeting = services.convene(_me(), data)
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("coordination/new.html", **{**context, "errors": _flat(exc.fields)}), 400
    flash(f"已安排{meeting.kind_label}，邀请已发至各单位", "success")
    return redirect(url_for("coordination.detail", meeting_id=meeting.id))


def _flat(errors: dict) -> dict[str, list[str]]:
    def flat(value):
        if isinstance(value, dict):
            return [m for inner in value.values() for m in flat(inner)]
        return [value] if isinstance(value, str) else [m for inner in value for m in flat(inner)]
    return {str(name): flat(value) for name, value in errors.items()}


# ---- the meeting page ----------------------------------------------------------------------------------

def _detail(meeting, errors=None, failed=None, typed=None):
    return render_template("coordination/detail.html", m=meeting, v=queries.present(_me(), meeting),
                           steps=actions.MEETING_STEPS, errors=_flat(errors or {}), failed=failed,
                           typed=typed if typed is not None else MultiDict(), today=local_today(), **_common())


@bp.get("/meetings/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    return _detail(queries.get_meeting(meeting_id))


def _minutes_body(form) -> dict:
    body = {"minutes": form.get("minutes", ""), "topics": form.get("topics")}
    people = []
    for i in range(services.MAX_ATTENDEES + 1):
        if f"attendee_name_{i}" not in form:
            break
        name = form.get(f"attendee_name_{i}", "").strip()
        if name:
            people.append({"name": name, "post": form.get(f"attendee_post_{i}", "").strip(),
                           "unit_id": _int(form.get(f"attendee_unit_{i}", ""))})
    body["attendees"] = people
    body["decisions"] = [line.strip() for line in form.get("decisions", "").splitlines() if line.strip()]
    if form.get("lead_unit_id", "").strip():
        body["lead_unit_id"] = _int(form["lead_unit_id"])
    body["co_unit_ids"] = _ints(form, "co_unit_ids")
    body["trained"] = [{"unit_id": _int(key.removeprefix("trained_")), "count": _int(value)}
                       for key, value in form.items() if key.startswith("trained_") and value.strip()]
    return body


def _step_body(step, form, meeting) -> dict:
    if step.name == "minutes":
        body = _minutes_body(form)
    elif step.name == "invite":
        body = {"invited_unit_ids": _ints(form, "invited_unit_ids")}
    elif step.name == "task":
        body = {k: form.get(k, "").strip() for k in ("content", "due_on") if form.get(k, "").strip()}
        body["assignee_unit_id"] = _int(form.get("assignee_unit_id", ""))
        if form.get("decision_id", "").strip():
            body["decision_id"] = _int(form["decision_id"])
    else:
        body = {k: form.get(k, "") for k in ("reason",) if k in form}
    body["version"] = _int(form.get("version", ""))
    return body


@bp.post("/meetings/<int:meeting_id>/do/<slug>")
@login_required
def act(meeting_id: int, slug: str):
    meeting = queries.get_meeting(meeting_id)  # first: a meeting you may not see is 404
    step = actions.MEETING_BY_SLUG.get(slug)
    if step is None:
        abort(404)
    try:
        body = _load(step.schema, _step_body(step, request.form, meeting))
        result = actions.run(step, _me(), meeting, body)
    except InvalidInput as exc:
        db.session.rollback()
        return _detail(queries.get_meeting(meeting_id), exc.fields, step.name, request.form), 400
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        return _detail(queries.get_meeting(meeting_id), {"_": [exc.message]}, step.name, request.form), 409
    flash(step.done, "success")
    target = result.id if step.name == "next" else meeting_id
    return redirect(url_for("coordination.detail", meeting_id=target))


@bp.post("/meeting-tasks/<int:task_id>/do/<slug>")
@login_required
def task_act(task_id: int, slug: str):
    task = queries.get_task(task_id)
    step = actions.TASK_BY_SLUG.get(slug)
    if step is None:
        abort(404)
    body = {k: request.form.get(k, "") for k in ("report", "reason") if k in request.form}
    body["version"] = _int(request.form.get("version", ""))
    body = _load(step.schema, body)
    actions.run(step, _me(), task, body)
    flash(step.done, "success")
    back = request.form.get("back")
    if back == "meeting":
        return redirect(url_for("coordination.detail", meeting_id=task.meeting_id))
    return redirect(url_for("coordination.tasks"))


# ---- the minutes (协调会议纪要), A4 ---------------------------------------------------------------------

def _render_minutes(meeting_id: int, inline_css: bool = False) -> tuple:
    meeting = queries.get_meeting(meeting_id)
    if meeting.state not in ("held", "closed"):
        abort(404)  # no minutes yet
    css = (Path(current_app.static_folder) / "document.css").read_text(encoding="utf-8") if inline_css else None
    html = render_template("coordination/minutes.html", m=meeting, v=queries.present(_me(), meeting),
                           inline_css=css, pdf_available=pdf.browser() is not None, **_common())
    return meeting, html


@bp.get("/meetings/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id: int):
    return _render_minutes(meeting_id)[1]


@bp.get("/meetings/<int:meeting_id>/minutes/pdf")
@login_required
def minutes_pdf(meeting_id: int):
    meeting, html = _render_minutes(meeting_id, inline_css=True)
    return pdf.pdf_download(html, f"{meeting.title}-会议纪要.pdf")


@bp.app_context_processor
def _matter_meetings():
    """The matter page lists the meetings on it and, for the county center's staff, offers a new one."""
    def matter_meetings(petition_id: int, petition=None):
        return queries.petition_meetings(petition_id, petition)

    def may_convene_on_matters() -> bool:
        from county_net.units.directory import unit_info

        user = _me()
        return (user.is_authenticated and user.has_role(*services.STAFF)
                and unit_info(user.unit_id).kind == "county_center")

    return {"matter_meetings": matter_meetings, "may_convene_on_matters": may_convene_on_matters}
