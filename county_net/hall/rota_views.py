"""HTML: the unit's reception days (upcoming and past, suggested days), the form to arrange or change one, and
a session's page with its bookings, record and next steps. The forms call the same services as the JSON API."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import DomainError, InvalidInput, RoleRequired
from county_net.core.pagination import paginate
from county_net.extensions import db
from county_net.hall import rota_queries as queries
from county_net.hall import rota_schemas as s
from county_net.hall import rota_services as services
from county_net.hall.models import RECEPTION_FORMS
from county_net.petitions.models import CHANNELS, NATURES
from county_net.petitions.views import form_to_body

bp = Blueprint("hall_rota", __name__)


def _me():
    return current_user._get_current_object()


def _common() -> dict:
    from sqlalchemy import select

    from county_net.petitions.queries import categories
    from county_net.units.models import Unit

    me = _me()
    units = db.session.scalars(select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.path)).all()  # scoped
    return {"forms": RECEPTION_FORMS, "channels": CHANNELS, "natures": NATURES, "categories": categories(),
            "units": units,
            "may_keep": me.has_role(*services.KEEPERS)}


def _load(schema, form) -> dict:
    try:
        return schema().load(form_to_body(schema, form))
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


@bp.get("/hall/reception-days")
@login_required
def index():
    when = request.args.get("when") if request.args.get("when") in ("upcoming", "past", "all") else "upcoming"
    page = paginate(queries.list_query(when), request.args.get("page", 1, type=int), 20)
    me = _me()
    suggested = services.suggest_days(me, 3) if me.has_role(*services.KEEPERS) else []
    return render_template("hall/rota_index.html", page=page, when=when, suggested=suggested,
                           rows=[queries.present(me, row, full=False) for row in page.items], **_common())


def _form_page(row=None, errors=None, status=200):
    form = request.form if request.method == "POST" else {}
    if row is not None and not form:
        view = queries.present(_me(), row, full=False)
        form = {k: str(v) if v is not None else "" for k, v in view.items() if not isinstance(v, list)}
        form["sitting_unit_ids"] = [str(i) for i in view["sitting_unit_ids"]]
    elif not form and request.args.get("day"):
        form = {"day": request.args["day"]}
    chosen = form.getlist("sitting_unit_ids") if hasattr(form, "getlist") else form.get("sitting_unit_ids", [])
    return render_template("hall/rota_form.html", row=row, form=form, chosen=chosen, errors=errors or {},
                           **_common()), status


@bp.route("/hall/reception-days/new", methods=["GET", "POST"])
@login_required
def new():
    if not _me().has_role(*services.KEEPERS):
        raise RoleRequired("安排领导接访日需要一把手或系统管理员角色")
    if request.method == "GET":
        return _form_page()
    try:
        row = services.create_day(_me(), _load(s.ReceptionDayInSchema, request.form))
    except InvalidInput as exc:
        db.session.rollback()
        return _form_page(errors=exc.fields, status=400)
    flash("已安排接访，请按时公布", "success")
    return redirect(url_for("hall_rota.detail", reception_day_id=row.id))


@bp.route("/hall/reception-days/<int:reception_day_id>/edit", methods=["GET", "POST"])
@login_required
def edit(reception_day_id: int):
    row = queries.get_day(reception_day_id)
    if request.method == "GET":
        return _form_page(row)
    page = url_for("hall_rota.detail", reception_day_id=row.id)

    def run():
        body = _load(s.ReceptionDayEditSchema, request.form)
        services.update_day(_me(), row, body.pop("version"), body)

    return _submit(run, lambda errors: _form_page(row, errors, 400), page, "已修改接访安排")


def _render_detail(row, errors=None, failed=None, status=200):
    return render_template("hall/rota_detail.html", v=queries.present(_me(), row), errors=errors or {},
                           failed=failed, form=request.form if failed else {}, **_common()), status


@bp.get("/hall/reception-days/<int:reception_day_id>")
@login_required
def detail(reception_day_id: int):
    return _render_detail(queries.get_day(reception_day_id))


def _submit(run, render_again, page: str, done: str):
    """400 shows the page again with the field messages; 409 warns and shows the page as it now is."""
    try:
        run()
    except InvalidInput as exc:
        db.session.rollback()
        return render_again(exc.fields or {"_": [exc.message]})
    except DomainError as exc:
        if exc.status != 409:
            raise
        db.session.rollback()
        flash(exc.message, "warning")
        return redirect(page)
    flash(done, "success")
    return redirect(page)


def _item_body(form) -> dict:
    body = form_to_body(s.ReceptionItemInSchema, form)
    if body.get("assign"):
        matter = form_to_body(s.ItemMatterSchema, form)
        person = {k: form.get(f"petitioner_{k}", "").strip() or None for k in ("name", "id_number", "phone")}
        if any(person.values()):
            matter["petitioners"] = [person]
        matter.pop("head_count", None)  # the item's head count
        body["matter"] = matter
    return body


DONE = {"publish": "已公布接访安排", "cancel": "已取消接访安排", "hold": "已标记为已接访", "items": "已记录接访事项"}


@bp.post("/hall/reception-days/<int:reception_day_id>/<any(publish, cancel, hold, items):rota_action>")
@login_required
def act(reception_day_id: int, rota_action: str):
    action = rota_action
    row = queries.get_day(reception_day_id)
    me = _me()

    def run():
        if action == "publish":
            body = _load(s.ReceptionVersionSchema, request.form)
            services.publish_day(me, row, body["version"])
        elif action == "cancel":
            body = _load(s.ReceptionCancelSchema, request.form)
            services.cancel_day(me, row, body["version"], body["reason"])
        elif action == "hold":
            body = _load(s.ReceptionHeldSchema, request.form)
            services.mark_held(me, row, body["version"], body["summary"])
        else:
            try:
                body = s.ReceptionItemInSchema().load(_item_body(request.form))
            except ValidationError as exc:
                raise InvalidInput(fields=exc.messages) from None
            services.record_item(me, row, body.pop("version"), body)

    return _submit(run, lambda errors: _render_detail(row, errors, action, 400),
                   url_for("hall_rota.detail", reception_day_id=reception_day_id), DONE[action])
