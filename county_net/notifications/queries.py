"""Reads of one user's inbox. The tenant criteria apply as everywhere; `user_id` picks the person's own rows
within them (an inbox is personal, not a unit's)."""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import func, select

from county_net.extensions import db
from county_net.notifications.models import Notification

UNREAD_CAP = 99  # the header shows "99+" beyond this; counting further would read a long inbox for nothing


def inbox_query(actor, *, kind: str | None = None, unread: bool | None = None, object_type: str | None = None):
    statement = select(Notification).where(Notification.user_id == actor.id)
    if kind:
        statement = statement.where(Notification.kind == kind)
    if unread is True:
        statement = statement.where(Notification.read_at.is_(None))
    elif unread is False:
        statement = statement.where(Notification.read_at.is_not(None))
    if object_type:
        statement = statement.where(Notification.object_type == object_type)
    return statement.order_by(Notification.id.desc())


def get_notification(notification_id: int) -> Notification:
    """Mine, or 404: another person's notification is as unseen as another unit's."""
    return db.one_or_404(select(Notification).where(Notification.id == notification_id,
                                                    Notification.user_id == _user_id()))


def _user_id() -> int | None:
    from flask_login import current_user

    return current_user.id if current_user.is_authenticated else None


def unread_count(actor, fresh: bool = False) -> int:
    """One statement, answered from (user_id, read_at, id); remembered for the rest of the request."""
    cached = g.get("_unread_notifications") if has_request_context() and not fresh else None
    if cached is not None:
        return cached
    mine = (select(Notification.id).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
            .limit(UNREAD_CAP + 1).subquery())
    count = db.session.scalar(select(func.count()).select_from(mine)) or 0
    if has_request_context():
        g._unread_notifications = count
    return count


def kinds_present(actor) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == actor.id)
                                   .group_by(Notification.kind).order_by(Notification.kind)))
