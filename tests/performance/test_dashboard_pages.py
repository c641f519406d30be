"""Every operation page, patrols, today and drill-down page renders for a viewer and only for a
signed-in one, is read-only, creates nothing and stays within twenty queries; the drill-down rows
filter, page, export to CSV and ignore a filter they do not understand (what each page reads out is
in test_dashboard_operations.py)."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from performance.dirty import indicators_drain
from tasking import services
from tasking.models import HotGrid, TaskingPeriod, TrmMeeting
from tasking.services import patrol_schedule_generate, period_for_day

from .conftest import grid_make, import_crimes, local, police_uk_row
from .dashboard_helpers import NOW, PAGES, at, get, rows_listed


@pytest.mark.parametrize("url", PAGES)
def test_each_page_renders_for_a_viewer_and_sends_anonymous_users_to_login(
    client, perf_reference, viewer, url
):
    assert client.get(url).status_code == 302
    assert "login" in client.get(url)["Location"]
    response = get(client, viewer, url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"https?://", html)
    assert html.count("<table") == html.count("<caption")  # every table says what it holds


def test_pages_are_read_only(client, perf_reference, viewer):
    client.force_login(viewer)
    assert client.post(reverse("performance:today")).status_code in (403, 405)


def test_get_requests_create_no_rows(client, viewer, desk, now):
    counts = lambda: (TaskingPeriod.objects.count(), TrmMeeting.objects.count())  # noqa: E731
    before = counts()
    for url in [*PAGES, reverse("performance:trm-pack-latest")]:
        assert get(client, viewer, url).status_code in (200, 302)
    assert counts() == before


def test_drill_down_filters_pages_and_exports_every_row_as_csv(client, viewer, desk, now):
    for i in range(55):
        desk.complete(kind="vibrant_arrest", operation="VIBRANT", area="BE" if i % 5 else "CV")
    url = reverse("performance:rows", args=["outcomes"])
    page = get(client, viewer, url, operation="VIBRANT", area="BE").content.decode()
    assert "<strong>44</strong> outcomes where" in page and "area code</strong> is BE" in page
    assert len(rows_listed(page.encode() and get(client, viewer, url, operation="VIBRANT", area="BE"))) == 44
    everything = get(client, viewer, url, operation="VIBRANT")
    assert len(rows_listed(everything)) == 50 and "Page 1 of 2" in everything.content.decode()
    export = get(client, viewer, url, operation="VIBRANT", format="csv")
    assert export["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert table[0][:3] == ["Mission", "Kind", "NPU"] and len(table) == 56


def test_a_bad_filter_value_is_ignored_with_a_message(client, viewer, desk, now):
    desk.complete(kind="vibrant_arrest", operation="VIBRANT")
    for source, params in [
        ("outcomes", {"completed_after": "last tuesday"}),
        ("crimes", {"month_from": "2026-13"}),
        ("missions", {"state": "flying"}),
        ("patrols", {"period": "soon"}),
    ]:
        response = get(client, viewer, reverse("performance:rows", args=[source]), **params)
        assert response.status_code == 200
        assert "were not understood and have been ignored" in response.content.decode()
    assert get(client, viewer, reverse("performance:rows", args=["nonsense"])).status_code == 404


def test_crime_rows_filter_by_month_area_unmapped_group_and_type(client, viewer, desk, now):
    import_crimes(police_uk_row("2026-08", "Burglary"), police_uk_row("2026-09", "Burglary"),
                  police_uk_row("2026-09", "Robbery"),
                  police_uk_row("2026-09", "Burglary", lsoa="E01099999"))  # fmt: skip
    url = reverse("performance:rows", args=["crimes"])

    def count(**params):
        return int(
            re.search(r"<strong>(\d+)</strong> crime", get(client, viewer, url, **params).content.decode())[1]
        )

    assert count() == 4
    assert count(month_from="2026-09", month_to="2026-09") == 3
    assert count(area="unmapped") == 1
    assert count(offence_group="burglary", area="BW") == 2
    assert count(crime_type="robbery") == 1


def test_pages_stay_within_twenty_queries_with_lots_of_data(
    client, viewer, desk, now, time_machine, django_assert_max_num_queries
):
    for i in range(30):
        at(time_machine, local(2026, 10, 1 + i % 19, 10, 0))
        desk.complete(
            kind="vibrant_arrest", operation="VIBRANT", area="BE" if i % 2 else "CV", arrests=1 + i % 3
        )
        desk.complete(kind="warrant_firearms", operation="CAPTIVA", result="warrant_no_finds")
        desk.allocate(desk.mission(kind="weapons_sweep", operation="SCEPTRE"))
    at(time_machine, local(2026, 10, 19, 9, 0))
    for i in range(6):
        grid_make(desk.actor, f"G-Q{i}", operation="GUARDIAN", index=i)
    HotGrid.objects.filter(code__in=["G-Q0", "G-Q1", "G-Q2"]).update(trial_arm="treatment")
    HotGrid.objects.filter(code__in=["G-Q3", "G-Q4", "G-Q5"]).update(trial_arm="control")
    patrol_schedule_generate(period=period_for_day(date(2026, 10, 19)))
    at(time_machine, NOW)
    indicators_drain()
    services.trm_meeting_open(actor=desk.actor, date=date(2026, 10, 20))
    client.force_login(viewer)
    for url in PAGES:
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url
