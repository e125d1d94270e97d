"""HTML: the roll-up table (矛盾纠纷排查调处情况报表) with a link behind every figure, the dispute list behind a
figure, the roll-up as .xlsx, a unit's history of sheets and two periods of a unit side by side."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput
from county_net.core.pagination import paginate
from county_net.core.timeutil import format_local, local_today
from county_net.screening import rollup as r
from county_net.screening import rollup_schemas as s
from county_net.screening.models import DISPUTE_STATUSES, SCALE_BANDS, STATES, Dispute
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


def listing(filters: dict):
    """The dispute list behind a figure, with each line's sheet loaded in one more query (its period code)."""
    return r.dispute_query(filters).options(selectinload(Dispute.report))


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


def _figure_cells(out: list, base: str, f: r.Figures, types: list, missing: bool) -> None:
    """One line of figures, each a link to its dispute list (missing: 缺报 in red, no link, no zeros)."""
    if missing:
        n_cells = len(types) * 3 + len(SCALE_BANDS) * 2 + 3 + 3
        out.append('<td><span class="missing">缺报</span></td>' * n_cells)
        out.append("<td>—</td>" * 3)
        return

    def a(n, extra):
        out.append(f'<td><a class="n" href="{base}{extra}">{n}</a></td>')

    for t in types:
        cell = f.by_type.get(t) or {"screened": 0, "mediated": 0, "resolved": 0}
        q = "&amp;type=" + quote(t)
        for m in r.MEASURES:
            a(cell[m], f"{q}&amp;measure={m}")
    for band in SCALE_BANDS:
        a(f.bands[band]["cases"], f"&amp;band={band}")
        a(f.bands[band]["resolved"], f"&amp;band={band}&amp;measure=resolved")
    for m in r.MEASURES:
        a(f.major[m], f"&amp;major=1&amp;measure={m}")
    out.append(f"<td>{r.format_rate(f.major_rate)}</td>")
    for m in r.MEASURES:
        out.append(f'<td class="sum"><a class="n" href="{base}&amp;measure={m}">{f.total[m]}</a></td>')
    out.append(f"<td>{r.format_rate(f.mediated_rate)}</td><td>{r.format_rate(f.resolved_rate)}</td>")


def table_rows(rollup: r.Rollup, types: list) -> Markup:
    """The table's body, built here rather than in Jinja: a county's table holds thousands of linked figures
    and a template macro per figure costs a second."""
    out = []
    period = rollup.period.code
    for row, is_total in [*((row, False) for row in rollup.rows), (rollup.total, True)]:
        css = ' class="total"' if is_total else ""
        label = escape(row.label)
        if not is_total and not row.own:
            drill = f"/screening/rollup?period={quote(period)}&amp;unit={row.unit.id}"
            label = Markup(f'<a href="{drill}">{label}</a><br><a class="muted small" '
                           f'href="/screening/history/{row.unit.id}">历史</a>')
        base = f"/screening/rollup/disputes?period={quote(period)}&amp;unit={row.unit.id}" + \
            ("&amp;own=1" if row.own else "")
        out.append(f'<tr{css}><th rowspan="2" scope="rowgroup">{label}</th><td>小计</td>')
        _figure_cells(out, base + "&amp;span=period", row.period, types, row.is_missing)
        out.append(f'<td rowspan="2">{r.format_rate(row.on_time_share)}<br><span class="muted small">'
                   f'{row.on_time}/{row.expected}</span></td>')
        for m in r.MEASURES:
            value = '<span class="missing">缺报</span>' if row.previous_missing else row.previous.total[m]
            out.append(f'<td rowspan="2" class="prev">{value}</td>')
        out.append(f'</tr><tr class="ytd{" total" if is_total else ""}"><td>年度累计</td>')
        _figure_cells(out, base + "&amp;span=ytd", row.ytd, types, False)
        out.append("</tr>")
        if row.missing and not is_total:
            names = "；".join(f"{escape(u.name)}（{escape('、'.join(p))}）" for u, p in row.missing)
            out.append(f'<tr class="missing-line"><td colspan="{len(types) * 3 + 23}">'
                       f'<span class="missing">缺报：{names}</span></td></tr>')
    return Markup("".join(out))


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
    types = shown_types(rollup)
    return render_template("screening/rollup.html", r=rollup, types=types, body=table_rows(rollup, types),
                           bands=SCALE_BANDS, measures=r.MEASURES, fmt=r.format_rate,
                           previous_label=r.previous_label(rollup.period), me=_me())


@bp.get("/screening/rollup/disputes")
@login_required
def disputes():
    args = load_args(s.DisputeListArgsSchema, request.args)
    filters = dispute_filters(args)
    page = paginate(listing(filters), args["page"], args["page_size"])
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
    """Two periods side by side; with nothing chosen, the viewer's unit this month against the month before."""
    from county_net.deadlines.periods import MONTH, period_of, previous_period

    raw = {k: v for k, v in request.args.items() if v != ""}
    this_month = period_of(MONTH, local_today())
    raw.setdefault("unit", str(_me().unit_id))
    raw.setdefault("b", this_month.code)
    raw.setdefault("a", previous_period(this_month).code)
    args = load_args(s.CompareArgsSchema, raw)
    data = load_compare(args)
    return render_template("screening/compare.html", c=data, measures=r.MEASURES, bands=SCALE_BANDS,
                           fmt=r.format_rate)
