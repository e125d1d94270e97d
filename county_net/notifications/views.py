"""HTML: my notifications, filters, mark read; the header's unread count."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from county_net.core.errors import InvalidInput
from county_net.core.pagination import paginate
from county_net.notifications import queries, services
from county_net.notifications.kinds import KINDS

bp = Blueprint("notifications", __name__)


def _me():
    return current_user._get_current_object()


def _filters() -> dict:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise InvalidInput(fields={"kind": ["没有这种通知类型"]})
    unread = {"1": True, "0": False}.get(request.args.get("unread", ""))
    return {"kind": kind, "unread": unread}


@bp.get("/notifications")
@login_required
def inbox():
    filters = _filters()
    page = paginate(queries.inbox_query(_me(), **filters), request.args.get("page"), 20)
    return render_template("notifications/inbox.html", page=page, filters=filters, kinds=KINDS,
                           present=queries.kinds_present(_me()))


def _back():
    return redirect(url_for("notifications.inbox", **{k: v for k, v in request.args.items() if k != "page"}))


@bp.post("/notifications/read")
@login_required
def mark_read():
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit() and len(i) <= 9]
    services.mark_read(_me(), ids)
    return _back()


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    kind = request.form.get("kind") or None
    services.mark_all_read(_me(), kind if kind in KINDS else None)
    return _back()


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_(notification_id: int):
    """Mark read and go to the object. Links are written by the services, always a path on this site."""
    notification = queries.get_notification(notification_id)
    if notification.read_at is None:
        services.mark_read(_me(), [notification.id])
    link = notification.link
    if not link.startswith("/") or link.startswith("//"):
        link = url_for("notifications.inbox")
    return redirect(link)


def header_count() -> int | None:
    """For base.html: the unread count, one statement per page (none for the anonymous)."""
    if not current_user.is_authenticated or current_user.must_change_password:
        return None
    return queries.unread_count(current_user)
