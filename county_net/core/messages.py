"""Chinese validation messages for marshmallow, set once at start-up (the API answers in Chinese)."""
from marshmallow import Schema, fields, validate

_FIELD_MESSAGES = {
    fields.Field: {"required": "必填", "null": "不能为空", "validator_failed": "取值无效"},
    fields.Integer: {"invalid": "须为整数"},
    fields.Number: {"invalid": "须为数字", "too_large": "数值过大"},
    fields.Float: {"special": "不允许 NaN 或无穷大"},
    fields.Decimal: {"special": "不允许 NaN 或无穷大"},
    fields.String: {"invalid": "须为文本", "invalid_utf8": "须为有效的 UTF-8 文本"},
    fields.Boolean: {"invalid": "须为 true 或 false"},
    fields.List: {"invalid": "须为列表"},
    fields.Nested: {"type": "格式错误"},
    fields.Mapping: {"invalid": "须为对象"},
    fields.Date: {"invalid": "须为日期（YYYY-MM-DD）", "format": "无法按日期格式输出"},
    fields.DateTime: {"invalid": "须为日期时间（ISO 8601）", "invalid_awareness": "须带时区",
                      "format": "无法按日期时间格式输出"},
    fields.Email: {"invalid": "须为有效的电子邮箱"},
    fields.Enum: {"unknown": "须为以下之一：{choices}"},
}


def install() -> None:
    for field_class, messages in _FIELD_MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    Schema._default_error_messages = {"type": "请求体须为 JSON 对象", "unknown": "不认识的字段"}
    validate.Length.message_min = "长度不能少于 {min}"
    validate.Length.message_max = "长度不能超过 {max}"
    validate.Length.message_all = "长度须在 {min} 到 {max} 之间"
    validate.Length.message_equal = "长度须为 {equal}"
    validate.Range.message_min = "须{min_op}{{min}}"
    validate.Range.message_max = "须{max_op}{{max}}"
    validate.Range.message_all = "须{min_op}{{min}}且{max_op}{{max}}"
    validate.Range.message_gte = "大于或等于"
    validate.Range.message_gt = "大于"
    validate.Range.message_lte = "小于或等于"
    validate.Range.message_lt = "小于"
    validate.OneOf.default_message = "须为以下之一：{choices}"
    validate.Regexp.default_message = "格式不正确"
    validate.Email.default_message = "须为有效的电子邮箱"


install()
