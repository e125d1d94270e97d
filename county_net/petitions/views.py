"""HTML: registration at the desk, the unit's inbox, search, the matter page, documents, petitioner files."""
from __future__ import annotations

import re
from datetime import datetime

from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required
from marshmallow import ValidationError, fields
from werkzeug.datastructures import MultiDict

from county_net.accounts.guards import admin_only
from county_net.core.errors import IllegalTransition, InvalidInput, NotVisible, RoleRequired, StaleVersion
from county_net.core.timeutil import COUNTY_TZ
from county_net.extensions import db
from county_net.petitions import actions, pdf, queries, services
from county_net.petitions.page import preload as preload_page
from county_net.petitions.identity import normalise_id, normalise_phone
from county_net.petitions import schemas as s
from county_net.petitions.models import CHANNELS, NATURES, REPLY_OUTCOMES, REVIEW_RESULTS, SATISFACTION
from county_net.petitions.services import DECLINE_GROUNDS, OPINION_LABELS, PAUSE_REASONS, REDIRECT_CHANNELS
from county_net.petitions.models import DELIVERY_METHODS
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
    """Turn a posted form into what the schema expects: lists, ticked boxes, numbers, blanks as missing."""
    body = {}
    for name, field in schema_class().fields.items():
        if isinstance(field, fields.List):
            values = [_form_value(field.inner, v.strip()) for v in form.getlist(name) if v.strip()]
            if values or name in form:
                body[name] = values
        elif isinstance(field, fields.Boolean):
            body[name] = form.get(name, "").lower() in ("1", "on", "true", "yes")
        elif name in form and form[name].strip() != "":
            body[name] = _form_value(field, form[name].strip())
    return body


def _form_value(field, raw: str):
    """A form posts text, and the schemas take integers strictly (a JSON 1.5 is refused, never rounded):
    whole numbers become numbers here; anything else ("1.5", "3a") stays text for the schema to refuse."""
    if isinstance(field, fields.Integer) and re.fullmatch(r"-?\d{1,10}", raw):
        return int(raw)
    return raw


def _common():
    return {"states": STATES, "channels": CHANNELS, "natures": NATURES, "categories": queries.categories(),
            "inbox_boxes": INBOX_BOXES}


# ---- registration ---------------------------------------------------------------------------------

def _people_from_form(form, limit: int = MAX_PEOPLE) -> list[dict]:
    people = []
    for i in range(limit + 1):
        person = {k: form.get(f"{k}_{i}", "").strip() for k in ("name", "id_number", "phone", "address")}
        # What a clerk types with spaces ("3399 0119…", "138 0000 1111") is the number the schema expects.
        person["id_number"] = normalise_id(person["id_number"])
        person["phone"] = normalise_phone(person["phone"])
        if any(person.values()):
            people.append({k: v or None for k, v in person.items()})
    return people


@bp.route("/petitions/new", methods=["GET", "POST"])
@login_required
def new():
    services.require_clerk(_me())
    townships = queries.county_units(_me(), kinds=("township",))
    directory = queries.county_units(_me())
    max_people = county_settings(_me().unit.county_id)["max_representatives"]
    context = dict(_common(), townships=townships, directory=directory, max_people=max_people, errors={},
                   first_bad=None, form=request.form)
    if request.method == "GET":
        return render_template("petitions/new.html", **context)
    body = form_to_body(s.PetitionCreateSchema, request.form)
    body["petitioners"] = _people_from_form(request.form, max_people)
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
            errors["petitioners"] = _merge_people_errors(errors.get("petitioners"), people.fields["petitioners"])
        return render_template("petitions/new.html", **{**context, **_registration_errors(errors)}), 400
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("petitions/new.html", **{**context, **_registration_errors(exc.fields)}), 400
    flash(f"已登记 {petition.number}，查询码 {petition.query_code}", "success")
    if not any(services.query_last4(party) for party in petition.parties):
        flash(services.NO_QUERY_PHONE, "warning")
    return redirect(url_for("petitions.detail", petition_id=petition.id))


def _merge_people_errors(schema_errors, service_errors):
    """Per person, by the index as text (marshmallow counts with integers, the page and the service with text);
    a message about the whole list (the number of people) stays a list."""
    if not isinstance(schema_errors, dict) or not isinstance(service_errors, dict):
        return schema_errors if isinstance(schema_errors, list) else service_errors
    merged = {str(i): dict(e) for i, e in schema_errors.items() if isinstance(e, dict)}
    for index, problems in service_errors.items():
        for name, messages in problems.items():
            merged.setdefault(str(index), {}).setdefault(name, list(messages))
    return merged


REGISTRATION_FIELDS = ("channel", "received_at_local", "head_count", "locality_unit_id", "category_id", "nature",
                       "accused_unit_id", "summary", "demands")


def _registration_errors(errors: dict) -> dict:
    """The errors by the desk's field names (the service's `received_at` is the form's local
    `received_at_local`) and the first field in error, where the page opens."""
    errors = dict(errors)
    if isinstance(errors.get("petitioners"), dict):
        errors["petitioners"] = {str(i): e for i, e in errors["petitioners"].items()}
    if "received_at" in errors:
        errors["received_at_local"] = errors.pop("received_at")
    return {"errors": errors, "first_bad": next((name for name in REGISTRATION_FIELDS if name in errors), None)}


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
    for row in found["suggestions"]:
        row["url"] = url_for("petitions.detail", petition_id=row["earlier_id"])
    for row in found["own_matters"]:
        row["url"] = url_for("petitions.detail", petition_id=row["id"])
    return jsonify(candidates=found["suggestions"], own_matters=found["own_matters"])


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
    counts = queries.inbox_counts(_me())
    # No box chosen: the first one with something in it (the boxes' order), else 办理中.
    box = args.get("box") or next((key for key in INBOX_BOXES if counts.get(key)), "handling")
    args["box"] = box
    page = queries.list_page(_me(), args, args.get("page"), 20, total=counts.get(box))
    return render_template("petitions/inbox.html", page=page, box=box, counts=counts, **_common())


@bp.get("/petitions")
@login_required
def index():
    args = _list_args()
    args.pop("box", None)
    page = queries.list_page(_me(), args, args.get("page"), args.get("page_size", 20))
    return render_template("petitions/index.html", page=page, args=request.args,
                           townships=queries.county_units(_me(), kinds=("township",)),
                           directory=queries.county_units(_me()), **_common())


# ---- the matter page --------------------------------------------------------------------------------

def _detail_context(petition, errors=None, failed_action=None, typed=None, changes=None):
    """`typed`: the failed form's posted values, drawn back into it; `changes`: what a stale form missed."""
    view = queries.present(_me(), petition)
    errors = _field_errors(errors or {})
    return dict(_common(), p=petition, v=view, events=queries.timeline(petition), actions_meta=ACTIONS,
                endpoints=actions.ENDPOINTS, directory=queries.county_units(_me()), errors=errors,
                failed_action=failed_action, reply_outcomes=REPLY_OUTCOMES, review_results=REVIEW_RESULTS,
                satisfaction=SATISFACTION, pause_reasons=PAUSE_REASONS, redirect_channels=REDIRECT_CHANNELS,
                documents=_documents_for(petition), may_reveal=services.may_reveal(_me(), petition),
                typed=typed if typed is not None else MultiDict(), changes=changes,
                focus=_focus(failed_action, errors) if changes is None else None,
                co_units=queries.co_units(petition), stage=queries.stage_banner(petition, view["deadline"]))


def _field_errors(errors: dict) -> dict[str, list[str]]:
    """Each field's messages as a flat list (a list field's errors come keyed by position)."""
    def flat(value):
        if isinstance(value, dict):
            return [m for inner in value.values() for m in flat(inner)]
        return [value] if isinstance(value, str) else [m for inner in value for m in flat(inner)]
    return {str(name): flat(value) for name, value in errors.items()}


def _focus(failed_action, errors) -> str | None:
    """The element the re-rendered page opens at: the failed form's first field in error, else its notice."""
    if failed_action is None:
        return None
    names = [f["name"] for f in form_fields(actions.ENDPOINTS[failed_action])]
    first = next((name for name in names if name in errors), None)
    return f"{failed_action}-{first}" if first else f"{failed_action}-errors"


@bp.get("/petitions/<int:petition_id>")
@login_required
def detail(petition_id: int):
    petition = queries.get_petition(petition_id)
    services.audit_confidential_view(_me(), petition)
    preload_page(_me(), petition)  # every section of the page in one statement (petitions/page.py)
    return render_template("petitions/detail.html", **_detail_context(petition))


@bp.post("/petitions/<int:petition_id>/do/<slug>")
@login_required
def act(petition_id: int, slug: str):
    petition = queries.get_petition(petition_id)  # first: a matter you may not see is 404
    endpoint = actions.BY_SLUG.get(slug)
    if endpoint is None:
        abort(404)
    typed = request.form
    try:
        body = endpoint.schema().load(form_to_body(endpoint.schema, request.form))
        actions.run(endpoint, _me(), petition, body)
    except ValidationError as exc:
        missed = _missed(petition)  # a stale form with a slip: show what changed before it is sent again
        return render_template("petitions/detail.html", **_detail_context(
            petition, exc.messages, endpoint.name, typed, missed)), 400 if missed is None else 409
    except InvalidInput as exc:
        db.session.rollback()
        petition = queries.get_petition(petition_id)
        return render_template("petitions/detail.html",
                               **_detail_context(petition, exc.fields, endpoint.name, typed)), 400
    except (StaleVersion, IllegalTransition):
        db.session.rollback()
        petition = queries.get_petition(petition_id)
        missed = _missed(petition)
        if missed is None:
            raise  # not a stale tab: the plain 409
        # A stale tab: the matter as it now is, what changed since the form was drawn, the typed values kept.
        return render_template("petitions/detail.html",
                               **_detail_context(petition, None, endpoint.name, typed, missed)), 409
    flash(endpoint.done, "success")
    if endpoint.name == "send_back":
        return redirect(url_for("petitions.inbox"))  # the matter has left this unit
    return redirect(url_for("petitions.detail", petition_id=petition_id))


def _missed(petition) -> list[dict] | None:
    """The events a posted form did not see, or None when it was drawn from the current version."""
    seen = request.form.get("version", "")
    if not seen.isdigit() or int(seen) >= petition.version:
        return None
    return queries.events_since(petition, int(seen))


@bp.post("/petitions/<int:petition_id>/links/<int:link_id>/<decision>")
@login_required
def decide_link(petition_id: int, link_id: int, decision: str):
    petition = queries.get_petition(petition_id)
    if decision not in ("confirm", "reject"):
        abort(404)
    version = request.form.get("version", "")
    services.decide_link(_me(), petition, version=int(version) if version.isdigit() else None, link_id=link_id,
                         confirm=decision == "confirm", note=request.form.get("note", ""))
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

# The registration form is named after the channel, and so is its time field.
REGISTRATION_TITLES = {"visit": ("来访登记表", "来访时间"), "letter": ("来信登记表", "来信时间"),
                       "phone": ("来电登记表", "来电时间"), "online": ("网上信访登记表", "提交时间"),
                       "other": ("信访登记表", "收件时间")}


def _document_title(kind: str, petition) -> str:
    if kind == "registration_form":
        return REGISTRATION_TITLES.get(petition.channel, REGISTRATION_TITLES["other"])[0]
    return DOCUMENTS[kind]


@bp.app_template_filter("labelled")
def labelled(value, label: str) -> str:
    """"依据：…" unless the text already starts with its label ("依据：依据…" never)."""
    value = (value or "").strip()
    return value if value.startswith(label) else f"{label}：{value}"


def join_articles(citations: list[str]) -> str:
    """《信访工作条例》第二十三条 and 《信访工作条例》第三十一条 → 《信访工作条例》第二十三条、第三十一条: the
    statute is named once for its articles that follow one another."""
    out, last = [], None
    for citation in dict.fromkeys(citations):
        match = re.match(r"(《[^》]+》)(.*)", citation)
        statute, rest = (match.group(1), match.group(2)) if match else (None, citation)
        out.append(rest if statute is not None and statute == last and rest else citation)
        last = statute
    return "、".join(out)


def _document_facts(petition, kind: str, event: dict | None, settings) -> dict:
    """What a document states beyond its event: the issuing unit and its contact, the opinions it refers to,
    the organ and window for the next step, the reply-by date (every date from county_net.deadlines)."""
    from county_net.deadlines import compute_due
    from county_net.units.directory import unit_info

    issuer = unit_info(petition.unit_id if event is None else event["actor_unit_id"])
    pl = event["payload"] if event else {}
    facts = {"issuer": issuer, "issuer_name": issuer.name if issuer else "", "reply_by": None,
             "next_organ": None, "window": None, "refers_to": []}
    if kind in ("reexamination_opinion", "final_review_opinion"):
        facts["issuer_name"] = pl.get("organ") or facts["issuer_name"]
        before = [e for e in queries.timeline(petition) if e["id"] < event["id"]]
        asked = [e for e in before if e["kind"] == "request_" + kind.removesuffix("_opinion")]
        facts["request"] = asked[-1]["note"] if asked else ""
        earlier = [("reply", "信访事项处理意见书")]
        if kind == "final_review_opinion":
            earlier.append(("decide_reexamination", "复查意见书"))
        for name, title in earlier:
            found = [e for e in before if e["kind"] == name]
            if found:
                facts["refers_to"].append({"title": title, "unit": found[-1]["actor_unit"],
                                           "organ": found[-1]["payload"].get("organ") or found[-1]["actor_unit"],
                                           "on": found[-1]["occurred_at"], "payload": found[-1]["payload"]})
    own_rules = settings.rules(issuer.code if issuer else None)  # the issuing unit's, as services.review_window
    if kind == "reply_letter":
        facts["window"] = own_rules["reexamination_request"]
    if kind in ("reexamination_opinion", "final_review_opinion"):
        step = "reexamination" if kind == "reexamination_opinion" else "final_review"
        facts["basis"] = settings.rules()[step].article
        facts["no_repeat_article"] = DECLINE_GROUNDS["concluded"][1]
    if kind == "reexamination_opinion" and issuer is not None:
        # 复核 goes to the organ above the one that decided the 复查.
        facts["next_organ"] = services.review_organ_for(petition, issuer.id)[1]
        facts["window"] = own_rules["final_review_request"]
    if kind == "decline_notice":
        # The procedural article (deciding on acceptance) and the ground's own, as data, not template text.
        own = own_rules["acceptance_notice"].article
        facts["articles"] = join_articles([a for a in (own, pl.get("ground_article")) if a])
    if kind == "transfer_slip":
        # The receiving unit decides on acceptance within its limit, counted from receipt (the transfer).
        rule = settings.rules(services._unit_code(event["target_unit_id"]))["acceptance_notice"]
        facts["window"] = rule
        facts["reply_by"] = compute_due(rule, event["occurred_at"], settings.calendar(),
                                        rollover=settings["holiday_rollover"])
    return facts


def _documents_for(petition) -> dict[str, str]:
    kinds = {e["kind"] for e in queries.timeline(petition)}
    available = {"registration_form": _document_title("registration_form", petition)}
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
    settings = county_settings(petition.county_unit_id)
    rules = settings.rules(services._unit_code(petition.handling_unit_id))
    css = (Path(current_app.static_folder) / "document.css").read_text(encoding="utf-8") if inline_css else None
    html = render_template("petitions/document.html", kind=kind, title=_document_title(kind, petition), p=petition,
                           v=queries.present(_me(), petition), event=event,
                           handling_rule=rules["simple_handling" if petition.is_simple else "handling"],
                           time_label=REGISTRATION_TITLES.get(petition.channel, REGISTRATION_TITLES["other"])[1],
                           doc=_document_facts(petition, kind, event, settings),
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
    return pdf.pdf_download(html, f"{petition.number}-{_document_title(kind, petition)}.pdf")


@bp.get("/archive")
@login_required
def archive():
    from county_net.core.timeutil import local_today

    year = request.args.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else local_today().year
    return render_template("petitions/archive.html", year=year, volumes=queries.archive_volumes(_me(), year))


# ---- the category list ---------------------------------------------------------------------------

def _sort_order(form) -> int:
    raw = (form.get("sort_order") or "0").strip()
    if not re.fullmatch(r"-?\d{1,6}", raw):
        raise InvalidInput(fields={"sort_order": ["排序须为整数"]})
    return int(raw)


@bp.route("/admin/categories", methods=["GET", "POST"])
@login_required
@admin_only
def categories():
    if not _me().has_role("admin"):
        raise RoleRequired()
    errors = {}
    if request.method == "POST":
        try:
            _check_form(s.CategoryInSchema, request.form, ("code", "name"))
            services.save_category(_me(), code=request.form.get("code"), name=request.form.get("name"),
                                   sort_order=_sort_order(request.form))
            flash("已新增事项类别", "success")
            return redirect(url_for("petitions.categories"))
        except InvalidInput as exc:
            db.session.rollback()
            errors = exc.fields
    return render_template("petitions/categories.html", rows=queries.all_categories(), errors=errors,
                           form=request.form), (400 if errors else 200)


@bp.post("/admin/categories/<int:category_id>")
@login_required
@admin_only
def category_update(category_id: int):
    category = queries.get_category(category_id)
    try:
        _check_form(s.CategoryPatchSchema, request.form, ("name",))
        services.save_category(_me(), category=category, name=request.form.get("name"),
                               sort_order=_sort_order(request.form),
                               is_active=request.form.get("is_active") == "1")
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("petitions/categories.html", rows=queries.all_categories(), errors=exc.fields,
                               form={}), 400
    flash("已保存", "success")
    return redirect(url_for("petitions.categories"))


def _check_form(schema_class, form, names) -> None:
    """The API schema's rules (lengths, the text rules of core/text.py) for fields a page posts as it is."""
    body = {name: form.get(name, "").strip() for name in names if form.get(name, "").strip()}
    try:
        schema_class(only=names, partial=True).load(body)
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


# ---- petitioner files ------------------------------------------------------------------------------

@bp.get("/petitioners/<int:petitioner_id>")
@login_required
def petitioner(petitioner_id: int):
    person = queries.get_petitioner(petitioner_id)
    services.require_clerk(_me())
    return render_template("petitions/petitioner.html", f=queries.petitioner_file_view(_me(), person), errors={},
                           form={})


@bp.post("/petitioners/<int:petitioner_id>/contact")
@login_required
def correct_contact(petitioner_id: int):
    """更正联系方式: the same service as PATCH /api/v1/petitioners/<id>."""
    person = queries.get_petitioner(petitioner_id)
    form = request.form
    version = form.get("version", "")
    try:
        _check_form(s.ContactInSchema, form, ("address",))
        services.correct_contact(_me(), person, version=int(version) if version.isdigit() else None,
                                 phone=form.get("phone"), address=form.get("address"))
    except InvalidInput as exc:
        db.session.rollback()
        person = queries.get_petitioner(petitioner_id)
        return render_template("petitions/petitioner.html", f=queries.petitioner_file_view(_me(), person),
                               errors=exc.fields, form=form), 400
    flash("已更正联系方式，原联系方式已存入变更记录", "success")
    return redirect(url_for("petitions.petitioner", petitioner_id=petitioner_id))


# ---- action forms, derived from the same schemas the API uses --------------------------------------

FIELD_LABELS = {
    "to_unit_id": "接收单位（主办）", "co_unit_ids": "协办单位", "note": "说明", "report_due_on": "报送办结报告日期",
    "channel": "法定途径", "organ": "应向其反映的机关", "reason": "理由", "competent_unit_id": "有权处理的单位",
    "simple": "适用简易办理", "days": "延长天数", "petitioner_told": "已告知信访人", "opinion": "意见",
    "kind": "类型", "terms": "协议内容", "outcome": "处理意见", "request": "信访人的请求", "facts": "查明的事实和理由",
    "basis": "处理依据", "report": "办结报告", "satisfaction": "信访人满意度", "requested_on": "申请日期",
    "result": "结论", "hearing_held": "经过听证", "until": "预计恢复日期（到期自动恢复）",
    "organ_contact": "地址或联系方式", "ground": "不予受理情形",
    "delivery_method": "送达方式（不选为当面送达）", "delivered_on": "送达日期（当面送达可不填，为出具当日）",
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
    if name == "ground":
        return {code: label for code, (label, _) in DECLINE_GROUNDS.items()}
    if name == "delivery_method":
        return DELIVERY_METHODS
    if name == "opinion" and action == "record_delivery":
        return OPINION_LABELS
    return None


def form_fields(endpoint) -> list[dict]:
    result = []
    for name, field in endpoint.schema().fields.items():
        if name == "version":
            continue
        label = FIELD_LABELS.get(name, name)
        if field.required:  # a hint about leaving it empty does not belong on a field that must be filled
            label = re.sub(r"（[^）]*不[选填][^）]*）", "", label)
        spec = {"name": name, "label": label, "required": field.required}
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
