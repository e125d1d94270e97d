"""The administrator's holiday schedule screen, and the warning admins see while a year is missing."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from county_net.accounts.guards import admin_only
from county_net.core.errors import InvalidInput
from county_net.deadlines import services

bp = Blueprint("deadlines", __name__)

MAX_UPLOAD = 200_000


@bp.route("/admin/holidays", methods=["GET", "POST"])
@login_required
@admin_only
def holidays():
    errors, text = {}, ""
    if request.method == "POST":
        upload = request.files.get("file")
        text = request.form.get("schedule", "")[:MAX_UPLOAD]
        if upload is not None and upload.filename:
            raw = upload.read(MAX_UPLOAD + 1)
            try:
                text = raw[:MAX_UPLOAD].decode("utf-8")
            except UnicodeDecodeError:
                errors = {"file": ["文件须为 UTF-8 编码的 TOML"]}
        if not errors:
            try:
                years = services.import_schedule(current_user, text)
            except InvalidInput as exc:
                errors = exc.fields or {"schedule": [exc.message]}
            else:
                flash(f"已导入 {'、'.join(str(y) for y in years)} 年节假日安排；下次期限巡检时更新在办事项的期限",
                      "success")
                return redirect(url_for("deadlines.holidays"))
    status = 400 if errors else 200
    return render_template("deadlines/holidays.html", rows=services.imported_years(),
                           packaged=services.packaged_years(), errors=errors,
                           text=text), status


def holiday_warning():
    """Template global: the missing-schedule warning, for admins only."""
    if not current_user.is_authenticated or not current_user.has_role("admin"):
        return None
    return services.missing_schedule_warning()
