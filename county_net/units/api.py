"""JSON: the units the caller may see."""
from marshmallow import Schema, fields

from county_net.api import ApiBlueprint, PageMetaSchema, auth_required, id_loader, page_body
from county_net.api import register as register_blueprint
from county_net.core.pagination import paginate
from county_net.units.queries import get_unit, visible_units_query
from county_net.units.schemas import UnitListArgsSchema, UnitSchema

id_loader("unit_id")(get_unit)

blp = ApiBlueprint("units_api", __name__, url_prefix="/api/v1/units", description="单位（租户）")


class UnitPageSchema(Schema):
    items = fields.List(fields.Nested(UnitSchema))
    meta = fields.Nested(PageMetaSchema)


@blp.get("")
@auth_required
@blp.arguments(UnitListArgsSchema, location="query")
@blp.response(200, UnitPageSchema)
def list_units(args):
    """Units the caller may see: its own unit and its subtree."""
    stmt = visible_units_query(kind=args.get("kind"), q=args.get("q"))
    return page_body(paginate(stmt, args["page"], args["page_size"]))


@blp.get("/<int:unit_id>")
@auth_required
@blp.response(200, UnitSchema)
def get(unit_id):
    return get_unit(unit_id)


def register(app):
    register_blueprint(blp)
