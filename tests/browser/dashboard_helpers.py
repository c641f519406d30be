"""What the dashboards' real-browser tests share (their data fixtures are in the conftest): signing
in, reading the scorecard's tiles, the API over HTTP and checking that an SVG line is drawn."""

import json
import re
import urllib.request

from django.utils import timezone

from performance import periods
from performance.models import IndicatorValue
from tests.performance.conftest import ASSESSMENT

REFRESH_LIMIT_MS = 15_000
PASSWORD = "pw-supervisor"  # tests/conftest.py's supervisor
BURGLARIES_PER_MONTH = [4, 6, 5, 7, 5, 6, 4, 5, 6, 5, 7, 5, 6, 5, 4]  # the 15 months before this one


# ------------------------------------------------------------------------------------------ data


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
