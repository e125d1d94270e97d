"""Request gates that hold for whole groups of routes: the forced password change, and admin-only routes.
Both refuse before a view reads the request body."""
from __future__ import annotations

from functools import wraps

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from county_net.extensions import csrf

# Endpoints a user who must change the password may still use: the change itself (web and API), leaving,
# getting an API token to change it with, and static files.
OPEN_WHILE_CHANGING = frozenset({
    "accounts.password",
    "accounts.logout",
    "auth_api.create_token",
    "auth_api.revoke_token",
    "accounts_api.change_password",
    "static",
    "favicon",
})


def password_change_gate():
    """Before every request: a user with a one-time password reaches nothing but the change page."""
    if request.endpoint is None or request.endpoint in OPEN_WHILE_CHANGING:
        return None  # no route (404/405 follow), or an open one
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    from county_net.accounts.services import PasswordChangeRequired

    if request.path.startswith("/api/"):
        raise PasswordChangeRequired()
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("accounts.password"))
    # A write of any kind is refused outright; the page says what to do instead.
    from county_net.accounts.forms import ChangePasswordForm

    return render_template("accounts/password.html", form=ChangePasswordForm(formdata=None),
                           refused=True), 403


def admin_only(view):
    """Marks a view as the county system administrator's and refuses anyone else before anything in the body
    is read: an id in the URL is loaded first (an object the caller may not see stays 404), then the role
    (403), then, for web forms, the CSRF token (400), then the view with flask-smorest's argument parsing.
    Place it inside `login_required` / `auth_required`, outside `@blp.arguments`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from county_net.accounts.services import require_role
        from county_net.api import preload_ids

        preload_ids()
        require_role(current_user, "admin")
        if not request.path.startswith("/api/") and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()  # the API takes bearer tokens only and has no CSRF token
        return view(*args, **kwargs)

    wrapper.admin_only = True
    if hasattr(view, "_apidoc"):  # an API view: say so in the OpenAPI document
        from copy import deepcopy

        from county_net.api import ErrorSchema

        wrapper._apidoc = deepcopy(view._apidoc)
        wrapper._apidoc.setdefault("response", {}).setdefault("responses", {}).setdefault(403, []).append(
            {"schema": ErrorSchema, "description": "仅限系统管理员（在读取请求内容之前拒绝）", "content_type": None})
    csrf.exempt(wrapper)  # from the app-wide check, which would read the body before the role is known
    return wrapper


def is_admin_only(view) -> bool:
    return bool(getattr(view, "admin_only", False))
