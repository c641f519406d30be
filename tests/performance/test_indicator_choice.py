"""Choosing an indicator on the dashboards: the process chart's picker answers any text it is sent
without failing, and the NPU tables' default indicator and the menu's process chart link follow the
indicators that are active, however an Administrator has changed them."""

import re

import pytest
from django.urls import resolve

from performance.models import Indicator

from .conftest import html_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

CHART = "/dashboards/indicators/recorded_crime/"


def first_active():
    return Indicator.objects.filter(active=True).order_by("sort_order", "code").first()


def chart_link(html):
    """The href of the menu's "Process charts" link, or None when the menu has none."""
    nav = re.search(r'<nav class="tabs no-print" aria-label="Dashboards">.*?</nav>', html, re.S)[0]
    match = re.search(r'<a href="([^"]+)"[^>]*>Process charts</a>', nav)
    return match and match[1].replace("&amp;", "&")


def selected_indicator(html):
    select = re.search(r'<select id="f-indicator" name="indicator">.*?</select>', html, re.S)[0]
    return re.search(r'<option value="([^"]+)" selected>', select)[1]


# ----------------------------------------------------------------------- the process chart's picker


UNKNOWN = ["BÉ", "recorded crime", " BE ", "recorded_crime/../robbery", "<b>", "nosuch"]


@pytest.mark.parametrize("text", UNKNOWN)
def test_a_picked_indicator_that_is_none_answers_like_the_address_of_no_indicator(as_viewer, text):
    unknown = as_viewer.get("/dashboards/indicators/nosuch/")
    assert unknown.status_code == 404
    response = as_viewer.get(CHART, {"indicator": text, "area": "BE"}, follow=True)
    assert response.status_code == 404
    assert response.content == unknown.content


def test_the_picker_still_switches_to_an_indicator_and_keeps_the_other_choices(as_viewer):
    response = as_viewer.get(CHART, {"indicator": "robbery", "area": "BE", "period": "week"})
    assert response.status_code == 302
    assert response.url == "/dashboards/indicators/robbery/?area=BE&period=week"
    assert as_viewer.get(CHART, {"indicator": "recorded_crime"}).status_code == 200  # the same one


def test_an_inactive_indicator_picked_by_its_code_is_still_charted(as_viewer):
    Indicator.objects.filter(code="robbery").update(active=False)
    response = as_viewer.get(CHART, {"indicator": "robbery"}, follow=True)
    assert response.status_code == 200 and "Robbery by month" in response.content.decode()


# ------------------------------------------------------------------------- the NPU tables' default


def test_a_first_visit_after_the_default_indicator_is_deactivated_shows_the_first_active_one(
    api, administrator, as_viewer
):
    admin = api.as_user(administrator)
    patch = admin.patch("/api/indicators/recorded_crime/", {"active": False}, format="json")
    assert patch.status_code == 200, patch.content
    html = html_of(as_viewer.get("/dashboards/npu/"))
    first = first_active()
    assert first.code != "recorded_crime"
    assert selected_indicator(html) == first.code
    assert f"NPU tables: {first.name}" in html and "No indicator" not in html
    link = chart_link(html)
    assert resolve(link.split("?")[0]).kwargs["code"] == first.code
    assert html_of(as_viewer.get(link))


def test_a_first_visit_after_the_default_indicator_is_renamed_shows_the_first_active_one(as_viewer):
    Indicator.objects.filter(code="recorded_crime").update(code="crime_recorded")
    html = html_of(as_viewer.get("/dashboards/npu/"))
    assert selected_indicator(html) == first_active().code
    assert html_of(as_viewer.get(chart_link(html)))
    csv = as_viewer.get("/dashboards/npu/", {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")


def test_recorded_crime_stays_the_default_while_it_is_active(as_viewer):
    html = html_of(as_viewer.get("/dashboards/npu/"))
    assert selected_indicator(html) == "recorded_crime"
    assert chart_link(html).startswith("/dashboards/indicators/recorded_crime/")


def test_an_inactive_indicator_asked_for_by_name_is_still_reported_on_the_form(as_viewer):
    Indicator.objects.filter(code="recorded_crime").update(active=False)
    response = as_viewer.get("/dashboards/npu/", {"indicator": "recorded_crime"})
    assert response.status_code == 400
    assert "No indicator &#x27;recorded_crime&#x27;." in response.content.decode()


def test_with_no_active_indicator_the_npu_tables_say_so_plainly(as_viewer):
    Indicator.objects.update(active=False)
    html = html_of(as_viewer.get("/dashboards/npu/"))
    assert "No indicator is active, so there is no table to show." in html
    assert 'role="alert"' not in html and '<table class="data npu-table"' not in html
    assert chart_link(html) is None
    assert html_of(as_viewer.get("/dashboards/npu/", {"indicator": "recorded_crime", "period": "last year"}))


# ----------------------------------------------------------------- the menu's process charts link


def test_the_menu_links_to_an_active_indicator_when_the_scorecard_has_no_key_indicator(as_viewer):
    Indicator.objects.update(key=False)
    Indicator.objects.filter(code="recorded_crime").update(code="crime_recorded")
    html = html_of(as_viewer.get("/dashboards/"))
    link = chart_link(html)
    assert resolve(link.split("?")[0]).kwargs["code"] == first_active().code
    assert html_of(as_viewer.get(link))


def test_the_menu_on_an_inactive_indicators_chart_links_to_an_active_one(as_viewer):
    Indicator.objects.filter(code="recorded_crime").update(active=False)
    html = html_of(as_viewer.get(CHART))
    assert resolve(chart_link(html).split("?")[0]).kwargs["code"] == first_active().code


def test_with_no_active_indicator_the_menu_leaves_the_process_charts_out(as_viewer):
    Indicator.objects.update(active=False)
    for url in ("/dashboards/", "/dashboards/npu/", CHART):
        html = html_of(as_viewer.get(url))
        assert chart_link(html) is None
        assert 'href="/dashboards/npu/"' in html
