"""Which tasking period a mission may be allocated or carried over into: not one that has already
ended, nor one beyond the planning horizon. The service refuses on the period field; the allocation
page and the API show that error, and nothing is saved (not even the period asked for)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from operations.models import Resource
from tasking import services
from tasking.models import Mission, TaskingPeriod
from tasking.services.missions import ALLOCATION_HORIZON

from .factories import approved, footprint, html, not_completed, signed_in

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 7, 14, 12, 0, tzinfo=UTC)  # the current period starts on 14 July
S = Mission.State


@pytest.fixture
def at_noon(reference_data):
    with time_machine.travel(NOON):
        yield


def osu():
    return Resource.objects.get(code="OSU")


def day(offset):
    return services.period_for(NOON).day + timedelta(days=offset)


def refusal(excinfo):
    return excinfo.value.message_dict["period"][0]


def test_a_period_that_has_ended_is_refused_on_the_period_field(mission_user, at_noon):
    mission = approved(mission_user)
    yesterday = services.period_for_day(day(-1))
    before = footprint(mission)

    with pytest.raises(ValidationError) as refused:
        services.mission_allocate(actor=mission_user, mission=mission, resource=osu(), period=yesterday)

    assert refusal(refused) == (
        f"The period {yesterday} has already ended; allocate into the current period or a later one."
    )
    assert footprint(mission) == before


def test_a_period_beyond_the_horizon_is_refused_and_one_within_it_is_accepted(mission_user, at_noon):
    horizon = ALLOCATION_HORIZON.days  # 28: four weeks
    far, near = approved(mission_user), approved(mission_user)

    with pytest.raises(ValidationError) as refused:
        services.mission_allocate(
            actor=mission_user, mission=far, resource=osu(), period=services.period_for_day(day(horizon + 1))
        )
    assert "is too far ahead: allocate into a period that starts within 28 days." in refusal(refused)
    assert Mission.objects.get(pk=far.pk).state == S.PENDING

    for mission, offset in ((near, horizon), (approved(mission_user), 0)):
        period = services.period_for_day(day(offset))
        services.mission_allocate(actor=mission_user, mission=mission, resource=osu(), period=period)
        assert Mission.objects.get(pk=mission.pk).period == period


def test_a_carry_over_into_a_period_that_has_ended_is_refused(mission_user, reference_data):
    with time_machine.travel(NOON - timedelta(days=3)):
        stuck = not_completed(mission_user)  # three periods ago
    with time_machine.travel(NOON):
        before = footprint(stuck)

        with pytest.raises(ValidationError) as refused:
            services.mission_allocate(
                actor=mission_user, mission=stuck, resource=osu(), period=services.period_for_day(day(-1))
            )

        assert "has already ended" in refusal(refused)
        assert footprint(stuck) == before
        services.mission_allocate(actor=mission_user, mission=stuck, resource=osu())  # the current one
        assert Mission.objects.get(pk=stuck.pk).carry_overs == 1


def test_re_allocation_within_the_current_period_is_accepted(mission_user, at_noon):
    mission = approved(mission_user)
    services.mission_allocate(actor=mission_user, mission=mission, resource=osu())

    services.mission_allocate(
        actor=mission_user, mission=mission, resource=Resource.objects.get(code="FS"), reason="Divert."
    )

    assert Mission.objects.get(pk=mission.pk).resource.code == "FS"


def test_the_demo_builder_may_replay_a_past_period(mission_user, at_noon):
    mission = approved(mission_user)
    past = services.period_for_day(day(-10))

    services.mission_allocate(
        actor=mission_user, mission=mission, resource=osu(), period=past, allow_past=True
    )

    assert Mission.objects.get(pk=mission.pk).period == past


def test_the_allocation_page_shows_the_period_error(client, mission_user, at_noon):
    mission = approved(mission_user)
    before = footprint(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/?period={day(-1).isoformat()}",
        {"resource": osu().pk, "version": mission.version, "period": day(-1).isoformat()},
    )

    assert response.status_code == 200
    assert "has already ended; allocate into the current period or a later one." in html(response)
    assert footprint(mission) == before


def test_the_api_answers_400_on_the_period_and_creates_no_period(api, mission_user, at_noon):
    mission = approved(mission_user)
    before = footprint(mission)
    client = api.as_user(mission_user)

    past = client.post(f"/api/missions/{mission.pk}/allocate/", {"resource": "OSU", "period": day(-2)})
    ahead = client.post(f"/api/missions/{mission.pk}/allocate/", {"resource": "OSU", "period": day(60)})

    assert past.status_code == 400 and "has already ended" in past.json()["period"][0]
    assert ahead.status_code == 400 and "too far ahead" in ahead.json()["period"][0]
    assert footprint(mission) == before
    assert not TaskingPeriod.objects.filter(day__in=[day(-2), day(60)]).exists()
    accepted = client.post(f"/api/missions/{mission.pk}/allocate/", {"resource": "OSU", "period": day(3)})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["state"] == S.ALLOCATED


def test_a_trm_carry_over_into_a_meeting_period_that_has_ended_is_refused(
    client, mission_user, reference_data
):
    with time_machine.travel(NOON - timedelta(days=3)):
        stuck = not_completed(mission_user)
    with time_machine.travel(NOON):
        past_meeting = services.trm_meeting_open(actor=mission_user, date=day(-1))
        before = footprint(stuck)

        response = signed_in(client, mission_user).post(
            f"/trm/{day(-1).isoformat()}/missions/{stuck.pk}/carry-over/",
            {"resource": osu().pk, "version": stuck.version},
        )

        assert "has already ended" in html(response)
        assert footprint(stuck) == before
        assert not past_meeting.decisions.exists()
