"""Response headers every page gets."""
from flask import request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def init_app(app):
    @app.after_request
    def _headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/"):
            # Pages carry people's data: never cached by the browser or a proxy.
            h.setdefault("Cache-Control", "no-store")
        return response


def _nul_fields(value, prefix="") -> list[str]:
    if isinstance(value, str):
        return [prefix or "_body"] if "\x00" in value else []
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _nul_fields(v, str(k))]
    if isinstance(value, list):
        return [f for v in value for f in _nul_fields(v, prefix)]
    return []


def init_input_guard(app):
    """NUL characters cannot be stored by PostgreSQL; refuse them at the door with field names."""
    from county_net.core.errors import InvalidInput

    @app.before_request
    def _refuse_nul():
        bad = _nul_fields(request.args.to_dict(flat=False))
        if request.mimetype == "application/json":
            bad += _nul_fields(request.get_json(silent=True))
        elif request.form:
            bad += _nul_fields(request.form.to_dict(flat=False))
        if bad:
            raise InvalidInput(fields={name: ["包含不允许的控制字符"] for name in bad})
