"""/api/missions/: reading and filtering missions, the role rules on every mission endpoint, and
the OpenAPI schema documenting each action with its 409."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from operations.models import Event
from tasking.models import Mission, Outcome

from .factories import footprint, mission_make, reference_data_once  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

S = Mission.State
T1, T2, T3 = (datetime(2026, 7, day, 10, tzinfo=UTC) for day in (1, 2, 3))
ACTIONS = {
    "allocate": {"resource": "OSU"},
    "start": {},
    "outcome": {"result": "arrested", "arrests": 1},
    "not-completed": {"reason": "No trace."},
    "cancel": {"reason": "Not needed."},
}


def ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def five_missions(mission_user, supervisor):
    def at(moment, *args, **kwargs):
        with time_machine.travel(moment, tick=False):
            return mission_make(*args, **kwargs).pk

    return {
        "vibrant": at(T1, mission_user, S.ALLOCATED, kind="vibrant_arrest", area="BE", operation="VIBRANT"),
        "warrant": at(
            T2,
            mission_user,
            S.COMPLETED,
            kind="warrant_drugs",
            area="CV",
            operation="GUARDIAN",
            resource_code="FS",
        ),
        "forensic": at(T2, mission_user, S.NOT_COMPLETED, kind="forensic_arrest", area="WV"),
        "curfew": at(T3 + timedelta(hours=4), mission_user, S.PENDING, kind="curfew_check", area="BE"),
        "cancelled": at(T3, supervisor, S.CANCELLED, kind="npu_arrest", area="SH"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=allocated", {"vibrant"}),
        ("state=pending&state=cancelled", {"curfew", "cancelled"}),
        ("kind=warrant_drugs", {"warrant"}),
        ("kind=forensic_arrest&kind=curfew_check", {"forensic", "curfew"}),
        ("resource=OSU", {"vibrant", "forensic"}),
        ("resource=FS", {"warrant"}),
        ("area=BE", {"vibrant", "curfew"}),
        ("operation=GUARDIAN", {"warrant"}),
        ("period=2026-07-02", {"warrant", "forensic"}),
        ("period_from=2026-07-02", {"warrant", "forensic"}),
        ("period_to=2026-07-01", {"vibrant"}),
        ("created_after=2026-07-02T00:00:00Z", {"warrant", "forensic", "curfew", "cancelled"}),
        ("created_before=2026-07-02T00:00:00Z", {"vibrant"}),
        ("finished_after=2026-07-02T00:00:00Z", {"warrant", "forensic", "cancelled"}),
        ("finished_before=2026-07-03T00:00:00Z", {"warrant", "forensic"}),
        ("due_before=2026-07-04T12:00:00Z", {"forensic"}),
        ("due_before=2026-07-05T00:00:00Z", {"forensic", "curfew"}),
        ("result=warrant_finds", {"warrant"}),
        ("area=BE&state=pending", {"curfew"}),
        ("", {"vibrant", "warrant", "forensic", "curfew", "cancelled"}),
    ],
)
def test_missions_are_filtered(api, viewer, five_missions, query, expected):
    response = api.as_user(viewer).get(f"/api/missions/?{query}")

    assert ids(response) == {five_missions[name] for name in expected}


@pytest.mark.parametrize("query", ["state=lost", "kind=bogus", "period=yesterday"])
def test_an_invalid_mission_filter_is_refused(api, viewer, query):
    assert api.as_user(viewer).get(f"/api/missions/?{query}").status_code == 400


def test_a_mission_reads_with_its_outcome_and_what_it_may_do_next(api, viewer, five_missions):
    warrant = api.as_user(viewer).get(f"/api/missions/{five_missions['warrant']}/").json()
    vibrant = api.as_user(viewer).get(f"/api/missions/{five_missions['vibrant']}/").json()

    assert warrant["reference"] == f"M-{five_missions['warrant']:06d}"
    assert (warrant["state"], warrant["resource"], warrant["period"]) == ("completed", "FS", "2026-07-02")
    assert warrant["outcome"]["result"] == "warrant_finds"
    assert warrant["allowed_transitions"] == []
    assert (vibrant["operation"], vibrant["area"], vibrant["outcome"]) == ("VIBRANT", "BE", None)
    assert vibrant["allowed_transitions"] == ["allocated", "cancelled", "in_progress", "not_completed"]


def test_the_mission_list_takes_a_fixed_number_of_queries(
    api, viewer, mission_user, django_assert_max_num_queries
):
    for number in range(40):
        state = (S.COMPLETED, S.ALLOCATED, S.PENDING, S.NOT_COMPLETED)[number % 4]
        mission_make(
            mission_user, state, kind=("warrant_drugs", "npu_arrest")[number % 2],
            resource_code=("OSU", "FS", "FR", "FR")[number % 4], operation="GUARDIAN",
        )  # fmt: skip
    client = api.as_user(viewer)

    with django_assert_max_num_queries(4):
        response = client.get("/api/missions/?page_size=50")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 40
    with django_assert_max_num_queries(4):
        client.get("/api/missions/?state=completed&resource=OSU&page_size=50")


def test_the_request_list_takes_a_fixed_number_of_queries(
    api, viewer, mission_user, django_assert_max_num_queries
):
    for number in range(40):
        state = (S.PENDING, S.COMPLETED)[number % 2]
        resource_code = ("FR", "FS")[number // 2 % 2]
        mission_make(
            mission_user, state, resource_code=resource_code, operation="VIBRANT", offence_group="robbery"
        )

    with django_assert_max_num_queries(4):
        response = api.as_user(viewer).get("/api/requests/?page_size=50")

    assert len(response.json()["results"]) == 40


# Roles


def test_anonymous_users_get_401_on_every_mission_endpoint(api, mission_user):
    mission = mission_make(mission_user)
    before = footprint(mission)

    assert api.get("/api/missions/").status_code == 401
    assert api.get(f"/api/missions/{mission.pk}/").status_code == 401
    assert api.get(f"/api/missions/{mission.pk}/history/").status_code == 401
    for action, body in ACTIONS.items():
        assert api.post(f"/api/missions/{mission.pk}/{action}/", body).status_code == 401, action
    assert footprint(mission) == before


@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_viewer_gets_403_on_every_mission_action_and_nothing_changes(api, viewer, mission_user, action):
    mission = mission_make(mission_user, S.ALLOCATED if action != "outcome" else S.IN_PROGRESS)
    before = footprint(mission)

    response = api.as_user(viewer).post(f"/api/missions/{mission.pk}/{action}/", ACTIONS[action])

    assert response.status_code == 403
    assert footprint(mission) == before


def test_a_viewer_reads_missions_and_their_history(api, viewer, mission_user):
    mission = mission_make(mission_user, S.ALLOCATED)
    client = api.as_user(viewer)

    assert client.get("/api/missions/").status_code == 200
    assert client.get(f"/api/missions/{mission.pk}/").status_code == 200
    assert client.get(f"/api/missions/{mission.pk}/history/").status_code == 200


def test_the_mission_api_is_read_only_apart_from_its_actions(api, administrator, mission_user):
    mission = mission_make(mission_user)
    client = api.as_user(administrator)

    assert client.post("/api/missions/", {"request": mission.request_id}).status_code == 405
    assert client.patch(f"/api/missions/{mission.pk}/", {"state": "completed"}).status_code == 405
    assert client.delete(f"/api/missions/{mission.pk}/").status_code == 405


def test_mission_support_works_a_mission_through_but_only_a_supervisor_or_administrator_cancels(
    api, mission_user, supervisor, administrator
):
    mission = mission_make(mission_user)
    client = api.as_user(mission_user)
    for action in ("allocate", "start", "outcome"):
        assert client.post(f"/api/missions/{mission.pk}/{action}/", ACTIONS[action]).status_code == 200, (
            action
        )
    other = mission_make(mission_user)

    assert client.post(f"/api/missions/{other.pk}/cancel/", ACTIONS["cancel"]).status_code == 403
    assert (
        api.as_user(administrator).post(f"/api/missions/{other.pk}/cancel/", ACTIONS["cancel"]).status_code
        == 200
    )
    third = mission_make(mission_user)
    assert (
        api.as_user(supervisor).post(f"/api/missions/{third.pk}/cancel/", ACTIONS["cancel"]).status_code
        == 200
    )


def test_a_missing_mission_is_404(api, mission_user):
    assert api.as_user(mission_user).post("/api/missions/999999/start/", {}).status_code == 404


@pytest.mark.parametrize("path", ["999999/outcome/", "not-a-number/outcome/", "999999/not-completed/"])
def test_an_action_on_a_missing_mission_is_404_and_writes_nothing(api, mission_user, path):
    body = {"result": "arrested", "arrests": 1, "reason": "ran out of time"}
    response = api.as_user(mission_user).post(f"/api/missions/{path}", body)
    assert response.status_code == 404
    assert not Outcome.objects.exists()
    assert not Event.objects.exists()


# OpenAPI

ACTION_PATHS = [
    "/api/missions/{id}/allocate/",
    "/api/missions/{id}/start/",
    "/api/missions/{id}/outcome/",
    "/api/missions/{id}/not-completed/",
    "/api/missions/{id}/cancel/",
    "/api/requests/{id}/assess/",
    "/api/trm-meetings/{id}/decisions/",
    "/api/trm-meetings/{id}/close/",
    "/api/trm-meetings/{id}/reopen/",
]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.test import Client

    # The schema is for signed-in users: a Viewer made for this read only, and rolled back.
    with django_db_blocker.unblock(), transaction.atomic():
        reader = User.objects.create_user("schema-reader")
        reader.groups.add(Group.objects.get(name="Viewer"))
        client = Client()
        client.force_login(reader)
        response = client.get("/api/schema/", {"format": "json"})
        transaction.set_rollback(True)
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", ACTION_PATHS)
def test_the_schema_documents_each_tasking_action_with_its_409(schema, path):
    operation = schema["paths"][path]["post"]

    assert {"400", "401", "403", "404", "409"} <= set(operation["responses"])
    assert {"200", "201"} & set(operation["responses"])
    conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert conflict.endswith("/Conflict")
    assert "requestBody" in operation or path.endswith("close/")


def test_the_conflict_schema_names_the_current_state_allowed_states_version_and_capacity(schema):
    properties = schema["components"]["schemas"]["Conflict"]["properties"]

    assert {"detail", "current_state", "allowed", "current_version", "capacity", "used"} <= set(properties)


@pytest.mark.parametrize(
    "path", ["/api/requests/", "/api/missions/", "/api/missions/{id}/history/", "/api/trm-meetings/",
             "/api/threat-items/", "/api/operation-targets/"],
)  # fmt: skip
def test_the_schema_lists_every_tasking_collection(schema, path):
    assert path in schema["paths"]


def test_the_schema_documents_the_mission_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/missions/"]["get"]["parameters"]}

    assert {"state", "kind", "resource", "area", "operation", "period", "period_from", "period_to"} <= names
