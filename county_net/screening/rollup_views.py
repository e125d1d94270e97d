"""HTML: the roll-up table (矛盾纠纷排查调处情况报表) with a link behind every figure, the dispute list behind a
figure, the roll-up as .xlsx, a unit's history of sheets and two periods of a unit side by side."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput
from county_net.core.pagination import paginate
from county_net.core.timeutil import format_local, local_today
from county_net.screening import rollup as r
from county_net.screening import rollup_schemas as s
from county_net.screening.models import DISPUTE_STATUSES, SCALE_BANDS, STATES
from county_net.units.directory import unit_info
from county_net.units.queries import get_unit

bp = Blueprint("screening_rollup", __name__)


def _me():
    return current_user._get_current_object()


def load_args(schema, values) -> dict:
    try:
        return schema().load({k: v for k, v in values.items() if v != ""})
    except ValidationError as exc:
        raise InvalidInput(fields=exc.messages) from None


def resolve(args: dict):
    """(county unit id, the unit the table is for, the period): the viewer's own unit unless `unit` names one
    it may see (else 404), this month unless `period` says."""
    me = unit_info(_me().unit_id)
    top = me
    if args.get("unit") and args["unit"] != me.id:
        top = unit_info(get_unit(args["unit"]).id)
    period = args.get("period") or r.current_rollup_period(local_today())
    return me.county_id, top, period


def load_rollup(args: dict) -> r.Rollup:
    county, top, period = resolve(args)
    return r.build_rollup(county, top.id, period)


def dispute_filters(args: dict) -> dict:
    county, top, period = resolve(args)
    return {"county": county, "unit": top.id, "own": args.get("own"), "period": period, "span": args["span"],
            "measure": args["measure"], "type": args.get("type"), "band": args.get("band"),
            "major": args.get("major")}


def report_url(report_id: int) -> str:
    return f"/screening/reports/{report_id}"  # the lead's sheet page


def dispute_dict(d) -> dict:
    unit = unit_info(d.unit_id)
    return {"id": d.id, "report_id": d.report_id, "report_url": report_url(d.report_id), "unit_id": d.unit_id,
            "unit_name": unit.name if unit else "", "period_code": d.report.period_code, "seq": d.seq,
            "origin_key": d.origin_key, "carried": d.carried, "found_on": d.found_on,
            "dispute_type": d.dispute_type, "parties": d.parties, "people_count": d.people_count,
            "scale_band": d.scale_band, "place": d.place, "summary": d.summary, "risk_level": d.risk_level,
            "is_major": d.is_major, "status": d.status, "status_label": DISPUTE_STATUSES.get(d.status, d.status),
            "responsible_unit": d.responsible_unit, "responsible_leader": d.responsible_leader,
            "target_date": d.target_date, "petition_id": d.petition_id}


def history_item(report, lines: int, mediated: int, resolved: int) -> dict:
    period = r.parse_rollup_period(report.period_code)
    return {"report_id": report.id, "report_url": report_url(report.id), "period_code": report.period_code,
            "period_label": period.label if period else report.period_code, "period_kind": report.period_kind,
            "revision": report.revision, "counted": report.counted, "state": report.state,
            "state_label": STATES.get(report.state, report.state), "is_nil": report.is_nil, "late": report.late,
            "due_on": report.due_on, "filed_at": report.filed_at, "lines": lines, "mediated": mediated,
            "resolved": resolved}


def history_count(county_id: int, wanted: int | None) -> int:
    from county_net.screening.settings import screening_settings

    settings, _ = screening_settings(county_id)
    return wanted or max(24, settings["history_periods"])


def load_history(unit_id: int, wanted: int | None = None) -> dict:
    unit = unit_info(get_unit(unit_id).id)
    items = [history_item(*row) for row in r.unit_history(unit, history_count(unit.county_id, wanted))]
    return {"unit_id": unit.id, "unit_name": unit.name, "items": items}


def load_compare(args: dict) -> dict:
    unit = unit_info(get_unit(args["unit"]).id)
    both = r.compare(unit.id, args["a"], args["b"])
    counts = r._report_counts([rep.id for side in ("a", "b") for rep in both[side]["reports"]])
    out = {"unit_id": unit.id, "unit_name": unit.name, "in_both": sorted(both["both"])}
    for side in ("a", "b"):
        data = both[side]
        types = sorted({line.dispute_type for line in data["lines"]})
        out[side] = {"period": data["period"], "total": data["figures"].total,
                     "figures": r.figures_dict(data["figures"], types),
                     "reports": [history_item(rep, *counts.get(rep.id, (0, 0, 0))) for rep in data["reports"]],
                     "disputes": [dispute_dict(d) for d in data["lines"]]}
    return out


def cell_url(period, span: str, link: dict) -> str:
    """The dispute list behind a figure (built by hand: thousands per table, url_for is slow for that)."""
    query = {"period": period.code, "span": span, **{k: ("1" if v is True else v) for k, v in link.items()}}
    return "/screening/rollup/disputes?" + urlencode(query)


def shown_types(rollup: r.Rollup) -> list:
    """The page shows the types with any figure (the workbook shows every type)."""
    used = set()
    for figures in (rollup.total.period, rollup.total.ytd, rollup.total.previous):
        used |= {t for t, cell in figures.by_type.items() if any(cell.values())}
    return [t for t in rollup.types if t in used]


@bp.get("/screening/rollup")
@login_required
def index():
    args = load_args(s.RollupArgsSchema, request.args)
    rollup = load_rollup(args)
    return render_template("screening/rollup.html", r=rollup, types=shown_types(rollup), cell_url=cell_url,
                           bands=SCALE_BANDS, measures=r.MEASURES, fmt=r.format_rate,
                           previous_label=r.previous_label(rollup.period), me=_me())


@bp.get("/screening/rollup/disputes")
@login_required
def disputes():
    args = load_args(s.DisputeListArgsSchema, request.args)
    filters = dispute_filters(args)
    page = paginate(r.dispute_query(filters), args["page"], args["page_size"])
    rows = [dispute_dict(d) for d in page.items]
    unit = unit_info(filters["unit"])
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("screening/rollup_disputes.html", page=page, rows=rows, unit=unit, args=args,
                           period=filters["period"], measures=r.MEASURES, spans=r.SPANS, bands=SCALE_BANDS,
                           query=query, urlencode=urlencode)


def xlsx_response(rollup: r.Rollup) -> Response:
    from county_net.screening.rollup_excel import rollup_workbook

    data = rollup_workbook(rollup, filled_by=_me().name, made_on=local_today())
    name = f"矛盾纠纷排查调处情况报表-{rollup.top.short_name}-{rollup.period.code}.xlsx"
    from urllib.parse import quote

    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"rollup-{rollup.period.code}.xlsx\"; "
                                                    f"filename*=UTF-8''{quote(name)}",
                             "Cache-Control": "no-store"})


@bp.get("/screening/rollup.xlsx")
@login_required
def workbook():
    return xlsx_response(load_rollup(load_args(s.RollupArgsSchema, request.args)))


@bp.get("/screening/history/<int:unit_id>")
@login_required
def history(unit_id: int):
    args = load_args(s.HistoryArgsSchema, request.args)
    data = load_history(unit_id, args.get("periods"))
    return render_template("screening/history.html", h=data, fmt_time=format_local)


@bp.get("/screening/compare")
@login_required
def compare():
    args = load_args(s.CompareArgsSchema, request.args)
    data = load_compare(args)
    return render_template("screening/compare.html", c=data, measures=r.MEASURES, bands=SCALE_BANDS,
                           fmt=r.format_rate)
