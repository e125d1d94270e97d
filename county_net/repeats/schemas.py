from marshmallow import Schema, fields, validate

from county_net.core.schemas import Int
from county_net.petitions.schemas import LinkSchema, OwnMatterSchema
from county_net.repeats.settings import DEFAULTS


class MatterRepeatsSchema(Schema):
    own_matters = fields.List(fields.Nested(OwnMatterSchema), metadata={"description": "本人其他事项"})
    links = fields.List(fields.Nested(LinkSchema), metadata={"description": "可能重复（建议、已确认、已否定）"})


class RepeatSettingsSchema(Schema):
    threshold = fields.Float(validate=validate.Range(0.05, 0.99),
                             metadata={"description": "可能性达到此值（0–1）即提示“可能重复”"})
    text_window_days = Int(validate=validate.Range(1, 3650), metadata={"description": "仅内容相似时回溯的天数"})
    object_window_days = Int(validate=validate.Range(1, 3650),
                             metadata={"description": "同一对象、文中提到或同名信访人时回溯的天数"})
    max_suggestions = Int(validate=validate.Range(1, 30))


class RepeatSettingsViewSchema(RepeatSettingsSchema):
    defaults = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={"description": "全国默认值"})
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={"description": "各依据的权重"})
    indexed = Int(metadata={"description": "已建立索引的本县事项数"})


SETTING_KEYS = tuple(k for k in DEFAULTS if k != "weights")
