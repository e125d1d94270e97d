"""HTML: the digest on demand (charts and tables), its A4 document and PDF, and the stored weekly issues."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from county_net.core.errors import InvalidInput
from county_net.digest import queries, services
from county_net.digest.schemas import DigestArgsSchema
from county_net.petitions import pdf

bp = Blueprint("digest", __name__)
CHART_LIB = "vendor/chart.js-4.6.1/chart.umd.min.js"
CHARTS_JS = "js/digest-charts.js"


def _me():
    return current_user._get_current_object()


def _period(args) -> tuple[queries.Period, dict]:
    """The period asked for (a blank form means the last full week), or the field messages and that week."""
    raw = {k: args[k].strip() for k in ("start", "end") if args.get(k, "").strip()}
    try:
        data = DigestArgsSchema().load(raw)
    except ValidationError as exc:
        return queries.last_full_week(), exc.messages
    if data.get("start") is not None:
        return queries.Period(data["start"], data["end"]), {}
    return queries.last_full_week(), {}


def _range_args(period: queries.Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _static(name: str) -> Path:
    return Path(current_app.static_folder) / name


def _document(f: dict, *, back_url: str, pdf_url: str, for_pdf: bool) -> str:
    """The A4 document. For the PDF the page is a file beside its scripts (no server to ask), with the CSS
    inline; the charts draw before printing, since Chromium prints after the load event and they run at once."""
    css = None
    if for_pdf:
        css = _static("document.css").read_text(encoding="utf-8") + _static("digest.css").read_text(encoding="utf-8")
    return render_template("digest/document.html", f=f, charts=queries.chart_data(f),
                           title=f"领导摘报 {f['period']['label']}", inline_css=css, back_url=back_url,
                           pdf_url=pdf_url, pdf_available=pdf.browser() is not None,
                           chart_src="chart.js" if for_pdf else url_for("static", filename=CHART_LIB),
                           charts_src="digest-charts.js" if for_pdf else url_for("static", filename=CHARTS_JS))


def _pdf(f: dict, filename: str) -> Response:
    html = _document(f, back_url="", pdf_url="", for_pdf=True)
    assets = {"chart.js": _static(CHART_LIB).read_bytes(), "digest-charts.js": _static(CHARTS_JS).read_bytes()}
    return pdf.pdf_download(html, filename, assets=assets)


def _page(f: dict, *, issue=None, errors=None, print_url: str, pdf_url: str, status: int = 200):
    return render_template("digest/index.html", f=f, charts=queries.chart_data(f), issue=issue, errors=errors or {},
                           form=request.args, print_url=print_url, pdf_url=pdf_url, chart_lib=CHART_LIB,
                           pdf_available=pdf.browser() is not None, may_list=f["whole_county"]), status


@bp.get("/digest")
@login_required
def index():
    services.require_reader(_me())
    period, errors = _period(request.args)
    f = queries.compute(_me().unit_id, period)
    args = _range_args(period)
    return _page(f, errors=errors, status=400 if errors else 200, print_url=url_for("digest.document", **args),
                 pdf_url=url_for("digest.document_pdf", **args))


def _asked_period() -> queries.Period:
    """A document prints only the period asked for: a bad one is a 400, not last week's figures."""
    services.require_reader(_me())
    period, errors = _period(request.args)
    if errors:
        raise InvalidInput(fields=errors)
    return period


@bp.get("/digest/print")
@login_required
def document():
    period = _asked_period()
    args = _range_args(period)
    return _document(queries.compute(_me().unit_id, period), back_url=url_for("digest.index", **args),
                     pdf_url=url_for("digest.document_pdf", **args), for_pdf=False)


@bp.get("/digest/pdf")
@login_required
def document_pdf():
    period = _asked_period()
    return _pdf(queries.compute(_me().unit_id, period), f"领导摘报-{period.label}.pdf")


@bp.get("/digest/issues")
@login_required
def issues():
    services.require_reader(_me())
    return render_template("digest/issues.html", items=queries.issues())


@bp.get("/digest/issues/<label>")
@login_required
def issue(label: str):
    services.require_reader(_me())
    stored = queries.get_issue(label)
    return _page(queries.issue_figures(stored), issue=stored, print_url=url_for("digest.issue_print", label=label),
                 pdf_url=url_for("digest.issue_pdf", label=label))


@bp.get("/digest/issues/<label>/print")
@login_required
def issue_print(label: str):
    services.require_reader(_me())
    stored = queries.get_issue(label)
    return _document(queries.issue_figures(stored), back_url=url_for("digest.issue", label=label),
                     pdf_url=url_for("digest.issue_pdf", label=label), for_pdf=False)


@bp.get("/digest/issues/<label>/pdf")
@login_required
def issue_pdf(label: str):
    services.require_reader(_me())
    stored = queries.get_issue(label)
    return _pdf(queries.issue_figures(stored), f"领导摘报-{stored.label}.pdf")
