"""Supervisor dashboards: the force scorecard, NPU tables, process charts and their live refresh,
driven through the pages like a supervisor would, with query counts pinned."""

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.test import TestCase

from operations.crime_import import crime_counts_import
from operations.models import Area, Operation
from operations.reference import DATA_DIR
from performance import periods
from performance.dirty import indicators_drain
from performance.models import Indicator, IndicatorValue

from .conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

FIGURE_3 = json.loads((DATA_DIR / "seed000_figure3.json").read_text())[0]
PAGES = ["/dashboards/", "/dashboards/npu/", "/dashboards/indicators/mission_arrests/"]


@pytest.fixture
def as_viewer(client, viewer):
    client.force_login(viewer)
    return client


def html_of(response):
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def tiles_of(html):
    """{indicator code: the tile's HTML}."""
    parts = re.split(r'<li class="dash-tile[^"]*" data-indicator="', html)[1:]
    return {part.split('"', 1)[0]: part.split("</li>", 1)[0] for part in parts}


def put(code, area, kind, start, value, operation_key=0):
    IndicatorValue.objects.update_or_create(
        indicator=Indicator.objects.get(code=code), area=Area.objects.get(code=area),
        operation_key=operation_key, period_kind=kind, period_start=start,
        defaults={"value": Decimal(value), "numerator": Decimal(value), "denominator": None},
    )  # fmt: skip


def months(first, n):
    return [periods.add_months(first, i) for i in range(n)]


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


# ---------------------------------------------------------------------------------- NPU tables


@pytest.fixture
def figure_3():
    lines = ["area_code,offence_group,period_start,period_end,count"]
    for row in FIGURE_3["rows"]:
        lines.append(f"{row['area']},all,2017-01-01,2017-12-31,{row['current']}")
        lines.append(f"{row['area']},all,2016-01-01,2016-12-31,{row['previous']}")
    crime_counts_import(actor=None, data="\n".join(lines) + "\n", source_file="seed000_figure3.csv")
    return FIGURE_3["rows"]


def test_the_npu_table_reproduces_seed_000_figure_3_with_the_standard_percentage_change(as_viewer, figure_3):
    html = html_of(as_viewer.get("/dashboards/npu/", {"period": "2017", "compare": "2016"}))
    order = re.findall(r'<tr data-area="(\w+)">', html)
    assert order == [row["area"] for row in figure_3]  # ordered by % change, like the paper
    for paper in figure_3:
        row = re.search(rf'<tr data-area="{paper["area"]}">(.*?)</tr>', html, re.S)[1]
        cells = re.findall(r'<td class="num">([^<]*)', row)
        assert cells[:3] == [str(paper["current"]), str(paper["previous"]), str(paper["change_computed"])]
        assert f"{paper['pct_change_vs_previous_computed']:.2f} %" in row
        assert "↑</span> up" in row and "(worse)" in row  # more crime is worse
    total = re.search(r'<tr class="total-row" data-area="WMP">(.*?)</tr>', html, re.S)[1]
    assert ">227303<" in total and ">199446<" in total and "13.97 %" in total
    assert "crime not mapped to any NPU: 0 in 2017 and 0 in 2016" in html
    assert "mean of the NPU percentages" in html and "divided each change" in html


def test_the_npu_csv_has_the_same_rows(as_viewer, figure_3):
    response = as_viewer.get("/dashboards/npu/", {"period": "2017", "compare": "2016", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "NPU",
        "Current",
        "Previous",
        "Change",
        "% change",
        "Direction",
        "Rate per 1,000 residents",
    ]
    assert [row[0] for row in rows[1:-1]] == [row["area"] for row in figure_3]
    sh = next(row for row in rows if row[0] == "SH")
    assert sh[:6] == ["SH", "15256", "12841", "2415", "18.81", "up"]
    assert rows[-1][:5] == ["WMP", "227303", "199446", str(227303 - 199446), "13.97"]


def test_a_straddling_count_is_listed_as_a_note(as_viewer):
    crime_counts_import(
        actor=None, source_file="straddle.csv",
        data="area_code,offence_group,period_start,period_end,count\nSH,all,2016-07-01,2017-06-30,9000\n",
    )  # fmt: skip
    html = html_of(as_viewer.get("/dashboards/npu/", {"period": "2017", "compare": "2016"}))
    assert "straddle a period boundary" in html and "SH: 1 Jul 2016 to 30 Jun 2017" in html


@pytest.mark.parametrize("period", ["2017/19", "17", "2018-01-01..2017-01-01", "last year"])
def test_a_bad_period_shows_an_error_on_the_form_not_a_500(as_viewer, period):
    response = as_viewer.get("/dashboards/npu/", {"period": period, "compare": "2016"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a period: use 2017, 2017/18, 2017-12" in html
    assert 'id="f-period"' in html and 'aria-invalid="true"' in html and 'role="alert"' in html


def test_the_npu_table_defaults_to_the_last_full_year_against_the_year_before(as_viewer):
    with time_machine.travel(local(2026, 5, 1, 9, 0), tick=False):
        html = html_of(as_viewer.get("/dashboards/npu/"))
    assert 'name="period" value="2025"' in html and 'name="compare" value="2024"' in html
    assert "Recorded crime" in html


# -------------------------------------------------------------------------------- process chart


@pytest.fixture
def shaped_series():
    """Robbery (lower is better) by month for the force: steady, one spike (concern), then a long
    low run (improvement: a shift of 7+ below the mean)."""
    values = [50, 52, 49, 51, 50, 48, 52, 51, 50, 49, 95, 50, 51, 30, 31, 29, 30, 32, 31, 30, 29]
    for start, value in zip(months(date(2024, 1, 1), len(values)), values, strict=True):
        put("robbery", "WMP", "month", start, value)
    return values


def test_the_process_chart_draws_limits_and_special_causes_coloured_and_shaped(as_viewer, shaped_series):
    html = html_of(as_viewer.get("/dashboards/indicators/robbery/", {"from": "2024-01-01"}))
    svg = re.search(r'<svg class="spc-chart".*?</svg>', html, re.S)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for line in ("line--mean", "line--limit line--upper", "line--limit line--lower", "line--sigma2"):
        assert f'class="{line}"' in svg
    assert re.search(r'<g class="point point--concern"><title>Nov 2024: 95 — Special cause — concern[^<]*'
                     r"</title><rect ", svg)  # fmt: skip
    assert re.search(r'<g class="point point--improvement"><title>[^<]*</title><polygon ', svg)
    assert '<g class="point point--concern"><title>Jan 2024: 50 — Special cause — concern: run of 7' in svg
    assert "tabindex" not in svg and "<a " not in svg  # the points are no focus traps
    assert 'class="tick tick--y"' in svg and 'class="tick tick--x"' in svg
    assert "Special cause — improvement (▲ blue)" in html and "Special cause — concern (■ orange)" in html
    # the same data as a table, signals in words
    table = re.search(r'<table class="data spc-table">.*?</table>', html, re.S)[0]
    assert table.count('<tr class="spc-row') == len(shaped_series)
    assert "Special cause — concern: beyond a process limit" in table
    assert "Special cause — improvement: 2 of 3 beyond the 2σ line, run of 7 on one side of the mean" in table
    assert "Trial limits" not in html


def test_break_lines_are_drawn_at_given_dates_and_at_the_operations_start(as_viewer, shaped_series):
    vibrant = Operation.objects.get(code="VIBRANT")
    vibrant.start_date = date(2024, 7, 1)
    vibrant.save()
    for start, value in zip(months(date(2024, 1, 1), 12), shaped_series[:12], strict=True):
        put("robbery", "WMP", "month", start, value, operation_key=vibrant.pk)
    html = html_of(
        as_viewer.get("/dashboards/indicators/robbery/", {"operation": "VIBRANT", "breaks": "2024-04-01"})
    )
    svg = re.search(r'<svg class="spc-chart".*?</svg>', html, re.S)[0]
    assert svg.count('class="line--break"') == 2
    assert "Break 01 Apr 2024" in svg and "VIBRANT starts 01 Jul 2024" in svg
    assert "Break 01 Apr 2024: new limits" in html and "VIBRANT starts 01 Jul 2024: new limits" in html
    assert "Trial limits" in html  # three segments of 3, 3 and 6 points


def test_the_process_chart_reports_bad_choices_and_switches_indicator(as_viewer):
    response = as_viewer.get("/dashboards/indicators/robbery/", {"baseline": "5", "breaks": "soon"})
    html = html_of(response)
    assert "12 or more" in html and "&#x27;soon&#x27; is not a date" in html
    response = as_viewer.get("/dashboards/indicators/robbery/", {"indicator": "burglary", "area": "BE"})
    assert response.status_code == 302 and response.url == "/dashboards/indicators/burglary/?area=BE"
    assert as_viewer.get("/dashboards/indicators/no-such/").status_code == 404


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
