"""In a real Chromium, under the served CSP and with no other host to reach: the charts are drawn."""
import pytest

from tests.browser.conftest import live_server, login_as, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

DRAW_CHECK = """(id) => {
  const c = document.getElementById(id);
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let inked = 0;
  for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) inked++; }
  return {inked, width: c.width, height: c.height};
}"""


def test_the_charts_draw_under_the_csp(county, page):  # noqa: F811
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(page.base) else None)
    login_as(page, "c_recv")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(page.base + "/digest?start=2026-11-16&end=2026-11-22")
    page.wait_for_selector("#chart-category[data-drawn]")
    page.wait_for_selector("#chart-locality[data-drawn]")
    for chart in ("chart-category", "chart-locality"):
        drawn = page.evaluate(DRAW_CHECK, chart)
        assert drawn["width"] > 0 and drawn["inked"] > 1000, (chart, drawn)
    assert page.evaluate("typeof window.Chart") == "function"
    assert page.console_errors == []  # a CSP refusal would be reported here
    assert outside == [], outside
    # The A4 document draws its fixed-size charts too.
    page.goto(page.base + "/digest/print?start=2026-11-16&end=2026-11-22")
    page.wait_for_selector("#chart-category[data-drawn]")
    assert page.evaluate(DRAW_CHECK, "chart-category")["inked"] > 1000
