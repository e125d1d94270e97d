"""HTML: registration at the desk, the unit's inbox, search, the matter page, documents, petitioner files."""
from __future__ import annotations

from datetime import datetime

from pathlib import Path
from urllib.parse import quote

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from marshmallow import ValidationError, fields

from county_net.core.errors import Conflict, InvalidInput, NotVisible, RoleRequired
from county_net.core.pagination import paginate
from county_net.core.timeutil import COUNTY_TZ
from county_net.extensions import db
from county_net.petitions import actions, pdf, queries, services
from county_net.petitions import schemas as s
from county_net.petitions.models import CHANNELS, NATURES, REPLY_OUTCOMES, REVIEW_RESULTS, SATISFACTION
from county_net.petitions.services import PAUSE_REASONS, REDIRECT_CHANNELS
from county_net.petitions.settings import county_settings
from county_net.petitions.workflow import ACTIONS, STATES

bp = Blueprint("petitions", __name__)
MAX_PEOPLE = 5
INBOX_BOXES = {"to_sign": "待签收", "handling": "办理中", "due_soon": "即将到期", "overdue": "已超期",
               "returned": "被退回", "review": "待审查/复查复核"}
DOCUMENTS = {
    "registration_form": "来访登记表", "acceptance_notice": "受理告知书", "decline_notice": "不予受理告知书",
    "redirect_notice": "告知单", "transfer_slip": "转送单", "assignment_slip": "交办单",
    "extension_notice": "延期告知书", "reply_letter": "信访事项处理意见书",
    "reexamination_opinion": "复查意见书", "final_review_opinion": "复核意见书",
}
# Which event a document is printed from.
DOCUMENT_EVENTS = {"acceptance_notice": ("accept", "handle_self"), "decline_notice": ("decline",),
                   "redirect_notice": ("redirect",), "transfer_slip": ("transfer",),
                   "assignment_slip": ("assign", "sub_assign"),  # a township's 交办下级 prints the same slip
                   "extension_notice": ("extend",), "reply_letter": ("reply",),
                   "reexamination_opinion": ("decide_reexamination",), "final_review_opinion": ("decide_final_review",)}


def _me():
    return current_user._get_current_object()


def form_to_body(schema_class, form) -> dict:
    """Turn a posted form into what the schema expects: lists, ticked boxes, blanks as missing."""
    body = {}
    for name, field in schema_class().fields.items():
        if isinstance(field, fields.List):
            values = [v for v in form.getlist(name) if v.strip()]
            if values or name in form:
                body[name] = values
        elif isinstance(field, fields.Boolean):
            body[name] = form.get(name, "").lower() in ("1", "on", "true", "yes")
        elif name in form and form[name].strip() != "":
            body[name] = form[name].strip()
    return body


def _common():
    return {"states": STATES, "channels": CHANNELS, "natures": NATURES, "categories": queries.categories(),
            "inbox_boxes": INBOX_BOXES}


# ---- registration ---------------------------------------------------------------------------------

def _people_from_form(form) -> list[dict]:
    people = []
    for i in range(MAX_PEOPLE + 1):
        person = {k: form.get(f"{k}_{i}", "").strip() for k in ("name", "id_number", "phone", "address")}
        if any(person.values()):
            people.append({k: v or None for k, v in person.items()})
    return people


@bp.route("/petitions/new", methods=["GET", "POST"])
@login_required
def new():
    services.require_clerk(_me())
    townships = queries.county_units(_me(), kinds=("township",))
    directory = queries.county_units(_me())
    context = dict(_common(), townships=townships, directory=directory, max_people=MAX_PEOPLE, errors={},
                   form=request.form)
    if request.method == "GET":
        return render_template("petitions/new.html", **context)
    body = form_to_body(s.PetitionCreateSchema, request.form)
    body["petitioners"] = _people_from_form(request.form)
    local = request.form.get("received_at_local", "").strip()
    if local:
        try:
            body["received_at"] = datetime.fromisoformat(local).replace(tzinfo=COUNTY_TZ).isoformat()
        except ValueError:
            body["received_at"] = "invalid"
    try:
        data = s.PetitionCreateSchema().load(body)
        files = [f for f in request.files.getlist("files") if f and f.filename]
        petition = services.register_petition(_me(), data, files)
    except ValidationError as exc:
        errors = dict(exc.messages)
        try:  # show the people's problems (ID checksum, phone) in the same round
            services.validate_people(body["petitioners"], county_settings(_me().unit.county_id))
        except InvalidInput as people:
            errors.update(people.fields)
        return render_template("petitions/new.html", **{**context, "errors": errors}), 400
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("petitions/new.html", **{**context, "errors": exc.fields}), 400
    flash(f"已登记 {petition.number}，查询码 {petition.query_code}", "success")
    return redirect(url_for("petitions.detail", petition_id=petition.id))


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(fields={"_body": ["请求体须为 JSON 对象"]})
    return body


@bp.post("/petitions/lookup")
@login_required
def lookup():
    """The desk's typing lookup (JSON, same session): a petitioner's earlier matters and replies."""
    services.require_clerk(_me())
    data = s.LookupSchema().load(_json_body())
    person = services.find_petitioner(data.get("id_number"), data.get("name"), data.get("phone"))
    if person is None:
        return jsonify(found=False)
    try:
        view = queries.petitioner_file_view(_me(), person, limit=queries.LOOKUP_MATTERS)
    except NotVisible:
        return jsonify(found=False)
    for row in view["matters"]:
        row["received_at"] = row["received_at"].isoformat()
        row["due_on"] = row["due_on"].isoformat() if row["due_on"] else None
        row["url"] = url_for("petitions.detail", petition_id=row["id"])
    return jsonify(found=True, petitioner=view)


@bp.post("/petitions/candidates")
@login_required
def candidates():
    services.require_clerk(_me())
    data = s.CandidatesSchema().load(_json_body())
    found = services.preview_candidates(_me(), data)
    for row in found:
        row["url"] = url_for("petitions.detail", petition_id=row["earlier_id"])
    return jsonify(candidates=found)


# ---- lists ----------------------------------------------------------------------------------------

def _list_args():
    try:
        return s.PetitionListArgsSchema().load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages)


@bp.get("/inbox")
@login_required
def inbox():
    args = _list_args()
    box = args.get("box") or "handling"
    args["box"] = box
    counts = queries.inbox_counts(_me())
    page = paginate(queries.search_query(_me(), args), args.get("page"), 20, by_key=True, total=counts.get(box))
    page.items = queries.rows(_me(), page.items)
    return render_template("petitions/inbox.html", page=page, box=box, counts=counts, **_common())


@bp.get("/petitions")
@login_required
def index():
    args = _list_args()
    args.pop("box", None)
    page = paginate(queries.search_query(_me(), args), args.get("page"), args.get("page_size", 20), by_key=True)
    page.items = queries.rows(_me(), page.items)
    return render_template("petitions/index.html", page=page, args=request.args,
                           townships=queries.county_units(_me(), kinds=("township",)),
                           directory=queries.county_units(_me()), **_common())


# ---- the matter page --------------------------------------------------------------------------------

def _detail_context(petition, errors=None, failed_action=None):
    view = queries.present(_me(), petition)
    return dict(_common(), p=petition, v=view, events=queries.timeline(petition), actions_meta=ACTIONS,
                endpoints=actions.ENDPOINTS, directory=queries.county_units(_me()), errors=errors or {},
                failed_action=failed_action, reply_outcomes=REPLY_OUTCOMES, review_results=REVIEW_RESULTS,
                satisfaction=SATISFACTION, pause_reasons=PAUSE_REASONS, redirect_channels=REDIRECT_CHANNELS,
                documents=_documents_for(petition), may_reveal=services.may_reveal(_me(), petition))


@bp.get("/petitions/<int:petition_id>")
@login_required
def detail(petition_id: int):
    petition = queries.get_petition(petition_id)
    services.audit_confidential_view(_me(), petition)
    return render_template("petitions/detail.html", **_detail_context(petition))


@bp.post("/petitions/<int:petition_id>/do/<slug>")
@login_required
def act(petition_id: int, slug: str):
    petition = queries.get_petition(petition_id)  # first: a matter you may not see is 404
    endpoint = actions.BY_SLUG.get(slug)
    if endpoint is None:
        abort(404)
    try:
        body = endpoint.schema().load(form_to_body(endpoint.schema, request.form))
        actions.run(endpoint, _me(), petition, body)
    except ValidationError as exc:
        return render_template("petitions/detail.html", **_detail_context(petition, exc.messages, endpoint.name)), 400
    except InvalidInput as exc:
        db.session.rollback()
        petition = queries.get_petition(petition_id)
        return render_template("petitions/detail.html", **_detail_context(petition, exc.fields, endpoint.name)), 400
    flash(endpoint.done, "success")
    if endpoint.name == "send_back":
        return redirect(url_for("petitions.inbox"))  # the matter has left this unit
    return redirect(url_for("petitions.detail", petition_id=petition_id))


@bp.post("/petitions/<int:petition_id>/links/<int:link_id>/<decision>")
@login_required
def decide_link(petition_id: int, link_id: int, decision: str):
    petition = queries.get_petition(petition_id)
    if decision not in ("confirm", "reject"):
        abort(404)
    version = request.form.get("version", "")
    services.decide_link(_me(), petition, version=int(version) if version.isdigit() else None, link_id=link_id,
                         confirm=decision == "confirm")
    flash("已确认为重复信访" if decision == "confirm" else "已否定该关联", "success")
    return redirect(url_for("petitions.detail", petition_id=petition_id))


@bp.post("/petitions/<int:petition_id>/petitioners/<int:petitioner_id>/reveal")
@login_required
def reveal(petition_id: int, petitioner_id: int):
    petition = queries.get_petition(petition_id)
    revealed = services.reveal_party(_me(), petition, petitioner_id)
    context = _detail_context(petition)
    context["revealed"] = {petitioner_id: revealed}
    return render_template("petitions/detail.html", **context)


@bp.post("/petitions/<int:petition_id>/attachments")
@login_required
def upload(petition_id: int):
    petition = queries.get_petition(petition_id)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        raise InvalidInput(fields={"files": ["请选择要上传的文件"]})
    services.upload_attachments(_me(), petition, files)
    flash(f"已上传 {len(files)} 个附件", "success")
    return redirect(url_for("petitions.detail", petition_id=petition_id))


@bp.get("/petitions/<int:petition_id>/attachments/<int:attachment_id>")
@login_required
def attachment(petition_id: int, attachment_id: int):
    return queries.attachment_response(_me(), queries.get_petition(petition_id), attachment_id)


# ---- documents -------------------------------------------------------------------------------------

def _documents_for(petition) -> dict[str, str]:
    kinds = {e["kind"] for e in queries.timeline(petition)}
    available = {"registration_form": DOCUMENTS["registration_form"]}
    for doc, events in DOCUMENT_EVENTS.items():
        if kinds & set(events):
            available[doc] = DOCUMENTS[doc]
    return available


def _render_document(petition_id: int, kind: str, inline_css: bool = False) -> tuple:
    petition = queries.get_petition(petition_id)
    if kind not in _documents_for(petition):
        abort(404)
    event = None
    for name in DOCUMENT_EVENTS.get(kind, ()):
        event = queries.last_event(petition, name) or event
    services.audit_confidential_view(_me(), petition)
    rules = county_settings(petition.county_unit_id).rules(services._unit_code(petition.handling_unit_id))
    css = (Path(current_app.static_folder) / "document.css").read_text(encoding="utf-8") if inline_css else None
    html = render_template("petitions/document.html", kind=kind, title=DOCUMENTS[kind], p=petition,
                           v=queries.present(_me(), petition), event=event, handling_rule=rules["handling"],
                           names=queries.unit_names([petition.unit_id, petition.county_unit_id]),
                           inline_css=css, pdf_available=pdf.browser() is not None, **_common())
    return petition, html


@bp.get("/petitions/<int:petition_id>/documents/<kind>")
@login_required
def document(petition_id: int, kind: str):
    return _render_document(petition_id, kind)[1]


@bp.get("/petitions/<int:petition_id>/documents/<kind>/pdf")
@login_required
def document_pdf(petition_id: int, kind: str):
    petition, html = _render_document(petition_id, kind, inline_css=True)
    try:
        data = pdf.render_pdf(html)
    except pdf.PdfUnavailable as exc:
        raise Conflict(str(exc))
    filename = quote(f"{petition.number}-{DOCUMENTS[kind]}.pdf")
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"})


@bp.get("/archive")
@login_required
def archive():
    from county_net.core.timeutil import local_today

    year = request.args.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else local_today().year
    return render_template("petitions/archive.html", year=year, volumes=queries.archive_volumes(_me(), year))


# ---- the category list ---------------------------------------------------------------------------

@bp.route("/admin/categories", methods=["GET", "POST"])
@login_required
def categories():
    if not _me().has_role("admin"):
        raise RoleRequired()
    errors = {}
    if request.method == "POST":
        try:
            services.save_category(_me(), code=request.form.get("code"), name=request.form.get("name"),
                                   sort_order=int(request.form.get("sort_order") or 0))
            flash("已新增事项类别", "success")
            return redirect(url_for("petitions.categories"))
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.fields
    return render_template("petitions/categories.html", rows=queries.all_categories(), errors=errors,
                           form=request.form), (400 if errors else 200)


@bp.post("/admin/categories/<int:category_id>")
@login_required
def category_update(category_id: int):
    category = queries.get_category(category_id)
    try:
        services.save_category(_me(), category=category, name=request.form.get("name"),
                               sort_order=int(request.form.get("sort_order") or 0),
                               is_active=request.form.get("is_active") == "1")
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("petitions/categories.html", rows=queries.all_categories(), errors=exc.fields,
                               form={}), 400
    flash("已保存", "success")
    return redirect(url_for("petitions.categories"))


# ---- petitioner files ------------------------------------------------------------------------------

@bp.get("/petitioners/<int:petitioner_id>")
@login_required
def petitioner(petitioner_id: int):
    person = queries.get_petitioner(petitioner_id)
    services.require_clerk(_me())
    return render_template("petitions/petitioner.html", f=queries.petitioner_file_view(_me(), person))


# ---- action forms, derived from the same schemas the API uses --------------------------------------

FIELD_LABELS = {
    "to_unit_id": "接收单位（主办）", "co_unit_ids": "协办单位", "note": "说明", "report_due_on": "报送办结报告日期",
    "channel": "法定途径", "organ": "应向其反映的机关", "reason": "理由", "competent_unit_id": "有权处理的单位",
    "simple": "适用简易办理", "days": "延长天数", "petitioner_told": "已告知信访人", "opinion": "意见",
    "kind": "类型", "terms": "协议内容", "outcome": "处理意见", "request": "信访人的请求", "facts": "查明的事实和理由",
    "basis": "处理依据", "report": "办结报告", "satisfaction": "信访人满意度", "requested_on": "申请日期",
    "result": "结论", "hearing_held": "经过听证", "until": "预计恢复日期（到期自动恢复）",
}
UNIT_FIELDS = {"to_unit_id", "co_unit_ids", "competent_unit_id"}
LONG_TEXT = {"note", "reason", "opinion", "terms", "request", "facts", "basis", "report"}


def _choices(action: str, name: str) -> dict | None:
    if name == "channel" and action == "redirect":
        return REDIRECT_CHANNELS
    if name == "outcome":
        return REPLY_OUTCOMES
    if name == "result":
        return REVIEW_RESULTS
    if name == "satisfaction":
        return SATISFACTION
    if name == "reason" and action == "pause":
        return PAUSE_REASONS
    if name == "kind":
        return {"mediation": "调解", "settlement": "和解"}
    return None


def form_fields(endpoint) -> list[dict]:
    result = []
    for name, field in endpoint.schema().fields.items():
        if name == "version":
            continue
        spec = {"name": name, "label": FIELD_LABELS.get(name, name), "required": field.required}
        choices = _choices(endpoint.name, name)
        if name in UNIT_FIELDS:
            spec["widget"] = "units_multi" if isinstance(field, fields.List) else "unit"
        elif choices:
            spec["widget"], spec["choices"] = "select", choices
        elif isinstance(field, fields.Boolean):
            spec["widget"] = "checkbox"
        elif isinstance(field, fields.Date):
            spec["widget"] = "date"
        elif isinstance(field, fields.Integer):
            spec["widget"] = "number"
        else:
            spec["widget"] = "textarea" if name in LONG_TEXT else "text"
        result.append(spec)
    return result


@bp.app_context_processor
def _action_forms():
    return {"action_form_fields": form_fields}
