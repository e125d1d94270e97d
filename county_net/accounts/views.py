"""HTML: login, logout, own account, and the administrator's user pages."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from wtforms.fields.choices import SelectChoice
from flask_login import current_user, login_required, login_user, logout_user

from county_net.accounts import queries, services
from county_net.accounts.guards import admin_only
from county_net.accounts.forms import ChangePasswordForm, LoginForm, UserActionForm, UserCreateForm, UserEditForm
from county_net.accounts.models import ROLES
from county_net.core.errors import InvalidInput
from county_net.core.throttle import Throttled
from county_net.core.pagination import paginate
from county_net.extensions import db
from county_net.units.queries import visible_units_query

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _start_web_session(user) -> None:
    next_url = session.get("next")
    session.clear()  # a new session at login: no fixation
    services.start_session(user, "web")
    login_user(user)
    session.permanent = True
    if next_url:
        session["next"] = next_url


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("units.home"))
    form = LoginForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/login.html", form=form), 400
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.LoginFailed as exc:
            return render_template("accounts/login.html", form=form, error=exc.message), 401
        except Throttled as exc:  # the password was not looked at
            return (render_template("accounts/login.html", form=form, error=exc.message), 429,
                    {"Retry-After": str(exc.retry_after)})
        _start_web_session(user)
        if user.must_change_password:  # the change page itself says why
            return redirect(url_for("accounts.password"))
        return redirect(_safe_next(session.pop("next", None)) or url_for("units.home"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    services.end_session(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("已退出登录", "info")
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@login_required
def account():
    sessions = services.active_sessions(current_user)
    return render_template("accounts/account.html", sessions=sessions)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    count = services.end_other_sessions(current_user._get_current_object())
    flash(f"已退出其他 {count} 处登录", "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = ChangePasswordForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/password.html", form=form), 400
        user = current_user._get_current_object()
        try:
            services.change_own_password(user, form.current_password.data, form.new_password.data)
        except InvalidInput as exc:
            _attach_errors(form, exc.fields)
            return render_template("accounts/password.html", form=form), 400
        _start_web_session(user)  # the old session is gone; this browser gets a fresh one
        flash("密码已修改，其他设备上的登录已失效", "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form)


def _attach_errors(form, fields: dict) -> None:
    for name, messages in fields.items():
        field = getattr(form, name, None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            if field is not None:
                field.errors = target
        target.extend(messages if isinstance(messages, list) else [str(messages)])


# ---- administrator ---------------------------------------------------------------------------------

def _unit_choices():
    return [SelectChoice(u.id, f"{'　' * u.depth}{u.name}") for u in db.session.scalars(visible_units_query())]


@bp.get("/admin/users")
@login_required
@admin_only
def users():
    q = request.args.get("q", "").strip()[:60]
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    page = paginate(queries.users_query(q=q or None, role=role), request.args.get("page"), 30)
    return render_template("accounts/users.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@login_required
@admin_only
def user_new():
    form = UserCreateForm()
    form.unit_id.choices = _unit_choices()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/user_new.html", form=form), 400
        try:
            user = services.create_user(current_user, username=form.username.data, name=form.name.data,
                                        unit_id=form.unit_id.data, roles=form.roles.data,
                                        password=form.password.data)
        except InvalidInput as exc:
            _attach_errors(form, exc.fields)
            return render_template("accounts/user_new.html", form=form), 400
        flash(f"已创建用户 {user.username}，首次登录须修改密码", "success")
        return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template("accounts/user_new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@login_required
@admin_only
def user_detail(user_id: int):
    user = queries.get_user(user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    form.unit_id.choices = _unit_choices()
    if request.method == "GET":
        form.roles.data = list(user.roles)
    action_form = UserActionForm()
    if request.method == "POST":
        if not form.validate_on_submit() or not str(form.version.data).isdigit():
            return render_template("accounts/user_detail.html", user=user, form=form, action_form=action_form), 400
        try:
            services.update_user(current_user, user, version=int(form.version.data), name=form.name.data,
                                 unit_id=form.unit_id.data, roles=form.roles.data)
        except InvalidInput as exc:
            db.session.rollback()
            user = queries.get_user(user_id)
            _attach_errors(form, exc.fields)
            return render_template("accounts/user_detail.html", user=user, form=form, action_form=action_form), 400
        flash("已保存", "success")
        return redirect(url_for("accounts.user_detail", user_id=user.id))
    return render_template("accounts/user_detail.html", user=user, form=form, action_form=action_form)


@bp.post("/admin/users/<int:user_id>/disable")
@login_required
@admin_only
def user_disable(user_id: int):
    return _toggle(user_id, False)


@bp.post("/admin/users/<int:user_id>/enable")
@login_required
@admin_only
def user_enable(user_id: int):
    return _toggle(user_id, True)


def _seen_version(form: UserActionForm) -> int:
    """The version the admin saw: the page always sends it, and a change without it could overwrite another's."""
    form.validate()
    if form.version.data is None:
        raise InvalidInput("缺少版本号，请刷新页面后重试", fields={"version": ["缺少版本号，请刷新页面后重试"]})
    return form.version.data


def _toggle(user_id: int, enabled: bool):
    user = queries.get_user(user_id)
    version = _seen_version(UserActionForm())  # CSRF is checked before the view runs
    services.set_user_enabled(current_user, user, enabled=enabled, version=version)
    flash("已启用该账号" if enabled else "已停用该账号，其所有登录已失效", "success")
    return redirect(url_for("accounts.user_detail", user_id=user_id))


@bp.post("/admin/users/<int:user_id>/reset-password")
@login_required
@admin_only
def user_reset_password(user_id: int):
    user = queries.get_user(user_id)
    form = UserActionForm()
    version = _seen_version(form)
    try:
        password = services.reset_password(current_user, user, version=version,
                                           new_password=form.new_password.data or None)
    except InvalidInput as exc:
        flash("；".join(m for ms in exc.fields.values() for m in ms), "danger")
        return redirect(url_for("accounts.user_detail", user_id=user_id))
    # Shown once on the next page, never stored in the clear.
    return render_template("accounts/password_reset_done.html", user=user, password=password)
