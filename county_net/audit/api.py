from marshmallow import Schema, fields, validate

from county_net.accounts.guards import admin_only
from county_net.api import ApiBlueprint, PageMetaSchema, auth_required, page_body
from county_net.api import register as register_blueprint
from county_net.audit.queries import audit_query, present
from county_net.audit.services import verify_chain
from county_net.core.pagination import paginate
from county_net.core.schemas import Int, LocalDateTime

blp = ApiBlueprint("audit_api", __name__, url_prefix="/api/v1/audit", description="审计日志（系统管理员）")


class AuditRecordSchema(Schema):
    seq = Int()
    occurred_at = LocalDateTime()
    actor_id = Int(allow_none=True)
    actor_name = fields.String()
    actor_unit_id = Int(allow_none=True)
    action = fields.String()
    action_label = fields.String(metadata={"description": "操作的中文名称"})
    actor_label = fields.String(metadata={"description": "操作人姓名及单位"})
    target_label = fields.String(metadata={"description": "对象（如事项编号、用户姓名）"})
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    detail = fields.String()
    client_addr = fields.String(allow_none=True)
    hash = fields.String()


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditRecordSchema))
    meta = fields.Nested(PageMetaSchema)


class AuditArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=50, validate=validate.Range(1, 100))
    action = fields.String(validate=validate.Length(max=64))
    actor = fields.String(validate=validate.Length(max=64))


class VerifySchema(Schema):
    ok = fields.Boolean()
    checked = Int()
    head_hash = fields.String()
    broken_seq = Int(allow_none=True)
    reason = fields.String()
    checkpoint_seq = Int(allow_none=True, metadata={"description": "核对所依据的最新检查点的序号"})
    checkpoint_at = fields.String(allow_none=True, metadata={"description": "该检查点的时间（UTC）"})
    problems = fields.List(fields.String(), metadata={"description": "末尾被删除、检查点被伪造等问题"})
    notes = fields.List(fields.String(), metadata={"description": "提示（如没有检查点、曾从备份恢复）"})
    summary = fields.Function(lambda result: result.summary(), metadata={"type": "string", "description": "结论（中文）"})


@blp.get("")
@auth_required
@admin_only
@blp.arguments(AuditArgsSchema, location="query")
@blp.response(200, AuditPageSchema)
def list_records(args):
    stmt = audit_query(args.get("action"), args.get("actor"))
    page = paginate(stmt, args["page"], args["page_size"])
    page.items = present(page.items)
    return page_body(page)


@blp.get("/verify")
@auth_required
@admin_only
@blp.response(200, VerifySchema)
def verify():
    return verify_chain()


def register(app):
    register_blueprint(blp)
