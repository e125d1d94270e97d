"""JSON twins of the roll-up pages: the table, the disputes behind a figure, the workbook, a unit's history and
two periods side by side. Reads only; the same queries as the pages."""

from county_net.api import ApiBlueprint, ErrorSchema, auth_required, page_body
from county_net.api import register as register_blueprint
from county_net.core.pagination import paginate
from county_net.screening import rollup as r
from county_net.screening import rollup_schemas as s
from county_net.screening import rollup_views as views

blp = ApiBlueprint("screening_rollup_api", __name__, url_prefix="/api/v1", description="矛盾纠纷排查：汇总与历史")
UNSEEN = "unit 所指的单位不存在或不可见"
# `unit_id` is loaded by units/api.py's id_loader (get_unit): a unit one may not see is 404.


@blp.get("/screening/rollup")
@blp.alt_response(404, schema=ErrorSchema, description=UNSEEN)
@auth_required
@blp.arguments(s.RollupArgsSchema, location="query")
@blp.response(200, s.RollupSchema)
def rollup(args):
    """矛盾纠纷排查调处情况汇总：按乡镇、部门系统逐行，合计；小计与年度累计，按类型 × 排查/调处/成功，按涉及人数，
    重大矛盾纠纷，调处率、成功率（分母为零为 null），按时上报率，缺报单位（列名，不计为零），上期数字（环比）。"""
    return r.rollup_dict(views.load_rollup(args))


@blp.get("/screening/rollup/disputes")
@blp.alt_response(404, schema=ErrorSchema, description=UNSEEN)
@auth_required
@blp.arguments(s.DisputeListArgsSchema, location="query")
@blp.response(200, s.DisputePageSchema)
def rollup_disputes(args):
    """汇总表中某个数字背后的矛盾纠纷清单（条数等于该数字）。"""
    page = paginate(views.listing(views.dispute_filters(args)), args["page"], args["page_size"])
    page.items = [views.dispute_dict(d) for d in page.items]
    return page_body(page)


@blp.get("/screening/rollup.xlsx")
@blp.alt_response(404, schema=ErrorSchema, description=UNSEEN)
@auth_required
@blp.arguments(s.RollupArgsSchema, location="query")
@blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              description="Excel 报表（A4 横向，表头冻结）")
def rollup_workbook(args):
    """汇总表下载为 Excel（习惯版式：标题、出表单位、期间、合并表头、填表人、签发人）。"""
    return views.xlsx_response(views.load_rollup(args))


@blp.get("/screening/units/<int:unit_id>/history")
@auth_required
@blp.arguments(s.HistoryArgsSchema, location="query")
@blp.response(200, s.HistorySchema)
def history(args, unit_id):
    """单位的排查报表历史（至少 24 个期间，每个版本一行：状态、是否过期录入、上报时间、排查/调处/成功数）。"""
    return views.load_history(unit_id, args.get("periods"))


@blp.get("/screening/compare")
@blp.alt_response(404, schema=ErrorSchema, description=UNSEEN)
@auth_required
@blp.arguments(s.CompareArgsSchema, location="query")
@blp.response(200, s.CompareSchema)
def compare(args):
    """同一单位两个期间对比。"""
    return views.load_compare(args)


def register(app):
    register_blueprint(blp)


