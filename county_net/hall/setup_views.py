"""HTML: the hall's set-up page (/hall/setup) and its forms — a station's mode and contact, its rota spans, a
window's subjects and localities. The forms call the same services as the JSON API."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput
from county_net.extensions import db
from county_net.hall import setup_queries as queries
from county_net.hall import setup_services as services
from county_net.hall import setup_schemas as s
from county_net.hall.models import STATION_MODES
from county_net.petitions.views import form_to_body

bp = Blueprint("hall_setup", __name__)


def _me():
    return current_user._get_current_object()


def _render(errors=None, failed=None, status=200):
    me = _me()
    layout = queries.hall_layout(queries.county_of(me))
    return render_template("hall/setup.html", layout=layout, may_edit=services.may_edit(me), modes=STATION_MODES,
                           errors=errors or {}, failed=failed, form=request.form if failed else {}), status


@bp.get("/hall/setup")
@login_required
def setup():
    queries.require_viewer(_me())
    return _render()


def _submit(schema, failed: str, run, done: str):
    """Role first (403), then the form (400: the page again with the messages), then the service."""
    services.require_editor(_me())
    try:
        run(schema().load(form_to_body(schema, request.form)))
    except ValidationError as exc:
        db.session.rollback()
        return _render(exc.messages, failed, 400)
    except InvalidInput as exc:
        db.session.rollback()
        return _render(exc.fields, failed, 400)
    flash(done, "success")
    return redirect(url_for("hall_setup.setup") + f"#{failed}")


@bp.post("/hall/setup/stations/<int:station_id>")
@login_required
def station(station_id: int):
    row = queries.get_station(station_id)
    return _submit(s.StationPatchSchema, f"station-{station_id}",
                   lambda body: services.update_station(_me(), row, **body), "已保存入驻方式和联系方式")


@bp.post("/hall/setup/stations/<int:station_id>/rota")
@login_required
def add_rota(station_id: int):
    row = queries.get_station(station_id)
    return _submit(s.RotaInSchema, f"station-{station_id}",
                   lambda body: services.add_rota(_me(), row, **body), "已增加轮驻时段")


@bp.post("/hall/setup/stations/<int:station_id>/rota/<int:rota_id>/delete")
@login_required
def remove_rota(station_id: int, rota_id: int):
    row, span = queries.get_station(station_id), queries.get_rota(rota_id)
    services.require_editor(_me())
    try:
        services.remove_rota(_me(), row, span)
    except InvalidInput as exc:
        db.session.rollback()
        return _render(exc.fields, f"station-{station_id}", 400)
    flash("已删除轮驻时段", "success")
    return redirect(url_for("hall_setup.setup") + f"#station-{station_id}")


@bp.post("/hall/setup/windows/<int:window_id>")
@login_required
def window(window_id: int):
    row = queries.get_window(window_id)
    return _submit(s.WindowRoutingSchema, f"window-{window_id}",
                   lambda body: services.update_window_routing(_me(), row, **body), "已保存窗口的受理类别和属地")
