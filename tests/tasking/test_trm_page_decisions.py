"""The TRM meeting page's decisions: today's meeting opens from the list, a mission not completed
is carried over or (by a Supervisor) cancelled from it, decisions, attendees and summary are
recorded, and a closed meeting is locked until a Supervisor reopens it; a viewer changes nothing."""

import pytest
from django.utils import timezone

from operations.models import Resource
from tasking import services
from tasking.models import Mission, TrmDecision, TrmMeeting

from .factories import flash, html, not_completed, signed_in, snapshot
from .trm_helpers import tomorrows_meeting, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(mission_user, reference_data):
    """Tomorrow's meeting: it plans the next period and reviews the current one, where the tests act."""
    return tomorrows_meeting(mission_user)


def test_carry_over_from_the_trm_page_moves_the_mission_into_the_meetings_period(
    client, mission_user, meeting
):
    stuck = not_completed(mission_user)
    fs = Resource.objects.get(code="FS")

    response = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"),
        {"resource": fs.pk, "reason": "Early turn to try again.", "version": stuck.version},
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
        url(meeting, f"missions/{stuck.pk}/carry-over/"),
        {"resource": fs.pk, "version": stuck.version},
        follow=True,
    )

    assert "is full for this period" in html(response)
    assert snapshot(stuck) == before
    assert not TrmDecision.objects.exists()


def test_cancelling_from_the_trm_page_is_for_supervisors(client, mission_user, supervisor, meeting):
    stuck = not_completed(mission_user)
    before = snapshot(stuck)

    refused = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/cancel/"), {"reason": "Stale.", "version": stuck.version}
    )
    assert refused.status_code == 403
    assert snapshot(stuck) == before

    page = html(signed_in(client, supervisor).get(url(meeting)))
    assert f'action="{url(meeting, f"missions/{stuck.pk}/cancel/")}"' in page
    done = client.post(
        url(meeting, f"missions/{stuck.pk}/cancel/"),
        {"reason": "Subject in custody elsewhere.", "version": stuck.version},
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
        url(meeting, f"missions/{stuck.pk}/carry-over/"),
        {"resource": stuck.resource_id, "version": stuck.version},
        follow=True,
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
