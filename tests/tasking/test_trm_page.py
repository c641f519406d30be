"""The TRM meeting page: an agenda that builds itself for the period under review, decisions taken
right there, and a lock once the meeting is closed."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.models import Area, Resource
from tasking import agenda, services
from tasking.models import Mission, Request, TrmDecision, TrmMeeting
from tasking.views import trm

from .factories import (
    allocated,
    approved,
    flash,
    html,
    in_progress,
    not_completed,
    receive,
    signed_in,
    snapshot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(mission_user, reference_data):
    """Tomorrow's meeting: it plans the next period and reviews the current one, where the tests act."""
    review = services.period_for(timezone.now())
    return services.trm_meeting_open(actor=mission_user, date=review.day + timedelta(days=1))


def url(meeting, tail=""):
    return f"/trm/{meeting.date.isoformat()}/{tail}"


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


def test_carry_over_from_the_trm_page_moves_the_mission_into_the_meetings_period(
    client, mission_user, meeting
):
    stuck = not_completed(mission_user)
    fs = Resource.objects.get(code="FS")

    response = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"),
        {"resource": fs.pk, "reason": "Early turn to try again."},
    )

    assert response.status_code == 302
    assert response.url == url(meeting)
    stuck.refresh_from_db()
    assert (stuck.state, stuck.resource, stuck.period_id, stuck.carry_overs) == (
        "allocated",
        fs,
        meeting.period_id,
        1,
    )
    decision = TrmDecision.objects.get(meeting=meeting)
    assert (decision.kind, decision.mission, decision.text) == (
        "carry_over",
        stuck,
        "Early turn to try again.",
    )
    page = html(client.get(url(meeting)))
    assert "Early turn to try again." in page


def test_carry_over_into_a_full_resource_shows_the_capacity_message_and_changes_nothing(
    client, mission_user, supervisor, meeting
):
    stuck = not_completed(mission_user)
    fs = Resource.objects.get(code="FS")
    services.resource_period_set_capacity(
        actor=supervisor, resource=fs, period=meeting.period, capacity=0, reason="x"
    )
    before = snapshot(stuck)

    response = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"), {"resource": fs.pk}, follow=True
    )

    assert "is full for this period" in html(response)
    assert snapshot(stuck) == before
    assert not TrmDecision.objects.exists()


def test_cancelling_from_the_trm_page_is_for_supervisors(client, mission_user, supervisor, meeting):
    stuck = not_completed(mission_user)
    before = snapshot(stuck)

    refused = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/cancel/"), {"reason": "Stale."}
    )
    assert refused.status_code == 403
    assert snapshot(stuck) == before

    page = html(signed_in(client, supervisor).get(url(meeting)))
    assert f'action="{url(meeting, f"missions/{stuck.pk}/cancel/")}"' in page
    done = client.post(
        url(meeting, f"missions/{stuck.pk}/cancel/"), {"reason": "Subject in custody elsewhere."}
    )
    assert done.status_code == 302
    assert Mission.objects.get(pk=stuck.pk).state == "cancelled"
    assert TrmDecision.objects.get(meeting=meeting).kind == "cancel"


def test_decisions_attendees_and_summary_are_recorded(client, mission_user, meeting):
    signed_in(client, mission_user)

    missing = client.post(url(meeting, "decisions/"), {"kind": "other", "text": ""})
    assert missing.status_code == 200
    assert "Write the decision." in html(missing)
    assert 'aria-invalid="true"' in html(missing)

    client.post(url(meeting, "decisions/"), {"kind": "divert", "text": "OSU to support BW after 18:00."})
    client.post(
        url(meeting, "update/"), {"attendees": "Supt Ward (chair)\nInsp Bell, OSU", "summary": "Quiet night."}
    )

    meeting.refresh_from_db()
    assert meeting.attendees.startswith("Supt Ward")
    assert meeting.summary == "Quiet night."
    page = html(client.get(url(meeting)))
    assert "OSU to support BW after 18:00." in page and "Insp Bell, OSU" in page


def test_a_closed_meeting_is_locked_and_a_supervisor_can_reopen_it(client, mission_user, supervisor, meeting):
    stuck = not_completed(mission_user)
    signed_in(client, mission_user)
    assert client.post(url(meeting, "close/")).status_code == 403

    signed_in(client, supervisor)
    closed = client.post(url(meeting, "close/"), follow=True)
    assert "closed" in " ".join(flash(closed)) or "closed" in html(closed)
    meeting.refresh_from_db()
    assert meeting.is_closed

    page = html(signed_in(client, mission_user).get(url(meeting)))
    assert "Closed by supervisor at" in page and "locked" in page
    assert f'action="{url(meeting, "decisions/")}"' not in page
    assert "carry-over/" not in page

    refused = client.post(url(meeting, "decisions/"), {"kind": "other", "text": "Too late."}, follow=True)
    assert "is closed: its review is locked" in html(refused)
    carry = client.post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"), {"resource": stuck.resource_id}, follow=True
    )
    assert "is closed" in html(carry)
    assert not TrmDecision.objects.exists()
    assert Mission.objects.get(pk=stuck.pk).state == "not_completed"

    assert client.post(url(meeting, "reopen/"), {"reason": "Missed an item."}).status_code == 403
    signed_in(client, supervisor)
    no_reason = client.post(url(meeting, "reopen/"), {"reason": ""})
    assert "Say why the meeting is reopened." in html(no_reason)
    assert client.post(url(meeting, "reopen/"), {"reason": "Missed an item."}).status_code == 302
    assert not TrmMeeting.objects.get(pk=meeting.pk).is_closed


def test_todays_meeting_opens_from_the_list(client, mission_user, reference_data):
    signed_in(client, mission_user)
    today = timezone.localdate()
    assert "Open today&#x27;s meeting" in html(client.get("/trm/")) or "Open today's meeting" in html(
        client.get("/trm/")
    )

    response = client.post("/trm/open/", {"date": today.isoformat()})

    meeting = TrmMeeting.objects.get()
    assert response.status_code == 302
    assert response.url == f"/trm/{today.isoformat()}/"
    assert (meeting.date, meeting.chair) == (today, mission_user)
    assert meeting.period.day == today
    assert client.post("/trm/open/", {"date": today.isoformat()}).status_code == 302
    assert TrmMeeting.objects.count() == 1


def test_a_viewer_cannot_change_a_meeting(client, viewer, mission_user, meeting):
    stuck = not_completed(mission_user)
    signed_in(client, viewer)
    posts = [
        ("decisions/", {"kind": "other", "text": "x"}),
        ("update/", {"attendees": "x"}),
        ("close/", {}),
        (f"missions/{stuck.pk}/carry-over/", {"resource": stuck.resource_id}),
    ]
    for tail, data in posts:
        assert client.post(url(meeting, tail), data).status_code == 403, tail
    assert client.post("/trm/open/", {"date": "2030-01-01"}).status_code == 403
    assert not TrmDecision.objects.exists()
    assert TrmMeeting.objects.count() == 1


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

    response = client.post(action, {"reason": "Intelligence out of date."})

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
