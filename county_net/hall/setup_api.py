"""JSON: the hall's set-up (rooms, windows with what they take, stationed units and their rotas) and the edits
a county center's head or the administrator may make on it, calling the same services as the web page.
A later `flask tenants sync` writes the network file's values over these edits."""
from functools import wraps

from flask_login import current_user

from county_net.api import ApiBlueprint, auth_required, id_loader, preload_ids
from county_net.api import register as register_blueprint
from county_net.core.errors import NotVisible
from county_net.hall import setup_queries as queries
from county_net.hall import setup_services as services
from county_net.hall import setup_schemas as s

blp = ApiBlueprint("hall_setup_api", __name__, url_prefix="/api/v1",
                   description="联合接待中心的设置：房间、窗口（受理类别与属地）、驻厅单位及其入驻方式和轮驻安排。"
                               "页面上的修改在下次 flask tenants sync 时会被网络文件的内容覆盖")

id_loader("station_id")(queries.get_station)
id_loader("rota_id")(queries.get_rota)
# window_id's preloader is hall.api's (one per argument); these views then load the window as they need it.


def _me():
    return current_user._get_current_object()


def editors_first(view):
    """The URL's objects are loaded first (404 if unseen), then the role (403) before the body is read."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        preload_ids()
        services.require_editor(_me())
        return view(*args, **kwargs)

    return wrapper


def _layout() -> dict:
    me = _me()
    return {**queries.hall_layout(queries.county_of(me)), "may_edit": services.may_edit(me)}


def _station(station_id: int) -> dict:
    found = next((x for x in queries.hall_layout(queries.county_of(_me()))["stations"] if x["id"] == station_id),
                 None)
    if found is None:  # a deactivated station: not on the set-up
        raise NotVisible()
    return found


@blp.get("/hall/setup")
@auth_required
@blp.response(200, s.HallSetupSchema)
def setup():
    """大厅设置（县信访局的用户和系统管理员）：房间、窗口、驻厅单位、轮驻安排（当前与将来的时段）。"""
    queries.require_viewer(_me())
    return _layout()


@blp.patch("/hall/stations/<int:station_id>")
@auth_required
@editors_first
@blp.arguments(s.StationPatchSchema)
@blp.response(200, s.StationSchema)
def patch_station(body, station_id):
    """修改驻厅单位的入驻方式、联系人、联系电话、到达时限（县信访局一把手或系统管理员）。"""
    services.update_station(_me(), queries.get_station(station_id), **body)
    return _station(station_id)


@blp.post("/hall/stations/<int:station_id>/rota")
@auth_required
@editors_first
@blp.arguments(s.RotaInSchema)
@blp.response(201, s.StationSchema)
def add_rota(body, station_id):
    """增加一段轮驻安排（同一单位的时段不得重叠）。"""
    services.add_rota(_me(), queries.get_station(station_id), **body)
    return _station(station_id)


@blp.delete("/hall/stations/<int:station_id>/rota/<int:rota_id>")
@auth_required
@editors_first
@blp.response(200, s.StationSchema)
def remove_rota(station_id, rota_id):
    """删除一段轮驻安排（阶段轮驻至少保留一段）。"""
    services.remove_rota(_me(), queries.get_station(station_id), queries.get_rota(rota_id))
    return _station(station_id)


@blp.patch("/hall/windows/<int:window_id>")
@auth_required
@editors_first
@blp.arguments(s.WindowRoutingSchema)
@blp.response(200, s.WindowSchema)
def patch_window(body, window_id):
    """修改窗口受理的事项类别和属地（空列表：不限）。"""
    window = services.update_window_routing(_me(), queries.get_window(window_id), **body)
    return next(w for w in queries.hall_layout(window.unit_id)["windows"] if w["id"] == window_id)


def register(app):
    register_blueprint(blp)
