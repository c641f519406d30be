"""The supervisor dashboards in a real browser (Debian's Chromium through Playwright): sign in, the
scorecard and its filters, a process chart's limits, drill-down to rows, live refresh after an outcome
logged through the API, and the TRM pack's print layout. Every test also proves that no request
left 127.0.0.1 and that the pages logged no console or script error. Screenshots (and the pack's
PDF) are saved under test-artifacts/browser/.

Elements are found by role, label and text where the page offers them, which also checks that the
controls are labelled for assistive technology."""

import itertools
import json
import re
import urllib.request
from types import SimpleNamespace

import pytest
from django.utils import timezone

from operations.models import Area
from operations.reference import reference_data_load
from performance import periods
from performance.models import IndicatorValue
from tasking import services
from tests.performance.conftest import ASSESSMENT, BW_LSOA, Desk, import_crimes, police_uk_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFRESH_LIMIT_MS = 15_000
PASSWORD = "pw-supervisor"  # tests/conftest.py's supervisor
BURGLARIES_PER_MONTH = [4, 6, 5, 7, 5, 6, 4, 5, 6, 5, 7, 5, 6, 5, 4]  # the 15 months before this one


# ------------------------------------------------------------------------------------------ data


@pytest.fixture
def reference(supervisor):
    """The force's reference data and a supervisor (tests/conftest.py's, password ``pw-supervisor``).
    Each test commits its own rows (the live server's thread must see them), so each loads them."""
    reference_data_load()
    return SimpleNamespace(
        supervisor=supervisor, desk=Desk(supervisor), today=timezone.localdate(),
        force=Area.objects.get(kind=Area.Kind.FORCE),
    )  # fmt: skip


@pytest.fixture
def missions_today(reference):
    """Two arrest missions completed today through the tasking services, both by OSU: one in BE
    with 2 arrests, one in BW with 3. Each service call commits and drains its indicator values."""
    reference.desk.complete(area="BE", arrests=2)
    reference.desk.complete(area="BW", arrests=3)
    assert arrests_this_month(reference.force) == 5, "the outcomes were not drained into indicator values"
    return reference


@pytest.fixture
def burglaries(reference):
    """BURGLARIES_PER_MONTH burglaries in BW in each of the 15 months before this one, imported as
    data.police.uk street-level rows through the crime import service."""
    this_month = periods.start_of(periods.MONTH, timezone.localdate())
    rows = []
    for back, count in enumerate(reversed(BURGLARIES_PER_MONTH), start=1):
        month = periods.add_months(this_month, -back)
        rows += [police_uk_row(f"{month:%Y-%m}", "Burglary", BW_LSOA) for _ in range(count)]
    import_crimes(*rows)
    return reference


@pytest.fixture
def trm_meeting(reference):
    """Today's TRM meeting, opened through the tasking services with two attendees."""
    return services.trm_meeting_open(
        actor=reference.supervisor, date=reference.today, attendees="Supt Example (chair)\nInsp Example"
    )


def arrests_this_month(area):
    row = IndicatorValue.objects.filter(
        indicator__code="mission_arrests", area=area, operation_key=0, period_kind=periods.MONTH,
        period_start=periods.start_of(periods.MONTH, timezone.localdate()),
    ).first()  # fmt: skip
    return None if row is None else int(row.value)


# --------------------------------------------------------------------------------------- helpers


def log_in(page, base, username="supervisor", password=PASSWORD):
    """Through the sign-in form, as a person would: type, press Enter."""
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(re.compile(r"/dashboards/$"))  # a supervisor's home is the scorecard


def tile(page, name):
    """The scorecard tile whose heading is ``name``."""
    return (
        page.get_by_role("list", name="Key indicators")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("heading", name=name, exact=True))
    )


def tile_value(page, name):
    """The tile's number, read from its link's accessible name ('Arrests from missions, Nov 2026: 5')."""
    link = tile(page, name).get_by_role("link", name=re.compile(rf"^{re.escape(name)}, .+: "))
    return link.get_attribute("aria-label") or link.inner_text()


def expect_tile_value(page, name, value, timeout=None):
    """Wait until the tile shows ``value`` (its link's accessible name ends with it)."""
    from playwright.sync_api import expect

    link = tile(page, name).get_by_role("link", name=re.compile(rf"^{re.escape(name)}, .+: {value}$"))
    expect(link).to_be_visible(**({"timeout": timeout} if timeout else {}))


def api(base, path, data, token=None):
    """POST JSON to the live server's API (over HTTP, like any client) and return the JSON answer."""
    assert base.startswith("http://127.0.0.1:"), base  # only ever the test's own server
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = json.dumps(data).encode()
    request = urllib.request.Request(f"{base}{path}", data=body, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status in (200, 201), (path, response.status)
        return json.loads(response.read())


def api_log_outcome(base, *, area, arrests, username="supervisor", password=PASSWORD):
    """A whole arrest mission through the API, as a Mission Support client would log it: request,
    approval, allocation, start and outcome."""
    token = api(base, "/api/auth/token/", {"username": username, "password": password})["token"]
    request = api(base, "/api/requests/", {"kind": "npu_arrest", "area": area, "requested_by": "PC 9"}, token)
    mission = api(base, f"/api/requests/{request['id']}/assess/", ASSESSMENT, token)["mission"]
    api(base, f"/api/missions/{mission}/allocate/", {"resource": "OSU", "override_reason": "test"}, token)
    api(base, f"/api/missions/{mission}/start/", {}, token)
    return api(base, f"/api/missions/{mission}/outcome/", {"result": "arrested", "arrests": arrests}, token)


def svg_line_y(locator):
    return float(locator.first.get_attribute("y1"))


def assert_drawn(line):
    """An SVG line the reader can see: laid out with a width (a horizontal line has no height, so
    Playwright's visibility test does not apply) and painted with a stroke by the stylesheet."""
    drawn = line.evaluate(
        """el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
                   return {width: r.width, stroke: s.stroke, strokeWidth: parseFloat(s.strokeWidth),
                           display: s.display, visibility: s.visibility, opacity: parseFloat(s.opacity)}; }"""
    )
    assert drawn["width"] > 0, drawn
    assert drawn["stroke"] not in ("", "none"), drawn
    assert drawn["strokeWidth"] > 0, drawn
    assert drawn["display"] != "none", drawn
    assert drawn["visibility"] == "visible", drawn
    assert drawn["opacity"] > 0, drawn


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
