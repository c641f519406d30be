"""When an outcome may say it happened: not in the future, and not before the request that asked
for the mission was received, so a slip of the year cannot rewrite a closed period's figures."""

from datetime import timedelta

import pytest

from operations.models import Event
from tasking.models import Mission, Outcome

from .factories import footprint, midday, mission_make, reference_data_once  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


def test_an_outcome_dated_before_the_request_was_received_is_refused_and_nothing_is_saved(api, mission_user):
    mission = mission_make(mission_user, Mission.State.IN_PROGRESS)
    before, events = footprint(mission), Event.objects.count()
    response = api.as_user(mission_user).post(
        f"/api/missions/{mission.pk}/outcome/",
        {"result": "arrested", "arrests": 1, "completed_at": "2001-01-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "before the request was received" in str(response.json()["completed_at"])
    assert footprint(mission) == before
    assert not Outcome.objects.filter(mission=mission).exists()
    assert Event.objects.count() == events


# At midday: the request is received and the mission started in the same minute, so an outcome dated
# when the request was received is not before the start either.
@pytest.mark.usefixtures("midday")
def test_an_outcome_dated_at_or_after_the_request_was_received_is_logged(api, mission_user):
    mission = mission_make(mission_user, Mission.State.IN_PROGRESS)
    received = mission.request.received_at
    response = api.as_user(mission_user).post(
        f"/api/missions/{mission.pk}/outcome/",
        {"result": "arrested", "arrests": 1, "completed_at": received.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Outcome.objects.get(mission=mission).completed_at == received


def test_the_outcome_form_shows_the_same_error(client, mission_user):
    mission = mission_make(mission_user, Mission.State.IN_PROGRESS)
    client.force_login(mission_user)
    too_early = mission.request.received_at - timedelta(days=1)
    response = client.post(
        f"/missions/{mission.pk}/outcome/",
        {"result": "arrested", "arrests": 1, "completed_at": too_early.strftime("%Y-%m-%dT%H:%M"),
         "version": mission.version},
    )  # fmt: skip
    assert response.status_code == 200
    assert "before the request was received" in response.content.decode()
    assert not Outcome.objects.filter(mission=mission).exists()


@pytest.mark.usefixtures("midday")
def test_an_outcome_in_the_minute_the_request_was_received_is_logged(api, mission_user):
    mission = mission_make(mission_user, Mission.State.IN_PROGRESS)
    minute = mission.request.received_at.replace(second=0, microsecond=0)  # as the form gives it
    response = api.as_user(mission_user).post(
        f"/api/missions/{mission.pk}/outcome/",
        {"result": "arrested", "arrests": 1, "completed_at": minute.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.json()
