"""/api/threat-items/ and /api/operation-targets/: threat items and operation targets are raised,
changed and filtered through the API, each change audited, under the role rules; a target is a
subject or a place, and its arrest is never written through the API."""

import pytest

from tasking.models import OperationTarget, ThreatItem

from .factories import mission_make, reference_data_once  # noqa: F401
from .trm_helpers import audit_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


# Threat items

THREAT = {
    "category": "crime_series", "area": "BE", "title": "Moped-enabled phone snatches, Digbeth",
    "description": "Nine offences in a week.", "risk_rating": "high", "owner": "DI Brown, BE CID",
    "actions": "Hot-spot patrols; CCTV trawl.",
}  # fmt: skip


def test_mission_support_raises_and_updates_a_threat_item_and_each_change_is_audited(api, mission_user):
    client = api.as_user(mission_user)

    created = client.post("/api/threat-items/", THREAT)
    item_id = created.json()["id"]
    updated = client.patch(f"/api/threat-items/{item_id}/", {"status": "monitoring", "risk_rating": "medium"})

    assert created.status_code == 201, created.json()
    assert (created.json()["raised_by"], created.json()["status"]) == ("mission", "open")
    assert updated.status_code == 200, updated.json()
    item = ThreatItem.objects.get(pk=item_id)
    assert (item.status, item.risk_rating, item.raised_by) == ("monitoring", "medium", mission_user)
    entries = list(audit_for(item))
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].changes == {"status": ["open", "monitoring"], "risk_rating": ["high", "medium"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "gossip"}, "category"), ({"area": "XX"}, "area"),
        ({"title": ""}, "title"), ({"owner": ""}, "owner"),
    ],
)  # fmt: skip
def test_an_invalid_threat_item_is_refused(api, mission_user, change, field):
    response = api.as_user(mission_user).post("/api/threat-items/", {**THREAT, **change})

    assert response.status_code == 400
    assert field in response.json()
    assert not ThreatItem.objects.exists()


def test_threat_items_are_filtered(api, viewer, mission_user):
    client = api.as_user(mission_user)
    be = client.post("/api/threat-items/", THREAT).json()["id"]
    cv = client.post("/api/threat-items/", {**THREAT, "area": "CV", "category": "firearms"}).json()["id"]
    client.patch(f"/api/threat-items/{cv}/", {"status": "closed"})
    reader = api.as_user(viewer)

    def ids(query):
        return {row["id"] for row in reader.get(f"/api/threat-items/?{query}").json()["results"]}

    assert ids("area=BE") == {be}
    assert ids("category=firearms") == {cv}
    assert ids("status=open") == {be}


def test_threat_item_role_rules(api, viewer, mission_user):
    item = api.as_user(mission_user).post("/api/threat-items/", THREAT).json()
    api.force_authenticate(user=None)

    assert api.get("/api/threat-items/").status_code == 401
    assert api.post("/api/threat-items/", THREAT).status_code == 401
    client = api.as_user(viewer)
    assert client.get(f"/api/threat-items/{item['id']}/").status_code == 200
    assert client.post("/api/threat-items/", THREAT).status_code == 403
    assert client.patch(f"/api/threat-items/{item['id']}/", {"status": "closed"}).status_code == 403
    assert client.delete(f"/api/threat-items/{item['id']}/").status_code in (403, 405)
    assert ThreatItem.objects.get().status == "open"


# Operation targets

TARGET = {
    "operation": "GUARDIAN", "area": "BE", "subject_reference": "N0098765", "subject_name": "J. Doe",
    "rank": 1, "reason": "Suspect in three knife robberies.",
}  # fmt: skip


def test_mission_support_adds_and_reranks_an_operation_target(api, mission_user):
    client = api.as_user(mission_user)

    created = client.post("/api/operation-targets/", TARGET)
    target_id = created.json()["id"]
    updated = client.patch(f"/api/operation-targets/{target_id}/", {"rank": 3})

    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "outstanding"
    assert updated.status_code == 200, updated.json()
    target = OperationTarget.objects.get(pk=target_id)
    assert (target.rank, target.operation.code, target.area.code) == (3, "GUARDIAN", "BE")
    # Each answer carried the subject back: its view is recorded after the change.
    assert [e.action for e in audit_for(target)] == ["create", "view", "update", "view"]


def test_a_place_can_be_a_target(api, mission_user):
    body = {**TARGET, "subject_reference": "", "subject_name": "", "location": "Car park, Bordesley Green"}

    assert api.as_user(mission_user).post("/api/operation-targets/", body).status_code == 201


def test_a_target_without_subject_or_location_is_refused(api, mission_user):
    body = {**TARGET, "subject_reference": "", "subject_name": "Someone", "location": ""}

    response = api.as_user(mission_user).post("/api/operation-targets/", body)

    assert response.status_code == 400
    assert not OperationTarget.objects.exists()


def test_the_arrest_fields_of_a_target_are_read_only(api, mission_user):
    mission = mission_make(mission_user, "completed")
    client = api.as_user(mission_user)
    target_id = client.post("/api/operation-targets/", TARGET).json()["id"]

    client.patch(
        f"/api/operation-targets/{target_id}/",
        {"arrested_at": "2026-07-01T10:00:00Z", "arrest_mission": mission.pk},
    )

    target = OperationTarget.objects.get(pk=target_id)
    assert (target.arrested_at, target.arrest_mission) == (None, None)


def test_operation_targets_are_filtered(api, viewer, mission_user):
    client = api.as_user(mission_user)
    guardian = client.post("/api/operation-targets/", TARGET).json()["id"]
    vibrant = client.post("/api/operation-targets/", {**TARGET, "operation": "VIBRANT", "area": "CV"}).json()[
        "id"
    ]
    client.patch(f"/api/operation-targets/{vibrant}/", {"status": "closed"})
    reader = api.as_user(viewer)

    def ids(query):
        return {row["id"] for row in reader.get(f"/api/operation-targets/?{query}").json()["results"]}

    assert ids("operation=GUARDIAN") == {guardian}
    assert ids("area=CV") == {vibrant}
    assert ids("status=outstanding") == {guardian}


def test_operation_target_role_rules(api, viewer, mission_user):
    target = api.as_user(mission_user).post("/api/operation-targets/", TARGET).json()
    api.force_authenticate(user=None)

    assert api.get("/api/operation-targets/").status_code == 401
    assert api.post("/api/operation-targets/", TARGET).status_code == 401
    client = api.as_user(viewer)
    assert client.get("/api/operation-targets/").status_code == 200
    assert client.post("/api/operation-targets/", TARGET).status_code == 403
    assert client.patch(f"/api/operation-targets/{target['id']}/", {"rank": 9}).status_code == 403
    assert OperationTarget.objects.get().rank == 1
