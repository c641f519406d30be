"""The reference-data API: who may read and write it, and what a write does."""

import re

import pytest
from django.contrib.auth import get_user_model

from operations.models import Area, AuditEntry, Resource

pytestmark = pytest.mark.django_db

NPU_CODES = ["BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"]
ENDPOINTS = ["areas", "operations", "tactical-priorities", "offence-groups", "resources"]


def test_token_endpoint_returns_a_token_that_authenticates_each_demo_user(client, reference_data):
    from operations.demo import DEMO_USERS, demo_users_ensure

    demo_users_ensure(password="correct horse battery")
    for username, *_ in DEMO_USERS:
        response = client.post(
            "/api/auth/token/",
            {"username": username, "password": "correct horse battery"},
            content_type="application/json",
        )
        assert response.status_code == 200, username
        token = response.json()["token"]
        listed = client.get("/api/areas/", HTTP_AUTHORIZATION=f"Token {token}")
        assert listed.status_code == 200, username


def test_token_endpoint_refuses_a_wrong_password(client, viewer):
    response = client.post(
        "/api/auth/token/", {"username": "viewer", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_areas_list_has_the_force_and_its_eight_npus(api, viewer, reference_data):
    response = api.as_user(viewer).get("/api/areas/", {"kind": "npu"})
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == NPU_CODES
    assert all(row["parent"] == "WMP" for row in response.json()["results"])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_requests_get_401(api, endpoint, reference_data):
    response = api.get(f"/api/{endpoint}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_user_without_a_role_cannot_read(api, no_role_user, endpoint):
    assert api.as_user(no_role_user).get(f"/api/{endpoint}/").status_code == 403


@pytest.mark.parametrize("user_fixture", ["viewer", "mission_user", "supervisor"])
def test_only_administrators_write_reference_data(api, request, user_fixture, reference_data):
    user = request.getfixturevalue(user_fixture)
    client = api.as_user(user)
    assert client.get("/api/resources/").status_code == 200
    created = client.post("/api/resources/", {"code": "X1", "name": "X", "kind": "osu"})
    assert created.status_code == 403
    resource = Resource.objects.get(code="OSU")
    assert client.patch(f"/api/resources/{resource.pk}/", {"capacity_per_period": 1}).status_code == 403
    assert client.delete(f"/api/resources/{resource.pk}/").status_code == 403
    resource.refresh_from_db()
    assert resource.capacity_per_period == 10
    assert not Resource.objects.filter(code="X1").exists()


def test_administrator_creates_a_resource_and_the_change_is_audited(api, administrator, reference_data):
    response = api.as_user(administrator).post(
        "/api/resources/",
        {"code": "OSU2", "name": "OSU second team", "kind": "osu", "capacity_per_period": 7},
    )
    assert response.status_code == 201, response.json()
    resource = Resource.objects.get(code="OSU2")
    entry = AuditEntry.objects.get(object_type="operations.resource", object_id=str(resource.pk))
    assert entry.action == "create"
    assert entry.actor == administrator


def test_administrator_fixes_a_wrong_npu_and_the_audit_shows_old_and_new(api, administrator, reference_data):
    team = Resource.objects.get(code="NPU-SH")
    sandwell = Area.objects.get(code="SW")
    response = api.as_user(administrator).patch(f"/api/resources/{team.pk}/", {"home_area": "SW"})
    assert response.status_code == 200, response.json()
    team.refresh_from_db()
    assert team.home_area == sandwell
    entry = AuditEntry.objects.filter(object_id=str(team.pk), action="update").get()
    assert entry.changes["home_area_id"] == [Area.objects.get(code="SH").pk, sandwell.pk]


def test_operation_is_created_with_its_focus_groups_and_areas(api, administrator, reference_data):
    response = api.as_user(administrator).post(
        "/api/operations/",
        {
            "code": "NEWOP",
            "name": "Operation New",
            "kind": "week_of_action",
            "focus_offence_groups": ["robbery", "burglary"],
            "areas": ["BE", "BW"],
            "start_date": "2026-01-05",
            "end_date": "2026-01-11",
        },
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["focus_offence_groups"]) == ["burglary", "robbery"]
    listed = api.get("/api/operations/", {"area": "BE", "offence_group": "robbery"}).json()
    assert "NEWOP" in [row["code"] for row in listed["results"]]


def test_an_end_before_the_start_is_refused_and_nothing_is_saved(api, administrator, reference_data):
    response = api.as_user(administrator).post(
        "/api/operations/",
        {
            "code": "BAD",
            "name": "Bad",
            "kind": "project",
            "start_date": "2026-02-01",
            "end_date": "2026-01-01",
        },
    )
    assert response.status_code == 400
    assert "end_date" in response.json()
    assert not AuditEntry.objects.filter(object_repr="Bad").exists()


def test_an_npu_team_without_a_home_area_is_refused(api, administrator, reference_data):
    response = api.as_user(administrator).post(
        "/api/resources/", {"code": "T9", "name": "Team", "kind": "npu_team"}
    )
    assert response.status_code == 400
    assert "home_area" in response.json()


def test_deleting_an_area_still_in_use_is_a_conflict(api, administrator, reference_data):
    solihull = Area.objects.get(code="SH")
    response = api.as_user(administrator).delete(f"/api/areas/{solihull.pk}/")
    assert response.status_code == 409
    assert "still used" in response.json()["detail"]
    assert Area.objects.filter(code="SH").exists()


def test_deleting_an_unused_resource_is_audited(api, administrator, reference_data):
    resource = Resource.objects.get(code="VCTF")
    assert api.as_user(administrator).delete(f"/api/resources/{resource.pk}/").status_code == 204
    assert AuditEntry.objects.filter(action="delete", object_id=str(resource.pk)).exists()


def test_lists_are_paginated_and_filterable(api, viewer, reference_data):
    client = api.as_user(viewer)
    page = client.get("/api/offence-groups/", {"page_size": 5}).json()
    assert page["count"] > 5 and len(page["results"]) == 5 and page["next"]
    children = client.get("/api/offence-groups/", {"parent": "vehicle-crime"}).json()["results"]
    assert {row["code"] for row in children} >= {"theft-of-motor-vehicle", "theft-from-motor-vehicle"}
    teams = client.get("/api/resources/", {"kind": "npu_team"}).json()
    assert teams["count"] == 8


def test_tactical_priorities_filter_by_the_day_they_are_in_force(api, viewer, reference_data):
    from operations.models import TacticalPriority

    client = api.as_user(viewer)
    day = "2018-06-01"
    expected = set(TacticalPriority.objects.active_on(day).values_list("title", flat=True))
    assert expected
    rows = client.get("/api/tactical-priorities/", {"in_force_on": day, "page_size": 100}).json()["results"]
    assert {row["title"] for row in rows} == expected


def test_reference_list_query_count_does_not_grow_with_rows(
    api, viewer, reference_data, django_assert_max_num_queries
):
    client = api.as_user(viewer)
    with django_assert_max_num_queries(8):
        assert client.get("/api/operations/", {"page_size": 100}).status_code == 200


def test_api_root_lists_every_reference_endpoint(api, viewer):
    body = api.as_user(viewer).get("/api/").json()
    for endpoint in ENDPOINTS:
        assert endpoint in body


def test_schema_and_docs_are_served_without_a_cdn(client, viewer):
    client.force_login(viewer)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/areas/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html) and "https://" not in html


def test_user_model_is_the_django_default():
    assert get_user_model()._meta.label == "auth.User"
