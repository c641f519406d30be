"""The mission life cycle through the API: every legal move, every illegal one, stale versions,
missing reasons and impossible outcomes, each refused without leaving anything behind, and the
history and audit each move records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import AuditEntry
from tasking.models import Mission, MissionTransition, Outcome

from .factories import (
    footprint,
    midday,  # noqa: F401
    mission_make,
    post,
    reference_data_once,  # noqa: F401
    tomorrow,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once", "midday")]

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
    assert Mission.State(state).label.lower() in body["detail"]  # named as the screens name it
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
