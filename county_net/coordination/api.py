"""JSON: every read and every step on meetings and tasks, calling the same services as the web forms."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import IllegalTransition, StaleVersion
from county_net.coordination import actions, queries, services
from county_net.coordination import schemas as s
from county_net.extensions import db

blp = ApiBlueprint("coordination_api", __name__, url_prefix="/api/v1", description="会议：协调会、信息通报例会、带案下访、培训")

id_loader("meeting_id")(queries.get_meeting)
id_loader("task_id")(queries.get_task)


def _me():
    return current_user._get_current_object()


@blp.get("/meetings")
@auth_required
@blp.arguments(s.MeetingListArgsSchema, location="query")
@blp.response(200, s.MeetingPageSchema)
def list_meetings(args):
    """会议列表（按类型、状态、日期筛选）：本单位召集或受邀的会议。"""
    page = queries.list_page(args, args["page"], args["page_size"])
    return page_body(page)


@blp.post("/meetings")
@auth_required
@blp.arguments(s.MeetingCreateSchema)
@blp.response(201, s.MeetingSchema)
def convene(body):
    """安排会议并向受邀单位发出邀请；协调会期间受邀单位可查看所列事项。"""
    return queries.present(_me(), services.convene(_me(), body))


@blp.get("/meetings/<int:meeting_id>")
@auth_required
@blp.response(200, s.MeetingSchema)
def meeting(meeting_id):
    return queries.present(_me(), queries.get_meeting(meeting_id))


def _meeting_step(step):
    def view(body, meeting_id):
        item = queries.get_meeting(meeting_id)
        try:
            result = actions.run(step, _me(), item, body)
        except (StaleVersion, IllegalTransition) as exc:
            db.session.rollback()
            exc.current = {"version": item.version, "state": item.state,
                           "actions": queries.meeting_actions(_me(), item)}
            raise
        # 安排下一次例会 answers with the new meeting; every other step with this one.
        return queries.present(_me(), result if step.name == "next" else item)

    view.__name__ = f"meeting_{step.name}"
    view.__doc__ = f"{step.label}（成功后：{step.done}）"
    return view


for _step in actions.MEETING_STEPS.values():
    blp.post(f"/meetings/<int:meeting_id>/{_step.slug}")(
        auth_required(blp.arguments(_step.schema)(blp.response(200, s.MeetingSchema)(_meeting_step(_step)))))


@blp.get("/meeting-tasks")
@auth_required
@blp.arguments(s.TaskListArgsSchema, location="query")
@blp.response(200, s.TaskPageSchema)
def list_tasks(args):
    """交办给本单位的会议任务（state=overdue：未完成且已过完成日期）。"""
    page = queries.task_page(_me(), args, args["page"], args["page_size"])
    return page_body(page)


@blp.get("/meeting-tasks/<int:task_id>")
@auth_required
@blp.response(200, s.TaskSchema)
def task(task_id):
    return queries.task_rows(_me(), [queries.get_task(task_id)])[0]


def _task_step(step):
    def view(body, task_id):
        item = queries.get_task(task_id)
        try:
            actions.run(step, _me(), item, body)
        except (StaleVersion, IllegalTransition) as exc:
            db.session.rollback()
            exc.current = {"version": item.version, "state": item.state}
            raise
        return queries.task_rows(_me(), [item])[0]

    view.__name__ = f"task_{step.name}"
    view.__doc__ = f"会议任务：{step.label}（成功后：{step.done}）"
    return view


for _step in actions.TASK_STEPS.values():
    blp.post(f"/meeting-tasks/<int:task_id>/{_step.slug}")(
        auth_required(blp.arguments(_step.schema)(blp.response(200, s.TaskSchema)(_task_step(_step)))))


@blp.get("/training-figures")
@auth_required
@blp.arguments(s.TrainingArgsSchema, location="query")
@blp.response(200, s.TrainingRowSchema(many=True))
def training_figures(args):
    """各单位培训场次和培训人次（按会议日期的期间；目标管理考评读取）。"""
    return queries.training_figures(args["date_from"], args["date_to"])


def register(app):
    register_blueprint(blp)
