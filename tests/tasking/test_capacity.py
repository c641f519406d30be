"""A resource carries a limited number of missions per tasking period: allocation beyond it is
refused unless a Supervisor overrides with a reason, and concurrent allocations never overfill."""

from datetime import date, timedelta

import pytest

from operations.exceptions import Forbidden
from operations.models import AuditEntry, Resource
from tasking import services
from tasking.models import Mission

from .factories import footprint, mission_make, reference_data_once, request_approve, request_make  # noqa: F401

S = Mission.State
# A week ahead: allocations go into a period that has not ended and is within the planning horizon.
DAY = date.today() + timedelta(days=7)
uses_reference = pytest.mark.usefixtures("reference_data_once")


def allocate(client, mission, resource_code, **extra):
    return client.post(
        f"/api/missions/{mission.pk}/allocate/",
        {"resource": resource_code, "period": DAY.isoformat(), **extra},
    )


def fill(actor, resource_code, count):
    """``count`` missions allocated to the resource in the test period."""
    period = services.period_for_day(DAY)
    return [
        mission_make(actor, S.ALLOCATED, resource_code=resource_code, period=period) for _ in range(count)
    ]


@pytest.fixture
def small_unit(db):
    """The High Harm and Vulnerability Team, with room for two missions a period."""
    Resource.objects.filter(code="HHVT").update(capacity_per_period=2)
    return Resource.objects.get(code="HHVT")


@uses_reference
@pytest.mark.django_db
def test_allocation_beyond_capacity_is_refused_with_409_naming_capacity_and_used(
    api, mission_user, small_unit
):
    fill(mission_user, "HHVT", 2)
    mission = mission_make(mission_user)
    before = footprint(mission)

    response = allocate(api.as_user(mission_user), mission, "HHVT")

    assert response.status_code == 409, response.json()
    assert (response.json()["capacity"], response.json()["used"]) == (2, 2)
    assert "Supervisor" in response.json()["detail"]
    assert footprint(mission) == before


@uses_reference
@pytest.mark.django_db
def test_allocation_up_to_capacity_succeeds(api, mission_user, small_unit):
    fill(mission_user, "HHVT", 1)
    mission = mission_make(mission_user)

    response = allocate(api.as_user(mission_user), mission, "HHVT")

    assert response.status_code == 200, response.json()


@uses_reference
@pytest.mark.django_db
def test_mission_support_cannot_override_capacity(api, mission_user, small_unit):
    fill(mission_user, "HHVT", 2)
    mission = mission_make(mission_user)
    before = footprint(mission)

    response = allocate(api.as_user(mission_user), mission, "HHVT", override_reason="Urgent: firearms intel.")

    assert response.status_code == 403, response.json()
    assert footprint(mission) == before


@uses_reference
@pytest.mark.django_db
def test_a_supervisor_overrides_capacity_with_a_reason_and_the_history_says_so(api, supervisor, small_unit):
    fill(supervisor, "HHVT", 2)
    mission = mission_make(supervisor)

    response = allocate(
        api.as_user(supervisor), mission, "HHVT", override_reason="Firearms intelligence: P1."
    )

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert (mission.state, mission.resource.code) == (S.ALLOCATED, "HHVT")
    row = mission.history.order_by("id").last()
    assert row.details["capacity_override"] == "Firearms intelligence: P1."
    assert row.reason == "Firearms intelligence: P1."
    entry = AuditEntry.objects.filter(object_type="tasking.mission", object_id=str(mission.pk)).first()
    assert entry.changes["capacity_override"] == "Firearms intelligence: P1."
    period = services.period_for_day(DAY)
    usage = {res.code: (used, cap) for res, used, cap in services.resource_usage(period, [small_unit])}
    assert usage == {"HHVT": (3, 2)}


@uses_reference
@pytest.mark.django_db
def test_an_allocation_within_capacity_records_no_override(api, supervisor, small_unit):
    mission = mission_make(supervisor)

    response = allocate(api.as_user(supervisor), mission, "HHVT", override_reason="Just in case.")

    assert response.status_code == 200
    assert "capacity_override" not in mission.history.order_by("id").last().details


@uses_reference
@pytest.mark.django_db
def test_a_per_period_capacity_override_changes_the_limit_for_that_period_only(api, supervisor, mission_user):
    period = services.period_for_day(DAY)
    osu = Resource.objects.get(code="OSU")  # usually 10 a period
    services.resource_period_set_capacity(
        actor=supervisor, resource=osu, period=period, capacity=1, reason="Half the unit at a football match."
    )
    fill(mission_user, "OSU", 1)
    client = api.as_user(mission_user)

    refused = allocate(client, mission_make(mission_user), "OSU")
    next_day = client.post(
        f"/api/missions/{mission_make(mission_user).pk}/allocate/",
        {"resource": "OSU", "period": (DAY + timedelta(days=1)).isoformat()},
    )

    assert refused.status_code == 409
    assert (refused.json()["capacity"], refused.json()["used"]) == (1, 1)
    assert next_day.status_code == 200, next_day.json()
    entry = AuditEntry.objects.filter(object_type="tasking.resourceperiod").first()
    assert (entry.changes["capacity"], entry.reason) == ([10, 1], "Half the unit at a football match.")


@uses_reference
@pytest.mark.django_db
def test_a_per_period_capacity_can_also_raise_the_limit(api, supervisor, mission_user, small_unit):
    services.resource_period_set_capacity(
        actor=supervisor,
        resource=small_unit,
        period=services.period_for_day(DAY),
        capacity=3,
        reason="Mutual aid.",
    )
    fill(mission_user, "HHVT", 2)

    response = allocate(api.as_user(mission_user), mission_make(mission_user), "HHVT")

    assert response.status_code == 200, response.json()


@uses_reference
@pytest.mark.django_db
def test_only_a_supervisor_changes_a_period_capacity(mission_user):
    with pytest.raises(Forbidden):
        services.resource_period_set_capacity(
            actor=mission_user, resource=Resource.objects.get(code="OSU"),
            period=services.period_for_day(DAY), capacity=1, reason="",
        )  # fmt: skip


@uses_reference
@pytest.mark.django_db
def test_a_cancelled_mission_frees_its_place(api, supervisor, mission_user, small_unit):
    first, _ = fill(mission_user, "HHVT", 2)
    api.as_user(supervisor).post(f"/api/missions/{first.pk}/cancel/", {"reason": "Subject in custody."})

    response = allocate(api.as_user(mission_user), mission_make(mission_user), "HHVT")

    assert response.status_code == 200, response.json()


@uses_reference
@pytest.mark.django_db
def test_completed_and_not_completed_missions_keep_their_place(api, mission_user, small_unit):
    done, missed = fill(mission_user, "HHVT", 2)
    services.mission_start(actor=mission_user, mission=done)
    services.mission_log_outcome(actor=mission_user, mission=done, result="not_found")
    services.mission_not_complete(actor=mission_user, mission=missed, reason="Unit abstracted.")

    response = allocate(api.as_user(mission_user), mission_make(mission_user), "HHVT")

    assert response.status_code == 409
    assert response.json()["used"] == 2


@uses_reference
@pytest.mark.django_db
def test_re_allocation_into_a_full_resource_is_refused(api, mission_user, small_unit):
    fill(mission_user, "HHVT", 2)
    (mission,) = fill(mission_user, "OSU", 1)
    before = footprint(mission)

    response = allocate(api.as_user(mission_user), mission, "HHVT", reason="Divert to HHVT.")

    assert response.status_code == 409
    assert footprint(mission) == before


@uses_reference
@pytest.mark.django_db
def test_a_full_resource_does_not_limit_other_resources(api, mission_user, small_unit):
    fill(mission_user, "HHVT", 2)

    response = allocate(api.as_user(mission_user), mission_make(mission_user), "CMPG")

    assert response.status_code == 200
