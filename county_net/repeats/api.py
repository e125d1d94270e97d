"""JSON twins of the desk's two lists and of the county's repeat settings; the same services as the pages."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required
from county_net.api import register as register_blueprint
from county_net.petitions import queries as petition_queries
from county_net.petitions import schemas as ps
from county_net.petitions.services import preview_candidates
from county_net.repeats import queries, settings_services
from county_net.repeats import schemas as s
from county_net.repeats.settings import DEFAULTS, repeat_settings
from county_net.units.directory import unit_info

blp = ApiBlueprint("repeats_api", __name__, url_prefix="/api/v1",
                   description="初信初访与重复信访：本人其他事项、可能重复及其依据、本县识别设置")


def _me():
    return current_user._get_current_object()


@blp.post("/repeats/preview")
@auth_required
@blp.arguments(ps.CandidatesSchema)
@blp.response(200, ps.RepeatPreviewSchema)
def preview(body):
    """登记前：本人其他事项和可能重复（各附依据与权重），不保存；与登记时给出的建议相同。"""
    return preview_candidates(_me(), body)


@blp.get("/petitions/<int:petition_id>/repeats")
@auth_required
@blp.response(200, s.MatterRepeatsSchema)
def matter_repeats(petition_id):
    """一件事项的本人其他事项和可能重复（含确认或否定的理由）。"""
    petition = petition_queries.get_petition(petition_id)
    return {"own_matters": queries.matter_own(_me(), petition), "links": petition_queries.link_views(petition)}


def _settings_view():
    county_id = unit_info(_me().unit_id).county_id
    from county_net.repeats.index import indexed_count

    current = repeat_settings(county_id)
    return {**{k: current[k] for k in s.SETTING_KEYS}, "weights": current.weights,
            "defaults": {k: DEFAULTS[k] for k in s.SETTING_KEYS}, "indexed": indexed_count(county_id)}


@blp.get("/repeats/settings")
@auth_required
@blp.response(200, s.RepeatSettingsViewSchema)
def get_settings():
    """本县重复信访识别设置（阈值、回溯天数、各依据权重）。"""
    return _settings_view()


@blp.put("/repeats/settings")
@auth_required
@blp.arguments(s.RepeatSettingsSchema)
@blp.response(200, s.RepeatSettingsViewSchema)
def put_settings(body):
    """修改本县阈值和回溯天数（县信访局一把手或系统管理员；留痕审计）。"""
    settings_services.update(_me(), body)
    return _settings_view()


def register(app):
    register_blueprint(blp)
