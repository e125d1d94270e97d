"""JSON: every read and step of a screening sheet, calling the same services as the web forms."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import Conflict, IllegalTransition, StaleVersion
from county_net.extensions import db
from county_net.screening import queries, services
from county_net.screening import schemas as s
from county_net.screening.steps import STEPS

blp = ApiBlueprint("screening_api", __name__, url_prefix="/api/v1",
                   description="矛盾纠纷排查表：填报、零报告、签发上报、上级接收或退回、更正")

id_loader("report_id")(queries.get_report)
id_loader("dispute_id")(queries.get_dispute)
id_loader("exemption_id")(queries.get_exemption)


def _me():
    return current_user._get_current_object()


def _answer(report):
    return queries.present(_me(), report)


def _guarded(report, fn):
    """Run a step; a stale version or an illegal step answers 409 with the sheet as it now is."""
    try:
        return fn()
    except (StaleVersion, IllegalTransition, Conflict) as exc:
        db.session.rollback()
        fresh = queries.get_report(report.id)
        exc.current = {"version": fresh.version, "state": fresh.state, "actions": queries.report_actions(_me(), fresh)}
        raise


@blp.get("/screening/current")
@auth_required
@blp.response(200, s.ScreeningTaskSchema)
def current():
    """本单位本期的排查表任务：是否需报送、截止日、当前状态、上期未化解的矛盾纠纷。"""
    return queries.current(_me())


@blp.get("/screening/reports")
@auth_required
@blp.arguments(s.SheetListArgsSchema, location="query")
@blp.response(200, s.SheetPageSchema)
def list_reports(args):
    """排查表列表：本单位及下级单位的（按状态、周期、单位、是否过期录入筛选）。"""
    page = queries.list_page(args, args["page"], args["page_size"])
    return page_body(page)


@blp.post("/screening/reports")
@auth_required
@blp.arguments(s.SheetCreateSchema)
@blp.response(201, s.SheetSchema)
def open_draft(body):
    """新建本单位某周期的排查表草稿（已有则返回该表）；上期未化解的矛盾纠纷自动结转。"""
    return _answer(services.open_draft(_me(), body["period"]))


@blp.get("/screening/reports/<int:report_id>")
@auth_required
@blp.response(200, s.SheetSchema)
def report(report_id):
    return _answer(queries.get_report(report_id))


@blp.put("/screening/reports/<int:report_id>/lines")
@auth_required
@blp.arguments(s.LinesPutSchema)
@blp.response(200, s.SheetSchema)
def put_lines(body, report_id):
    """整表替换草稿的全部矛盾纠纷（逐条校验，有一条不通过则不保存）。"""
    item = queries.get_report(report_id)
    return _answer(_guarded(item, lambda: services.put_lines(_me(), item, body["version"], body["lines"],
                                                             body["note"])))


@blp.post("/screening/reports/<int:report_id>/lines")
@auth_required
@blp.arguments(s.LineWithVersionSchema)
@blp.response(201, s.SheetSchema)
def add_line(body, report_id):
    """在草稿中添加一条矛盾纠纷。"""
    item = queries.get_report(report_id)
    version = body.pop("version")
    _guarded(item, lambda: services.add_line(_me(), item, version, body))
    return _answer(item)


@blp.put("/screening/disputes/<int:dispute_id>")
@auth_required
@blp.arguments(s.LineWithVersionSchema)
@blp.response(200, s.SheetSchema)
def update_line(body, dispute_id):
    """修改草稿中的一条矛盾纠纷（version 为排查表的版本）。"""
    dispute = queries.get_dispute(dispute_id)
    version = body.pop("version")
    _guarded(dispute.report, lambda: services.update_line(_me(), dispute, version, body))
    return _answer(dispute.report)


@blp.post("/screening/disputes/<int:dispute_id>/delete")
@auth_required
@blp.arguments(s.SheetVersionSchema)
@blp.response(200, s.SheetSchema)
def delete_line(body, dispute_id):
    """删除草稿中的一条矛盾纠纷（version 为排查表的版本）。"""
    dispute = queries.get_dispute(dispute_id)
    report = dispute.report
    return _answer(_guarded(report, lambda: services.delete_line(_me(), dispute, body["version"])))


def _sheet_step(slug, step):
    def view(body, report_id):
        item = queries.get_report(report_id)
        return _answer(_guarded(item, lambda: step.call(_me(), item, body)))

    view.__name__ = f"sheet_{slug}"
    view.__doc__ = step.doc
    return view


# The steps of a sheet, from the table the web forms use too (views.STEPS): one service call each.
for _slug, _step in STEPS.items():
    blp.post(f"/screening/reports/<int:report_id>/{_slug}")(auth_required(blp.arguments(_step.schema)(
        blp.response(201 if _slug == "correct" else 200, s.SheetSchema)(_sheet_step(_slug, _step)))))


def register(app):
    register_blueprint(blp)


@blp.get("/screening/late")
@auth_required
@blp.arguments(s.LateArgsSchema, location="query")
@blp.response(200, s.LateListSchema)
def late(args):
    """下级单位某月的报送情况：默认只列逾期未报和过期录入；all=true 列出全部应报单位。"""
    from county_net.screening import lateness
    from county_net.screening.views import _month

    month = _month(args["month"])
    return {"month": month.code,
            "items": lateness.late_rows(lateness.late_list(_me(), month, only_problems=not args["all"]))}


@blp.get("/screening/exemptions")
@auth_required
@blp.response(200, s.ExemptionSchema(many=True))
def exemptions():
    """免报单位（含已撤销的）。"""
    return queries.exemptions()


@blp.post("/screening/exemptions")
@auth_required
@blp.arguments(s.ExemptionCreateSchema)
@blp.response(201, s.ExemptionSchema)
def exempt(body):
    """设定免报（县信访局一把手或系统管理员；须写原因）。"""
    return queries.exemption_row(services.exempt(_me(), **body))


@blp.post("/screening/exemptions/<int:exemption_id>/revoke")
@auth_required
@blp.arguments(s.SheetVersionSchema)
@blp.response(200, s.ExemptionSchema)
def revoke_exemption(body, exemption_id):
    """撤销免报。"""
    row = queries.get_exemption(exemption_id)
    return queries.exemption_row(services.revoke_exemption(_me(), row, body["version"]))
