"""JSON twins of the hall's desk and windows: check-in, bookings, the queue, calling, the interview and its
outcome. The same service functions as the web pages."""
from flask_login import current_user

from county_net.api import ApiBlueprint, ErrorSchema, auth_required, id_loader
from county_net.api import register as register_blueprint
from county_net.core.errors import Conflict, IllegalTransition, StaleVersion
from county_net.core.timeutil import local_today
from county_net.extensions import db
from county_net.hall import queries, services
from county_net.hall import schemas as s

blp = ApiBlueprint("hall_api", __name__, url_prefix="/api/v1",
                   description="联合接待中心：登记分流、取号、窗口叫号、接谈记录和处理方式")

NO_HALL = "本单位不设接待大厅（只有县联合接待中心设有）"

id_loader("visit_id")(queries.get_visit)
id_loader("window_id")(queries.get_window)


def _me():
    return current_user._get_current_object()


def _guarded(visit, fn):
    """Run a step; a stale version or an illegal step answers 409 with the visit as it now is."""
    try:
        return queries.present(_me(), fn())
    except (StaleVersion, IllegalTransition, Conflict) as exc:
        db.session.rollback()
        fresh = queries.get_visit(visit.id)
        exc.current = {"version": fresh.version, "state": fresh.state,
                       "actions": queries.actions_for(_me(), fresh)}
        raise


@blp.get("/hall/today")
@auth_required
@blp.alt_response(404, schema=ErrorSchema, description=NO_HALL)
@blp.response(200, s.HallTodaySchema)
def today():
    """今日大厅：各窗口候谈人数和正在接待的号、今天待到的预约、尚未结束的号。"""
    return queries.hall_today(services.hall_of(_me()))


@blp.get("/hall/visits")
@auth_required
@blp.alt_response(404, schema=ErrorSchema, description=NO_HALL)
@blp.arguments(s.VisitListArgsSchema, location="query")
@blp.response(200, s.VisitRowSchema(many=True))
def visits(args):
    """某日的来访批次（按状态、窗口、是否预约筛选；最多 1000 条）。"""
    county_id = services.hall_of(_me())
    states = (args["state"],) if args["state"] else None
    return queries.visit_rows(county_id, day=args["day"] or local_today(), states=states,
                              window_id=args["window_id"], booked=args["booked"])


@blp.post("/hall/visits")
@auth_required
@blp.alt_response(404, schema=ErrorSchema, description=NO_HALL)
@blp.arguments(s.CheckInSchema)
@blp.response(201, s.VisitSchema)
def check_in(body):
    """登记分流并取号：找到或建立信访人档案，记录来访目的、复杂程度和去向，按类别和属地分流到窗口。
    接待时间以外取号答 409；代表超过本县上限答 400。集体访（达到本县人数标准）即时提醒县中心和相关单位一把手。"""
    return queries.present(_me(), services.check_in(_me(), body))


@blp.post("/hall/bookings")
@auth_required
@blp.alt_response(404, schema=ErrorSchema, description=NO_HALL)
@blp.arguments(s.BookingSchema)
@blp.response(201, s.VisitSchema)
def book(body):
    """预约来访：到达当天取号后排在现场取号的群众之前。"""
    return queries.present(_me(), services.book(_me(), body))


@blp.get("/hall/visits/<int:visit_id>")
@auth_required
@blp.response(200, s.VisitSchema)
def visit(visit_id):
    return queries.present(_me(), queries.get_visit(visit_id))


def _step(visit_id, fn):
    visit = queries.get_visit(visit_id)
    return _guarded(visit, lambda: fn(visit))


@blp.post("/hall/visits/<int:visit_id>/arrive")
@auth_required
@blp.arguments(s.ArriveSchema)
@blp.response(200, s.VisitSchema)
def arrive(body, visit_id):
    """预约来访人到达：取号，排在现场取号的群众之前。"""
    return _step(visit_id, lambda v: services.arrive(_me(), v, **body))


@blp.post("/hall/visits/<int:visit_id>/prioritise")
@auth_required
@blp.arguments(s.PrioritiseSchema)
@blp.response(200, s.VisitSchema)
def prioritise(body, visit_id):
    """优先接待（老年人、残疾人、孕妇或携婴幼儿、紧急情况），原因留痕。"""
    return _step(visit_id, lambda v: services.prioritise(_me(), v, **body))


@blp.post("/hall/visits/<int:visit_id>/cancel")
@auth_required
@blp.arguments(s.VisitNoteSchema)
@blp.response(200, s.VisitSchema)
def cancel(body, visit_id):
    """取消预约（未到）。"""
    body.pop("window_id", None)
    return _step(visit_id, lambda v: services.cancel_booking(_me(), v, **body))


@blp.post("/hall/windows/<int:window_id>/call")
@auth_required
@blp.response(200, s.VisitSchema)
def call(window_id):
    """叫号：本窗口下一个号（优先、预约、现场取号，各按到达先后）。两个窗口同时叫号不会叫到同一个号。"""
    queries.get_window(window_id)
    return queries.present(_me(), services.call_next(_me(), window_id))


@blp.get("/hall/windows/<int:window_id>/queue")
@auth_required
@blp.response(200, s.WindowDeskSchema)
def queue(window_id):
    """窗口工作台：正在接待的号、候谈队列（顺位和预计等候）、今天已办。"""
    window = queries.get_window(window_id)
    services.hall_of(_me())
    return queries.window_desk(_me(), window)


def _window_step(name):
    def view(body, visit_id):
        return _step(visit_id, lambda v: getattr(services, name)(_me(), v, **body))
    return view


for _slug, _service, _schema, _doc in (
        ("recall", "recall", s.VisitStepSchema, "重新叫号。"),
        ("no-show", "mark_no_show", s.VisitStepSchema, "过号未到。"),
        ("requeue", "requeue", s.VisitStepSchema, "过号后当天回来：原号重新排队。"),
        ("start", "start_interview", s.VisitStepSchema, "开始接谈。"),
        ("interview", "record_interview", s.InterviewSchema, "保存接谈记录（接谈对象、反映内容、答复和约定）。"),
        ("finish", "finish", s.FinishSchema,
         "结束接谈并选择处理方式：口头告知、电话联系、告知单、转送单（登记并转送）、立案交办（登记并交办）、摘报"
         "（登记并列入领导摘报）。window_id 与号所属窗口不符答 409。"),
):
    _view = _window_step(_service)
    _view.__name__ = f"visit_{_service}"
    _view.__doc__ = _doc
    blp.post(f"/hall/visits/<int:visit_id>/{_slug}")(auth_required(
        blp.arguments(_schema)(blp.response(200, s.VisitSchema)(_view))))


@blp.post("/hall/visits/<int:visit_id>/leave")
@auth_required
@blp.arguments(s.VisitNoteSchema)
@blp.response(200, s.VisitSchema)
def leave(body, visit_id):
    """登记离开（离开时间与接谈结束分开记录）。"""
    body.pop("window_id", None)
    return _step(visit_id, lambda v: services.leave(_me(), v, **body))


def register(app):
    register_blueprint(blp)
