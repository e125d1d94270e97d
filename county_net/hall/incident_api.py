"""JSON: hall incidents (record, a day's list, one, its outcome), calling the same services as the web form."""
from flask_login import current_user

from county_net.api import ApiBlueprint, ErrorSchema, auth_required, id_loader
from county_net.api import register as register_blueprint
from county_net.core.errors import RoleRequired, StaleVersion
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall import incident_queries as queries
from county_net.hall import incident_schemas as s
from county_net.hall import incident_services as services

blp = ApiBlueprint("hall_incidents_api", __name__, url_prefix="/api/v1",
                   description="联合接待中心：突发情况（记录、按日列表、处置结果）")

id_loader("incident_id")(queries.get_incident)
NO_HALL = "本单位不设联合接待中心（只有县信访局设）"


def _me():
    return current_user._get_current_object()


def _readable(me) -> int:
    hall_id = services.hall_unit_id(me)  # 404 for a unit that runs no hall
    if not me.has_role(*services.STAFF):
        raise RoleRequired("查看突发情况需要县信访局接访员或一把手角色")
    return hall_id


@blp.post("/hall/incidents")
@blp.alt_response(404, schema=ErrorSchema, description=NO_HALL + "；或 visit_id 所指的来访批次不属于本大厅")
@auth_required
@blp.arguments(s.IncidentCreateSchema)
@blp.response(201, s.IncidentSchema)
def create(body):
    """记录突发情况（县信访局接访员或一把手）。突发疾病或已通知警务室的，立即通知县信访局一把手。"""
    return queries.present(services.record_incident(_me(), **body))


@blp.get("/hall/incidents")
@blp.alt_response(404, schema=ErrorSchema, description=NO_HALL)
@auth_required
@blp.arguments(s.IncidentDayArgsSchema, location="query")
@blp.response(200, s.IncidentListSchema)
def day_list(args):
    """某一天的突发情况（北京时间；不填为今天），按发生时间排列。"""
    hall_id = _readable(_me())
    day = args["day"] or local_today()
    return {"day": day, "items": queries.day_incidents(hall_id, day)}


@blp.get("/hall/incidents/<int:incident_id>")
@auth_required
@blp.response(200, s.IncidentSchema)
def one(incident_id):
    incident = queries.get_incident(incident_id)
    _readable(_me())
    return queries.present(incident)


@blp.patch("/hall/incidents/<int:incident_id>")
@auth_required
@blp.arguments(s.IncidentOutcomeSchema)
@blp.response(200, s.IncidentSchema)
def set_outcome(body, incident_id):
    """填写或更正处置结果；version 为客户端看到的版本（过期答 409）。"""
    incident = queries.get_incident(incident_id)
    try:
        services.update_outcome(_me(), incident, version=body["version"], outcome=body["outcome"])
    except StaleVersion as exc:
        db.session.rollback()
        exc.current = {"version": incident.version, "outcome": incident.outcome}
        raise
    return queries.present(incident)


def register(app):
    register_blueprint(blp)
