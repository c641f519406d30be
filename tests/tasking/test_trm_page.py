"""The TRM meeting page's agenda: it builds itself for the period under review, takes more sections
from registered providers, lists the missions not completed the oldest first a page at a time (a
decision taken on a later page returns to it) and costs a bounded number of queries; a day with no
meeting is not found."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.models import Area
from tasking import agenda, services
from tasking.models import Mission, Request
from tasking.views import trm

from .factories import allocated, approved, html, in_progress, not_completed, receive, signed_in
from .trm_helpers import tomorrows_meeting, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(mission_user, reference_data):
    """Tomorrow's meeting: it plans the next period and reviews the current one, where the tests act."""
    return tomorrows_meeting(mission_user)


def curfew_breach(actor, resource="OSU"):
    mission = in_progress(actor, kind="curfew_check", location="4 Elm Road", resource=resource)
    services.mission_log_outcome(
        actor=actor, mission=mission, result="curfew_breached", notes="Not home at 23:10."
    )
    return Mission.objects.get(pk=mission.pk)


def test_the_agenda_shows_what_the_meeting_must_review(client, viewer, mission_user, meeting):
    stuck = not_completed(mission_user)
    breach = curfew_breach(mission_user)
    follow_up = Request.objects.get(follow_up_of=breach)
    at_risk = receive(mission_user, kind="npu_arrest", due_by=timezone.now() + timedelta(hours=3))
    services.deadlines_flag()
    fresh = receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")
    done = in_progress(mission_user, resource="FS")
    services.mission_log_outcome(actor=mission_user, mission=done, result="arrested", arrests=1)
    services.threat_item_save(
        actor=mission_user, category="crime_series", area=Area.objects.get(code="CV"),
        title="Garage break-ins", owner="DS Rowe",
    )  # fmt: skip

    response = signed_in(client, viewer).get(url(meeting))

    assert response.status_code == 200
    page = html(response)
    sections = page.split('id="not-completed"')
    assert done.reference in sections[0] and "Arrest made" in sections[0]  # missions by resource
    assert "Force Support" in sections[0]
    not_completed_section = page.split('id="not-completed"')[1].split('id="deadlines"')[0]
    assert stuck.reference in not_completed_section
    assert "Subject not at the address." in not_completed_section
    deadlines = page.split('id="deadlines"')[1].split('id="breaches"')[0]
    assert at_risk.reference in deadlines
    breaches = page.split('id="breaches"')[1].split('id="new-requests"')[0]
    assert breach.reference in breaches and follow_up.reference in breaches
    new_requests = page.split('id="new-requests"')[1].split('id="threats"')[0]
    assert fresh.reference in new_requests and follow_up.reference in new_requests
    assert "Garage break-ins" in page
    assert "Patrol gaps will appear here once hot grids are set up." in page
    assert "data-print" in page
    assert 'action="/trm/' not in page  # a viewer sees the agenda, not the forms


def test_an_unknown_meeting_date_is_not_found(client, viewer, reference_data):
    signed_in(client, viewer)
    assert client.get("/trm/2031-02-03/").status_code == 404
    assert client.get("/trm/2031-02-31/").status_code == 404


def test_registered_agenda_providers_fill_the_hot_grid_section(client, viewer, meeting, monkeypatch):
    def gaps(meeting, review_period):
        return {
            "title": "Hot grids not patrolled",
            "template": "tasking/agenda_items.html",
            "items": [{"label": "Grid BE-07 (Lozells)", "detail": f"0 of 3 windows on {review_period.day}"}],
        }

    monkeypatch.setattr(agenda, "AGENDA_SECTIONS", [])
    agenda.agenda_section(gaps)
    page = html(signed_in(client, viewer).get(url(meeting)))

    assert "Hot grids not patrolled" in page
    assert "Grid BE-07 (Lozells)" in page
    assert "Patrol gaps will appear here" not in page


def test_the_meeting_page_uses_a_bounded_number_of_queries(
    client, supervisor, mission_user, meeting, django_assert_max_num_queries
):
    for n in range(10):
        not_completed(mission_user, resource=["OSU", "FS"][n % 2])
        curfew_breach(mission_user, resource="NPU-BE" if n < 5 else "NPU-BW")
        done = in_progress(mission_user, resource=["FR", "GTF"][n % 2])
        services.mission_log_outcome(actor=mission_user, mission=done, result="arrested", arrests=1)
        allocated(mission_user, resource="CMPG" if n < 5 else "HHVT")
        approved(mission_user)
        receive(mission_user, due_by=timezone.now() + timedelta(hours=2))
    services.deadlines_flag()
    signed_in(client, supervisor)

    with django_assert_max_num_queries(30):
        response = client.get(url(meeting))

    assert response.status_code == 200
    page = html(response)
    assert page.count("carry-over/") == 10
    assert len(agenda.trm_agenda(meeting)["curfew_breaches"]) == 10


@pytest.fixture
def two_to_a_page(monkeypatch):
    """Two missions not completed to a page, so a few missions already stand for a long history."""
    monkeypatch.setattr(trm, "ROWS_SHOWN", 2)


def waiting_oldest_first(actor, n):
    """``n`` missions not completed in the current period, each due an hour before the one made
    before it: the oldest first (the period, then the deadline) is the reverse of creation."""
    made = [
        not_completed(actor, due_by=timezone.now() + timedelta(hours=30 - i), resource=["OSU", "FS"][i % 2])
        for i in range(n)
    ]
    return [m.reference for m in reversed(made)]


def listed(page):
    section = page.split('id="not-completed"')[1].split('id="deadlines"')[0]
    return re.findall(r">(M-\d{6})<", section)


def test_the_page_lists_the_oldest_missions_not_completed_a_page_at_a_time_with_the_whole_count(
    client, supervisor, mission_user, meeting, two_to_a_page
):
    oldest_first = waiting_oldest_first(mission_user, 5)
    signed_in(client, supervisor)

    first = html(client.get(url(meeting)))
    assert listed(first) == oldest_first[:2]
    assert "The 2 oldest of 5, 2 to a page" in first and "Not completed</a> (5)" in first
    assert 'href="/missions/?state=not_completed">all missions not completed' in first
    assert 'href="?page=2#not-completed" rel="next">Next 2' in first and 'rel="prev"' not in first
    assert first.count("carry-over/") == 2

    second = html(client.get(url(meeting), {"page": 2}))
    assert listed(second) == oldest_first[2:4]
    assert "Missions 3 to 4 of 5, the oldest first" in second and "Page 2 of 3" in second
    assert 'href="?page=1#not-completed" rel="prev"' in second and 'href="?page=3#not-completed"' in second

    last = html(client.get(url(meeting), {"page": 3}))
    assert listed(last) == oldest_first[4:] and 'rel="next"' not in last
    assert listed(html(client.get(url(meeting), {"page": 99}))) == oldest_first[4:]  # past the end: the last
    assert listed(html(client.get(url(meeting), {"page": "x"}))) == oldest_first[:2]


def test_a_decision_taken_on_a_later_page_returns_to_that_page(
    client, supervisor, mission_user, meeting, two_to_a_page
):
    oldest_first = waiting_oldest_first(mission_user, 5)
    third = Mission.objects.get(pk=int(oldest_first[2][2:]))
    signed_in(client, supervisor)
    second = html(client.get(url(meeting), {"page": 2}))
    action = url(meeting, f"missions/{third.pk}/cancel/") + "?page=2"
    assert f'action="{action}"' in second

    response = client.post(action, {"reason": "Intelligence out of date.", "version": third.version})

    assert response.status_code == 302 and response.url == url(meeting) + "?page=2#not-completed"
    third.refresh_from_db()
    assert third.state == "cancelled"
    after = html(client.get(response.url))
    assert listed(after) == [oldest_first[3], oldest_first[4]] and "Missions 3 to 4 of 4" in after


def test_the_cut_list_takes_the_same_queries_for_few_and_many_missions_not_completed(
    client, supervisor, mission_user, meeting, two_to_a_page, django_assert_max_num_queries
):
    waiting_oldest_first(mission_user, 3)
    signed_in(client, supervisor)
    counts = {}
    for page in (1, 2):
        with CaptureQueriesContext(connection) as few:
            client.get(url(meeting), {"page": page})
        counts[page] = len(few)

    waiting_oldest_first(mission_user, 6)  # three times as many: pages 1 and 2 are both full
    for page in (1, 2):
        with django_assert_max_num_queries(30), CaptureQueriesContext(connection) as many:
            response = client.get(url(meeting), {"page": page})
        assert len(many) == counts[page]
        assert len(listed(html(response))) == 2
