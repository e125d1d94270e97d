"""JSON twins of the inbox: list with filters, the unread count, mark read."""
from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader
from county_net.api import register as register_blueprint
from county_net.core.pagination import paginate
from county_net.notifications import queries, services
from county_net.notifications import schemas as s

blp = ApiBlueprint("notifications_api", __name__, url_prefix="/api/v1", description="通知")


def _me():
    return current_user._get_current_object()


id_loader("notification_id")(queries.get_notification)


@blp.get("/notifications")
@auth_required
@blp.arguments(s.NotificationArgsSchema, location="query")
@blp.response(200, s.NotificationPageSchema)
def inbox(args):
    """我的通知（可按类型、已读未读、对象类型筛选），新的在前。"""
    statement = queries.inbox_query(_me(), kind=args.get("kind"), unread=args.get("unread"),
                                    object_type=args.get("object_type"))
    page = paginate(statement, args["page"], args["page_size"])
    return {"items": page.items, "unread": queries.unread_count(_me()),
            "meta": {"page": page.page, "page_size": page.page_size, "total": page.total, "pages": page.pages,
                     "total_capped": page.total_capped}}


@blp.get("/notifications/unread-count")
@auth_required
@blp.response(200, s.CountSchema)
def unread():
    """未读通知条数（页眉所示，最多计到 100）。"""
    return {"unread": queries.unread_count(_me()), "changed": 0}


@blp.get("/notifications/<int:notification_id>")
@auth_required
@blp.response(200, s.NotificationSchema)
def detail(notification_id):
    """一条通知。"""
    return queries.get_notification(notification_id)


@blp.post("/notifications/read")
@auth_required
@blp.arguments(s.MarkReadSchema)
@blp.response(200, s.CountSchema)
def mark_read(body):
    """把我的若干通知标为已读；不属于我的编号答 404，什么也不改。"""
    changed = services.mark_read(_me(), body["ids"])
    return {"unread": queries.unread_count(_me(), fresh=True), "changed": changed}


@blp.post("/notifications/read-all")
@auth_required
@blp.arguments(s.MarkAllReadSchema)
@blp.response(200, s.CountSchema)
def mark_all_read(body):
    """把我的全部（或某一类）未读通知标为已读。"""
    changed = services.mark_all_read(_me(), body.get("kind"))
    return {"unread": queries.unread_count(_me(), fresh=True), "changed": changed}


def register(app):
    register_blueprint(blp)
