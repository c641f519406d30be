"""/api/trm-meetings/: the daily TRM meeting is opened for a day and plans that day's period,
records decisions, is closed (locked) and reopened by a Supervisor, and is filtered and kept under
the role rules."""

import pytest

from tasking.models import TrmDecision, TrmMeeting

from .factories import mission_make, reference_data_once  # noqa: F401
from .trm_helpers import audit_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

DAY = "2026-07-02"


def open_meeting(client, day=DAY, **extra):
    response = client.post("/api/trm-meetings/", {"date": day, **extra})
    assert response.status_code == 201, response.json()
    return response.json()


def test_mission_support_opens_the_meeting_for_a_day_and_it_plans_that_days_period(api, mission_user):
    body = open_meeting(api.as_user(mission_user), attendees="Insp Khan (chair)\nPS Patel, Mission Support")

    meeting = TrmMeeting.objects.get(pk=body["id"])
    assert (body["date"], body["period"], body["status"], body["chair"]) == (DAY, DAY, "open", "mission")
    assert meeting.period.day.isoformat() == DAY
    assert meeting.attendees.splitlines() == ["Insp Khan (chair)", "PS Patel, Mission Support"]
    assert [e.action for e in audit_for(meeting)] == ["create"]


def test_opening_the_meeting_of_a_day_twice_returns_the_same_meeting(api, mission_user):
    client = api.as_user(mission_user)
    first = open_meeting(client)

    response = client.post("/api/trm-meetings/", {"date": DAY})

    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert TrmMeeting.objects.count() == 1


def test_the_meeting_summary_and_attendees_are_updated_while_open(api, mission_user):
    client = api.as_user(mission_user)
    meeting = open_meeting(client)

    response = client.patch(f"/api/trm-meetings/{meeting['id']}/", {"summary": "Quiet night; two breaches."})

    assert response.status_code == 200, response.json()
    assert TrmMeeting.objects.get(pk=meeting["id"]).summary == "Quiet night; two breaches."


def test_decisions_are_recorded_with_who_made_them(api, mission_user):
    client = api.as_user(mission_user)
    meeting = open_meeting(client)
    mission = mission_make(mission_user, "allocated")

    response = client.post(
        f"/api/trm-meetings/{meeting['id']}/decisions/",
        {"kind": "divert", "text": "Divert OSU to the Sparkhill robbery series.", "mission": mission.pk},
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["kind"], response.json()["made_by"]) == ("divert", "mission")
    decision = TrmDecision.objects.get()
    assert (decision.meeting_id, decision.mission, decision.made_by) == (meeting["id"], mission, mission_user)
    listed = client.get(f"/api/trm-meetings/{meeting['id']}/").json()["decisions"]
    assert [d["text"] for d in listed] == ["Divert OSU to the Sparkhill robbery series."]


def test_a_decision_needs_its_text(api, mission_user):
    client = api.as_user(mission_user)
    meeting = open_meeting(client)

    response = client.post(f"/api/trm-meetings/{meeting['id']}/decisions/", {"kind": "other", "text": ""})

    assert response.status_code == 400
    assert not TrmDecision.objects.exists()


def test_mission_support_cannot_close_a_meeting(api, mission_user):
    meeting = open_meeting(api.as_user(mission_user))

    response = api.as_user(mission_user).post(f"/api/trm-meetings/{meeting['id']}/close/")

    assert response.status_code == 403
    assert TrmMeeting.objects.get(pk=meeting["id"]).status == "open"


def test_a_supervisor_closes_the_meeting_and_it_then_refuses_decisions_and_edits(
    api, mission_user, supervisor
):
    meeting = open_meeting(api.as_user(mission_user))

    closed = api.as_user(supervisor).post(f"/api/trm-meetings/{meeting['id']}/close/")
    client = api.as_user(mission_user)
    decision = client.post(f"/api/trm-meetings/{meeting['id']}/decisions/", {"text": "Too late."})
    edit = client.patch(f"/api/trm-meetings/{meeting['id']}/", {"summary": "Rewritten."})

    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    assert decision.status_code == 409
    assert (decision.json()["current_state"], decision.json()["allowed"]) == ("closed", ["reopen"])
    assert edit.status_code == 409
    row = TrmMeeting.objects.get(pk=meeting["id"])
    assert (row.summary, row.closed_by) == ("", supervisor)
    assert not TrmDecision.objects.exists()


def test_closing_a_closed_meeting_is_a_conflict(api, supervisor):
    client = api.as_user(supervisor)
    meeting = open_meeting(client)
    client.post(f"/api/trm-meetings/{meeting['id']}/close/")

    assert client.post(f"/api/trm-meetings/{meeting['id']}/close/").status_code == 409


def test_a_supervisor_reopens_a_closed_meeting_with_a_reason(api, mission_user, supervisor):
    meeting = open_meeting(api.as_user(mission_user))
    sup = api.as_user(supervisor)
    sup.post(f"/api/trm-meetings/{meeting['id']}/close/")

    no_reason = sup.post(f"/api/trm-meetings/{meeting['id']}/reopen/", {})
    by_mission_support = api.as_user(mission_user).post(
        f"/api/trm-meetings/{meeting['id']}/reopen/", {"reason": "Missed a breach."}
    )
    reopened = api.as_user(supervisor).post(
        f"/api/trm-meetings/{meeting['id']}/reopen/", {"reason": "Missed a breach."}
    )
    decision = api.as_user(mission_user).post(
        f"/api/trm-meetings/{meeting['id']}/decisions/", {"text": "Add it."}
    )

    assert no_reason.status_code == 400
    assert by_mission_support.status_code == 403
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["closed_at"] is None
    assert decision.status_code == 201
    row = TrmMeeting.objects.get(pk=meeting["id"])
    assert [(e.changes.get("status"), e.reason) for e in audit_for(row)][-2:] == [
        (["open", "closed"], ""), (["closed", "open"], "Missed a breach."),
    ]  # fmt: skip


def test_reopening_an_open_meeting_is_a_conflict(api, supervisor):
    client = api.as_user(supervisor)
    meeting = open_meeting(client)

    response = client.post(f"/api/trm-meetings/{meeting['id']}/reopen/", {"reason": "Why not."})

    assert response.status_code == 409
    assert response.json()["current_state"] == "open"


def test_meetings_are_filtered_by_status_and_date(api, supervisor):
    client = api.as_user(supervisor)
    first, second, third = (open_meeting(client, day) for day in ("2026-07-01", "2026-07-02", "2026-07-03"))
    client.post(f"/api/trm-meetings/{first['id']}/close/")

    def ids(query):
        return {row["id"] for row in client.get(f"/api/trm-meetings/?{query}").json()["results"]}

    newest_first = [row["date"] for row in client.get("/api/trm-meetings/").json()["results"]]
    assert newest_first == ["2026-07-03", "2026-07-02", "2026-07-01"]
    assert ids("status=open") == {second["id"], third["id"]}
    assert ids("date_from=2026-07-02") == {second["id"], third["id"]}
    assert ids("date_to=2026-07-01") == {first["id"]}
    assert ids("date=2026-07-03") == {third["id"]}


def test_meeting_role_rules(api, viewer, mission_user):
    meeting = open_meeting(api.as_user(mission_user))
    url = f"/api/trm-meetings/{meeting['id']}/"
    anonymous = api
    api.force_authenticate(user=None)

    assert anonymous.get("/api/trm-meetings/").status_code == 401
    assert anonymous.get(url).status_code == 401
    assert anonymous.post("/api/trm-meetings/", {"date": "2026-07-09"}).status_code == 401
    assert anonymous.patch(url, {"summary": "x"}).status_code == 401
    for action, body in (("decisions", {"text": "x"}), ("close", {}), ("reopen", {"reason": "x"})):
        assert anonymous.post(f"{url}{action}/", body).status_code == 401, action
    client = api.as_user(viewer)
    assert client.get("/api/trm-meetings/").status_code == 200
    assert client.get(url).status_code == 200
    assert client.post("/api/trm-meetings/", {"date": "2026-07-09"}).status_code == 403
    assert client.patch(url, {"summary": "x"}).status_code == 403
    assert client.post(f"{url}decisions/", {"text": "x"}).status_code == 403
    assert client.post(f"{url}close/").status_code == 403
    assert client.post(f"{url}reopen/", {"reason": "x"}).status_code == 403
    assert TrmMeeting.objects.count() == 1
    assert not TrmDecision.objects.exists()
