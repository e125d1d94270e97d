"""HTML: immediate reports (list with filters, the send form, the page with its timeline and next steps) and a
dispute's page with its petition link. The forms call the same services as the JSON API."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import DomainError, InvalidInput, RoleRequired
from county_net.core.pagination import paginate
from county_net.extensions import db
from county_net.petitions.models import CHANNELS, NATURES
from county_net.petitions.views import form_to_body
from county_net.screening import info, info_queries as queries
from county_net.screening import info_schemas as s
from county_net.screening.models import INFO_KINDS, INFO_STATES
from county_net.screening.settings import screening_settings
from county_net.units.directory import unit_info

bp = Blueprint("screening_info", __name__)


def _me():
    return current_user._get_current_object()


def _common() -> dict:
    from county_net.petitions.queries import categories

    me = _me()
    settings, _ = screening_settings(unit_info(me.unit_id).county_id)
    return {"kinds": INFO_KINDS, "states": INFO_STATES, "steps": info.STEPS, "risk_levels": settings["risk_levels"],
            "channels": CHANNELS, "natures": NATURES, "categories": categories(),
            "may_send": me.has_role(*info.SENDERS) and not info.is_center(me)}


def _matter_body(schema, form) -> dict:
    """The convert / escalate forms name one petitioner in flat fields; the schemas take a list."""
    body = form_to_body(schema, form)
    person = {k: form.get(f"petitioner_{k}", "").strip() or None for k in ("name", "id_number", "phone", "address")}
    if any(person.values()):
        body["petitioners"] = [person]
    return body


# ---- immediate reports ---------------------------------------------------------------------------

@bp.get("/screening/info")
@login_required
def index():
    try:
        args = s.InfoListArgsSchema().load({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None
    page = paginate(queries.list_query(args), args["page"], args["page_size"], by_key=True)
    return render_template("screening/info_index.html", page=page, args=args,
                           rows=queries.present_many(page.items), **_common())


@bp.route("/screening/info/new", methods=["GET", "POST"])
@login_required
def new():
    if not _common()["may_send"]:
        raise RoleRequired("即时报告由县信访局以下单位的联络员、接访员或一把手报送")
    context = dict(form=request.form, errors={}, **_common())
    if request.method == "GET":
        return render_template("screening/info_new.html", **context)
    try:
        body = s.InfoSendSchema().load(form_to_body(s.InfoSendSchema, request.form))
        report = info.send(_me(), body)
    except ValidationError as exc:
        return render_template("screening/info_new.html", **{**context, "errors": exc.messages}), 400
    except InvalidInput as exc:
        db.session.rollback()
        return render_template("screening/info_new.html", **{**context, "errors": exc.fields}), 400
    flash(f"已报送 {report.number}，县信访局应于时限内签收", "success")
    return redirect(url_for("screening_info.detail", info_report_id=report.id))


def _render_detail(report, errors=None, failed=None, status=200):
    return render_template("screening/info_detail.html", r=report, v=queries.present(report),
                           events=queries.timeline(report), actions=info.allowed_steps(_me(), report),
                           errors=errors or {}, failed=failed, form=request.form if failed else {},
                           **_common()), status


@bp.get("/screening/info/<int:info_report_id>")
@login_required
def detail(info_report_id: int):
    return _render_detail(queries.get_info_report(info_report_id))


def _submit(run, render_again, page: str, done: str):
    """A form's step: 400 shows the page again with the field messages, 409 warns and shows the page as it
    now is; nothing is written unless the service commits."""
    try:
        run()
    except ValidationError as exc:
        db.session.rollback()
        return render_again(exc.messages)
    except InvalidInput as exc:
        db.session.rollback()
        return render_again(exc.fields)
    except DomainError as exc:
        if exc.status != 409:
            raise
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(page)
    flash(done, "success")
    return redirect(page)


@bp.post("/screening/info/<int:info_report_id>/<any(receive, assess, convert, link, close):action>")
@login_required
def act(info_report_id: int, action: str):
    report = queries.get_info_report(info_report_id)
    schema = s.STEP_SCHEMAS[action]

    def run():
        if action == "convert":
            body = schema().load(_matter_body(schema, request.form))
            info.convert(_me(), report, version=body.pop("version"), matter=body)
        else:
            info.ACTIONS[action](_me(), report, **schema().load(form_to_body(schema, request.form)))

    return _submit(run, lambda errors: _render_detail(report, errors, action, 400),
                   url_for("screening_info.detail", info_report_id=info_report_id), info.STEPS[action][2])


# ---- disputes ------------------------------------------------------------------------------------

def _render_dispute(dispute, errors=None, failed=None, status=200):
    me = _me()
    may_act = (dispute.petition_id is None and me.has_role(*info.STAFF)
               and (me.unit_id == dispute.unit_id or info.is_center(me)))
    return render_template("screening/dispute.html", d=queries.present_dispute(dispute), may_act=may_act,
                           errors=errors or {}, failed=failed, form=request.form if failed else {},
                           **_common()), status


@bp.get("/screening/disputes/<int:dispute_id>")
@login_required
def dispute(dispute_id: int):
    return _render_dispute(queries.get_dispute(dispute_id))


@bp.post("/screening/disputes/<int:dispute_id>/escalate")
@login_required
def dispute_escalate(dispute_id: int):
    return _dispute_act(dispute_id, "escalate")


@bp.post("/screening/disputes/<int:dispute_id>/link")
@login_required
def dispute_link(dispute_id: int):
    return _dispute_act(dispute_id, "link")


def _dispute_act(dispute_id: int, action: str):
    item = queries.get_dispute(dispute_id)

    def run():
        if action == "escalate":
            body = s.DisputeEscalateSchema().load(_matter_body(s.DisputeEscalateSchema, request.form))
            info.escalate_dispute(_me(), item, body)
        else:
            body = s.DisputeLinkSchema().load(form_to_body(s.DisputeLinkSchema, request.form))
            info.link_dispute(_me(), item, body["petition_id"], body["version"])

    return _submit(run, lambda errors: _render_dispute(item, errors, action, 400),
                   url_for("screening_info.dispute", dispute_id=dispute_id),
                   "已登记为信访事项" if action == "escalate" else "已关联信访事项")


@bp.app_context_processor
def _matter_links():
    """The matter page lists the disputes and immediate reports linked to it (one statement)."""
    return {"matter_screening_links": queries.petition_links}
