"""HTML: the hall's day in figures on one printable A4 page (/hall/day?day=YYYY-MM-DD) and as .xlsx. Only the
county center that runs the hall sees it; any other unit gets 404."""
from __future__ import annotations

import io

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput
from county_net.core.timeutil import local_today
from county_net.hall import figures_excel
from county_net.hall.figures import day_figures
from county_net.hall.figures_schemas import DayArgsSchema
from county_net.hall.incident_services import hall_unit_id
from county_net.hall.models import OUTCOMES, ROUTES

bp = Blueprint("hall_figures", __name__)


def _figures():
    hall_id = hall_unit_id(current_user._get_current_object())
    try:
        day = DayArgsSchema().load({k: v for k, v in request.args.items() if k == "day" and v})["day"]
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None
    return day_figures(hall_id, day or local_today())


@bp.get("/hall/day")
@login_required
def day():
    return render_template("hall/day.html", f=_figures(), outcomes=OUTCOMES, routes=ROUTES, today=local_today())


@bp.get("/hall/day.xlsx")
@login_required
def day_xlsx():
    figures = _figures()
    return send_file(io.BytesIO(figures_excel.day_workbook(figures)), mimetype=figures_excel.XLSX_MIMETYPE,
                     as_attachment=True, download_name=figures_excel.filename(figures), max_age=0)
