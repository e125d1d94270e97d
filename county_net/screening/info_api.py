"""JSON: immediate reports (list, send, one, each step) and a dispute's petition link, calling the same
services as the web forms."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import IllegalTransition, StaleVersion
from county_net.core.pagination import paginate
from county_net.extensions import db
from county_net.screening import info, info_queries as queries
from county_net.screening import info_schemas as s

blp = ApiBlueprint("screening_info_api", __name__, url_prefix="/api/v1",
                   description="即时报告（苗头性信息、重要情况专报）；矛盾纠纷转为或关联信访事项")

id_loader("info_report_id")(queries.get_info_report)
id_loader("dispute_id")(queries.get_dispute)


def _me():
    return current_user._get_current_object()


def _full(report) -> dict:
    return {**queries.present(report), "actions": info.allowed_steps(_me(), report),
            "events": queries.timeline(report)}


@blp.get("/info-reports")
@auth_required
@blp.arguments(s.InfoListArgsSchema, location="query")
@blp.response(200, s.InfoReportPageSchema)
def list_reports(args):
    """即时报告列表：本单位及下级单位报送的（县信访局：全县）；overdue=true 只列超时未签收的。"""
    page = paginate(queries.list_query(args), args["page"], args["page_size"], by_key=True)
    page.items = queries.present_many(page.items)
    return page_body(page)


@blp.post("/info-reports")
@auth_required
@blp.arguments(s.InfoSendSchema)
@blp.response(201, s.InfoReportSchema)
def send(body):
    """报送即时报告（县信访局以下单位的联络员、接访员或一把手）；须在本县时限内由县信访局签收。"""
    return _full(info.send(_me(), body))


@blp.get("/info-reports/<int:info_report_id>")
@auth_required
@blp.response(200, s.InfoReportSchema)
def report(info_report_id):
    return _full(queries.get_info_report(info_report_id))


def _step(name):
    def view(body, info_report_id):
        item = queries.get_info_report(info_report_id)
        try:
            if name == "convert":
                version = body.pop("version")
                info.convert(_me(), item, version=version, matter=body)
            else:
                info.ACTIONS[name](_me(), item, **body)
        except (StaleVersion, IllegalTransition) as exc:
            db.session.rollback()
            exc.current = {"version": item.version, "state": item.state, "actions": info.allowed_steps(_me(), item)}
            raise
        return _full(item)

    _, label, done = info.STEPS[name]
    view.__name__ = f"info_report_{name}"
    view.__doc__ = f"即时报告：{label}（县信访局一把手或接访员；成功后：{done}）"
    return view


for _name, _schema in s.STEP_SCHEMAS.items():
    blp.post(f"/info-reports/<int:info_report_id>/{_name}")(
        auth_required(blp.arguments(_schema)(blp.response(200, s.InfoReportSchema)(_step(_name)))))


def _dispute_step(dispute_id, run):
    dispute = queries.get_dispute(dispute_id)
    try:
        run(dispute)
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        exc.current = {"version": dispute.report.version, "petition_id": dispute.petition_id}
        raise
    return queries.present_dispute(dispute)


@blp.post("/disputes/<int:dispute_id>/escalate")
@auth_required
@blp.arguments(s.DisputeEscalateSchema)
@blp.response(200, s.DisputeSchema)
def escalate_dispute(body, dispute_id):
    """矛盾纠纷转为信访事项：填报单位或县信访局（一把手或接访员）登记事项并关联；version 为排查表的版本。"""
    return _dispute_step(dispute_id, lambda dispute: info.escalate_dispute(_me(), dispute, body))


@blp.post("/disputes/<int:dispute_id>/link")
@auth_required
@blp.arguments(s.DisputeLinkSchema)
@blp.response(200, s.DisputeSchema)
def link_dispute(body, dispute_id):
    """矛盾纠纷关联已有信访事项（本单位看得到的事项）；version 为排查表的版本。"""
    return _dispute_step(dispute_id,
                         lambda dispute: info.link_dispute(_me(), dispute, body["petition_id"], body["version"]))


def register(app):
    register_blueprint(blp)
