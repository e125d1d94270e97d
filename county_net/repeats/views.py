"""HTML: the county's repeat settings (/repeats/settings). The desk's two lists live on the registration form
and the matter page (templates/petitions); their data comes from the same services as the JSON API."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput
from county_net.extensions import db
from county_net.petitions.views import form_to_body
from county_net.repeats import settings_services
from county_net.repeats.index import indexed_count
from county_net.repeats.schemas import SETTING_KEYS, RepeatSettingsSchema
from county_net.repeats.settings import DEFAULTS, repeat_settings
from county_net.repeats.queries import REASON_LABELS
from county_net.units.directory import unit_info

bp = Blueprint("repeats", __name__)

SIGNAL_LABELS = {
    "bias": "基础值", "text": "全文相似（按本县事项中的罕见程度加权）", "core_text": "诉求相似（去掉地名和对象名）",
    "same_person": "同一信访人", "same_person_text": "同一信访人 × 诉求相似", "same_name": "信访人同名（证件、电话不同）",
    "named_earlier": "文中提到以往信访人", "other_person": "信访人不同且未提及", "other_category": "问题类别不同",
    "other_locality": "问题属地不同", "same_object": "同一对象（小区、企业、学校、项目……）",
    "same_object_text": "同一对象 × 诉求相似", "same_village": "同一村（社区）", "other_object": "对象不同",
    "other_village": "村（社区）不同", "same_amount": "金额、面积一致（每项）", "other_amount": "金额、面积不一致", "other_year": "年份不一致",
}


def _me():
    return current_user._get_current_object()


def _render(errors=None, status=200):
    county_id = unit_info(_me().unit_id).county_id
    current = repeat_settings(county_id)
    values = {k: current[k] for k in SETTING_KEYS}
    if errors:
        values.update({k: request.form.get(k, "") for k in SETTING_KEYS})
    return render_template("repeats/settings.html", values=values, defaults=DEFAULTS, keys=SETTING_KEYS,
                           weights=current.weights, labels=SIGNAL_LABELS, reasons=REASON_LABELS,
                           indexed=indexed_count(county_id), may_edit=settings_services.may_edit(_me()),
                           errors=errors or {}), status


@bp.get("/repeats/settings")
@login_required
def settings_page():
    return _render()


@bp.post("/repeats/settings")
@login_required
def save_settings():
    if not settings_services.may_edit(_me()):
        return _render({"threshold": ["只有县信访局一把手或系统管理员可以修改"]}, 403)
    try:
        body = RepeatSettingsSchema().load(form_to_body(RepeatSettingsSchema, request.form))
        settings_services.update(_me(), body)
    except ValidationError as exc:
        db.session.rollback()
        return _render(exc.messages, 400)
    except InvalidInput as exc:
        db.session.rollback()
        return _render(exc.fields, 400)
    flash("已保存重复信访识别设置", "success")
    return redirect(url_for("repeats.settings_page"))
