"""Domain exceptions and the one place that turns them into responses."""
import logging

from flask import current_app, render_template, request
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = "请求有误"
    current: dict | None = None  # a 409's answer may carry the record as it now is, so a client can refresh

    def __init__(self, message: str | None = None, fields: dict | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.fields = fields or {}


class InvalidInput(DomainError):
    status, code, default_message = 400, "invalid", "提交的内容有误"


class NotAuthenticated(DomainError):
    status, code, default_message = 401, "unauthenticated", "请先登录"


class RoleRequired(DomainError):
    status, code, default_message = 403, "forbidden", "无权执行此操作"


class NotVisible(DomainError):
    status, code, default_message = 404, "not_found", "未找到"


class StaleVersion(DomainError):
    status, code, default_message = 409, "stale_version", "该记录已被他人修改，请刷新后重试"


class IllegalTransition(DomainError):
    status, code, default_message = 409, "illegal_transition", "当前状态下不能执行此操作"


class Conflict(DomainError):
    status, code, default_message = 409, "conflict", "与现有记录冲突"


class TooManyRequests(DomainError):
    status, code, default_message = 429, "too_many_requests", "尝试过于频繁，请稍后再试"


STATUS_CODES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "未找到"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "与现有记录冲突"),
    413: ("too_large", "提交的内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid", "提交的内容有误"),
    429: ("too_many_requests", "尝试过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，已记录"),
    503: ("busy", "系统繁忙，请稍后重试（未保存任何内容）"),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_body(code: str, message: str, fields: dict | None = None, current: dict | None = None) -> dict:
    body = {"code": code, "message": message, "fields": fields or {}}
    if current is not None:
        body["current"] = current
    return {"error": body}


def respond_error(status: int, code: str, message: str, fields: dict | None = None, headers=None,
                  current: dict | None = None):
    if wants_json():
        return error_body(code, message, fields, current), status, headers or {}
    page = render_template("errors/error.html", status=status, message=message, fields=fields or {})
    return page, status, headers or {}


def _rollback():
    from county_net.extensions import db

    try:
        db.session.rollback()
    except Exception:  # the connection may already be gone
        log.exception("rollback failed")


def init_app(app):
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        _rollback()
        return respond_error(exc.status, exc.code, exc.message, exc.fields, current=exc.current)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        _rollback()
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return respond_error(400, "invalid", "提交的内容有误", fields)

    @app.errorhandler(StaleDataError)
    def _stale(exc):
        _rollback()
        return respond_error(409, "stale_version", StaleVersion.default_message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return http_exception_response(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_exception_response(exc)
        _rollback()
        if _write_lock_timeout(exc):
            # SQLite's single write lock was not free within the busy timeout: nothing was written, so the
            # client may simply send it again.
            current_app.logger.warning("write lock busy: %s", exc)
            return respond_error(503, *STATUS_CODES[503], headers={"Retry-After": "2"})
        current_app.logger.exception("unhandled error")
        return respond_error(500, *STATUS_CODES[500])


def _write_lock_timeout(exc: Exception) -> bool:
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def http_exception_response(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        _rollback()
    code, message = STATUS_CODES.get(status, ("error", exc.description or "错误"))
    fields = {}
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if messages:
        # webargs nests by location ({"json": {...}}); callers want the field names.
        flat: dict = {}
        for location, value in messages.items():
            if isinstance(value, dict) and location in ("json", "query", "form", "files", "headers", "view_args"):
                flat.update(value)
            else:
                flat[location] = value
        fields = flat
        status, code, message = 400, "invalid", "提交的内容有误"
    headers = dict(data.get("headers") or {})
    if status == 429 and getattr(exc, "retry_after", None):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 405 and exc.get_headers():
        headers.update({k: v for k, v in exc.get_headers() if k == "Allow"})
    return respond_error(status, code, message, fields, headers)
