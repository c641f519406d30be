"""/api/requests/: logging a request with its provisional priority, refusing an invalid one, and
finding requests again by filter."""

from datetime import UTC, datetime

import pytest

from operations.models import Area
from tasking import services
from tasking.models import Mission, Request

from .factories import (
    SCORES,
    VALID,
    nothing_saved,
    reference_data_once,  # noqa: F401
    request_make,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


def ids(response):
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


# Logging requests


def test_a_request_is_logged_with_a_provisional_priority(api, mission_user):
    response = api.as_user(mission_user).post(
        "/api/requests/",
        {
            **VALID, "operation": "GUARDIAN", "offence_group": "knife-enabled-robbery",
            "subject_reference": "N0012345", "location": "Stratford Rd, Sparkhill",
            "latitude": "52.457100", "longitude": "-1.868400",
            "intelligence_summary": "Wanted for two robberies.",
        },
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    request = Request.objects.get(pk=body["id"])
    assert body["reference"] == f"REQ-{request.pk:06d}"
    assert (body["state"], body["area"], body["operation"], body["offence_group"]) == (
        "received", "BE", "GUARDIAN", "knife-enabled-robbery",
    )  # fmt: skip
    assert body["assessment"] is None and body["mission"] is None
    assert request.created_by == mission_user
    assert request.priority_score > 0 and request.grade in {"P1", "P2", "P3", "P4"}
    assert request.due_by is None  # an NPU arrest has no default deadline


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area": None}, "area"),
        ({"area": "ZZ"}, "area"),
        ({"kind": "forensic_arrest"}, "forensic_hit"),
        ({"received_at": "2026-07-02T10:00:00Z", "due_by": "2026-07-02T09:00:00Z"}, "due_by"),
        ({"received_at": "2026-07-02T10:00:00Z", "due_by": "2026-07-02T10:00:00Z"}, "due_by"),
        ({"latitude": "52.4571"}, "longitude"),
        ({"longitude": "-1.8684"}, "longitude"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
        ({"kind": "burglary_patrol"}, "kind"),
        ({"requested_by": None}, "requested_by"),
        ({"offence_group": "not-a-group"}, "offence_group"),
    ],
    ids=[
        "missing-area", "unknown-area", "forensic-without-hit", "due-before-received", "due-when-received",
        "lat-without-lon", "lon-without-lat", "lat-out-of-range", "unknown-kind", "missing-requester",
        "unknown-offence-group",
    ],
)  # fmt: skip
def test_an_invalid_request_is_refused_with_400_and_nothing_is_saved(api, mission_user, change, field):
    body = {**VALID, **change}
    body = {key: value for key, value in body.items() if value is not None}
    before = nothing_saved()

    response = api.as_user(mission_user).post("/api/requests/", body)

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert nothing_saved() == before


def test_a_request_from_an_area_that_is_not_an_npu_is_refused(api, mission_user):
    Area.objects.create(
        code="BE-LADYWOOD", name="Ladywood", kind="neighbourhood", parent=Area.objects.get(code="BE")
    )
    before = nothing_saved()

    response = api.as_user(mission_user).post("/api/requests/", {**VALID, "area": "BE-LADYWOOD"})

    assert response.status_code == 400
    assert "area" in response.json()
    assert nothing_saved() == before


def test_a_request_can_come_from_the_force_as_a_whole(api, mission_user):
    response = api.as_user(mission_user).post("/api/requests/", {**VALID, "area": "WMP"})

    assert response.status_code == 201, response.json()


# Filters


@pytest.fixture
def four_requests(mission_user, supervisor):
    def at(day, hour=10):
        return datetime(2026, 7, day, hour, tzinfo=UTC)

    requests = {
        "vibrant": request_make(
            mission_user, kind="vibrant_arrest", area="BE", operation="VIBRANT", received_at=at(1)
        ),
        "forensic": request_make(mission_user, kind="forensic_arrest", area="CV", received_at=at(2)),
        "warrant": request_make(
            mission_user,
            kind="warrant_drugs",
            area="BE",
            operation="GUARDIAN",
            received_at=at(3),
            due_by=at(3, 20),
        ),
        "curfew": request_make(mission_user, kind="curfew_check", area="WV", received_at=at(4)),
    }
    approve = {**SCORES, "decision": "approve"}
    reject = {**SCORES, "decision": "reject", "rejection_reason": "Bail conditions lifted."}
    services.request_assess(actor=mission_user, request=requests["warrant"], **approve)
    services.request_assess(actor=supervisor, request=requests["curfew"], **reject)
    return {name: request.pk for name, request in requests.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=forensic_arrest", {"forensic"}),
        ("kind=vibrant_arrest&kind=warrant_drugs", {"vibrant", "warrant"}),
        ("state=received", {"vibrant", "forensic"}),
        ("state=approved", {"warrant"}),
        ("state=rejected", {"curfew"}),
        ("area=BE", {"vibrant", "warrant"}),
        ("operation=VIBRANT", {"vibrant"}),
        ("operation=GUARDIAN&area=BE", {"warrant"}),
        ("received_after=2026-07-02T00:00:00Z", {"forensic", "warrant", "curfew"}),
        ("received_before=2026-07-02T00:00:00Z", {"vibrant"}),
        ("received_after=2026-07-02T00:00:00Z&received_before=2026-07-03T00:00:00Z", {"forensic"}),
        ("due_before=2026-07-04T12:00:00Z", {"warrant", "forensic"}),
        ("due_before=2026-07-04T09:00:00Z", {"warrant"}),
        ("", {"vibrant", "forensic", "warrant", "curfew"}),
    ],
)
def test_requests_are_filtered(api, viewer, four_requests, query, expected):
    response = api.as_user(viewer).get(f"/api/requests/?{query}")

    assert ids(response) == {four_requests[name] for name in expected}


def test_an_unknown_filter_choice_is_refused(api, viewer):
    assert api.as_user(viewer).get("/api/requests/?kind=bogus").status_code == 400


def test_the_request_detail_shows_its_assessment_and_mission(api, viewer, four_requests):
    response = api.as_user(viewer).get(f"/api/requests/{four_requests['warrant']}/")

    body = response.json()
    assert body["assessment"]["decision"] == "approve"
    assert body["mission"] == Mission.objects.get(request_id=four_requests["warrant"]).pk
