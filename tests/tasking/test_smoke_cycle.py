"""A request goes all the way through the API: received, assessed, allocated, started, completed."""

import pytest

from operations.models import Event, Resource
from tasking.models import Mission, Request

pytestmark = pytest.mark.django_db


def test_a_forensic_arrest_goes_from_request_to_completed_mission(api, mission_user, reference_data):
    client = api.as_user(mission_user)
    created = client.post(
        "/api/requests/",
        {
            "kind": "forensic_arrest",
            "forensic_hit": "dna",
            "area": "BE",
            "offence_group": "residential-burglary",
            "subject_reference": "N123456",
            "requested_by": "DC Smith, BE CID",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    request = Request.objects.get(pk=body["id"])
    assert (request.due_by - request.received_at).total_seconds() == 48 * 3600
    assessed = client.post(
        f"/api/requests/{request.pk}/assess/",
        {
            "threat": 4, "threat_rationale": "Prolific", "risk": 3, "risk_rationale": "Known address",
            "harm": 4, "harm_rationale": "Dwelling burglary", "decision": "approve",
        },
    )  # fmt: skip
    assert assessed.status_code == 200, assessed.json()
    mission_id = assessed.json()["mission"]
    osu = Resource.objects.get(code="OSU")
    allocated = client.post(f"/api/missions/{mission_id}/allocate/", {"resource": osu.code, "version": 1})
    assert allocated.status_code == 200, allocated.json()
    assert allocated.json()["state"] == "allocated"
    started = client.post(f"/api/missions/{mission_id}/start/", {"version": 2})
    assert started.status_code == 200, started.json()
    stale = client.post(f"/api/missions/{mission_id}/start/", {"version": 2})
    assert stale.status_code == 409
    outcome = {"result": "arrested", "arrests": 1, "version": 3}
    done = client.post(f"/api/missions/{mission_id}/outcome/", outcome)
    assert done.status_code == 200, done.json()
    assert done.json()["state"] == "completed"
    illegal = client.post(f"/api/missions/{mission_id}/start/", {})
    assert illegal.status_code == 409
    assert illegal.json()["current_state"] == "completed"
    history = client.get(f"/api/missions/{mission_id}/history/").json()
    assert [row["to_state"] for row in history] == ["pending", "allocated", "in_progress", "completed"]
    types = list(Event.objects.order_by("id").values_list("type", flat=True))
    assert types == [
        "request.received", "request.assessed", "mission.allocated", "mission.started",
        "mission.outcome_logged",
    ]  # fmt: skip
    assert Mission.objects.get(pk=mission_id).version == 4
