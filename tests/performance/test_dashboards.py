"""Supervisor dashboards: the force scorecard and its live refresh, the query cost of every page,
who may see them and where their links lead, driven through the pages like a supervisor would.
The NPU tables and the process chart are in ``test_dashboard_tables_and_charts``."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import TestCase

from operations.models import Area, Operation
from performance.dirty import indicators_drain
from performance.models import Indicator, IndicatorValue

from .conftest import html_of, local, months, put

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

PAGES = ["/dashboards/", "/dashboards/npu/", "/dashboards/indicators/mission_arrests/"]


def tiles_of(html):
    """{indicator code: the tile's HTML}."""
    parts = re.split(r'<li class="dash-tile[^"]*" data-indicator="', html)[1:]
    return {part.split('"', 1)[0]: part.split("</li>", 1)[0] for part in parts}


# ----------------------------------------------------------------------------------- scorecard


@pytest.fixture
def arrests_history(desk):
    """Arrests from missions in BE: March 2025 (4) and each month December 2025 to March 2026."""
    for when, arrests in [
        (local(2025, 3, 12, 10, 0), 4),
        (local(2025, 12, 10, 10, 0), 3),
        (local(2026, 1, 10, 10, 0), 5),
        (local(2026, 2, 10, 10, 0), 4),
        (local(2026, 3, 10, 10, 0), 6),
    ]:
        with time_machine.travel(when, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
            desk.complete(area="BE", arrests=arrests)
    indicators_drain()


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_the_scorecard_shows_one_tile_per_key_indicator_with_value_target_rag_change_sparkline_and_spc(
    as_viewer, arrests_history
):
    html = html_of(as_viewer.get("/dashboards/"))
    keys = list(
        Indicator.objects.filter(key=True, active=True).order_by("sort_order").values_list("code", flat=True)
    )
    tiles = tiles_of(html)
    assert list(tiles) == keys
    arrests = tiles["mission_arrests"]
    assert "Mar 2026" in arrests
    assert 'data-value="6.0000"' in arrests and ">6</a>" in arrests
    assert "up 50 % on last year (better)" in arrests  # 6 against 4 in March 2025
    assert 'class="change__arrow" aria-hidden="true">↑<' in arrests
    assert '<svg class="sparkline"' in arrests and 'role="img"' in arrests
    assert re.search(r"Special cause — (improvement|concern)|Common cause", arrests)
    assert "Assurance: no target" in arrests
    assert "No RAG status" in arrests and "No target" in arrests
    rate = tiles["mission_completion_rate"]  # 100 % against a target of at least 85 %
    assert "100.0 %" in rate and "Target at least 85.0 %" in rate
    assert "rag-badge--green" in rate and "On target" in rate
    assert re.search(r"Assurance: (consistently passes|hit and miss|consistently fails)", rate)
    # every number links to the indicator's process chart, filtered the same way
    assert 'href="/dashboards/indicators/mission_arrests/?area=WMP&amp;period=month"' in arrests
    assert 'aria-live="polite"' in html and 'hx-trigger="every 5s"' in html


def test_rag_respects_the_direction_and_a_percentage_change_target(as_viewer):
    # Burglary: lower is better, target down 8 % on last year.
    put("burglary", "WMP", "month", date(2025, 10, 1), 100)
    put("burglary", "WMP", "month", date(2026, 10, 1), 95)  # down 5 %: within 10 % of 92 → amber
    put("forensic_arrests_48h", "WMP", "month", date(2026, 10, 1), 50)  # target 90 %: red
    tiles = tiles_of(html_of(as_viewer.get("/dashboards/")))
    burglary = tiles["burglary"]
    assert "Oct 2026" in burglary and "down 5 % on last year (better)" in burglary
    assert "rag-badge--amber" in burglary and "Near target" in burglary
    assert "Target down 8 % on last year" in burglary
    assert "rag-badge--red" in tiles["forensic_arrests_48h"] and "Off target" in tiles["forensic_arrests_48h"]


def test_filters_live_in_the_url_and_change_what_is_shown(as_viewer):
    vibrant = Operation.objects.get(code="VIBRANT")
    put("mission_arrests", "WMP", "month", date(2026, 2, 1), 40)
    put("mission_arrests", "BE", "week", date(2026, 2, 2), 7)
    put("mission_arrests", "BE", "week", date(2026, 2, 2), 3, operation_key=vibrant.pk)

    force = tiles_of(html_of(as_viewer.get("/dashboards/")))["mission_arrests"]
    assert ">40</a>" in force and "Feb 2026" in force
    html = html_of(as_viewer.get("/dashboards/", {"area": "BE", "period": "week"}))
    assert '<option value="BE" selected>' in html and '<option value="week" selected>' in html
    be = tiles_of(html)["mission_arrests"]
    assert ">7</a>" in be and "w/c 02 Feb 2026" in be
    assert "/dashboards/indicators/mission_arrests/?area=BE&amp;period=week" in be
    html = html_of(as_viewer.get("/dashboards/", {"area": "BE", "period": "week", "operation": "VIBRANT"}))
    assert ">3</a>" in tiles_of(html)["mission_arrests"]
    assert 'hx-get="/dashboards/?area=BE&amp;operation=VIBRANT&amp;period=week&amp;fragment=tiles"' in html
    for label in ('for="f-area">Area<', 'for="f-operation">Operation<', 'for="f-period">Period<'):
        assert label in html
    assert 'method="get"' in html


def test_an_unknown_filter_value_falls_back_and_says_so(as_viewer):
    html = html_of(as_viewer.get("/dashboards/", {"area": "NOPE", "period": "fortnight"}))
    assert "No area &#x27;NOPE&#x27;: showing the force." in html
    assert '<option value="month" selected>' in html


@pytest.fixture
def lots_of_values():
    """Three years of monthly and weekly values for every key indicator, every NPU and the force."""
    rows = []
    areas = list(Area.objects.filter(kind__in=["force", "npu"]))
    for ind in Indicator.objects.filter(key=True):
        for area in areas:
            for i, start in enumerate(months(date(2023, 11, 1), 36)):
                value = Decimal(50 + i % 7)
                rows.append(IndicatorValue(indicator=ind, area=area, period_kind="month", period_start=start,
                                           value=value, numerator=value))  # fmt: skip
            for i in range(60):
                start = date(2025, 9, 1) + (date(2025, 9, 8) - date(2025, 9, 1)) * i
                value = Decimal(10 + i % 5)
                rows.append(IndicatorValue(indicator=ind, area=area, period_kind="week", period_start=start,
                                           value=value, numerator=value))  # fmt: skip
    IndicatorValue.objects.bulk_create(rows)
    return len(rows)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboards/",
        "/dashboards/?area=BE&period=week",
        "/dashboards/?area=SH&period=rolling_12",
        "/dashboards/npu/?indicator=mission_arrests&period=2025&compare=2024",
        "/dashboards/npu/?period=2017&compare=2016",
        "/dashboards/indicators/mission_arrests/?area=BE",
        "/dashboards/indicators/mission_arrests/?period=week&operation=VIBRANT&breaks=2026-01-05",
    ],
)
def test_each_dashboard_page_costs_at_most_20_queries_whatever_the_data_size(
    as_viewer, lots_of_values, django_assert_max_num_queries, url
):
    assert lots_of_values > 5000
    with django_assert_max_num_queries(20):
        html_of(as_viewer.get(url))


# ---------------------------------------------------------------------------------- live refresh


def version_of(html, region="tiles"):
    match = re.search(rf'id="{region}"[^>]*hx-vals="([^"]*)"', html)
    return json.loads(match[1].replace("&quot;", '"'))["v"]


@time_machine.travel(local(2026, 3, 20, 9, 0), tick=False)
def test_the_live_fragment_shows_a_new_value_after_an_outcome_and_204_while_nothing_changed(
    as_viewer, arrests_history, desk
):
    query = {"area": "BE", "fragment": "tiles"}
    html = html_of(as_viewer.get("/dashboards/", {"area": "BE"}))
    version = version_of(html)
    assert ">6</a>" in tiles_of(html)["mission_arrests"]
    unchanged = as_viewer.get("/dashboards/", query | {"v": version})
    assert unchanged.status_code == 204 and unchanged.content == b""

    with (
        time_machine.travel(local(2026, 3, 20, 10, 0), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        desk.complete(area="BE", arrests=2)
        indicators_drain()

    fragment = html_of(as_viewer.get("/dashboards/", query | {"v": version}))
    assert fragment.lstrip().startswith('<div id="tiles"') and "<html" not in fragment
    assert ">8</a>" in tiles_of(fragment)["mission_arrests"]
    new_version = version_of(fragment)
    assert new_version != version
    assert as_viewer.get("/dashboards/", query | {"v": new_version}).status_code == 204


def test_the_process_chart_fragment_refreshes_too(as_viewer):
    put("mission_arrests", "WMP", "month", date(2026, 1, 1), 10)
    url = "/dashboards/indicators/mission_arrests/"
    version = version_of(html_of(as_viewer.get(url)), "chart")
    assert as_viewer.get(url, {"fragment": "chart", "v": version}).status_code == 204
    put("mission_arrests", "WMP", "month", date(2026, 2, 1), 12)
    fragment = html_of(as_viewer.get(url, {"fragment": "chart", "v": version}))
    assert fragment.lstrip().startswith('<div id="chart"') and "<html" not in fragment
    assert "Feb 2026" in fragment and "<svg" in fragment


# -------------------------------------------------------------------------------- access, links


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_dashboards_are_read_only(client, supervisor, url):
    client.force_login(supervisor)
    assert client.post(url).status_code == 405


def test_a_supervisor_lands_on_the_scorecard_after_login(client, supervisor):
    response = client.post("/login/", {"username": "supervisor", "password": "pw-supervisor"}, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboards/"
    assert "Scorecard" in html_of(response)


def test_a_viewer_still_lands_on_home(client, viewer):
    response = client.post("/login/", {"username": "viewer", "password": "pw-viewer"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"


@pytest.mark.parametrize("fixture", ["viewer", "mission_user", "supervisor"])
def test_no_dashboard_page_links_off_site_and_every_control_is_labelled(
    client, request, fixture, shaped_series
):
    client.force_login(request.getfixturevalue(fixture))
    for url in [*PAGES, "/dashboards/indicators/robbery/"]:
        html = html_of(client.get(url))
        assert "http://" not in html and "https://" not in html, url
        for control in re.findall(r"<(?:select|input)\b[^>]*>", html):
            if 'type="hidden"' in control:
                continue
            ident = re.search(r'id="([^"]+)"', control)
            assert ident and f'for="{ident[1]}"' in html, (url, control)
