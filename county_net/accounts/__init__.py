"""Accounts, roles, login sessions and API tokens."""
from flask import request, session

from county_net.extensions import login_manager


def init_app(app):
    from county_net.accounts import api, cli, guards, services, views

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = None  # server-side sessions carry the protection

    @login_manager.user_loader
    def _load_from_cookie(token):
        if request.path.startswith("/api/"):
            return None  # the API takes bearer tokens only, so cookies cannot ride a CSRF into it
        return services.load_session_user(token, "web")

    @login_manager.request_loader
    def _load_from_header(req):
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return services.load_session_user(token.strip(), "api")

    @login_manager.unauthorized_handler
    def _unauthorized():
        from flask import redirect, url_for

        from county_net.core.errors import NotAuthenticated, wants_json

        if wants_json():
            raise NotAuthenticated()
        session["next"] = request.full_path if request.method == "GET" else None
        return redirect(url_for("accounts.login"))

    # After CSRF (a forged request never gets further), before the tenancy scope and every view.
    app.before_request(guards.password_change_gate)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_cli)
    api.register(app)
