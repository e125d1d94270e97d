from marshmallow import Schema, fields, validate

from county_net.accounts.models import ROLES
from config import Config
from county_net.core.schemas import Id, Int, LocalDateTime, Name, Version
from county_net.units.schemas import UnitRefSchema

_ROLE = fields.String(validate=validate.OneOf(list(ROLES)))
USERNAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$"  # stored in lower case


def _new_password(**kwargs):
    return fields.String(validate=validate.Length(min=Config.PASSWORD_MIN_LENGTH, max=128), load_only=True,
                         metadata={"description": f"至少 {Config.PASSWORD_MIN_LENGTH} 位；至少 4 种不同字符，"
                                                  "不能包含用户名"}, **kwargs)


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
    roles = fields.List(fields.String(metadata={"enum": list(ROLES)}))
    is_enabled = fields.Boolean()
    must_change_password = fields.Boolean()
    version = Int()
    created_at = LocalDateTime()
    last_login_at = LocalDateTime(allow_none=True)


class PasswordChangeSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))
    new_password = _new_password(required=True)


class UserCreateSchema(Schema):
    username = fields.String(required=True, validate=validate.Regexp(USERNAME, error="用户名为 3–32 位字母、数字、点、"
                                                                                  "下划线或连字符，以字母或数字开头"),
                             metadata={"description": "存为小写；全系统唯一"})
    name = Name(60, required=True)
    unit_id = Id(required=True, metadata={"description": "管理员可见的单位；系统管理员只能属于县信访局"})
    roles = fields.List(_ROLE, required=True, validate=validate.Length(min=1, max=len(ROLES)))
    password = _new_password(required=True)


class UserUpdateSchema(Schema):
    version = Version(required=True)
    name = Name(60)
    unit_id = Id()
    roles = fields.List(_ROLE, validate=validate.Length(min=1, max=len(ROLES)))


class UserActionSchema(Schema):
    version = Version(required=True)


class PasswordResetSchema(UserActionSchema):
    new_password = fields.String(validate=validate.Length(min=Config.PASSWORD_MIN_LENGTH, max=128),
                                 metadata={"description": f"留空则自动生成；至少 {Config.PASSWORD_MIN_LENGTH} 位，"
                                                          "至少 4 种不同字符，不能包含用户名"})


class PasswordResetResultSchema(Schema):
    password = fields.String(metadata={"description": "一次性密码，仅显示这一次"})
    user = fields.Nested(UserSchema)


class UserListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=20, validate=validate.Range(1, 100))
    q = fields.String(validate=validate.Length(max=60))
    role = _ROLE
    unit_id = Id(strict=False)
