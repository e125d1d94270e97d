"""JSON: the hall's day in figures (the same numbers as the A4 page and the .xlsx)."""
from flask_login import current_user

from county_net.api import ApiBlueprint, ErrorSchema, auth_required
from county_net.api import register as register_blueprint
from county_net.core.timeutil import local_today
from county_net.hall.figures import as_json, day_figures
from county_net.hall.figures_schemas import DayArgsSchema, DayFiguresSchema
from county_net.hall.incident_services import hall_unit_id

blp = ApiBlueprint("hall_figures_api", __name__, url_prefix="/api/v1", description="联合接待中心：当日接待情况")


@blp.get("/hall/day")
@blp.alt_response(404, schema=ErrorSchema, description="本单位不设联合接待中心（只有县信访局设）")
@auth_required
@blp.arguments(DayArgsSchema, location="query")
@blp.response(200, DayFiguresSchema)
def day(args):
    """某一天的接待情况（批次、人次、预约与现场、集体访、处理方式、分流、候谈和接谈时长、按窗口和入驻单位、
    闭厅时未结的候谈号）。只有设联合接待中心的县信访局看得到，其他单位答 404。"""
    hall_id = hall_unit_id(current_user._get_current_object())
    return as_json(day_figures(hall_id, args["day"] or local_today()))


def register(app):
    register_blueprint(blp)
