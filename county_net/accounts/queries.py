from sqlalchemy import func, select

from county_net.accounts.models import User
from county_net.extensions import db
from county_net.units.models import Unit


def get_user(user_id: int) -> User:
    return db.one_or_404(select(User).where(User.id == user_id))


def users_query(q: str | None = None, unit_id: int | None = None, role: str | None = None):
    stmt = select(User).join(User.unit).order_by(Unit.path, User.username)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(User.username.like(like) | User.name.like(like))
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    if role:
        stmt = stmt.where(User.roles_csv.like(f"%{role}%"))
    return stmt


def count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
