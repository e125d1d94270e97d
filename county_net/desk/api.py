"""JSON twins of the desk: the board, the review queue and its verdicts, follow-up tasks."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import IllegalTransition, StaleVersion
from county_net.desk import queries, services
from county_net.desk import schemas as s
from county_net.extensions import db
from county_net.petitions import queries as petition_queries
from county_net.petitions.schemas import PetitionSchema

blp = ApiBlueprint("desk_api", __name__, url_prefix="/api/v1/desk", description="督办看板、审查回告与回访")


def _me():
    return current_user._get_current_object()


id_loader("follow_up_id")(queries.get_follow_up)


@blp.get("/board")
@auth_required
@blp.response(200, s.BoardSchema)
def board():
    """督办看板：各单位在办、预警期内到期、已超期件数，待审查回告、到期回访、近期集体访；每个数字附其清单的地址。"""
    return queries.with_links(queries.board(_me()), api=True)


@blp.get("/asked")
@auth_required
@blp.response(200, s.AskedSchema)
def asked():
    """登录即见：需要本单位办理的（待审查回告、到期回访、督办待签收和待反馈）。"""
    return queries.asked_of(_me())


@blp.get("/review-queue")
@auth_required
@blp.response(200, s.ReviewQueueSchema)
def review_queue():
    """审查回告：等待本单位审查的办结报告（交办事项及下级村、企业的报告），最早报送的在前。"""
    total, items = queries.review_page(_me())
    return {"total": total, "items": items}


def _verdict(body, petition_id, verdict):
    petition = petition_queries.get_petition(petition_id)
    try:
        services.review(_me(), petition, verdict=verdict, body=body)
    except (StaleVersion, IllegalTransition) as exc:
        db.session.rollback()
        exc.current = petition_queries.current_state(_me(), petition, body.get("version"))
        raise
    return petition_queries.present(_me(), petition)


@blp.post("/review-queue/<int:petition_id>/approve")
@auth_required
@blp.arguments(s.ApproveSchema)
@blp.response(200, PetitionSchema)
def approve(body, petition_id):
    """审查通过（交办事项办结；下级的报告通过后事项回到本单位办理）。"""
    return _verdict(body, petition_id, "approve")


@blp.post("/review-queue/<int:petition_id>/return")
@auth_required
@blp.arguments(s.ReturnSchema)
@blp.response(200, PetitionSchema)
def return_report(body, petition_id):
    """退回重办，须写明理由。"""
    return _verdict(body, petition_id, "return")


@blp.get("/follow-ups")
@auth_required
@blp.arguments(s.FollowUpArgsSchema, location="query")
@blp.response(200, s.FollowUpPageSchema)
def follow_ups(args):
    """本单位的回访任务（due=1：已到回访日的待回访任务）。"""
    page = queries.follow_up_list(_me(), state=args.get("state"), due=bool(args.get("due")), page=args["page"],
                                  page_size=args["page_size"])
    return page_body(page)


@blp.get("/follow-ups/<int:follow_up_id>")
@auth_required
@blp.response(200, s.FollowUpSchema)
def follow_up(follow_up_id):
    return queries.follow_up_view(*queries.get_follow_up(follow_up_id))


@blp.post("/follow-ups/<int:follow_up_id>")
@auth_required
@blp.arguments(s.FollowUpInSchema)
@blp.response(200, s.FollowUpSchema)
def record_follow_up(body, follow_up_id):
    """记录回访：满意 / 问题仍未解决 / 登记为新事项（与原事项关联）；未能联系上时只记一次尝试。"""
    task, petition = queries.get_follow_up(follow_up_id)
    services.record_follow_up(_me(), task, petition, **body)
    return queries.follow_up_view(*queries.get_follow_up(follow_up_id))


def register(app):
    register_blueprint(blp)
