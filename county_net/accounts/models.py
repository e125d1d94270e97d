from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from county_net.core.models import UTCDateTime, utcnow
from county_net.extensions import db
from county_net.tenancy.criteria import Scoped, UnitOwned, visibility
from county_net.units.models import Unit

ROLES = {
    "liaison": "信息员",
    "receptionist": "接访员",
    "head": "一把手",
    "admin": "系统管理员",
}


class User(UnitOwned, UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles_csv: Mapped[str] = mapped_column("roles", String(64), default="")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit] = relationship(lazy="joined", innerjoin=True)

    # The version guards edits (409 on a stale one); services bump it, so a login does not.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    # Set by the loader: the token of the session this request rides on (not a column).
    auth_token = None

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(r for r in self.roles_csv.split(",") if r)

    @roles.setter
    def roles(self, values) -> None:
        self.roles_csv = ",".join(sorted(set(values)))

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def role_labels(self) -> list[str]:
        return [ROLES[r] for r in self.roles if r in ROLES]

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled user is logged out at once
        return self.is_enabled

    def get_id(self) -> str | None:
        return self.auth_token


class AuthSession(Scoped, db.Model):
    """A server-side login (browser session or API token). Only a hash of the token is stored,
    so revoking the row ends the session at once. Read and written only in system scope
    (accounts/services.py): no user's scope holds anyone's sessions, not even their own."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # web | api
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str | None] = mapped_column(String(32))

    @classmethod
    def scope_owner_id(cls, obj) -> int | None:
        return None

    @classmethod
    def may_write(cls, obj, scope) -> bool:
        return False


@visibility(AuthSession)
def _session_visible(m, r):
    """The same rule is the PostgreSQL policy (rls_sql.SESSION_VISIBLE)."""
    return false()
