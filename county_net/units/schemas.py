from county_net.core.schemas import Int
from marshmallow import Schema, fields, validate

from county_net.units.kinds import KIND_NAMES


class UnitRefSchema(Schema):
    id = Int()
    code = fields.String()
    name = fields.String()
    short_name = fields.String()
    kind = fields.String(metadata={"enum": list(KIND_NAMES)})


class UnitSchema(UnitRefSchema):
    kind_label = fields.String()
    parent_id = Int(allow_none=True)
    depth = Int()
    is_active = fields.Boolean()


class UnitListArgsSchema(Schema):
    page = Int(strict=False, load_default=1, validate=validate.Range(1, 100_000))
    page_size = Int(strict=False, load_default=50, validate=validate.Range(1, 100))
    kind = fields.String(validate=validate.OneOf(KIND_NAMES))
    q = fields.String(validate=validate.Length(max=60))
