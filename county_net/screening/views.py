"""HTML: the unit's screening page (this period, its sheets, its children's sheets to accept), the sheet with
its lines and steps, the line form. Every step calls the same service as the API."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from county_net.core.errors import Conflict, IllegalTransition, InvalidInput, StaleVersion
from county_net.extensions import db
from county_net.screening import queries, services
from county_net.screening import schemas as s
from county_net.screening.models import STATES
from county_net.screening.steps import STEPS
from county_net.units.directory import unit_info

bp = Blueprint("screening", __name__)


def _me():
    return current_user._get_current_object()


def _load(schema_class, body: dict) -> dict:
    try:
        return schema_class().load(body)
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


def _int(raw):
    raw = (raw or "").strip()
    return int(raw) if re.fullmatch(r"\d{1,10}", raw) else (raw or None)


def _flat(errors: dict) -> dict[str, list[str]]:
    def flat(value):
        if isinstance(value, dict):
            return [m for inner in value.values() for m in flat(inner)]
        return [value] if isinstance(value, str) else [m for inner in value for m in flat(inner)]
    return {str(name): flat(value) for name, value in errors.items()}


@bp.get("/screening")
@login_required
def index():
    """This period's task, the unit's and its children's sheets, and what waits for this unit to accept."""
    args = _load(s.SheetListArgsSchema, {k: v for k, v in request.args.items() if v != ""})
    page = queries.list_page(args, args["page"], args["page_size"])
    me = _me()
    waiting = []
    if me.has_role(*services.REVIEWERS):  # sheets of the direct children, filed and waiting for this unit
        filed = queries.filed_rows(200)
        waiting = [r for r in filed if unit_info(r["unit_id"]).parent_id == me.unit_id]
    return render_template("screening/index.html", task=queries.current(_me()), page=page, waiting=waiting,
                           states=STATES, args=request.args)


@bp.post("/screening/reports/new")
@login_required
def new():
    period = request.form.get("period", "").strip() or None
    try:
        body = _load(s.SheetCreateSchema, {"period": period})
        report = services.open_draft(_me(), body["period"])
    except (InvalidInput, IllegalTransition, Conflict) as exc:
        db.session.rollback()
        flash(exc.message + ("：" + "；".join(m for v in _flat(exc.fields).values() for m in v)
                             if getattr(exc, "fields", None) else ""), "error")
        return redirect(url_for("screening.index"))
    return redirect(url_for("screening.report", report_id=report.id))


# ---- the sheet ---------------------------------------------------------------------------------------

def _page(report, errors=None, failed=None, typed=None, status=200):
    view = queries.present(_me(), report)
    return render_template("screening/report.html", r=report, v=view, errors=_flat(errors or {}), failed=failed,
                           typed=typed if typed is not None else MultiDict(),
                           choices=queries.form_choices(report.county_unit_id)), status


@bp.get("/screening/reports/<int:report_id>")
@login_required
def report(report_id: int):
    return _page(queries.get_report(report_id))


def _line_body(form) -> dict:
    body = {k: form.get(k, "").strip() for k in ("found_on", "dispute_type", "parties", "place", "summary",
                                                 "risk_level", "measures", "responsible_unit",
                                                 "responsible_leader", "status", "target_date")}
    body = {k: v for k, v in body.items() if v != "" or k == "measures"}
    body["people_count"] = _int(form.get("people_count", ""))
    if body["people_count"] is None:
        body.pop("people_count")
    body["collective_risk"] = form.get("collective_risk") == "1"
    body["skip_level_risk"] = form.get("skip_level_risk") == "1"
    body["version"] = _int(form.get("version", ""))
    return body


@bp.post("/screening/reports/<int:report_id>/do/<slug>")
@login_required
def act(report_id: int, slug: str):
    report = queries.get_report(report_id)  # first: a sheet you may not see is 404
    if slug not in STEPS and slug != "add":
        abort(404)
    form = request.form
    try:
        if slug == "add":
            body = _load(s.LineWithVersionSchema, _line_body(form))
            version = body.pop("version")
            services.add_line(_me(), report, version, body)
            result, done = report, "已添加一条矛盾纠纷"
        else:
            step = STEPS[slug]
            raw = {"version": _int(form.get("version", ""))}
            if slug == "nil":
                raw["is_nil"] = form.get("is_nil") == "1"
            if "note" in form:
                raw["note"] = form.get("note", "")
            result, done = step.call(_me(), report, _load(step.schema, raw)), step.done
    except InvalidInput as exc:
        db.session.rollback()
        return _page(queries.get_report(report_id), exc.fields, slug, form, 400)
    except (StaleVersion, IllegalTransition, Conflict) as exc:
        db.session.rollback()
        return _page(queries.get_report(report_id), {"_": [exc.message]}, slug, form, 409)
    flash(done, "success")
    return redirect(url_for("screening.report", report_id=result.id) + ("#lines" if slug == "add" else ""))


@bp.route("/screening/disputes/<int:dispute_id>/edit", methods=["GET", "POST"])
@login_required
def edit_line(dispute_id: int):
    dispute = queries.get_dispute(dispute_id)
    report = dispute.report
    choices = queries.form_choices(report.county_unit_id)
    if request.method == "GET":
        row = queries.dispute_row(dispute, {})
        typed = MultiDict({k: ("" if v is None else ("1" if v is True else "" if v is False else str(v)))
                           for k, v in row.items()})
        return render_template("screening/line_edit.html", d=dispute, r=report, typed=typed, errors={},
                               choices=choices)
    try:
        body = _load(s.LineWithVersionSchema, _line_body(request.form))
        version = body.pop("version")
        services.update_line(_me(), dispute, version, body)
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("screening/line_edit.html", d=queries.get_dispute(dispute_id), r=report,
                               typed=request.form, errors=_flat(exc.fields), choices=choices), 400
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        return render_template("screening/line_edit.html", d=queries.get_dispute(dispute_id), r=report,
                               typed=request.form, errors={"_": [exc.message]}, choices=choices), 409
    flash(f"已修改第 {dispute.seq} 条", "success")
    return redirect(url_for("screening.report", report_id=report.id) + "#lines")


@bp.post("/screening/disputes/<int:dispute_id>/delete")
@login_required
def delete_line(dispute_id: int):
    dispute = queries.get_dispute(dispute_id)
    report = dispute.report
    try:
        services.delete_line(_me(), dispute, _int(request.form.get("version", "")))
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        return _page(queries.get_report(report.id), {"_": [exc.message]}, "delete", request.form, 409)
    flash("已删除", "success")
    return redirect(url_for("screening.report", report_id=report.id) + "#lines")


# ---- lateness and exemptions ------------------------------------------------------------------------

def _month(raw: str | None):
    from county_net.core.timeutil import local_today
    from county_net.deadlines.periods import MONTH, parse_period, period_of

    period = parse_period(raw or "") if raw else period_of(MONTH, local_today())
    if period is None or period.kind != MONTH:
        raise InvalidInput(fields={"month": ["月份格式应为 2026-11"]})
    return period


@bp.get("/screening/late")
@login_required
def late():
    """Who below this unit has not filed (or filed late) for a month; ?all=1 lists every expected unit."""
    from county_net.screening import lateness

    month = _month(request.args.get("month"))
    show_all = request.args.get("all") == "1"
    rows = lateness.late_rows(lateness.late_list(_me(), month, only_problems=not show_all))
    return render_template("screening/late.html", rows=rows, month=month, show_all=show_all)


@bp.get("/screening/late.xlsx")
@login_required
def late_xlsx():
    from county_net.screening import lateness

    month = _month(request.args.get("month"))
    rows = lateness.late_rows(lateness.late_list(_me(), month))
    title = f"{unit_info(_me().unit_id).name}{month.label}矛盾纠纷排查表逾期未报及过期录入情况"
    return _xlsx_response(lateness.late_workbook(rows, title), f"{month.code}-排查表逾期情况.xlsx")


def _xlsx_response(data: bytes, filename: str):
    from urllib.parse import quote

    from flask import Response

    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


@bp.route("/screening/exemptions", methods=["GET", "POST"])
@login_required
def exemptions():
    from county_net.petitions import queries as petition_queries

    errors, status = {}, 200
    if request.method == "POST":
        body = {k: request.form.get(k, "").strip() for k in ("reason", "starts_on", "ends_on")}
        body = {k: v for k, v in body.items() if v}
        body["unit_id"] = _int(request.form.get("unit_id", ""))
        try:
            services.exempt(_me(), **_load(s.ExemptionCreateSchema, body))
            flash("已设定免报", "success")
            return redirect(url_for("screening.exemptions"))
        except InvalidInput as exc:
            db.session.rollback()
            errors, status = _flat(exc.fields), 400
    return render_template("screening/exemptions.html", rows=queries.exemptions(), may=queries.may_exempt(_me()),
                           directory=petition_queries.county_units(_me()), errors=errors,
                           typed=request.form), status


@bp.post("/screening/exemptions/<int:exemption_id>/revoke")
@login_required
def revoke_exemption(exemption_id: int):
    row = queries.get_exemption(exemption_id)
    try:
        services.revoke_exemption(_me(), row, _int(request.form.get("version", "")))
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("screening.exemptions"))
    flash("已撤销免报", "success")
    return redirect(url_for("screening.exemptions"))
