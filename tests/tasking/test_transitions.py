"""The mission life cycle through the API: every legal move, every illegal one, stale versions,
missing reasons and impossible outcomes — and an illegal request leaves nothing behind."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from operations.models import Area, AuditEntry, Event, Operation, Resource
from tasking import services
from tasking.models import Mission, MissionTransition, Outcome, Request

from .factories import footprint, mission_make, reference_data_once, resource  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

S = Mission.State
STATES = [S.PENDING, S.ALLOCATED, S.IN_PROGRESS, S.NOT_COMPLETED, S.COMPLETED, S.CANCELLED]

# Each action's endpoint, a valid body for it, and the state it moves a mission to.
ACTIONS = {
    "allocate": ({"resource": "FS"}, S.ALLOCATED),
    "start": ({}, S.IN_PROGRESS),
    "outcome": ({"result": "arrested", "arrests": 1}, S.COMPLETED),
    "not-completed": ({"reason": "Door not answered; no trace at the address."}, S.NOT_COMPLETED),
    "cancel": ({"reason": "Subject arrested by the NPU overnight."}, S.CANCELLED),
}

# The life cycle of the issue, written out here (not read from the model) so that a change to
# Mission.TRANSITIONS that breaks the agreed life cycle fails these tests.
LEGAL = {
    (S.PENDING, "allocate"), (S.PENDING, "cancel"),
    (S.ALLOCATED, "allocate"), (S.ALLOCATED, "start"),
    (S.ALLOCATED, "not-completed"), (S.ALLOCATED, "cancel"),
    (S.IN_PROGRESS, "outcome"), (S.IN_PROGRESS, "not-completed"), (S.IN_PROGRESS, "cancel"),
    (S.NOT_COMPLETED, "allocate"), (S.NOT_COMPLETED, "cancel"),
}  # fmt: skip
ILLEGAL = [(state, action) for state in STATES for action in ACTIONS if (state, action) not in LEGAL]
ALLOWED_FROM = {
    S.PENDING: ["allocated", "cancelled"],
    S.ALLOCATED: ["allocated", "cancelled", "in_progress", "not_completed"],
    S.IN_PROGRESS: ["cancelled", "completed", "not_completed"],
    S.NOT_COMPLETED: ["allocated", "cancelled"],
    S.COMPLETED: [],
    S.CANCELLED: [],
}


@pytest.fixture(autouse=True)
def midday():
    """Away from 07:00, so that "the current period" cannot change in the middle of a test."""
    with time_machine.travel(datetime(2026, 7, 14, 12, 0, tzinfo=UTC)):
        yield


def post(client, mission, action, data=None):
    return client.post(f"/api/missions/{mission.pk}/{action}/", data or {})


def tomorrow():
    return services.period_for(timezone.now()).day + timedelta(days=1)


def legal_body(state, action):
    body = dict(ACTIONS[action][0])
    if (state, action) == (S.ALLOCATED, "allocate"):
        body["reason"] = "TRM diverts the mission to Force Support."
    if (state, action) == (S.NOT_COMPLETED, "allocate"):
        body["period"] = tomorrow().isoformat()
    return body


def test_the_matrix_covers_nineteen_illegal_moves():
    assert len(ILLEGAL) == 19


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL))
def test_every_legal_transition_moves_the_mission_and_records_one_history_row(api, supervisor, state, action):
    mission = mission_make(supervisor, state)
    before = footprint(mission)

    response = post(api.as_user(supervisor), mission, action, legal_body(state, action))

    assert response.status_code == 200, response.json()
    body = response.json()
    to_state = ACTIONS[action][1]
    assert body["state"] == to_state
    assert body["version"] == before["version"] + 1
    assert body["allowed_transitions"] == ALLOWED_FROM[to_state]
    rows = list(MissionTransition.objects.filter(mission=mission).order_by("id"))
    assert len(rows) == before["history"] + 1
    assert (rows[-1].from_state, rows[-1].to_state, rows[-1].actor) == (state, to_state, supervisor)


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_an_illegal_transition_is_refused_with_409_naming_the_state_and_changes_nothing(
    api, supervisor, state, action
):
    mission = mission_make(supervisor, state)
    before = footprint(mission)

    response = post(api.as_user(supervisor), mission, action, ACTIONS[action][0])

    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "conflict"
    assert body["current_state"] == state
    assert body["allowed"] == ALLOWED_FROM[state]
    assert state in body["detail"]
    assert footprint(mission) == before


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

    response = post(
        api.as_user(mission_user), mission, "allocate", {"resource": "OSU", "period": "2031-05-02"}
    )

    assert response.status_code == 200, response.json()
    mission.refresh_from_db()
    assert mission.period.day.isoformat() == "2031-05-02"


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


STALE = [
    (S.ALLOCATED, "allocate", {"resource": "FS", "reason": "Divert."}),
    (S.ALLOCATED, "start", {}),
    (S.IN_PROGRESS, "outcome", {"result": "arrested", "arrests": 1}),
    (S.IN_PROGRESS, "not-completed", {"reason": "No trace."}),
    (S.ALLOCATED, "cancel", {"reason": "Not needed."}),
]


@pytest.mark.parametrize(("state", "action", "body"), STALE, ids=[action for _, action, _ in STALE])
def test_a_stale_version_is_refused_with_409_naming_the_current_version(api, supervisor, state, action, body):
    mission = mission_make(supervisor, state)
    before = footprint(mission)

    response = post(api.as_user(supervisor), mission, action, {**body, "version": mission.version - 1})

    assert response.status_code == 409, response.json()
    assert response.json()["current_version"] == mission.version
    assert response.json()["current_state"] == state
    assert footprint(mission) == before


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("not-completed", {}),
        ("not-completed", {"reason": "  "}),
        ("cancel", {}),
        ("cancel", {"reason": ""}),
    ],
    ids=["not-completed-missing", "not-completed-blank", "cancel-missing", "cancel-blank"],
)
def test_a_missing_reason_is_refused_with_400(api, supervisor, action, body):
    mission = mission_make(supervisor, S.IN_PROGRESS)
    before = footprint(mission)

    response = post(api.as_user(supervisor), mission, action, body)

    assert response.status_code == 400
    assert "reason" in response.json()
    assert footprint(mission) == before


BAD_OUTCOMES = [
    ("warrant_drugs", {"result": "curfew_breached"}, "result"),
    ("npu_arrest", {"result": "curfew_complied"}, "result"),
    ("npu_arrest", {"result": "warrant_no_finds"}, "result"),
    ("warrant_other", {"result": "warrant_finds"}, "result"),
    ("warrant_firearms", {"result": "warrant_no_finds", "firearms": 1}, "result"),
    ("curfew_check", {"result": "arrested", "arrests": 1}, "result"),
    ("npu_arrest", {"result": "arrested", "arrests": 0}, "arrests"),
    ("npu_arrest", {"result": "arrested", "arrests": 1, "cash_gbp": "-5.00"}, "cash_gbp"),
    ("npu_arrest", {"result": "arrested", "arrests": -1}, "arrests"),
    ("npu_arrest", {"result": "escaped"}, "result"),
]


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    BAD_OUTCOMES,
    ids=[
        "curfew-result-on-warrant", "curfew-result-on-arrest", "warrant-result-on-arrest",
        "warrant-finds-without-finds", "no-finds-with-finds", "arrest-on-curfew", "arrested-without-arrests",
        "negative-cash", "negative-arrests", "unknown-result",
    ],
)  # fmt: skip
def test_an_impossible_outcome_is_refused_with_400_and_nothing_is_saved(api, mission_user, kind, body, field):
    mission = mission_make(mission_user, S.IN_PROGRESS, kind=kind)
    before = footprint(mission)

    response = post(api.as_user(mission_user), mission, "outcome", body)

    assert response.status_code == 400, response.json()
    if field:
        assert field in response.json()
    assert not Outcome.objects.filter(mission=mission).exists()
    assert footprint(mission) == before


def test_an_outcome_completed_in_the_future_is_refused(api, mission_user):
    mission = mission_make(mission_user, S.IN_PROGRESS)
    before = footprint(mission)
    later = (timezone.now() + timedelta(hours=2)).isoformat()

    response = post(
        api.as_user(mission_user), mission, "outcome", {**ACTIONS["outcome"][0], "completed_at": later}
    )

    assert response.status_code == 400
    assert "completed_at" in response.json()
    assert footprint(mission) == before


def test_the_history_endpoint_lists_each_step_with_who_and_why(api, supervisor, viewer):
    mission = mission_make(supervisor, S.NOT_COMPLETED)

    response = api.as_user(viewer).get(f"/api/missions/{mission.pk}/history/")

    assert response.status_code == 200
    rows = response.json()
    assert [(row["from_state"], row["to_state"]) for row in rows] == [
        ("", "pending"), ("pending", "allocated"), ("allocated", "not_completed"),
    ]  # fmt: skip
    assert {row["actor"] for row in rows} == {"supervisor"}
    assert rows[-1]["reason"] == "Subject not at the address."
    assert all(row["at"] for row in rows)


def test_each_transition_writes_one_audit_entry_naming_the_move(api, supervisor):
    mission = mission_make(supervisor, S.ALLOCATED)
    audit_before = AuditEntry.objects.filter(object_type="tasking.mission", object_id=str(mission.pk)).count()

    post(api.as_user(supervisor), mission, "cancel", {"reason": "Intelligence withdrawn."})

    entries = AuditEntry.objects.filter(object_type="tasking.mission", object_id=str(mission.pk))
    assert entries.count() == audit_before + 1
    entry = entries.order_by("-id").first()
    assert (entry.action, entry.actor, entry.reason) == ("transition", supervisor, "Intelligence withdrawn.")
    assert entry.changes["state"] == ["allocated", "cancelled"]


# What an outcome sets off


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
