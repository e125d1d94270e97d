"""The page, its charts' library served by the app itself, the A4 document and its PDF."""
import json
import re

import pytest

from county_net.petitions import pdf

RANGE = "start=2026-11-16&end=2026-11-22"
CHART_LIB = "/static/vendor/chart.js-4.6.1/chart.umd.min.js"


def _addresses(html: str) -> list[str]:
    return re.findall(r'(?:src|href|action)="([^"]*)"', html)


def test_the_chart_library_is_served_locally(app):
    client = app.test_client()
    lib = client.get(CHART_LIB)
    assert lib.status_code == 200 and b"Chart.js v4.6.1" in lib.data[:200]
    assert client.get("/static/js/digest-charts.js").status_code == 200
    from pathlib import Path

    vendor = Path(app.static_folder) / "vendor" / "chart.js-4.6.1"
    assert "MIT License" in (vendor / "LICENSE.md").read_text() and "4.6.1" in (vendor / "README.md").read_text()


def test_the_page_draws_from_data_attributes_and_names_no_other_host(app, county, login):
    page = login("c_recv").get(f"/digest?{RANGE}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert CHART_LIB in html and "/static/js/digest-charts.js" in html
    assert all(a.startswith(("/", "#", "?")) for a in _addresses(html)), _addresses(html)
    assert "<script>" not in html and "<script " not in html.replace('<script src="', "")  # no inline script
    data = json.loads(re.search(r'id="chart-category" data-chart="([^"]*)"', html).group(1)
                      .replace("&#34;", '"').replace("&quot;", '"'))
    assert sum(data["current"]) == 7 and sum(data["previous"]) == 2
    for words in ("件", "批次", "人次", "收件时间", "越级访（推定）", "本期无标注摘报的事项"):
        assert words in html
    assert "Content-Security-Policy" in page.headers and "'unsafe-inline'" not in page.headers["Content-Security-Policy"]


def test_the_a4_document_names_only_local_scripts(app, county, login):
    doc = login("c_recv").get(f"/digest/print?{RANGE}")
    html = doc.get_data(as_text=True)
    assert doc.status_code == 200 and 'class="a4 digest-doc"' in html
    assert all(a.startswith(("/", "#")) for a in _addresses(html)), _addresses(html)
    assert 'data-print="1"' in html


@pytest.mark.skipif(not pdf.shutil.which("chromium"), reason="no Chromium to print with")
def test_the_pdf_carries_the_charts(app, county, login):
    """Chromium prints after the load event; the charts draw at once (no animation), so the canvases are in
    the PDF as images. The same document for a period with nothing registered has no chart and no image."""
    user = login("c_recv")
    with_charts = user.get(f"/digest/pdf?{RANGE}")
    assert with_charts.status_code == 200 and with_charts.mimetype == "application/pdf"
    empty = user.get("/digest/pdf?start=2020-01-06&end=2020-01-12")
    assert empty.status_code == 200
    assert with_charts.data.count(b"/Subtype /Image") >= 2, "the two charts are printed"
    assert b"/Subtype /Image" not in empty.data


def test_a_township_head_runs_it_for_its_subtree(app, county, login):
    html = login("t1_head").get(f"/digest?{RANGE}").get_data(as_text=True)
    assert "本摘报按东镇人民政府的可见范围统计" in html and "督办由县信访局组织" in html
    assert "历期周报" not in html  # the stored issues are the county center's


@pytest.mark.skipif(not pdf.shutil.which("chromium"), reason="no Chromium to print with")
def test_a_stored_issue_prints_to_pdf(app, county, login):
    from datetime import date

    from county_net.digest import services
    from county_net.extensions import db

    with app.app_context():
        services.publish_weekly(today=date(2026, 11, 23))
        db.session.remove()
    resp = login("c_head").get("/digest/issues/2026-W47/pdf")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF") and resp.data.count(b"/Subtype /Image") >= 2
