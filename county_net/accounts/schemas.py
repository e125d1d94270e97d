from marshmallow import Schema, fields, validate

from county_net.accounts.models import ROLES
from county_net.core.schemas import Int, LocalDateTime
from county_net.units.schemas import UnitRefSchema

_ROLE = fields.String(validate=validate.OneOf(list(ROLES)))


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class TokenSchema(Schema):
    token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_at = LocalDateTime(required=True)


class UserSchema(Schema):
    id = Int()
    username = fields.String()
    name = fields.String()
    unit = fields.Nested(UnitRefSchema)
    roles = fields.List(fields.String())
    is_enabled = fields.Boolean()
    must_change_password = fields.Boolean()
    version = Int()
    created_at = LocalDateTime()
    last_login_at = LocalDateTime(allow_none=True)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=128))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=3, max=32))
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    unit_id = Int(required=True, strict=True)
    roles = fields.List(_ROLE, required=True, validate=validate.Length(min=1, max=4))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class UserUpdateSchema(Schema):
    version = Int(required=True, strict=True)
    name = fields.String(validate=validate.Length(min=1, max=60))
    unit_id = Int(strict=True)
    roles = fields.List(_ROLE, validate=validate.Length(min=1, max=4))


class UserActionSchema(Schema):
    version = Int(strict=True, metadata={"description": "乐观锁：客户端看到的版本"})


class PasswordResetSchema(UserActionSchema):
    new_password = fields.String(validate=validate.Length(min=1, max=128),
                                 metadata={"description": "留空则自动生成"})


class PasswordResetResultSchema(Schema):
    password = fields.String(metadata={"description": "一次性密码，仅显示这一次"})
    user = fields.Nested(UserSchema)


class UserListArgsSchema(Schema):
    page = Int(load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(load_default=20, validate=validate.Range(1, 100))
    q = fields.String(validate=validate.Length(max=60))
    role = _ROLE
    unit_id = Int()
