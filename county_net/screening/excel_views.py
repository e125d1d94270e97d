"""HTML: the sheet as .xlsx, the import template, and the upload page (a file input; with JS, upload progress and
then "正在校验 N 行…"; without, a plain form post). The upload calls the same service as the API."""
from __future__ import annotations

from functools import wraps

from flask import (Blueprint, current_app, flash, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user, login_required

from county_net.core.errors import DomainError, IllegalTransition, InvalidInput, RoleRequired, StaleVersion
from county_net.extensions import csrf, db
from county_net.screening import excel, queries, services
from county_net.screening.models import EDITABLE_STATES

bp = Blueprint("screening_excel", __name__)


def _me():
    return current_user._get_current_object()


def xlsx_response(data: bytes, name: str):
    import io

    return send_file(io.BytesIO(data), mimetype=excel.XLSX_MIMETYPE, as_attachment=True, download_name=name,
                     max_age=0)


def size_limit_text() -> str:
    limit = min(excel.max_bytes(), current_app.config.get("MAX_CONTENT_LENGTH") or excel.max_bytes())
    return f"文件过大：排查表 Excel 不能超过 {limit // (1024 * 1024)} MB，未导入任何内容"


def too_large(_exc):
    from county_net.core.errors import respond_error

    message = size_limit_text()
    return respond_error(413, "too_large", message, {"file": [message]})


def check_may_import(actor, report) -> None:
    """Role and state before the body is read (a locked sheet is refused without parsing the file)."""
    services._require_own_unit(actor, report, services.DRAFTERS, "导入")
    services._require_state(report, EDITABLE_STATES, "导入")


def upload_gate(view):
    """The sheet is loaded (404), the role and state checked (403 / 409), then the body may be read: the request
    limit is lowered to the upload limit (413 past it), and a web form's CSRF token checked."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from county_net.api import preload_ids

        preload_ids()
        report = queries.get_report(kwargs["report_id"])
        if request.method == "POST":
            try:
                check_may_import(_me(), report)
            except IllegalTransition as exc:
                exc.current = {"version": report.version, "state": report.state,
                               "actions": queries.report_actions(_me(), report)}
                raise
            request.max_content_length = excel.max_bytes() + 256 * 1024  # the form's other fields and framing
            if not request.path.startswith("/api/") and current_app.config["WTF_CSRF_ENABLED"]:
                csrf.protect()
        return view(*args, **kwargs)

    if hasattr(view, "_apidoc"):
        wrapper._apidoc = view._apidoc
    csrf.exempt(wrapper)  # the app-wide check would read the body before the sheet and the role are known
    return wrapper


def import_file(actor, report, storage, version) -> int:
    """Parse, validate every row, replace the draft's lines: the number imported, or InvalidInput by row and
    column with nothing saved."""
    if storage is None or not getattr(storage, "filename", None):
        raise InvalidInput("请选择要导入的 Excel 文件", fields={"file": ["请选择要导入的 Excel 文件"]})
    services._require_version(report, version)  # a stale page is refused before the work of parsing
    lines, rows = excel.parse_rows(storage.stream, report.county_unit_id, report=report)
    try:
        services.put_lines(actor, report, version, lines, source="import")
    except InvalidInput as exc:
        db.session.rollback()
        messages = excel.service_errors(exc, rows)
        raise InvalidInput(f"有 {len(messages)} 处填写有误，未导入任何内容", fields={"file": messages}) from None
    return len(lines)


# ---- routes ------------------------------------------------------------------------------------------

@bp.get("/screening/reports/<int:report_id>.xlsx")
@login_required
def sheet_xlsx(report_id: int):
    report = queries.get_report(report_id)
    view = queries.present(_me(), report)
    return xlsx_response(excel.sheet_workbook(report, view), excel.filename(report))


def template_for(actor, report_id):
    if report_id is not None:
        report = queries.get_report(report_id)
        lines = queries.present(actor, report)["lines"]
        return excel.template_workbook(report.county_unit_id, report, lines), excel.filename(report, "（导入模板）")
    return excel.template_workbook(services.county_of(actor.unit_id)), "矛盾纠纷排查表导入模板.xlsx"


@bp.get("/screening/template.xlsx")
@login_required
def template_xlsx():
    raw = (request.args.get("report_id") or "").strip()
    report_id = None
    if raw:
        from county_net.core.schemas import valid_id

        report_id = int(raw) if raw.isdigit() and valid_id(int(raw)) else None
        if report_id is None:
            from flask import abort

            abort(404)
    data, name = template_for(_me(), report_id)
    return xlsx_response(data, name)


def _upload_page(report, errors=None, message=None, status=200):
    view = queries.present(_me(), report)
    return render_template("screening/upload.html", r=report, v=view, errors=errors or [], message=message,
                           max_mb=excel.max_bytes() // (1024 * 1024), max_lines=excel.MAX_LINES,
                           first_row=excel.TEMPLATE_FIRST_ROW), status


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/screening/reports/<int:report_id>/upload", methods=["GET", "POST"])
@login_required
@upload_gate
def upload(report_id: int):
    report = queries.get_report(report_id)
    if request.method == "GET":
        if "edit" not in queries.report_actions(_me(), report):
            return _upload_page(report, message="本排查表当前不能导入（只有本单位在草稿或退回修改时可以导入）")
        return _upload_page(report)
    raw_version = (request.form.get("version") or "").strip()
    version = int(raw_version) if raw_version.isdigit() and len(raw_version) < 10 else None
    try:
        count = import_file(_me(), report, request.files.get("file"), version)
    except DomainError as exc:
        db.session.rollback()
        fresh = queries.get_report(report_id)
        details = (exc.fields or {}).get("file") or [m for v in (exc.fields or {}).values() for m in v]
        if isinstance(exc, (StaleVersion, IllegalTransition, RoleRequired)):
            details = []
        if _wants_json():
            return jsonify({"error": {"code": exc.code, "message": exc.message, "fields": {"file": details}}}), exc.status
        return _upload_page(fresh, details, exc.message, exc.status)
    target = url_for("screening.report", report_id=report.id) + "#lines"
    flash(f"已导入 {count} 条", "success")
    if _wants_json():
        return jsonify({"count": count, "redirect": target})
    return redirect(target)


bp.register_error_handler(413, too_large)
