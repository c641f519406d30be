"""What a logged outcome sets off: a curfew breach raises a follow-up arrest request, and an arrest
marks its subject arrested on the operation's target list."""

import pytest

from operations.models import Area, AuditEntry, Event, Operation
from tasking import services
from tasking.models import Mission, Outcome, Request

from .factories import (
    VALID,
    midday,  # noqa: F401
    mission_make,
    post,
    reference_data_once,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once", "midday")]

S = Mission.State


def test_a_curfew_breach_raises_a_follow_up_arrest_request_linked_to_the_breached_check(api, mission_user):
    mission = mission_make(
        mission_user, S.IN_PROGRESS, kind="curfew_check", area="WS", operation="GUARDIAN",
        offence_group="violence-with-injury", subject_reference="N0055501", location="7 Park Lane, Walsall",
    )  # fmt: skip

    response = post(
        api.as_user(mission_user), mission, "outcome", {"result": "curfew_breached", "notes": "Out at 23:10."}
    )

    assert response.status_code == 200, response.json()
    follow_up = Request.objects.get(follow_up_of=mission)
    assert (follow_up.kind, follow_up.state, follow_up.area.code, follow_up.operation.code) == (
        "npu_arrest", "received", "WS", "GUARDIAN",
    )  # fmt: skip
    assert (follow_up.subject_reference, follow_up.location) == ("N0055501", "7 Park Lane, Walsall")
    assert follow_up.offence_group.code == "violence-with-injury"
    assert mission.reference in follow_up.intelligence_summary
    assert "Out at 23:10." in follow_up.intelligence_summary
    assert follow_up.received_at == Outcome.objects.get(mission=mission).completed_at
    assert Event.objects.filter(type="request.received", aggregate_id=str(follow_up.pk)).count() == 1
    listed = api.get(f"/api/requests/{follow_up.pk}/").json()
    assert listed["follow_up_of"] == mission.pk


def test_a_complied_curfew_raises_no_follow_up(api, mission_user):
    mission = mission_make(mission_user, S.IN_PROGRESS, kind="curfew_check")
    requests_before = Request.objects.count()

    post(api.as_user(mission_user), mission, "outcome", {"result": "curfew_complied"})

    assert Request.objects.count() == requests_before
    assert not Request.objects.filter(follow_up_of=mission).exists()


def target(actor, operation, reference, area="BE", rank=1):
    return services.operation_target_save(
        actor=actor, operation=Operation.objects.get(code=operation), area=Area.objects.get(code=area),
        subject_reference=reference, rank=rank, reason="Wanted for robbery.",
    )  # fmt: skip


def test_an_arrest_marks_the_subject_arrested_on_its_operations_target_list_only(api, mission_user):
    wanted = target(mission_user, "GUARDIAN", "N0098765")
    same_person_other_operation = target(mission_user, "VIBRANT", "N0098765")
    someone_else = target(mission_user, "GUARDIAN", "N0011111", rank=2)
    mission = mission_make(mission_user, S.IN_PROGRESS, operation="GUARDIAN", subject_reference="N0098765")

    response = post(api.as_user(mission_user), mission, "outcome", {"result": "arrested", "arrests": 1})

    assert response.status_code == 200, response.json()
    outcome = Outcome.objects.get(mission=mission)
    wanted.refresh_from_db()
    assert (wanted.status, wanted.arrested_at, wanted.arrest_mission) == (
        "arrested",
        outcome.completed_at,
        mission,
    )
    for untouched in (same_person_other_operation, someone_else):
        untouched.refresh_from_db()
        assert (untouched.status, untouched.arrested_at, untouched.arrest_mission) == (
            "outstanding",
            None,
            None,
        )
    entry = AuditEntry.objects.filter(object_type="tasking.operationtarget", object_id=str(wanted.pk)).first()
    assert entry.changes == {"status": ["outstanding", "arrested"]}
    assert mission.reference in entry.reason


def test_an_arrest_marks_the_target_the_request_names(api, mission_user):
    named = target(mission_user, "GUARDIAN", "N0022222")
    same_reference_unnamed = target(mission_user, "GUARDIAN", "N0033333", rank=2)
    mission = mission_make(
        mission_user, S.IN_PROGRESS, operation="GUARDIAN", subject_reference="N0033333", target=named
    )

    post(api.as_user(mission_user), mission, "outcome", {"result": "arrested", "arrests": 1})

    named.refresh_from_db()
    same_reference_unnamed.refresh_from_db()
    assert (named.status, same_reference_unnamed.status) == ("arrested", "outstanding")


def test_no_arrest_leaves_the_target_outstanding(api, mission_user):
    wanted = target(mission_user, "GUARDIAN", "N0098765")
    mission = mission_make(mission_user, S.IN_PROGRESS, operation="GUARDIAN", subject_reference="N0098765")

    post(api.as_user(mission_user), mission, "outcome", {"result": "not_found"})

    wanted.refresh_from_db()
    assert wanted.status == "outstanding"


@pytest.mark.parametrize(
    ("operation", "status", "says"),
    [("CAPTIVA", "outstanding", "CAPTIVA's list"), ("GUARDIAN", "closed", "closed, not outstanding")],
    ids=["another operation's", "no longer outstanding"],
)
def test_a_request_names_only_an_outstanding_target_of_its_own(api, mission_user, operation, status, says):
    named = target(mission_user, operation, "N0044444")
    if status != "outstanding":
        services.operation_target_save(actor=mission_user, target=named, status=status)
    before = Request.objects.count()

    response = api.as_user(mission_user).post(
        "/api/requests/",
        {**VALID, "operation": "GUARDIAN", "target": named.pk},
        format="json",
    )

    assert response.status_code == 400
    assert says in str(response.json()["target"])
    assert Request.objects.count() == before


def test_an_arrest_matches_its_target_whatever_the_case_and_spaces_of_the_reference(api, mission_user):
    wanted = target(mission_user, "GUARDIAN", "N0055555")
    mission = mission_make(mission_user, S.IN_PROGRESS, operation="GUARDIAN", subject_reference="n0055555")
    Request.objects.filter(pk=mission.request_id).update(
        subject_reference=" n0055555 "
    )  # logged before trimming

    post(api.as_user(mission_user), mission, "outcome", {"result": "arrested", "arrests": 1})

    wanted.refresh_from_db()
    assert (wanted.status, wanted.arrest_mission_id) == ("arrested", mission.pk)


def test_a_subject_reference_of_spaces_ticks_off_no_target(api, mission_user):
    by_place = services.operation_target_save(
        actor=mission_user, operation=Operation.objects.get(code="GUARDIAN"),
        area=Area.objects.get(code="BE"), location="12 High Street", rank=1, reason="Supply address.",
    )  # fmt: skip
    mission = mission_make(mission_user, S.IN_PROGRESS, operation="GUARDIAN")
    Request.objects.filter(pk=mission.request_id).update(subject_reference="   ")

    post(api.as_user(mission_user), mission, "outcome", {"result": "arrested", "arrests": 1})

    by_place.refresh_from_db()
    assert by_place.status == "outstanding"
