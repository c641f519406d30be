"""Each move of a mission through the API and what it records: allocating and re-allocating,
starting, logging an outcome, not completing, carrying over and cancelling."""

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import Resource
from tasking import services
from tasking.models import Mission, Outcome

from .factories import (
    footprint,
    midday,  # noqa: F401
    mission_make,
    post,
    reference_data_once,  # noqa: F401
    resource,
    tomorrow,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once", "midday")]

S = Mission.State


def test_allocating_a_pending_mission_puts_it_on_the_resource_for_the_current_period(api, mission_user):
    mission = mission_make(mission_user)

    response = post(api.as_user(mission_user), mission, "allocate", {"resource": "OSU", "version": 1})

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert mission.state == S.ALLOCATED
    assert mission.resource.code == "OSU"
    assert mission.period == services.period_for(timezone.now())
    assert mission.allocated_at is not None
    assert response.json()["period"] == mission.period.day.isoformat()


def test_allocating_into_a_named_period_uses_that_period(api, mission_user):
    mission = mission_make(mission_user)

    day = tomorrow() + timedelta(days=6)

    response = post(
        api.as_user(mission_user), mission, "allocate", {"resource": "OSU", "period": day.isoformat()}
    )

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert mission.period.day == day


def test_re_allocation_moves_the_mission_to_another_resource_within_its_period(api, mission_user):
    mission = mission_make(mission_user, S.ALLOCATED, resource_code="OSU")
    period = mission.period

    response = post(
        api.as_user(mission_user), mission, "allocate",
        {"resource": "GTF", "reason": "TRM diverts to Guardian Taskforce.", "version": 2},
    )  # fmt: skip

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert (mission.state, mission.resource.code, mission.period, mission.version) == (
        S.ALLOCATED, "GTF", period, 3,
    )  # fmt: skip
    row = mission.history.order_by("id").last()
    assert (row.from_state, row.to_state, row.reason) == (
        "allocated",
        "allocated",
        "TRM diverts to Guardian Taskforce.",
    )
    assert row.details["resource"] == [resource("OSU").pk, resource("GTF").pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resource": "GTF"}, "reason"),
        ({"resource": "GTF", "reason": "   "}, "reason"),
        ({"resource": "OSU", "reason": "Same unit."}, "resource"),
        ({"resource": "GTF", "reason": "Move it.", "period": "2031-01-01"}, "period"),
    ],
    ids=["no-reason", "blank-reason", "same-resource", "other-period"],
)
def test_re_allocation_needs_a_reason_another_resource_and_the_same_period(api, mission_user, body, field):
    mission = mission_make(mission_user, S.ALLOCATED, resource_code="OSU")
    before = footprint(mission)

    response = post(api.as_user(mission_user), mission, "allocate", body)

    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert footprint(mission) == before


def test_allocating_to_a_resource_out_of_service_is_refused(api, mission_user):
    mission = mission_make(mission_user)
    Resource.objects.filter(code="VCTF").update(active=False)
    before = footprint(mission)

    response = post(api.as_user(mission_user), mission, "allocate", {"resource": "VCTF"})

    assert response.status_code == 400
    assert "resource" in response.json()
    assert footprint(mission) == before


def test_starting_an_allocated_mission_puts_it_in_progress(api, mission_user):
    mission = mission_make(mission_user, S.ALLOCATED)

    response = post(api.as_user(mission_user), mission, "start", {"version": 2})

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert mission.state == S.IN_PROGRESS
    assert mission.started_at is not None


def test_logging_an_outcome_completes_the_mission_with_its_finds(api, mission_user):
    mission = mission_make(mission_user, S.IN_PROGRESS, kind="warrant_drugs")

    response = post(
        api.as_user(mission_user), mission, "outcome",
        {
            "result": "warrant_finds", "arrests": 2, "drugs_class_a_grams": "28.35", "cash_gbp": "1450.00",
            "home_office_outcome": 1, "notes": "Two arrested at the address.", "version": 3,
        },
    )  # fmt: skip

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "completed"
    assert body["outcome"]["result"] == "warrant_finds"
    assert body["outcome"]["logged_by"] == "mission"
    outcome = Outcome.objects.get(mission=mission)
    assert (outcome.arrests, str(outcome.drugs_class_a_grams), str(outcome.cash_gbp)) == (
        2,
        "28.35",
        "1450.00",
    )
    assert outcome.home_office_outcome.code == 1
    mission.refresh_from_db()
    assert mission.finished_at == outcome.completed_at


@pytest.mark.parametrize("state", [S.ALLOCATED, S.IN_PROGRESS])
def test_a_mission_not_completed_keeps_its_reason(api, mission_user, state):
    mission = mission_make(mission_user, state)

    response = post(
        api.as_user(mission_user),
        mission,
        "not-completed",
        {"reason": "Unit abstracted to a firearms incident."},
    )

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert mission.state == S.NOT_COMPLETED
    assert mission.state_reason == "Unit abstracted to a firearms incident."
    assert mission.history.order_by("id").last().reason == "Unit abstracted to a firearms incident."


def test_carrying_a_not_completed_mission_over_allocates_it_in_a_later_period(api, mission_user):
    mission = mission_make(mission_user, S.NOT_COMPLETED, resource_code="OSU")
    first_period = mission.period
    next_day = tomorrow()

    response = post(
        api.as_user(mission_user), mission, "allocate",
        {"resource": "FR", "period": next_day.isoformat(), "reason": "TRM: carry over", "version": 3},
    )  # fmt: skip

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert (mission.state, mission.resource.code, mission.period.day) == (S.ALLOCATED, "FR", next_day)
    assert mission.carry_overs == 1
    assert mission.state_reason == ""
    row = mission.history.order_by("id").last()
    assert (row.from_state, row.to_state) == ("not_completed", "allocated")
    assert row.details["carried_over_from_period"] == first_period.pk


@pytest.mark.parametrize("offset_days", [0, -1])
def test_a_carry_over_into_the_same_or_an_earlier_period_is_refused(api, mission_user, offset_days):
    mission = mission_make(mission_user, S.NOT_COMPLETED)
    day = mission.period.day + timedelta(days=offset_days)
    before = footprint(mission)

    response = post(
        api.as_user(mission_user), mission, "allocate", {"resource": "FR", "period": day.isoformat()}
    )

    assert response.status_code == 400
    assert "period" in response.json()
    assert footprint(mission) == before


@pytest.mark.parametrize("state", [S.PENDING, S.ALLOCATED, S.IN_PROGRESS, S.NOT_COMPLETED])
def test_a_supervisor_cancels_an_open_mission_with_a_reason(api, supervisor, state):
    mission = mission_make(supervisor, state)

    response = post(api.as_user(supervisor), mission, "cancel", {"reason": "Duplicate of REQ-000009."})

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert mission.state == S.CANCELLED
    assert mission.state_reason == "Duplicate of REQ-000009."
    assert mission.finished_at is not None
    assert mission.request.state == "approved"


def test_mission_support_cannot_cancel_a_mission(api, mission_user):
    mission = mission_make(mission_user, S.ALLOCATED)
    before = footprint(mission)

    response = post(api.as_user(mission_user), mission, "cancel", {"reason": "Not needed."})

    assert response.status_code == 403
    assert footprint(mission) == before
