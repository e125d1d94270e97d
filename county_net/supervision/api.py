"""JSON twins of every supervision action and read; the same services as the web forms."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import RoleRequired
from county_net.supervision import queries, services
from county_net.supervision import schemas as s

blp = ApiBlueprint("supervision_api", __name__, url_prefix="/api/v1", description="督办")

id_loader("supervision_id")(queries.get_supervision)


def _me():
    return current_user._get_current_object()


def _view(record):
    view = queries.present(record)
    view["actions"] = queries.available(_me(), record)
    return view


def _center_county() -> int:
    if not services.is_center_actor(_me()):
        raise RoleRequired("仅县信访局可查看")
    return _me().unit_id


@blp.get("/supervisions")
@auth_required
@blp.arguments(s.SupervisionListArgsSchema, location="query")
@blp.response(200, s.SupervisionPageSchema)
def list_supervisions(args):
    """督办列表：县信访局看本县全部；其他单位看督办本单位（及下级）的。可按级别、状态、单位、逾期未反馈筛选。"""
    aimed = _me().unit_id if args.get("mine") or not services.is_center_actor(_me()) else None
    page = queries.list_page(args, args["page"], args["page_size"], aimed_at=aimed)
    page.items = [{**queries.present(r, r.matters), "actions": queries.available(_me(), r)}
                  for r in page.items]
    return page_body(page)


@blp.post("/supervisions")
@auth_required
@blp.arguments(s.SupervisionIssueSchema)
@blp.response(201, s.SupervisionSchema)
def issue(body):
    """下发督办（或催办）；实地、联合督办须一把手签发或提交审批。"""
    return _view(services.issue_supervision(_me(), **body))


@blp.get("/supervisions/<int:supervision_id>")
@auth_required
@blp.response(200, s.SupervisionSchema)
def detail(supervision_id):
    return _view(queries.get_supervision(supervision_id))


@blp.get("/supervisions/<int:supervision_id>/events")
@auth_required
@blp.response(200, s.SupervisionEventSchema(many=True))
def events(supervision_id):
    """督办记录的流转（时间线）。"""
    return queries.timeline(queries.get_supervision(supervision_id))


def _action_view(name):
    service, label, done = services.ACTIONS[name]

    def view(body, supervision_id):
        record = queries.get_supervision(supervision_id)
        return _view(service(_me(), record, **body))

    view.__name__ = f"action_{name}"
    view.__doc__ = f"{label}（成功后：{done}）"
    return view


for _name in services.ACTIONS:
    blp.post(f"/supervisions/<int:supervision_id>/{_name}")(
        auth_required(blp.arguments(s.ACTION_SCHEMAS[_name])(blp.response(200, s.SupervisionSchema)(
            _action_view(_name)))))


@blp.get("/supervision/late-units")
@auth_required
@blp.response(200, s.LateUnitSchema(many=True))
def late_units():
    """应予黄牌、红牌的单位（按今天的计时计算，不依赖自动督办是否已运行）；仅县信访局。"""
    return queries.late_units(_center_county())


@blp.get("/supervision/scores")
@auth_required
@blp.arguments(s.SupervisionScoreArgsSchema, location="query")
@blp.response(200, s.SupervisionScoreSchema(many=True))
def scores(args):
    """各单位督办计分台账（黄牌、红牌、按期办结）；仅县信访局。"""
    return queries.scores(_center_county(), args.get("since"), args.get("until"))


@blp.get("/petitions/<int:petition_id>/clocks")
@auth_required
@blp.response(200, s.SupervisionClockSchema(many=True))
def clocks(petition_id):
    """事项的督办计时（签收、办理、办理期限）及按今天计算的预警、黄牌、红牌、超期。"""
    from county_net.petitions.queries import get_petition

    petition = get_petition(petition_id)
    return [{**c, "number": petition.number} for c in queries.clocks_of(petition.id)]


def register(app):
    register_blueprint(blp)
