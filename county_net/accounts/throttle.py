"""Login throttling, shared by the web form and the API token endpoint: failures only count."""
from flask import current_app, request

from county_net.extensions import limiter


def _account_key() -> str:
    name = request.form.get("username")
    if name is None:
        body = request.get_json(silent=True)
        name = body.get("username") if isinstance(body, dict) else ""
    return "acct:" + str(name or "").strip().lower()[:64]


def _address_key() -> str:
    return "addr:" + (request.remote_addr or "-")


def _failed(response) -> bool:
    return response.status_code in (400, 401)


def login_throttled(view):
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], scope="login-account", key_func=_account_key,
        deduct_when=_failed, methods=["POST"],
    )(view)
    return limiter.shared_limit(
        lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], scope="login-address", key_func=_address_key,
        deduct_when=_failed, methods=["POST"],
    )(view)
