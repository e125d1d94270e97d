"""JSON: every action of the course has an endpoint here calling the same service as the web form."""
from flask_login import current_user

from county_net.accounts.guards import admin_only
from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import IllegalTransition, NotVisible, StaleVersion
from county_net.extensions import db
from county_net.petitions import actions, queries, services
from county_net.petitions import schemas as s

blp = ApiBlueprint("petitions_api", __name__, url_prefix="/api/v1", description="信访事项")


def _me():
    return current_user._get_current_object()


id_loader("petition_id")(queries.get_petition)
id_loader("petitioner_id")(queries.get_petitioner)
id_loader("category_id")(lambda category_id: queries.get_category(category_id))


@blp.get("/categories")
@auth_required
@blp.response(200, s.CategorySchema(many=True))
def list_categories():
    return queries.categories()


@blp.get("/archive")
@auth_required
@blp.arguments(s.ArchiveArgsSchema, location="query")
@blp.response(200, s.ArchiveVolumeSchema(many=True))
def archive(args):
    """立卷归档：按信访人立户、按年度立卷。"""
    return queries.archive_volumes(_me(), args["year"])


@blp.post("/categories")
@auth_required
@admin_only
@blp.arguments(s.CategoryInSchema)
@blp.response(201, s.CategoryOutSchema)
def create_category(body):
    """新增事项类别（系统管理员）。"""
    return services.save_category(_me(), **body)


@blp.patch("/categories/<int:category_id>")
@auth_required
@admin_only
@blp.arguments(s.CategoryPatchSchema)
@blp.response(200, s.CategoryOutSchema)
def update_category(body, category_id):
    """修改或停用事项类别（系统管理员）。"""
    return services.save_category(_me(), category=queries.get_category(category_id), **body)


@blp.post("/petitions")
@auth_required
@blp.arguments(s.PetitionCreateSchema)
@blp.response(201, s.PetitionSchema)
def register_petition(body):
    """登记一件信访事项（含信访人、编号、查询码、重复信访建议）。"""
    petition = services.register_petition(_me(), body)
    view = queries.present(_me(), petition)
    view["warnings"] = [] if view["can_query_online"] else [services.NO_QUERY_PHONE]
    return view


@blp.get("/petitions")
@auth_required
@blp.arguments(s.PetitionListArgsSchema, location="query")
@blp.response(200, s.PetitionPageSchema)
def search(args):
    """检索与收件箱（box=to_sign/handling/due_soon/overdue/returned/review）。"""
    return page_body(queries.list_page(_me(), args, args["page"], args["page_size"]))


@blp.get("/petitions/<int:petition_id>")
@auth_required
@blp.response(200, s.PetitionSchema)
def detail(petition_id):
    petition = queries.get_petition(petition_id)
    services.audit_confidential_view(_me(), petition)
    return queries.present(_me(), petition)


@blp.get("/petitions/<int:petition_id>/events")
@auth_required
@blp.response(200, s.EventSchema(many=True))
def events(petition_id):
    """流转记录（时间线）。"""
    return queries.timeline(queries.get_petition(petition_id))


def _decide_link(body, petition_id, link_id, confirm: bool):
    petition = queries.get_petition(petition_id)
    services.decide_link(_me(), petition, version=body["version"], link_id=link_id, confirm=confirm,
                         note=body.get("note", ""))
    return queries.present(_me(), petition)


@blp.post("/petitions/<int:petition_id>/links/<int:link_id>/confirm")
@auth_required
@blp.arguments(s.LinkDecisionSchema)
@blp.response(200, s.PetitionSchema)
def confirm_link(body, petition_id, link_id):
    """确认为重复信访（并入前一事项的线索）。"""
    return _decide_link(body, petition_id, link_id, True)


@blp.post("/petitions/<int:petition_id>/links/<int:link_id>/reject")
@auth_required
@blp.arguments(s.LinkDecisionSchema)
@blp.response(200, s.PetitionSchema)
def reject_link(body, petition_id, link_id):
    """否定该关联。"""
    return _decide_link(body, petition_id, link_id, False)


@blp.post("/petitions/<int:petition_id>/petitioners/<int:petitioner_id>/reveal")
@auth_required
@blp.response(200, s.RevealSchema)
def reveal(petition_id, petitioner_id):
    """查看完整身份证号和电话（留痕审计）。"""
    return services.reveal_party(_me(), queries.get_petition(petition_id), petitioner_id)


@blp.post("/petitioners/lookup")
@auth_required
@blp.arguments(s.LookupSchema)
@blp.response(200, s.LookupResultSchema)
def lookup(body):
    """按身份证号（精确）或姓名+电话查找信访人档案；号码只在请求体中传递。"""
    services.require_clerk(_me())
    person = services.find_petitioner(body.get("id_number"), body.get("name"), body.get("phone"))
    try:
        view = queries.petitioner_file_view(_me(), person, limit=queries.LOOKUP_MATTERS) if person else None
    except NotVisible:
        view = None  # a file this unit may not open is, to it, not there
    return {"found": view is not None, "petitioner": view}


@blp.get("/petitioners/<int:petitioner_id>")
@auth_required
@blp.response(200, s.PetitionerFileSchema)
def petitioner_file(petitioner_id):
    """信访人档案：以往事项及答复。"""
    services.require_clerk(_me())
    return queries.petitioner_file_view(_me(), queries.get_petitioner(petitioner_id))


@blp.patch("/petitioners/<int:petitioner_id>")
@auth_required
@blp.arguments(s.ContactInSchema)
@blp.response(200, s.PetitionerFileSchema)
def correct_contact(body, petitioner_id):
    """更正信访人联系方式（电话、住址）；旧值留存于变更记录，留痕审计。"""
    person = services.correct_contact(_me(), queries.get_petitioner(petitioner_id), **body)
    return queries.petitioner_file_view(_me(), person)


@blp.post("/petitions/repeat-candidates")
@auth_required
@blp.arguments(s.CandidatesSchema)
@blp.response(200, s.CandidateSchema(many=True))
def repeat_candidates(body):
    """登记前预览可能的重复信访（不保存）；本人其他事项见 POST /api/v1/repeats/preview。"""
    return services.preview_candidates(_me(), body)["suggestions"]


@blp.post("/petitions/<int:petition_id>/attachments")
@auth_required
@blp.arguments(s.UploadSchema, location="files")
@blp.response(201, s.AttachmentRefSchema(many=True))
def upload(body, petition_id):
    """上传附件（扫描的来信、照片、PDF）。"""
    return services.upload_attachments(_me(), queries.get_petition(petition_id), body["files"])


@blp.get("/petitions/<int:petition_id>/attachments/<int:attachment_id>")
@auth_required
@blp.response(200, description="附件内容")
def download(petition_id, attachment_id):
    return queries.attachment_response(_me(), queries.get_petition(petition_id), attachment_id)


def _action_view(endpoint):
    def view(body, petition_id):
        petition = queries.get_petition(petition_id)
        try:
            actions.run(endpoint, _me(), petition, body)
        except (StaleVersion, IllegalTransition) as exc:
            db.session.rollback()
            exc.current = queries.current_state(_me(), petition, body.get("version"))
            raise
        return queries.present(_me(), petition)

    view.__name__ = f"action_{endpoint.name}"
    view.__doc__ = f"{services.ACTIONS[endpoint.name].label}（成功后：{endpoint.done}）"
    return view


for _endpoint in actions.ENDPOINTS.values():
    blp.post(f"/petitions/<int:petition_id>/{_endpoint.slug}")(
        auth_required(blp.arguments(_endpoint.schema)(blp.response(200, s.PetitionSchema)(_action_view(_endpoint)))))


def register(app):
    register_blueprint(blp)
