"""What a refused mission action says: a second click on an action already done says so (not that
someone else changed the mission), states are named as the screens name them, and an outcome cannot
be dated before the mission was started."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tasking import services
from tasking.models import Mission, Outcome

from .factories import allocated, footprint, html, not_completed, post, signed_in, snapshot

pytestmark = pytest.mark.django_db

S = Mission.State


def test_a_second_click_on_start_says_the_mission_is_already_in_progress(
    client, mission_user, reference_data
):
    mission = allocated(mission_user)
    signed_in(client, mission_user)
    page_version = {"version": mission.version}

    assert client.post(f"/missions/{mission.pk}/start/", page_version).status_code == 302
    before = snapshot(mission)
    again = client.post(f"/missions/{mission.pk}/start/", page_version, follow=True)

    page = html(again)
    assert f"{mission.reference} is already in progress: someone else did this a moment ago." in page
    assert "changed by someone else" not in page
    assert snapshot(mission) == before


def test_starting_through_the_api_twice_says_already_in_progress(api, mission_user, reference_data):
    mission = allocated(mission_user)
    client = api.as_user(mission_user)
    assert post(client, mission, "start").status_code == 200

    again = post(client, mission, "start")

    assert again.status_code == 409
    assert again.json()["detail"] == f"{mission.reference} is already in progress."


def test_a_refused_move_names_the_states_as_the_screens_do(api, mission_user, reference_data):
    mission = not_completed(mission_user)

    refused = post(api.as_user(mission_user), mission, "start", {"version": mission.version})

    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert detail == (
        f"{mission.reference} is not completed: it cannot move to in progress. "
        "Allowed from not completed: allocated, cancelled."
    )
    assert "not_completed" not in detail and "in_progress" not in detail
    assert refused.json()["current_state"] == S.NOT_COMPLETED  # the code stays for programs


NO_FINDS = {
    "firearms": 0, "ammunition_rounds": 0, "knives_weapons": 0, "drugs_class_a_grams": "0",
    "drugs_class_b_grams": "0", "drugs_class_c_grams": "0", "cash_gbp": "0", "vehicles": 0,
}  # fmt: skip
RECEIVED = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
STARTED = RECEIVED + timedelta(hours=3)  # 12:00 UTC, 13:00 in London


@pytest.fixture
def started_at_noon(mission_user, reference_data):
    """A mission received at 09:00 UTC and started at 12:00 UTC; the clock then stands at 14:00."""
    with time_machine.travel(RECEIVED, tick=False):
        mission = allocated(mission_user)
    with time_machine.travel(STARTED, tick=False):
        services.mission_start(actor=mission_user, mission=mission)
    with time_machine.travel(STARTED + timedelta(hours=2), tick=False):
        yield Mission.objects.get(pk=mission.pk)


def test_an_outcome_dated_before_the_mission_was_started_is_refused(api, mission_user, started_at_noon):
    mission = started_at_noon
    client = api.as_user(mission_user)
    before = footprint(mission)

    early = {"result": "arrested", "arrests": 1, "completed_at": "2026-07-14T11:00:00Z"}
    refused = post(client, mission, "outcome", early)

    assert refused.status_code == 400
    assert refused.json()["completed_at"] == ["Cannot be before the mission was started (14 Jul 2026 13:00)."]
    assert footprint(mission) == before
    same_minute = {"result": "arrested", "arrests": 1, "completed_at": "2026-07-14T12:00:00Z"}
    assert post(client, mission, "outcome", same_minute).status_code == 200
    assert Outcome.objects.get(mission=mission).completed_at == STARTED


def test_the_outcome_page_shows_the_start_error(client, mission_user, started_at_noon):
    mission = started_at_noon

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/outcome/",
        {
            "version": mission.version,
            "result": "arrested",
            "arrests": 1,
            **NO_FINDS,
            "completed_at": "2026-07-14T12:30",
        },
    )

    assert response.status_code == 200
    assert "Cannot be before the mission was started (14 Jul 2026 13:00)." in html(response)
    assert not Outcome.objects.filter(mission=mission).exists()
