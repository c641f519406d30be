"""The supervisor dashboards in a real browser (Debian's Chromium through Playwright): sign in, the
scorecard and its filters, a process chart's limits, drill-down to rows, live refresh after an outcome
logged through the API, and the TRM pack's print layout. Every test also proves that no request
left 127.0.0.1 and that the pages logged no console or script error. Screenshots (and the pack's
PDF) are saved under test-artifacts/browser/.

Elements are found by role, label and text where the page offers them, which also checks that the
controls are labelled for assistive technology."""

import itertools
import re

import pytest
from django.utils import timezone

from operations.models import Area
from performance import periods

from .dashboard_helpers import (
    BURGLARIES_PER_MONTH,
    REFRESH_LIMIT_MS,
    api_log_outcome,
    arrests_this_month,
    assert_drawn,
    expect_tile_value,
    log_in,
    svg_line_y,
    tile,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# ----------------------------------------------------------------------------------------- tests


def test_sign_in_scorecard_filter_then_a_tile_opens_its_process_chart(
    live_server, page, watch, shot, missions_today, burglaries
):
    """Sign in and land on the scorecard; choose an NPU and see the URL, the heading and the tiles
    change (and the same view come back from the URL alone); open a tile's process chart and see
    its mean and limits drawn, and the same numbers in its table."""
    from playwright.sync_api import expect

    base = live_server.url
    assert base.startswith("http://127.0.0.1:"), base
    log_in(page, base)
    expect(page.get_by_role("heading", level=1)).to_contain_text(missions_today.force.name)
    expect_tile_value(page, "Arrests from missions", 5)
    shot("scorecard-force")

    page.get_by_label("Area").select_option(value="BW")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"/dashboards/\?(.+&)?area=BW(&|$)"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(Area.objects.get(code="BW").name)
    expect_tile_value(page, "Arrests from missions", 3)
    expect(page.get_by_label("Area")).to_have_value("BW")  # the form shows the view the URL names
    shot("scorecard-bw")

    # The URL is the view: opened afresh (as a colleague would from a link), it shows the same.
    page.goto(page.url)
    expect_tile_value(page, "Arrests from missions", 3)

    tile(page, "Burglary").get_by_role("heading").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/dashboards/indicators/burglary/\?"))
    assert "area=BW" in page.url, page.url

    chart = page.get_by_role("img", name=re.compile(r"^Burglary by month, .+: process chart\b"))
    expect(chart).to_be_visible()
    mean, upper, lower = (chart.locator(f"line.line--{name}") for name in ("mean", "upper", "lower"))
    for line in (mean, upper, lower):
        assert_drawn(line.first)
    # SVG y grows downwards: the upper limit is drawn above the mean, the lower limit below it.
    assert svg_line_y(upper) < svg_line_y(mean) < svg_line_y(lower)
    points = chart.locator("g.point")
    expect(points).to_have_count(len(BURGLARIES_PER_MONTH))
    assert "Common cause" in points.first.locator("title").text_content()
    shot("process-chart")

    table = page.get_by_role("table", name=re.compile(r"the chart's data"))
    expect(table).to_be_visible()
    for header in ("Period", "Value", "Mean", "Lower limit", "Upper limit", "Signals"):
        expect(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    first_month = periods.add_months(
        periods.start_of(periods.MONTH, timezone.localdate()), -len(BURGLARIES_PER_MONTH)
    )
    row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=periods.label(periods.MONTH, first_month))
    )
    # Value, mean, lower and upper limit: the XmR arithmetic, done here independently of the app.
    counts = BURGLARIES_PER_MONTH
    mean = sum(counts) / len(counts)
    moving_range = sum(abs(b - a) for a, b in itertools.pairwise(counts)) / (len(counts) - 1)
    expected = [str(counts[0])] + [
        f"{v:.1f}" for v in (mean, mean - 2.66 * moving_range, mean + 2.66 * moving_range)
    ]
    expect(row.get_by_role("cell")).to_have_count(5)
    for cell, text in zip(row.get_by_role("cell").all()[:4], expected, strict=True):
        expect(cell).to_have_text(text)
    shot("process-chart-table", target=table)
    watch.assert_clean()


def test_drill_down_from_a_number_to_its_rows(live_server, page, watch, shot, missions_today):
    """From the Today page's missions-by-resource table, a number opens the list of its rows."""
    from playwright.sync_api import expect

    log_in(page, live_server.url)
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="Today", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboards/today/"))
    matrix = page.get_by_role("table", name=re.compile(r"^Missions in today's tasking period by resource"))
    expect(matrix).to_be_visible()
    shot("today")

    matrix.get_by_role("link", name="2 missions for OSU — show rows", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboards/rows/missions/\?"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("the rows behind the number")
    rows = page.get_by_role("table", name=re.compile(r"^Missions")).locator("tbody").get_by_role("row")
    expect(rows).to_have_count(2)  # BE's and BW's missions, both with OSU today
    for index in range(2):
        expect(rows.nth(index)).to_contain_text("OSU")
    expect(rows.filter(has_text="BE")).to_have_count(1)
    expect(rows.filter(has_text="BW")).to_have_count(1)
    shot("rows")
    watch.assert_clean()


def test_tile_refreshes_without_reload_after_an_outcome_logged_through_the_api(
    live_server, page, watch, shot, missions_today
):
    """With the scorecard open, an outcome logged through the API (over HTTP, token auth) reaches
    the tile within 15 s by htmx polling: same document, no reload."""
    log_in(page, live_server.url)
    expect_tile_value(page, "Arrests from missions", 5)
    url = page.url
    page.evaluate("window.__marker = 'still the same document'")
    shot("before-outcome")

    api_log_outcome(live_server.url, area="BE", arrests=4)
    assert arrests_this_month(missions_today.force) == 9, "the outcome was not drained into indicator values"

    expect_tile_value(page, "Arrests from missions", 9, timeout=REFRESH_LIMIT_MS)
    assert page.evaluate("window.__marker") == "still the same document", "the page was reloaded"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.url == url
    assert any("fragment=tiles" in request for request in watch.requests), "no polling request"
    shot("after-outcome")
    watch.assert_clean()


def test_trm_pack_print_layout_hides_navigation_and_shows_the_agenda(
    live_server, page, watch, shot, trm_meeting
):
    """Today's TRM pack from the Dashboards tabs; in print media the navigation and buttons go and
    the agenda stays; saved as a PDF."""
    from playwright.sync_api import expect

    log_in(page, live_server.url)
    page.get_by_role("navigation", name="Dashboards").get_by_role("link", name="TRM pack", exact=True).click()
    page.wait_for_url(re.compile(rf"/dashboards/trm/{trm_meeting.date:%Y-%m-%d}/$"))  # today's pack
    expect(page.get_by_role("heading", level=1)).to_contain_text("TRM pack")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation).to_be_visible()
    print_button = page.get_by_role("button", name="Print", exact=True)
    expect(print_button).to_be_visible()
    shot("trm-pack-screen")

    page.emulate_media(media="print")
    expect(navigation).to_be_hidden()
    expect(page.get_by_role("navigation", name="Dashboards")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    agenda = page.get_by_role("main").get_by_role("heading", level=2, name=re.compile(r"^\d+\. "))
    assert agenda.count() >= 5, "the pack shows the agenda's numbered sections"
    for heading in agenda.all():
        expect(heading).to_be_visible()
    for attendee in ("Supt Example (chair)", "Insp Example"):
        expect(page.get_by_role("main").get_by_text(attendee, exact=True)).to_be_visible()
    shot("trm-pack-print")
    pdf = shot.path("trm-pack.pdf")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF-"), pdf
    assert pdf.stat().st_size > 10_000, "the PDF has the pack's content"
    watch.assert_clean()
