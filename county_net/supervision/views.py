"""HTML: the county center's supervision list with the late units, the record page with its actions, the issue
form (from a matter's page), the target unit's list of what is asked of it, the printable 督办单 / 催办通知书."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import DomainError, InvalidInput, RoleRequired
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.petitions import page
from county_net.petitions import pdf
from county_net.petitions.views import form_to_body
from county_net.supervision import queries, services
from county_net.supervision import schemas as s
from county_net.supervision.models import LEVELS, METHODS, PROBLEMS, STATES
from county_net.units.directory import county_directory, unit_info

bp = Blueprint("supervision", __name__)
DOCUMENTS = {"supervision_order": "督办单", "urge_notice": "催办通知书"}


def _me():
    return current_user._get_current_object()


def _common():
    return {"levels": LEVELS, "methods": METHODS, "problems": PROBLEMS, "states": STATES,
            "action_labels": {k: v[1] for k, v in services.ACTIONS.items()}}


def _targets():
    return [u for u in county_directory(_me().unit_id) if u.is_active and u.kind != "county_center"]


def _list_args() -> dict:
    try:
        return s.SupervisionListArgsSchema().load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


@bp.get("/supervision")
@login_required
def index():
    """The center's list, with every late unit on top; any other unit lands on its own list."""
    if not services.is_center_actor(_me()):
        return redirect(url_for("supervision.mine"))
    args = _list_args()
    page = queries.list_page(args, args["page"], args["page_size"])
    county = _me().unit_id
    return render_template("supervision/index.html", page=page, args=args, units=_targets(),
                           rows=[queries.present(r, r.matters) for r in page.items],
                           **queries.dashboard(county), **_common())


@bp.get("/supervision/late")
@login_required
def late():
    if not services.is_center_actor(_me()):
        raise RoleRequired("仅县信访局可查看")
    unit = request.args.get("unit_id", "")
    unit_id = int(unit) if unit.isdigit() and len(unit) < 10 else None
    return render_template("supervision/late.html", clocks=queries.late_clocks(_me().unit_id, unit_id),
                           unit=unit_info(unit_id) if unit_id else None, **_common())


@bp.get("/supervision/mine")
@login_required
def mine():
    """What is asked of my unit: open records first, by their answer date."""
    args = _list_args()
    page = queries.list_page(args, args["page"], args["page_size"], aimed_at=_me().unit_id)
    return render_template("supervision/mine.html", page=page, args=args,
                           rows=[queries.present(r, r.matters) for r in page.items], **_common())


@bp.route("/supervision/new", methods=["GET", "POST"])
@login_required
def new():
    from county_net.petitions.queries import get_petition

    if not services.is_center_actor(_me()) or not _me().has_role(*services.CLERK):
        raise RoleRequired("督办由县信访局接访员或一把手下发")
    raw = request.values.getlist("petition_ids") or request.values.getlist("petition_id")
    ids = [int(i) for i in raw if i.isdigit() and len(i) < 10]
    matters = [get_petition(i) for i in dict.fromkeys(ids)]  # 404 for a matter the center cannot see
    default_target = matters[0].holder_unit_id if matters else None
    context = dict(matters=matters, units=_targets(), form=request.form, errors={},
                   default_target=default_target, **_common())
    if request.method == "GET":
        return render_template("supervision/new.html", **context)
    body = form_to_body(s.SupervisionIssueSchema, request.form)
    body["petition_ids"] = [m.id for m in matters]
    try:
        data = s.SupervisionIssueSchema().load(body)
        record = services.issue_supervision(_me(), **data)
    except ValidationError as exc:
        return render_template("supervision/new.html", **{**context, "errors": exc.messages}), 400
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("supervision/new.html", **{**context, "errors": exc.fields}), 400
    flash(f"已{'提交一把手审批' if record.state == 'pending_approval' else '下发'} {record.number}", "success")
    return redirect(url_for("supervision.detail", supervision_id=record.id))


@bp.get("/supervision/<int:supervision_id>")
@login_required
def detail(supervision_id: int):
    record = queries.get_supervision(supervision_id)
    return render_template("supervision/detail.html", r=record, v=queries.present(record),
                           events=queries.timeline(record), actions=queries.available(_me(), record),
                           documents=DOCUMENTS, errors={}, **_common())


@bp.post("/supervision/<int:supervision_id>/<any(approve, receive, feedback, accept, return, close, cancel, "
         "escalate):action>")
@login_required
def act(supervision_id: int, action: str):
    record = queries.get_supervision(supervision_id)
    service, _, done = services.ACTIONS[action]
    schema = s.ACTION_SCHEMAS[action]
    try:
        body = schema().load(form_to_body(schema, request.form))
        service(_me(), record, **body)
    except ValidationError as exc:
        return _detail_with_errors(record, exc.messages)
    except InvalidInput as exc:
        db.session.rollback()
        return _detail_with_errors(record, exc.fields)
    except DomainError as exc:
        if exc.status != 409:
            raise
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(url_for("supervision.detail", supervision_id=supervision_id))
    flash(done, "success")
    return redirect(url_for("supervision.detail", supervision_id=supervision_id))


def _detail_with_errors(record, errors):
    db.session.rollback()
    record = queries.get_supervision(record.id)
    return render_template("supervision/detail.html", r=record, v=queries.present(record),
                           events=queries.timeline(record), actions=queries.available(_me(), record),
                           documents=DOCUMENTS, errors=errors, form=request.form, **_common()), 400


def _render_document(supervision_id: int, kind: str, inline_css: bool = False):
    if kind not in DOCUMENTS:
        abort(404)
    record = queries.get_supervision(supervision_id)
    css = (Path(current_app.static_folder) / "document.css").read_text(encoding="utf-8") if inline_css else None
    html = render_template("supervision/document.html", kind=kind, title=DOCUMENTS[kind], r=record,
                           v=queries.present(record), issuer=unit_info(record.unit_id),
                           target=unit_info(record.target_unit_id), matters=_matter_rows(record),
                           inline_css=css, pdf_available=pdf.browser() is not None, today=local_today(),
                           **_common())
    return record, html


def _matter_rows(record) -> list:
    from county_net.petitions.models import Petition
    from sqlalchemy import select

    ids = [m["id"] for m in queries.present(record)["matters"]]
    return list(db.session.scalars(select(Petition).where(Petition.id.in_(ids)).order_by(Petition.id))) if ids else []


@bp.get("/supervision/<int:supervision_id>/documents/<kind>")
@login_required
def document(supervision_id: int, kind: str):
    return _render_document(supervision_id, kind)[1]


@bp.get("/supervision/<int:supervision_id>/documents/<kind>/pdf")
@login_required
def document_pdf(supervision_id: int, kind: str):
    record, html = _render_document(supervision_id, kind, inline_css=True)
    return pdf.pdf_download(html, f"{record.number}-{DOCUMENTS[kind]}.pdf")


def panel_for(petition) -> dict:
    """For the matter page: its clocks as of today and the records on it the reader may see."""
    me = _me()
    clock_rows, record_rows = page.preloaded(petition, "supervision_clocks"), page.preloaded(petition,
                                                                                          "supervision_records")
    if record_rows is not None:
        records = queries.panel_records(record_rows)
    else:
        found = db.session.scalars(queries.list_query({"petition_id": petition.id}).limit(queries.PANEL_RECORDS))
        records = [queries.present(r) for r in found]
    return {"clocks": queries.clocks_of(petition.id, rows=clock_rows), "records": records,
            "may_issue": services.is_center_actor(me) and me.has_role(*services.CLERK)}
