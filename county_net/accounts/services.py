"""Accounts: the only writers of users and login sessions. Each function commits once."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import select, update

from county_net.accounts import throttle as login_throttle
from county_net.accounts.models import ROLES, AuthSession, User
from county_net.accounts.passwords import burn_time, hash_password, needs_rehash, verify_password
from county_net.audit import services as audit
from county_net.core.errors import Conflict, InvalidInput, NotAuthenticated, RoleRequired, StaleVersion
from county_net.core import reference
from county_net.core.models import utcnow
from county_net.core.database import writing, writing_request
from county_net.extensions import db
from county_net.tenancy import system_scope
from county_net.units.queries import get_unit

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
GENERIC_LOGIN_FAILURE = "用户名或密码错误"


class LoginFailed(NotAuthenticated):
    default_message = GENERIC_LOGIN_FAILURE


class PasswordChangeRequired(RoleRequired):
    code, default_message = "password_change_required", "请先修改初始密码"


class SystemActor:
    """The command line acting as the system: all roles, no unit, audited under its name."""

    id = None
    unit_id = None
    is_authenticated = True

    def __init__(self, name: str = "cli"):
        self.username = name

    def has_role(self, *roles: str) -> bool:
        return True


def require_role(actor: User, *roles: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.has_role(*roles):
        raise RoleRequired()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_policy(password: str, username: str | None = None, field: str = "password") -> None:
    problems = []
    if len(password) < current_app.config["PASSWORD_MIN_LENGTH"]:
        problems.append(f"密码至少 {current_app.config['PASSWORD_MIN_LENGTH']} 位")
    if len(password) > 128:
        problems.append("密码不能超过 128 位")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    if len(set(password)) < 4:
        problems.append("密码过于简单")
    if problems:
        raise InvalidInput(fields={field: problems})


# ---- login sessions -------------------------------------------------------------------------------

def authenticate(username: str, password: str) -> User:
    """Check a username and password; audit both outcomes; the same message for every failure.

    The attempt is counted before the password is looked at (login_throttle.begin raises Throttled, 429,
    when this account, this address or the account from failing addresses is over its limit). The counters
    ride in this transaction and commit with it; a success takes its hits back, so only failures count."""
    username = (username or "").strip().lower()
    attempt = login_throttle.begin(username, audit.client_addr())
    with system_scope("login"):
        user = db.session.scalar(select(User).where(User.username == username)) if username else None
        if user is None:
            burn_time(password or "")
            ok = False
        else:
            ok = verify_password(user.password_hash, password or "") and user.is_enabled
        if not ok:
            audit.record("login.failed", actor=user, actor_name=username[:64] or "-", target_type="user",
                         target_id=user.id if user else None)
            for limit in attempt.ceiling_limits():
                # From now on only addresses that have not been failing may try this account.
                audit.record("login.ceiling_reached", actor=user, actor_name=username[:64] or "-",
                             target_type="user", target_id=user.id if user else None,
                             detail={"limit": limit.describe()})
            db.session.commit()
            raise LoginFailed()
        attempt.succeeded()
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        audit.record("login", actor=user, target_type="user", target_id=user.id)
        db.session.commit()
        return user


def start_session(user: User, kind: str) -> tuple[str, AuthSession]:
    """Create a server-side session row; returns the token (shown once) and the row."""
    cfg = current_app.config
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lifetime = timedelta(hours=cfg["AUTH_ABSOLUTE_HOURS"] if kind == "web" else cfg["API_TOKEN_HOURS"])
    row = AuthSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        kind=kind,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        client_addr=audit.client_addr(),
        user_agent=(request.user_agent.string[:200] if has_request_context() else None),
    )
    with system_scope("start session"):
        db.session.add(row)
        db.session.commit()
    user.auth_token = token
    return token, row


def load_session_user(token: str | None, kind: str) -> User | None:
    """The user behind a token, or None if it is unknown, revoked, expired, idle or the user is disabled."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    with system_scope("load user"):
        # One statement per request: the session, its user with the unit (joined eagerly) and the reference
        # stamps, read fresh every time, so a logout, a disabled user or a role change made by any process
        # is seen at once; what is cached per process (the scope, the directory) is keyed to the stamps.
        found = db.session.execute(
            select(AuthSession.id, AuthSession.revoked_at, AuthSession.expires_at, AuthSession.last_seen_at,
                   User, *reference.stamp_columns())
            .join(User, User.id == AuthSession.user_id)
            .outerjoin(reference.ReferenceStamp, reference.ReferenceStamp.id == 1)
            .where(AuthSession.token_hash == _token_hash(token), AuthSession.kind == kind)
        ).one_or_none()
        if found is None:
            return None
        session_id, revoked_at, expires_at, last_seen_at, user, *stamps = found
        reference.remember(reference.Stamps(*(s or 0 for s in stamps)))
        if revoked_at is not None or expires_at <= now:
            return None
        idle = timedelta(minutes=current_app.config["AUTH_IDLE_MINUTES"])
        if kind == "web" and now - last_seen_at > idle:
            return None
        if not user.is_enabled:
            return None
        if now - last_seen_at > timedelta(seconds=60):
            touch = update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
            if writing_request():
                # This request's transaction holds SQLite's write lock already (BEGIN IMMEDIATE): a second
                # connection would wait on its own request. The touch rides along and commits with it.
                db.session.execute(touch.execution_options(synchronize_session=False))
            else:
                # A reading request: a short transaction of its own, which takes the write lock up front.
                with writing(), db.engine.begin() as conn:
                    conn.execute(touch)
    user.auth_token = token
    return user


def end_session(user: User, reason: str = "logout") -> None:
    if not user.auth_token:
        return
    with system_scope("end session"):
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == _token_hash(user.auth_token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoke_reason=reason)
        )
        # Fixed codes only (each has a Chinese label in audit/labels.py); other reasons go in the detail.
        audit.record("logout" if reason == "logout" else "session.ended", actor=user, target_type="user",
                     target_id=user.id, detail=None if reason == "logout" else {"reason": reason})
        db.session.commit()


def _revoke_all(user_id: int, reason: str) -> None:
    with system_scope("revoke sessions"):
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoke_reason=reason)
        )


def end_other_sessions(user: User) -> int:
    """Log out every other browser and token of this user (ASVS 3.3.4); this one stays."""
    keep = _token_hash(user.auth_token) if user.auth_token else ""
    with system_scope("end other sessions"):
        result = db.session.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None), AuthSession.token_hash != keep)
            .values(revoked_at=utcnow(), revoke_reason="ended_by_user"))
        audit.record("session.others_ended", actor=user, target_type="user", target_id=user.id,
                     detail={"count": result.rowcount})
        db.session.commit()
    return result.rowcount


def active_sessions(user: User) -> list[AuthSession]:
    with system_scope("list own sessions"):
        return list(
            db.session.scalars(
                select(AuthSession)
                .where(AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None),
                       AuthSession.expires_at > utcnow())
                .order_by(AuthSession.created_at.desc())
            )
        )


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """Ends every session of the user, this one included; the caller starts a fresh one."""
    if not verify_password(user.password_hash, current_password or ""):
        raise InvalidInput(fields={"current_password": ["当前密码不正确"]})
    check_password_policy(new_password, user.username, field="new_password")
    if verify_password(user.password_hash, new_password):
        raise InvalidInput(fields={"new_password": ["新密码不能与当前密码相同"]})
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.version += 1
    _revoke_all(user.id, "password_changed")
    audit.record("user.password_changed", actor=user, target_type="user", target_id=user.id)
    db.session.commit()


# ---- administration (county system administrator) ---------------------------------------------------

def _check_roles(roles, unit) -> list[str]:
    roles = sorted(set(roles or []))
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise InvalidInput(fields={"roles": ["请至少选择一个有效角色"]})
    if "admin" in roles and unit.kind != "county_center":
        raise InvalidInput(fields={"roles": ["系统管理员只能属于县信访局"]})
    return roles


def _check_version(user: User, version: int | None) -> None:
    if version is not None and version != user.version:
        raise StaleVersion()


def create_user(actor: User, *, username: str, name: str, unit_id: int, roles, password: str) -> User:
    require_role(actor, "admin")
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise InvalidInput(fields={"username": ["用户名为 3–32 位小写字母、数字、点、下划线或连字符"]})
    unit = get_unit(unit_id)  # scoped: a unit the admin cannot see is not found
    roles = _check_roles(roles, unit)
    check_password_policy(password, username)
    with system_scope("username uniqueness"):  # usernames are unique across all tenants
        taken = db.session.scalar(select(User.id).where(User.username == username))
    if taken:
        raise InvalidInput(fields={"username": ["用户名已被使用"]})
    user = User(username=username, name=name.strip(), unit_id=unit.id, password_hash=hash_password(password),
                must_change_password=True, version=1)
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, target_type="user", target_id=user.id,
                 detail={"username": username, "unit": unit.code, "roles": roles})
    db.session.commit()
    return user


def update_user(actor: User, user: User, *, version: int, name: str | None = None, unit_id: int | None = None,
                roles=None) -> User:
    require_role(actor, "admin")
    _check_version(user, version)
    changes: dict = {}
    unit = user.unit
    if unit_id is not None and unit_id != user.unit_id:
        unit = get_unit(unit_id)
        changes["unit"] = [user.unit.code, unit.code]
        user.unit_id = unit.id
        user.unit = unit
    if roles is not None:
        new_roles = _check_roles(roles, unit)
        if list(user.roles) != new_roles:
            changes["roles"] = [list(user.roles), new_roles]
            if user.id == actor.id and "admin" not in new_roles:
                raise InvalidInput(fields={"roles": ["不能取消自己的系统管理员角色"]})
            user.roles = new_roles
    elif "admin" in user.roles and unit.kind != "county_center":
        raise InvalidInput(fields={"unit_id": ["系统管理员只能属于县信访局"]})
    if name is not None and name.strip() != user.name:
        changes["name"] = [user.name, name.strip()]
        user.name = name.strip()
    if not changes:
        return user
    user.version += 1
    if "unit" in changes or "roles" in changes:
        _revoke_all(user.id, "roles_changed")  # the old scope must not live on in open sessions
    audit.record("user.updated", actor=actor, target_type="user", target_id=user.id, detail=changes)
    db.session.commit()
    return user


def set_user_enabled(actor: User, user: User, *, enabled: bool, version: int | None = None) -> User:
    require_role(actor, "admin")
    _check_version(user, version)
    if user.id == actor.id and not enabled:
        raise Conflict("不能停用自己的账号")
    if user.is_enabled == enabled:
        return user
    user.is_enabled = enabled
    user.version += 1
    if not enabled:
        _revoke_all(user.id, "disabled")
    audit.record("user.enabled" if enabled else "user.disabled", actor=actor, target_type="user", target_id=user.id)
    db.session.commit()
    return user


def reset_password(actor: User, user: User, *, version: int | None = None,
                   new_password: str | None = None) -> str:
    """Sets a one-time password the user must change at next login; returns it to show once."""
    require_role(actor, "admin")
    _check_version(user, version)
    password = new_password or _generate_password()
    check_password_policy(password, user.username, field="new_password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = True
    user.version += 1
    _revoke_all(user.id, "password_reset")
    audit.record("user.password_reset", actor=actor, target_type="user", target_id=user.id)
    db.session.commit()
    return password


def _generate_password() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))
