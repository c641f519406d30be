"""A closed operation takes no new work: a request or a target that names one (closed by its status,
or past its end date) is refused on its ``operation`` field, with nothing saved, whether it comes
through the API, the request form or the admin. A request received while the operation ran is
still taken; a curfew breach's follow-up and a patrol gap's cover, which carry the operation of
the work they come from, are raised even if it closed since."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from operations.models import Area, Operation
from tasking import services
from tasking.models import Mission, OperationTarget, Request, ScheduledPatrol

from .factories import (
    VALID,
    html,
    midday,  # noqa: F401
    mission_make,
    nothing_saved,
    post,
    reference_data_once,  # noqa: F401
    request_make,
    signed_in,
)
from .patrol_helpers import grid_make, schedule

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once", "midday")]


def ended(code, days_ago=1):
    """The operation ``code`` with its last day ``days_ago`` days before today (status unchanged)."""
    Operation.objects.filter(code=code).update(end_date=timezone.localdate() - timedelta(days=days_ago))
    return Operation.objects.get(code=code)


# ---------------------------------------------------------------- requests


@pytest.mark.parametrize(
    ("code", "says"),
    [("SCEPTRE", "Operation Sceptre (SCEPTRE) is closed"), ("GUARDIAN", "(GUARDIAN) ended on")],
    ids=["closed status", "past its end date"],
)
def test_the_api_refuses_a_request_for_a_closed_operation_on_its_field(api, mission_user, code, says):
    if code == "GUARDIAN":
        ended("GUARDIAN")
    before = nothing_saved()

    response = api.as_user(mission_user).post("/api/requests/", {**VALID, "operation": code})

    assert response.status_code == 400, response.json()
    message = " ".join(response.json()["operation"])
    assert says in message and "it takes no new requests" in message
    assert nothing_saved() == before


def test_the_request_form_shows_the_refusal_on_the_operation_field(client, mission_user):
    guardian = ended("GUARDIAN")
    signed_in(client, mission_user)
    data = {
        "kind": "npu_arrest", "area": Area.objects.get(code="BE").pk, "operation": guardian.pk,
        "requested_by": "PS 1234 Patel", "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }  # fmt: skip

    response = client.post("/requests/new/", data)

    assert response.status_code == 200
    assert "it takes no new requests" in str(response.context["form"].errors["operation"])
    assert not Request.objects.exists()


def test_a_request_received_while_the_operation_ran_is_taken(mission_user):
    ended("GUARDIAN", days_ago=1)

    request = request_make(mission_user, operation="GUARDIAN", received_at=timezone.now() - timedelta(days=2))

    assert request.operation.code == "GUARDIAN"


def test_a_curfew_breach_still_raises_its_follow_up_after_the_operation_closed(api, mission_user):
    check = mission_make(
        mission_user, Mission.State.IN_PROGRESS, kind="curfew_check", area="WS", operation="GUARDIAN",
        subject_reference="N0055501",
    )  # fmt: skip
    Operation.objects.filter(code="GUARDIAN").update(status=Operation.Status.CLOSED)

    response = post(api.as_user(mission_user), check, "outcome", {"result": "curfew_breached"})

    assert response.status_code == 200, response.json()
    follow_up = Request.objects.get(follow_up_of=check)
    assert (follow_up.kind, follow_up.operation.code) == ("npu_arrest", "GUARDIAN")


def test_the_service_refuses_a_closed_operation_with_its_other_mistakes(mission_user):
    with pytest.raises(ValidationError) as refused:
        request_make(mission_user, kind="forensic_arrest", operation="SCEPTRE", forensic_hit="")

    assert {"operation", "forensic_hit"} <= set(refused.value.message_dict)


# ---------------------------------------------------------------- targets


def target_payload(**fields):
    return {"operation": "SCEPTRE", "area": "BE", "subject_reference": "N0098765", "rank": 1, **fields}


def test_the_api_refuses_a_new_target_on_a_closed_operation(api, mission_user):
    before = OperationTarget.objects.count()

    response = api.as_user(mission_user).post("/api/operation-targets/", target_payload())

    assert response.status_code == 400, response.json()
    assert "(SCEPTRE) is closed: it takes no new targets" in " ".join(response.json()["operation"])
    assert OperationTarget.objects.count() == before


def test_the_api_refuses_moving_a_target_to_a_closed_operation_but_edits_one_on_it(api, mission_user):
    client = api.as_user(mission_user)
    created = client.post("/api/operation-targets/", target_payload(operation="GUARDIAN")).json()
    ended("GUARDIAN")

    renamed = client.patch(f"/api/operation-targets/{created['id']}/", {"reason": "Still sought."})
    moved = client.patch(f"/api/operation-targets/{created['id']}/", {"operation": "SCEPTRE"})

    assert renamed.status_code == 200, renamed.json()
    assert moved.status_code == 400 and "operation" in moved.json()
    assert OperationTarget.objects.get(pk=created["id"]).operation.code == "GUARDIAN"


def test_the_admin_refuses_a_new_target_on_a_closed_operation_on_its_field(client, administrator):
    client.force_login(administrator)
    sceptre = Operation.objects.get(code="SCEPTRE")

    response = client.post(
        "/admin/tasking/operationtarget/add/",
        {"operation": sceptre.pk, "area": Area.objects.get(code="BE").pk, "rank": 1,
         "subject_reference": "N0098765", "reason": "Wanted."},
    )  # fmt: skip

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "it takes no new targets" in str(errors["operation"])
    assert "it takes no new targets" in html(response)
    assert not OperationTarget.objects.exists()


def test_a_patrol_gap_on_a_closed_operations_grid_can_still_be_covered(mission_user, time_machine):
    grid = grid_make(code="HG-CLOSED", operation="VIBRANT")  # patrolled 18:00-20:00, reached by 20:00
    schedule(timezone.localdate())
    patrol = ScheduledPatrol.objects.get(grid=grid)
    Operation.objects.filter(code="VIBRANT").update(status=Operation.Status.CLOSED)
    time_machine.move_to(patrol.arrive_by + timedelta(minutes=1), tick=False)

    request = services.patrol_gap_cover(actor=mission_user, patrol=patrol)

    assert request.operation.code == "VIBRANT"
