"""The audit trail (Data Protection Act 2018 s.62): every view of a subject's personal data, on a page,
a list or the API, is recorded once with who saw which subject and when (UTC); an empty list or a
refused view records nothing.
"""

from datetime import timedelta

from django.test import Client
from rest_framework.test import APIClient

from operations.models import AuditEntry
from tasking.models import Request
from tests.tasking.factories import last_audit_id

# -- every view of a subject's personal data ---------------------------------------------------


def views_since(mark, **filters):
    return list(AuditEntry.objects.filter(pk__gt=mark, action="view", **filters).order_by("id"))


def test_opening_a_request_page_records_who_saw_the_subject(db, world):
    viewer = world.users["viewer"]
    client = Client()
    client.force_login(viewer)
    mark = last_audit_id()

    response = client.get(f"/requests/{world.request.pk}/")

    assert response.status_code == 200 and "N2000001" in response.content.decode()
    [entry] = views_since(mark)
    assert (entry.actor, entry.object_type, entry.object_id) == (
        viewer,
        "tasking.request",
        str(world.request.pk),
    )
    assert entry.changes["path"] == f"/requests/{world.request.pk}/"
    assert entry.at.utcoffset() == timedelta(0)


def test_opening_a_mission_page_records_a_view_of_its_requests_subject(db, world):
    mission = world.missions["in_progress"]
    client = Client()
    client.force_login(world.users["viewer"])
    mark = last_audit_id()

    client.get(f"/missions/{mission.pk}/")

    [entry] = views_since(mark)
    assert entry.object_type == "tasking.request" and entry.object_id == str(mission.request_id)
    assert entry.changes["mission"] == mission.reference


def test_the_triage_list_records_one_entry_naming_the_requests_shown(db, world):
    client = Client()
    client.force_login(world.users["viewer"])
    mark = last_audit_id()

    client.get("/requests/")

    [entry] = views_since(mark)
    assert entry.object_id == "list"
    shown = set(Request.objects.filter(state="received").values_list("pk", flat=True))
    assert world.request.pk in entry.changes["ids"] and set(entry.changes["ids"]) <= shown


def test_the_api_records_retrieves_and_list_pages_of_requests_and_targets(db, world):
    viewer = world.users["viewer"]
    api = APIClient()
    api.force_authenticate(viewer)
    mark = last_audit_id()

    api.get(f"/api/requests/{world.request.pk}/")
    api.get("/api/requests/")
    api.get(f"/api/operation-targets/{world.target.pk}/")
    api.get("/api/operation-targets/")

    entries = views_since(mark)
    assert [(e.object_type, e.object_id) for e in entries] == [
        ("tasking.request", str(world.request.pk)),
        ("tasking.request", "list"),
        ("tasking.operationtarget", str(world.target.pk)),
        ("tasking.operationtarget", "list"),
    ]
    assert all(e.actor == viewer for e in entries)
    assert world.target.pk in entries[3].changes["ids"]


def test_an_empty_list_records_nothing(db, world):
    api = APIClient()
    api.force_authenticate(world.users["viewer"])
    mark = last_audit_id()
    assert api.get("/api/requests/", {"subject_reference": "NOBODY", "area": "ZZ"}).status_code in (200, 400)
    api.get("/api/operation-targets/", {"search": "nobody-at-all"})
    assert views_since(mark, object_type="tasking.operationtarget") == []


def test_a_refused_view_records_nothing(db, world):
    client = Client()
    mark = last_audit_id()
    assert client.get(f"/requests/{world.request.pk}/").status_code == 302
    assert APIClient().get(f"/api/requests/{world.request.pk}/").status_code == 401
    assert views_since(mark) == []
