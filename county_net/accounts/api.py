"""JSON twins of the account actions; each calls the same service as the web form."""
from flask_login import current_user

from county_net.accounts import queries, services
from county_net.accounts.guards import admin_only
from county_net.accounts.schemas import (
    PasswordChangeSchema,
    PasswordResetResultSchema,
    PasswordResetSchema,
    TokenRequestSchema,
    TokenSchema,
    UserActionSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from county_net.api import ApiBlueprint, ErrorSchema, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.pagination import paginate
from county_net.core.throttle import answers_throttled

id_loader("user_id")(queries.get_user)

auth_blp = ApiBlueprint("auth_api", __name__, url_prefix="/api/v1/auth", description="登录令牌")
users_blp = ApiBlueprint("accounts_api", __name__, url_prefix="/api/v1", description="用户与角色")


@auth_blp.post("/token")
@answers_throttled
@auth_blp.arguments(TokenRequestSchema)
@auth_blp.response(201, TokenSchema)
@auth_blp.alt_response(401, schema=ErrorSchema, description="用户名或密码错误（统一提示）")
@auth_blp.alt_response(429, schema=ErrorSchema, description="尝试过于频繁")
@auth_blp.doc(security=[])
def create_token(body):
    """Exchange a username and password for a bearer token. A user who must change the password gets one
    too, but it opens only `POST /me/password` (everything else answers 403 `password_change_required`)."""
    user = services.authenticate(body["username"], body["password"])
    token, row = services.start_session(user, "api")
    return {"token": token, "token_type": "Bearer", "expires_at": row.expires_at}


@auth_blp.delete("/token")
@auth_required
@auth_blp.response(204)
def revoke_token():
    """Revoke the token this request carries."""
    services.end_session(current_user._get_current_object())
    return None


@users_blp.get("/me")
@auth_required
@users_blp.response(200, UserSchema)
def me():
    return current_user._get_current_object()


@users_blp.delete("/me/sessions")
@auth_required
@users_blp.response(204)
def end_other_sessions():
    """Log out every other browser and token of mine; this token stays."""
    services.end_other_sessions(current_user._get_current_object())
    return None


@users_blp.post("/me/password")
@auth_required
@users_blp.arguments(PasswordChangeSchema)
@users_blp.response(204)
def change_password(body):
    """Change one's own password; every session and token of the user ends, this one included."""
    services.change_own_password(current_user._get_current_object(), body["current_password"],
                                 body["new_password"])
    return None


def _user_page_schema():
    from marshmallow import Schema, fields

    from county_net.api import PageMetaSchema

    class UserPageSchema(Schema):
        items = fields.List(fields.Nested(UserSchema))
        meta = fields.Nested(PageMetaSchema)

    return UserPageSchema


@users_blp.get("/users")
@auth_required
@admin_only
@users_blp.arguments(UserListArgsSchema, location="query")
@users_blp.response(200, _user_page_schema())
def list_users(args):
    stmt = queries.users_query(q=args.get("q"), unit_id=args.get("unit_id"), role=args.get("role"))
    return page_body(paginate(stmt, args["page"], args["page_size"]))


@users_blp.post("/users")
@auth_required
@admin_only
@users_blp.arguments(UserCreateSchema)
@users_blp.response(201, UserSchema)
@users_blp.alt_response(404, schema=ErrorSchema, description="管理员不可见的单位")
def create_user(body):
    return services.create_user(current_user._get_current_object(), **body)


@users_blp.get("/users/<int:user_id>")
@auth_required
@admin_only
@users_blp.response(200, UserSchema)
def get_user(user_id):
    return queries.get_user(user_id)


@users_blp.patch("/users/<int:user_id>")
@auth_required
@admin_only
@users_blp.arguments(UserUpdateSchema)
@users_blp.response(200, UserSchema)
def update_user(body, user_id):
    user = queries.get_user(user_id)
    return services.update_user(current_user._get_current_object(), user, **body)


def _set_enabled(user_id: int, body: dict, enabled: bool):
    user = queries.get_user(user_id)
    return services.set_user_enabled(current_user._get_current_object(), user, enabled=enabled,
                                     version=body.get("version"))


@users_blp.post("/users/<int:user_id>/disable")
@auth_required
@admin_only
@users_blp.arguments(UserActionSchema)
@users_blp.response(200, UserSchema)
def disable_user(body, user_id):
    """Disable a user: every session and token of theirs ends at once."""
    return _set_enabled(user_id, body, False)


@users_blp.post("/users/<int:user_id>/enable")
@auth_required
@admin_only
@users_blp.arguments(UserActionSchema)
@users_blp.response(200, UserSchema)
def enable_user(body, user_id):
    return _set_enabled(user_id, body, True)


@users_blp.post("/users/<int:user_id>/reset-password")
@auth_required
@admin_only
@users_blp.arguments(PasswordResetSchema)
@users_blp.response(200, PasswordResetResultSchema)
def reset_password(body, user_id):
    user = queries.get_user(user_id)
    password = services.reset_password(current_user._get_current_object(), user, version=body.get("version"),
                                       new_password=body.get("new_password"))
    return {"password": password, "user": user}


def register(app):
    register_blueprint(auth_blp)
    register_blueprint(users_blp)
