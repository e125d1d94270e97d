"""JSON twins of the Excel routes: the sheet as .xlsx, the import template, the upload (multipart)."""
from flask_login import current_user
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from werkzeug.datastructures import CombinedMultiDict

from county_net.api import ApiBlueprint, ErrorSchema, Parser, auth_required
from county_net.api import register as register_blueprint
from county_net.core.errors import Conflict, IllegalTransition, StaleVersion
from county_net.core.schemas import Id, Version
from county_net.extensions import db
from county_net.screening import excel, excel_views, queries
from county_net.screening import schemas as s

class MultipartParser(Parser):
    """The "files" location reads the form's fields too, so one schema documents the whole multipart body
    (flask-smorest documents a single request body per operation)."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class ExcelBlueprint(ApiBlueprint):
    ARGUMENTS_PARSER = MultipartParser()


blp = ExcelBlueprint("screening_excel_api", __name__, url_prefix="/api/v1",
                   description="矛盾纠纷排查表 Excel：下载排查表、下载导入模板、上传导入")

XLSX = {"content": {excel.XLSX_MIMETYPE: {"schema": {"type": "string", "format": "binary"}}}}


class SheetTemplateArgsSchema(Schema):
    report_id = Id(strict=False, load_default=None,
                   metadata={"description": "预填该排查表的现有矛盾纠纷（下载—填写—上传可往返）"})


class SheetUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": ".xlsx（导入模板格式），不超过 10 MB、5000 行；不得含公式或宏"})
    version = Version(strict=False, required=True, metadata={"description": "排查表的版本"})


class SheetImportedSchema(s.SheetSchema):
    imported = fields.Integer(metadata={"description": "导入的条数"})


def _me():
    return current_user._get_current_object()


@blp.get("/screening/reports/<int:report_id>/xlsx")
@auth_required
@blp.doc(responses={"200": {"description": "排查表（.xlsx，A4 横向打印）", **XLSX}})
def sheet_xlsx(report_id):
    """下载排查表（Excel，惯用版式：标题、填报单位、周期、填表人、签发人、各列，A4 横向）。"""
    report = queries.get_report(report_id)
    return excel_views.xlsx_response(excel.sheet_workbook(report, queries.present(_me(), report)),
                                     excel.filename(report))


@blp.get("/screening/template.xlsx")
@auth_required
@blp.arguments(SheetTemplateArgsSchema, location="query")
@blp.doc(responses={"200": {"description": "导入模板（.xlsx，含下拉列表）", **XLSX}})
@blp.alt_response(404, schema=ErrorSchema, description="report_id 所指的排查表不存在或不可见")
def template_xlsx(args):
    """下载导入模板：本县纠纷类型、风险等级、调处状态为下拉列表；给出 report_id 时预填该表现有的矛盾纠纷。"""
    data, name = excel_views.template_for(_me(), args["report_id"])
    return excel_views.xlsx_response(data, name)


@blp.post("/screening/reports/<int:report_id>/upload")
@auth_required
@excel_views.upload_gate
@blp.arguments(SheetUploadSchema, location="files")
@blp.response(200, SheetImportedSchema)
def upload(body, report_id):
    """上传填好的导入模板，整表替换草稿的全部矛盾纠纷。逐行校验，错误按“第 N 行「列名」”列出，
    有一处不通过则不保存任何内容；超过大小限制为 413。"""
    report = queries.get_report(report_id)
    try:
        count = excel_views.import_file(_me(), report, body["file"], body["version"])
    except (StaleVersion, IllegalTransition, Conflict) as exc:
        db.session.rollback()
        fresh = queries.get_report(report_id)
        exc.current = {"version": fresh.version, "state": fresh.state,
                       "actions": queries.report_actions(_me(), fresh)}
        raise
    return {**queries.present(_me(), report), "imported": count}


blp.register_error_handler(413, excel_views.too_large)


def register(app):
    register_blueprint(blp)
