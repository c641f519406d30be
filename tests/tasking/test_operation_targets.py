"""An operation's target list, through the API and the admin: a target's status goes with its arrest
(only the arrest outcome marks it arrested, with when and on which mission, and an arrested target
stays arrested; by hand it is only closed or reopened), a target is a person or a place and says so
on its field, ranks start at 1, and references are stored trimmed so that an arrest finds its
target."""

import pytest

from operations.models import Area, AuditEntry, Operation
from tasking import services
from tasking.models import Mission, OperationTarget

from .factories import (
    midday,  # noqa: F401
    mission_make,
    post,
    reference_data_once,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once", "midday")]

URL = "/api/operation-targets/"


def payload(**fields):
    return {"operation": "GUARDIAN", "area": "BE", "subject_reference": "N0098765", "rank": 1, **fields}


def target_make(actor, **fields):
    return services.operation_target_save(
        actor=actor, operation=Operation.objects.get(code="GUARDIAN"), area=Area.objects.get(code="BE"),
        **{"subject_reference": "N0098765", "rank": 1, **fields},
    )  # fmt: skip


def arrested(actor, target):
    """``target`` ticked off by an arrest outcome on a Guardian mission naming its subject."""
    mission = mission_make(
        actor, Mission.State.IN_PROGRESS, operation="GUARDIAN", subject_reference=target.subject_reference
    )
    services.mission_log_outcome(actor=actor, mission=mission, result="arrested", arrests=1)
    return OperationTarget.objects.get(pk=target.pk), mission


# ---------------------------------------------------------------- status and arrest in step


def test_the_api_refuses_marking_a_target_arrested_by_hand(api, mission_user):
    client = api.as_user(mission_user)
    target = target_make(mission_user)

    created = client.post(URL, payload(subject_reference="N0011111", status="arrested"))
    changed = client.patch(f"{URL}{target.pk}/", {"status": "arrested"})

    for response in (created, changed):
        assert response.status_code == 400, response.json()
        assert "logging the arrest outcome" in " ".join(response.json()["status"])
    assert not OperationTarget.objects.filter(subject_reference="N0011111").exists()
    target.refresh_from_db()
    assert (target.status, target.arrested_at, target.arrest_mission) == ("outstanding", None, None)


def test_an_arrested_target_stays_arrested(api, mission_user):
    target, mission = arrested(mission_user, target_make(mission_user))
    assert (target.status, target.arrest_mission) == ("arrested", mission)

    response = api.as_user(mission_user).patch(f"{URL}{target.pk}/", {"status": "outstanding"})

    assert response.status_code == 400, response.json()
    assert f"was arrested on {mission.reference}" in " ".join(response.json()["status"])
    target.refresh_from_db()
    assert (target.status, target.arrest_mission) == ("arrested", mission)


def test_an_outstanding_target_is_closed_and_reopened_by_hand(api, mission_user):
    client = api.as_user(mission_user)
    target = target_make(mission_user)

    assert client.patch(f"{URL}{target.pk}/", {"status": "closed"}).status_code == 200
    assert client.patch(f"{URL}{target.pk}/", {"status": "outstanding"}).status_code == 200
    assert OperationTarget.objects.get(pk=target.pk).status == "outstanding"


def test_in_the_admin_the_status_is_read_only_and_changed_by_the_actions(client, administrator):
    client.force_login(administrator)
    target = target_make(administrator)
    page = client.get(f"/admin/tasking/operationtarget/{target.pk}/change/")
    assert "status" not in page.context["adminform"].form.fields

    client.post(
        "/admin/tasking/operationtarget/",
        {"action": "close_targets", "_selected_action": [target.pk]},
    )

    assert OperationTarget.objects.get(pk=target.pk).status == "closed"
    entry = AuditEntry.objects.get(
        object_type="tasking.operationtarget", object_id=str(target.pk), action=AuditEntry.Action.UPDATE
    )
    assert (entry.actor, entry.changes["status"]) == (administrator, ["outstanding", "closed"])


def test_the_admins_close_action_leaves_an_arrested_target_and_the_others_unchanged(
    client, administrator, mission_user
):
    client.force_login(administrator)
    outstanding = target_make(mission_user, subject_reference="N0022222", rank=2)
    taken, _ = arrested(mission_user, target_make(mission_user))

    response = client.post(
        "/admin/tasking/operationtarget/",
        {"action": "close_targets", "_selected_action": [outstanding.pk, taken.pk]},
        follow=True,
    )

    assert "Nothing changed" in response.content.decode()
    statuses = dict(OperationTarget.objects.values_list("subject_reference", "status"))
    assert statuses == {"N0022222": "outstanding", "N0098765": "arrested"}


# ---------------------------------------------------------------- clear field errors


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_target_without_subject_or_location_is_refused_on_its_field(api, mission_user, blank):
    response = api.as_user(mission_user).post(URL, payload(subject_reference=blank, location=blank))

    assert response.status_code == 400, response.json()
    body = response.json()
    assert "a target is a person or a place" in " ".join(body["subject_reference"])
    assert "target_has_subject_or_location" not in str(body)
    assert not OperationTarget.objects.exists()


def test_the_admin_shows_the_missing_subject_or_location_on_its_field(client, administrator):
    client.force_login(administrator)

    response = client.post(
        "/admin/tasking/operationtarget/add/",
        {"operation": Operation.objects.get(code="GUARDIAN").pk, "area": Area.objects.get(code="BE").pk,
         "rank": 1, "subject_reference": "", "location": ""},
    )  # fmt: skip

    errors = response.context["adminform"].form.errors
    assert "a target is a person or a place" in str(errors["subject_reference"])
    assert "target_has_subject_or_location" not in response.content.decode()
    assert not OperationTarget.objects.exists()


@pytest.mark.parametrize("route", ["api", "admin"])
def test_rank_zero_is_refused_ranks_start_at_one(api, client, mission_user, administrator, route):
    if route == "api":
        response = api.as_user(mission_user).post(URL, payload(rank=0))
        assert response.status_code == 400
        assert "greater than or equal to 1" in " ".join(response.json()["rank"])
    else:
        client.force_login(administrator)
        response = client.post(
            "/admin/tasking/operationtarget/add/",
            {"operation": Operation.objects.get(code="GUARDIAN").pk, "area": Area.objects.get(code="BE").pk,
             "rank": 0, "subject_reference": "N0098765"},
        )  # fmt: skip
        assert "Ranks start at 1" in str(response.context["adminform"].form.errors["rank"])
    assert not OperationTarget.objects.exists()


# ---------------------------------------------------------------- references stored trimmed


def test_a_reference_given_with_spaces_is_stored_trimmed_and_the_arrest_finds_it(api, mission_user):
    # The forms and the API trim what is typed; the services trim what any other caller passes.
    target = target_make(mission_user, subject_reference="  N0098765 ", location=" 7 Park Lane ")
    assert (target.subject_reference, target.location) == ("N0098765", "7 Park Lane")
    mission = mission_make(
        mission_user, Mission.State.IN_PROGRESS, operation="GUARDIAN", subject_reference="N0098765 "
    )

    post(api.as_user(mission_user), mission, "outcome", {"result": "arrested", "arrests": 1})

    target.refresh_from_db()
    assert (target.status, target.arrest_mission) == ("arrested", mission)
