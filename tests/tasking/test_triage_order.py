"""The triage queue: at the same score, the request with the nearer deadline comes first and one
with no deadline after it, on the embedded SQLite (which sorts an empty value first unless told)
as on PostgreSQL; the screen and the API agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tasking.models import Request

from .factories import (
    VALID,
    reference_data_once,  # noqa: F401
    signed_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


@pytest.fixture
def same_score_requests(api, mission_user):
    client = api.as_user(mission_user)
    undated = client.post("/api/requests/", VALID).json()["id"]
    due = (timezone.now() + timedelta(days=5)).isoformat()
    dated = client.post("/api/requests/", {**VALID, "due_by": due}).json()["id"]
    scores = set(Request.objects.filter(pk__in=[undated, dated]).values_list("priority_score", flat=True))
    assert len(scores) == 1, "the two requests must tie on score for the deadline to decide"
    return dated, undated


def test_the_triage_screen_lists_the_request_with_a_deadline_first(client, mission_user, same_score_requests):
    response = signed_in(client, mission_user).get("/requests/")

    listed = [request.pk for request in response.context["object_list"]]
    assert listed == list(same_score_requests)


def test_the_api_lists_them_in_the_same_order(api, mission_user, same_score_requests):
    body = api.as_user(mission_user).get("/api/requests/").json()

    assert [row["id"] for row in body["results"]] == list(same_score_requests)
