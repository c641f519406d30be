"""The rows behind a mission-transition indicator are exactly the missions that made the counted
move in that period, whatever their state now: an operation page's "Missions allocated 3 — show
rows" lists those 3 missions, "completed" lists the missions completed in the month (one allocated the
month before included), and a re-allocation (allocated → allocated), which the indicator does not
count, lists nothing. The mission filters behind the links (``history_state``,
``history_from_state``, ``history_after``, ``history_before``) apply together to one history row,
list each mission once, and are documented in the API.

Operation Henhouse, with the clock at noon on Tuesday 20 October 2026:
  m1  allocated 5 Oct, completed 5 Oct
  m2  allocated 6 Oct, still allocated
  m3  allocated 15 Sep, completed 7 Oct
  m5  allocated 30 Sep 20:00, re-allocated to another resource 1 Oct 03:00 (same tasking period)
  m6  allocated 20 Sep, not completed 20 Sep, carried over (allocated again) 8 Oct
  m7  allocated 5 Oct for no operation (not Henhouse's)
"""

import re

import pytest
from django.urls import reverse

from performance.dirty import indicators_drain

from .conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

NOW = local(2026, 10, 20, 12, 0)
OCTOBER = {"history_after": "2026-10-01T00:00:00+01:00", "history_before": "2026-11-01T00:00:00+00:00"}


@pytest.fixture
def events_now(monkeypatch):
    """Each test runs in one transaction that never commits: run on-commit work (event dispatch,
    which marks indicator buckets dirty) at once, as it runs after each service's commit."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def henhouse(desk, time_machine, events_now):
    def at(*moment):
        time_machine.move_to(local(*moment), tick=False)

    def mission(operation="HENHOUSE"):
        return desk.mission(kind="npu_arrest", area="BE", operation=operation)

    at(2026, 9, 15, 10, 0)
    m3 = mission()
    desk.allocate(m3)
    at(2026, 9, 20, 10, 0)
    m6 = mission()
    desk.allocate(m6)
    at(2026, 9, 20, 12, 0)
    desk.not_complete(m6)
    at(2026, 9, 30, 20, 0)
    m5 = mission()
    desk.allocate(m5, resource="OSU")
    at(2026, 10, 1, 3, 0)
    desk.allocate(m5, resource="FS", reason="OSU committed elsewhere")
    at(2026, 10, 5, 10, 0)
    m1 = mission()
    desk.allocate(m1)
    desk.start(m1)
    m7 = mission(operation=None)
    desk.allocate(m7)
    at(2026, 10, 5, 12, 0)
    desk.outcome(m1)
    at(2026, 10, 6, 10, 0)
    m2 = mission()
    desk.allocate(m2)
    at(2026, 10, 7, 10, 0)
    desk.start(m3)
    desk.outcome(m3)
    at(2026, 10, 8, 10, 0)
    desk.allocate(m6)
    time_machine.move_to(NOW, tick=False)
    indicators_drain()
    return {"m1": m1, "m2": m2, "m3": m3, "m5": m5, "m6": m6, "m7": m7}


def named(missions, *names):
    return sorted(missions[name].reference for name in names)


def link(html, text, after=""):
    """The href of the first link whose accessible name starts with ``text`` (after the link named
    ``after``, when given: the previous month's link of a figure follows its own)."""
    if after:
        html = html.split(f'aria-label="{after}', 1)[1]
    match = re.search(r'href="([^"]+)" aria-label="' + re.escape(text), html)
    assert match, f"no link for {text!r}"
    return match[1].replace("&amp;", "&")


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return sorted(set(re.findall(r">(M-\d{6})<", response.content.decode())))


def test_the_operation_pages_transition_links_list_exactly_the_missions_counted(client, viewer, henhouse):
    client.force_login(viewer)
    html = client.get(reverse("performance:operation", args=["HENHOUSE"])).content.decode()

    allocated = link(html, "3 — missions allocated in Oct 2026 — show rows")
    assert "history_state=allocated" in allocated and "operation=HENHOUSE" in allocated
    assert listed(client, allocated) == named(henhouse, "m1", "m2", "m6")
    assert listed(client, link(html, "3 in Sep 2026 — show rows", after="3 — missions allocated")) == named(
        henhouse, "m3", "m5", "m6"
    )

    completed = link(html, "2 — missions completed in Oct 2026 — show rows")
    assert listed(client, completed) == named(henhouse, "m1", "m3")


def test_a_completion_rates_rows_are_the_missions_finished_in_the_period(client, viewer, henhouse):
    client.force_login(viewer)
    html = client.get(reverse("performance:operation", args=["HENHOUSE"])).content.decode()

    rate = "100 — mission completion rate in Oct 2026 — show rows"
    assert listed(client, link(html, rate)) == named(henhouse, "m1", "m3")
    september = link(html, "0 in Sep 2026 — show rows", after=rate)
    assert listed(client, september) == named(henhouse, "m6")


def references(response):
    assert response.status_code == 200, response.data
    return sorted(item["reference"] for item in response.data.get("results", response.data))


def test_the_api_filters_missions_by_a_move_in_a_period_on_one_history_row(api, viewer, henhouse):
    client = api.as_user(viewer)

    def missions(**query):
        return references(client.get("/api/missions/", {"operation": "HENHOUSE", **query}))

    assert missions(
        history_state="allocated", history_from_state=["pending", "not_completed"], **OCTOBER
    ) == (named(henhouse, "m1", "m2", "m6"))
    assert missions(history_state="allocated", **OCTOBER) == named(henhouse, "m1", "m2", "m5", "m6")
    # Allocated in September and completed in October: not "completed in September".
    september = {"history_after": "2026-09-01T00:00:00+01:00", "history_before": "2026-10-01T00:00:00+01:00"}
    assert missions(history_state="completed", **september) == []
    assert missions(history_state=["completed", "not_completed"], **september) == named(henhouse, "m6")
    # m5 was allocated twice in the range and m6 twice: each is listed once.
    both = {"history_after": "2026-09-01T00:00:00+01:00", **{"history_before": OCTOBER["history_before"]}}
    response = client.get("/api/missions/", {"operation": "HENHOUSE", "history_state": "allocated", **both})
    assert references(response) == named(henhouse, "m1", "m2", "m3", "m5", "m6")
    assert response.data["count"] == 5


def test_the_history_filters_are_documented_in_the_api_schema(api, viewer):
    schema = api.as_user(viewer).get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/missions/"]["get"]["parameters"]}
    for name in ("history_state", "history_from_state", "history_after", "history_before"):
        assert parameters[name].get("description"), name
    assert "indicators count" in parameters["history_state"]["description"]
