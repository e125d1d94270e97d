"""JSON: every read and step of leaders' reception days, calling the same services as the web forms."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.errors import Conflict, IllegalTransition, StaleVersion
from county_net.core.pagination import paginate
from county_net.extensions import db
from county_net.hall import rota_queries as queries
from county_net.hall import rota_schemas as s
from county_net.hall import rota_services as services

blp = ApiBlueprint("hall_rota_api", __name__, url_prefix="/api/v1",
                   description="领导接访日：安排、公布、取消、接访记录（批示交办）、提醒与预约名单")

id_loader("reception_day_id")(queries.get_day)


def _me():
    return current_user._get_current_object()


def _answer(row):
    return queries.present(_me(), row)


def _guarded(row, fn):
    """A stale version or an illegal step answers 409 with the session as it now is."""
    try:
        return fn()
    except (StaleVersion, IllegalTransition, Conflict) as exc:
        db.session.rollback()
        fresh = queries.get_day(row.id)
        exc.current = {"version": fresh.version, "state": fresh.state, "actions": queries.actions(_me(), fresh)}
        raise


@blp.get("/hall/reception-days")
@auth_required
@blp.arguments(s.ReceptionListArgsSchema, location="query")
@blp.response(200, s.ReceptionDayPageSchema)
def list_days(args):
    """领导接访日列表：本单位及可见单位的（upcoming 今天及以后，past 已过，all 全部）。"""
    page = paginate(queries.list_query(args["when"], args["unit_id"]), args["page"], args["page_size"])
    page.items = [queries.present(_me(), row, full=False) for row in page.items]
    return page_body(page)


@blp.get("/hall/reception-days/suggest")
@auth_required
@blp.arguments(s.SuggestArgsSchema, location="query")
@blp.response(200, s.SuggestListSchema)
def suggest(args):
    """按本单位的接访日规则（县信访局为县领导接访日，其他单位为本单位接访日）建议今后几个月的接访日期，遇节假日顺延。"""
    return {"items": services.suggest_days(_me(), args["months"])}


@blp.post("/hall/reception-days")
@auth_required
@blp.arguments(s.ReceptionDayInSchema)
@blp.response(201, s.ReceptionDaySchema)
def create(body):
    """安排一次领导接访（本单位一把手或系统管理员）。"""
    return _answer(services.create_day(_me(), body))


@blp.get("/hall/reception-days/<int:reception_day_id>")
@auth_required
@blp.response(200, s.ReceptionDaySchema)
def detail(reception_day_id):
    """一次接访：安排、关键日期、接访记录和预约来访。"""
    return _answer(queries.get_day(reception_day_id))


@blp.put("/hall/reception-days/<int:reception_day_id>")
@auth_required
@blp.arguments(s.ReceptionDayEditSchema)
@blp.response(200, s.ReceptionDaySchema)
def update(body, reception_day_id):
    """修改拟定或已公布的接访安排（改期后重新提醒）。"""
    row = queries.get_day(reception_day_id)
    version = body.pop("version")
    return _answer(_guarded(row, lambda: services.update_day(_me(), row, version, body)))


@blp.post("/hall/reception-days/<int:reception_day_id>/publish")
@auth_required
@blp.arguments(s.ReceptionVersionSchema)
@blp.response(200, s.ReceptionDaySchema)
def publish(body, reception_day_id):
    """公布接访安排（须至少提前本县规定的天数）；陪同单位的一把手收到通知。"""
    row = queries.get_day(reception_day_id)
    return _answer(_guarded(row, lambda: services.publish_day(_me(), row, body["version"])))


@blp.post("/hall/reception-days/<int:reception_day_id>/cancel")
@auth_required
@blp.arguments(s.ReceptionCancelSchema)
@blp.response(200, s.ReceptionDaySchema)
def cancel(body, reception_day_id):
    """取消接访安排。"""
    row = queries.get_day(reception_day_id)
    return _answer(_guarded(row, lambda: services.cancel_day(_me(), row, body["version"], body["reason"])))


@blp.post("/hall/reception-days/<int:reception_day_id>/hold")
@auth_required
@blp.arguments(s.ReceptionHeldSchema)
@blp.response(200, s.ReceptionDaySchema)
def hold(body, reception_day_id):
    """标记为已接访，附接访情况小结（接访日当天或以后）。"""
    row = queries.get_day(reception_day_id)
    return _answer(_guarded(row, lambda: services.mark_held(_me(), row, body["version"], body["summary"])))


@blp.post("/hall/reception-days/<int:reception_day_id>/items")
@auth_required
@blp.arguments(s.ReceptionItemInSchema)
@blp.response(201, s.ReceptionDaySchema)
def add_item(body, reception_day_id):
    """记录接访的一人（一批）：反映的问题、领导批示、责任单位；assign=true 时登记为信访事项并交办责任单位。"""
    row = queries.get_day(reception_day_id)
    version = body.pop("version")
    _guarded(row, lambda: services.record_item(_me(), row, version, body))
    return _answer(queries.get_day(reception_day_id))


def register(app):
    register_blueprint(blp)
