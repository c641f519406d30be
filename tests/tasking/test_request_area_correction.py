"""Correcting the NPU a request was logged against: a Supervisor or an Administrator moves the
request, its mission, the mission's history rows and its outcome to the right NPU, with a reason
that the audit trail keeps, on the request page or through the API; anyone else is refused, and
a refused correction saves nothing."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from operations.exceptions import Conflict, Forbidden
from operations.models import Area, AuditEntry, Event, OffenceGroup, TacticalPriority
from tasking import services
from tasking.models import Mission, MissionTransition, Outcome, Request, RequestKind

from .factories import (
    html,
    mission_make,
    nothing_saved,
    reference_data_once,  # noqa: F401
    request_make,
    signed_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

CODE = "area__code"
REASON = "Logged against BE in error: the address is in Birmingham West."


def areas_of(mission):
    """The NPU codes the request, the mission, its history rows and its outcome carry."""
    return {
        "request": Request.objects.get(pk=mission.request_id).area.code,
        "mission": Mission.objects.get(pk=mission.pk).area.code,
        "history": set(
            MissionTransition.objects.filter(mission=mission).values_list("area__code", flat=True)
        ),
        "outcome": set(Outcome.objects.filter(mission=mission).values_list(CODE, flat=True)),
    }


def test_a_supervisor_moves_a_completed_mission_and_its_rows_to_the_right_npu(supervisor):
    mission = mission_make(supervisor, Mission.State.COMPLETED, area="BE")
    assert areas_of(mission) == {"request": "BE", "mission": "BE", "history": {"BE"}, "outcome": {"BE"}}

    services.request_area_correct(
        actor=supervisor, request=mission.request, area=Area.objects.get(code="BW"), reason=REASON
    )

    assert areas_of(mission) == {"request": "BW", "mission": "BW", "history": {"BW"}, "outcome": {"BW"}}
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, reason=REASON)
    assert {(e.object_type, e.changes["area"][0], e.changes["area"][1]) for e in entries} == {
        ("tasking.request", "BE", "BW"),
        ("tasking.mission", "BE", "BW"),
    }
    assert all(entry.actor == supervisor for entry in entries)
    event = Event.objects.get(type="request.area_corrected")
    assert event.payload["from"] == Area.objects.get(code="BE").pk
    assert event.payload["to"] == Area.objects.get(code="BW").pk
    assert event.payload["outcome_day"] is not None and event.payload["history_days"]


@pytest.mark.parametrize(
    ("area", "reason", "field"),
    [("BW", "  ", "reason"), ("BE", REASON, "area")],
    ids=["no reason", "same NPU"],
)
def test_a_correction_without_a_reason_or_to_the_same_npu_is_refused_and_saves_nothing(
    supervisor, area, reason, field
):
    mission = mission_make(supervisor, Mission.State.ALLOCATED, area="BE")
    before = nothing_saved()

    with pytest.raises(ValidationError) as refused:
        services.request_area_correct(
            actor=supervisor, request=mission.request, area=Area.objects.get(code=area), reason=reason
        )

    assert field in refused.value.message_dict
    assert nothing_saved() == before
    assert areas_of(mission)["request"] == "BE"


def test_mission_support_cannot_correct_an_npu(mission_user):
    request = request_make(mission_user, area="BE")

    with pytest.raises(Forbidden, match="Only a Supervisor or an Administrator"):
        services.request_area_correct(
            actor=mission_user, request=request, area=Area.objects.get(code="BW"), reason=REASON
        )
    assert Request.objects.get(pk=request.pk).area.code == "BE"


def test_a_request_not_yet_assessed_is_scored_again_for_its_new_npu_as_when_received(
    mission_user, supervisor, time_machine
):
    # A tactical priority for BW only: the request earns its alignment points once it is in BW. A
    # forensic arrest is due 48 h after receipt: corrected a day later, its deadline points must
    # still be those of when it was received, or it would jump the queue for no NPU reason.
    priority = TacticalPriority.objects.create(title="Robbery in BW", effective_from=date(2020, 1, 1))
    priority.offence_groups.add(OffenceGroup.objects.get(code="robbery"))
    priority.areas.add(Area.objects.get(code="BW"))
    time_machine.move_to(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False)
    request = request_make(mission_user, kind=RequestKind.FORENSIC_ARREST, area="BE", offence_group="robbery")
    before = request.priority_score
    time_machine.move_to(datetime(2026, 5, 5, 15, 0, tzinfo=UTC), tick=False)

    corrected = services.request_area_correct(
        actor=supervisor, request=request, area=Area.objects.get(code="BW"), reason=REASON
    )

    assert corrected.priority_score == before + services.requests.ALIGNMENT_POINTS
    assert Request.objects.get(pk=request.pk).priority_score == corrected.priority_score
    entry = AuditEntry.objects.get(object_type="tasking.request", action=AuditEntry.Action.UPDATE)
    assert entry.changes["priority"] == [
        f"{request.grade} {before}",
        f"{corrected.grade} {corrected.priority_score}",
    ]


def test_a_back_dated_request_keeps_its_score_when_only_the_npu_changes(
    mission_user, supervisor, time_machine
):
    # Logged at 12:00 as received at 09:00: its deadline points were counted at 12:00 (45 h left).
    # Scoring it again as of its receipt (48 h left) would change it though no NPU rule applies.
    time_machine.move_to(datetime(2026, 5, 4, 12, 0, tzinfo=UTC), tick=False)
    request = request_make(
        mission_user,
        kind=RequestKind.FORENSIC_ARREST,
        area="BE",
        offence_group="robbery",
        received_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
    )
    before = (request.priority_score, request.grade)
    time_machine.move_to(datetime(2026, 5, 4, 12, 30, tzinfo=UTC), tick=False)

    corrected = services.request_area_correct(
        actor=supervisor, request=request, area=Area.objects.get(code="BW"), reason=REASON
    )

    stored = Request.objects.get(pk=request.pk)
    assert (corrected.priority_score, corrected.grade) == before
    assert (stored.priority_score, stored.grade) == before
    entry = AuditEntry.objects.get(object_type="tasking.request", action=AuditEntry.Action.UPDATE)
    assert "priority" not in entry.changes


def test_a_correction_changes_the_missions_version_so_a_stale_form_is_refused(supervisor):
    mission = mission_make(supervisor, Mission.State.IN_PROGRESS, area="BE")
    seen = mission.version

    services.request_area_correct(
        actor=supervisor, request=mission.request, area=Area.objects.get(code="BW"), reason=REASON
    )

    with pytest.raises(Conflict, match="changed by someone else"):
        services.mission_log_outcome(
            actor=supervisor, mission=mission, expected_version=seen, result="arrested", arrests=1
        )
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.IN_PROGRESS


def test_the_correction_page_names_the_follow_ups_raised_from_the_mission(client, supervisor):
    check = mission_make(supervisor, Mission.State.IN_PROGRESS, kind=RequestKind.CURFEW_CHECK, area="BE")
    services.mission_log_outcome(actor=supervisor, mission=check, result="curfew_breached")
    follow_up = Request.objects.get(follow_up_of=check)
    signed_in(client, supervisor)

    page = client.get(f"/requests/{check.request_id}/correct-npu/")

    assert f"{follow_up.reference}</a> (BE)" in html(page)


def test_on_the_page_a_supervisor_corrects_the_npu_and_sees_it_on_the_request(client, supervisor):
    mission = mission_make(supervisor, Mission.State.IN_PROGRESS, area="BE")
    signed_in(client, supervisor)
    detail = client.get(f"/requests/{mission.request_id}/")
    assert f"/requests/{mission.request_id}/correct-npu/" in html(detail)

    form = client.get(f"/requests/{mission.request_id}/correct-npu/")
    assert form.status_code == 200 and form.context["form"]["area"].value() == Area.objects.get(code="BE").pk

    response = client.post(
        f"/requests/{mission.request_id}/correct-npu/",
        {"area": Area.objects.get(code="BW").pk, "reason": REASON},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/requests/{mission.request_id}/"
    assert f"{mission.request.reference} and {mission.reference} are now in BW" in html(response)
    assert areas_of(mission) == {"request": "BW", "mission": "BW", "history": {"BW"}, "outcome": set()}


def test_on_the_page_a_missing_reason_is_a_field_error_and_nothing_is_saved(client, supervisor):
    mission = mission_make(supervisor, Mission.State.PENDING, area="BE")
    signed_in(client, supervisor)
    before = nothing_saved()

    response = client.post(
        f"/requests/{mission.request_id}/correct-npu/", {"area": Area.objects.get(code="BW").pk, "reason": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Say why the NPU is being corrected."]
    assert nothing_saved() == before


def test_mission_support_sees_no_correction_and_a_forged_post_is_refused(client, mission_user):
    request = request_make(mission_user, area="BE")
    signed_in(client, mission_user)

    assert "correct-npu" not in html(client.get(f"/requests/{request.pk}/"))
    page = client.get(f"/requests/{request.pk}/correct-npu/")
    assert page.status_code == 200 and 'name="reason"' not in html(page)
    assert "Only a Supervisor or an Administrator can correct" in html(page)
    forged = client.post(
        f"/requests/{request.pk}/correct-npu/", {"area": Area.objects.get(code="BW").pk, "reason": REASON}
    )
    assert forged.status_code == 403
    assert Request.objects.get(pk=request.pk).area.code == "BE"


def test_through_the_api_a_supervisor_corrects_and_others_are_refused(api, mission_user, supervisor):
    request = request_make(mission_user, area="BE")
    path = f"/api/requests/{request.pk}/correct-npu/"

    refused = api.as_user(mission_user).post(path, {"area": "BW", "reason": REASON})
    unknown = api.as_user(supervisor).post(path, {"area": "XX", "reason": REASON})
    neighbourhood = Area.objects.create(
        code="BE-ASTON", name="Aston", kind=Area.Kind.NEIGHBOURHOOD, parent=Area.objects.get(code="BE")
    )
    not_a_source = api.as_user(supervisor).post(path, {"area": neighbourhood.code, "reason": REASON})
    assert refused.status_code == 403
    assert unknown.status_code == 400 and "area" in unknown.json()
    assert not_a_source.status_code == 400
    assert not_a_source.json()["area"] == [Request.SOURCE_AREA_RULE]
    assert Request.objects.get(pk=request.pk).area.code == "BE"

    response = api.as_user(supervisor).post(path, {"area": "BW", "reason": REASON})

    assert response.status_code == 200 and response.json()["area"] == "BW"
    assert Request.objects.get(pk=request.pk).area.code == "BW"


ADMIN_LIST = "/admin/tasking/request/"


def admin_action(client, requests, **fields):
    data = {"action": "correct_npu", "_selected_action": [r.pk for r in requests], **fields}
    return client.post(ADMIN_LIST, data)


def test_in_the_admin_an_administrator_moves_the_selected_requests_after_giving_npu_and_reason(
    client, administrator, mission_user
):
    first, second = request_make(mission_user, area="BE"), request_make(mission_user, area="SH")
    signed_in(client, administrator)

    asked = admin_action(client, [first, second])
    assert asked.status_code == 200 and "Correct the NPU of 2 requests" in html(asked)
    assert {Request.objects.get(pk=r.pk).area.code for r in (first, second)} == {"BE", "SH"}

    done = admin_action(
        client, [first, second], apply="1", area=Area.objects.get(code="BW").pk, reason=REASON
    )

    assert done.status_code == 302
    assert {Request.objects.get(pk=r.pk).area.code for r in (first, second)} == {"BW"}
    assert AuditEntry.objects.filter(object_type="tasking.request", reason=REASON).count() == 2


def test_in_the_admin_one_refused_request_moves_none_of_the_selection(client, administrator, mission_user):
    wrong, already = request_make(mission_user, area="BE"), request_make(mission_user, area="BW")
    signed_in(client, administrator)
    before = nothing_saved()

    response = admin_action(
        client, [wrong, already], apply="1", area=Area.objects.get(code="BW").pk, reason=REASON
    )

    assert response.status_code == 200
    assert f"{already.reference} is already in BW." in html(response)
    assert Request.objects.get(pk=wrong.pk).area.code == "BE"
    assert nothing_saved() == before
