"""The /api/v1 frame: flask-smorest, one error shape, 400 for bad input, bearer tokens."""
from functools import wraps
from http import HTTPStatus

from apispec import BasePlugin

from flask_login import current_user
from flask_smorest import Api, Blueprint
from county_net.core.schemas import Int
from marshmallow import Schema, fields, validate
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser, abort

from county_net.core import messages  # noqa: F401  (Chinese validation messages)
from county_net.core.errors import NotAuthenticated, http_exception_response


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400  # the brief: malformed input is 400 with field messages

    def load_json(self, req, schema):
        data = super().load_json(req, schema)
        if data is missing:
            # The document marks every request body required. Without this, a request with no body (or one
            # not sent as JSON) would be parsed as {} and an optional check — a version — silently skipped.
            abort(400, messages={"json": {"_body": [MISSING_BODY]}})
        return data


MISSING_BODY = "缺少请求体：须为 JSON 对象（Content-Type: application/json）"


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(preload_ids)  # after the app's hooks: the scope is known by then


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    current = fields.Dict(metadata={"description": "409：事项当前的版本、状态和该版本以来的变化，供客户端刷新"})
    fields = fields.Dict(keys=fields.String())


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


class StatusesPlugin(BasePlugin):
    """Every status an operation may answer, instead of a catch-all `default`: a client (and schemathesis'
    status check) can then tell an answer the document promises from one it does not. All of them carry the
    error shape. Statuses that only some operations give (429 on the token, 404 for a unit named in a body)
    are declared on those operations themselves."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            signed_in = operation.get("security") != []
            wanted = [400, 503]  # a malformed query or body anywhere; SQLite's write lock busy (nothing saved)
            if signed_in:
                wanted += [401, 403]  # no or a dead token; a role, or the password change, still required
            if "{" in (path or ""):
                wanted.append(404)  # an object the caller may not see is not there
            if method != "get":
                wanted.append(413)  # a body over MAX_CONTENT_LENGTH
            if signed_in and method in ("post", "patch", "put"):
                wanted.append(409)  # a stale version, or a state that does not allow the action
            for status in wanted:
                responses.setdefault(str(status), HTTPStatus(status).name)


class CountyApi(Api):
    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # StatusesPlugin lists each status instead

    def handle_http_exception(self, error):
        return http_exception_response(error)


api = CountyApi()


# URL id argument -> scoped loader. Objects are loaded before the body is parsed, so an id the caller may
# not see is 404 whatever the body holds (never a 400 that would confirm the id exists).
ID_LOADERS: dict = {}


def id_loader(argument: str):
    def decorate(fn):
        ID_LOADERS[argument] = fn
        return fn

    return decorate


def preload_ids():
    """Load every object the URL names (404 if unseen). Once per request: admin-only web views call it too."""
    from flask import g, request

    if not current_user.is_authenticated or g.get("_ids_preloaded"):
        return  # the view answers 401
    for name, value in (request.view_args or {}).items():
        loader = ID_LOADERS.get(name)
        if loader is not None:
            loader(value)
    g._ids_preloaded = True


def register(blp: "ApiBlueprint") -> None:
    from county_net.extensions import csrf

    csrf.exempt(blp)  # bearer tokens only; no cookie is honoured under /api/
    api.register_blueprint(blp)


class PageMetaSchema(Schema):
    page = Int()
    page_size = Int()
    total = Int()
    pages = Int()
    total_capped = fields.Boolean(metadata={"description": "为真时实际条数多于 total（计数到 10000 为止）"})


class PageArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100),
                    metadata={"description": "每页条数，最多 100"})


def page_body(page) -> dict:
    """The response schema dumps the items; this only shapes the envelope."""
    return {
        "items": page.items,
        "meta": {"page": page.page, "page_size": page.page_size, "total": page.total, "pages": page.pages,
                 "total_capped": page.total_capped},
    }


def auth_required(view):
    """Bearer token required; documents 401 in the spec."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            raise NotAuthenticated()
        return view(*args, **kwargs)

    wrapper._apidoc = getattr(view, "_apidoc", {})
    return wrapper


def init_app(app):
    app.config.setdefault("API_SPEC_OPTIONS", {})
    app.config["API_SPEC_OPTIONS"].update(
        {
            "info": {"description": "县域信访工作网络接口。所有错误的形状为 "
                                    '{"error": {"code", "message", "fields"}}。'},
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        }
    )
    api.init_app(app, spec_kwargs={"extra_plugins": [StatusesPlugin()]})
    return api
