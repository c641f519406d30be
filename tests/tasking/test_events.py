"""Every tasking change writes exactly one history row, one audit entry and one outbox event in its
own transaction, and each event names what changed: the mission and its move, the request received
or assessed, the resource and period a mission was allocated to and where it came from."""

import pytest
import time_machine

from operations.models import AuditEntry
from tasking import services
from tasking.models import Mission, MissionTransition

from .event_helpers import NOW, S
from .factories import (  # noqa: F401
    SCORES,
    last_audit_id,
    last_event_id,
    mission_make,
    new_events,
    reference_data_once,
    request_make,
    resource,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

TOMORROW = "2026-07-15"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


CARRY = {"resource": "FS", "period": TOMORROW, "reason": "Carry over."}
MISSION_MOVES = [
    ("allocate", S.PENDING, {"resource": "OSU"}, "mission.allocated", ""),
    ("allocate", S.ALLOCATED, {"resource": "FS", "reason": "Divert."}, "mission.allocated", "Divert."),
    ("allocate", S.NOT_COMPLETED, CARRY, "mission.allocated", "Carry over."),
    ("start", S.ALLOCATED, {}, "mission.started", ""),
    ("outcome", S.IN_PROGRESS, {"result": "arrested", "arrests": 1}, "mission.outcome_logged", ""),
    ("not-completed", S.ALLOCATED, {"reason": "No trace."}, "mission.not_completed", "No trace."),
    ("not-completed", S.IN_PROGRESS, {"reason": "Aborted."}, "mission.not_completed", "Aborted."),
    ("cancel", S.PENDING, {"reason": "Duplicate."}, "mission.cancelled", "Duplicate."),
    ("cancel", S.IN_PROGRESS, {"reason": "Recalled."}, "mission.cancelled", "Recalled."),
]  # fmt: skip
TARGET = {
    "allocate": S.ALLOCATED, "start": S.IN_PROGRESS, "outcome": S.COMPLETED,
    "not-completed": S.NOT_COMPLETED, "cancel": S.CANCELLED,
}  # fmt: skip


@pytest.mark.parametrize(
    ("action", "state", "body", "event_type", "reason"),
    MISSION_MOVES,
    ids=[f"{state}-{action}" for action, state, *_ in MISSION_MOVES],
)
def test_each_mission_transition_writes_one_history_row_one_audit_entry_and_one_event(
    api, supervisor, frozen, action, state, body, event_type, reason
):
    mission = mission_make(supervisor, state)
    events_before, audit_before = last_event_id(), last_audit_id()
    history_before = set(MissionTransition.objects.values_list("pk", flat=True))

    response = api.as_user(supervisor).post(f"/api/missions/{mission.pk}/{action}/", body)

    assert response.status_code == 200, response.json()
    (row,) = MissionTransition.objects.exclude(pk__in=history_before)
    assert (row.mission_id, row.actor, row.at) == (mission.pk, supervisor, NOW)
    assert (row.from_state, row.to_state, row.reason) == (state, TARGET[action], reason)
    (entry,) = AuditEntry.objects.filter(pk__gt=audit_before)
    assert (entry.object_type, entry.object_id, entry.action) == (
        "tasking.mission",
        str(mission.pk),
        "transition",
    )
    assert (entry.actor, entry.reason) == (supervisor, reason)
    (event,) = new_events(events_before)
    assert event.type == event_type
    assert (event.aggregate_type, event.aggregate_id) == ("mission", str(mission.pk))
    assert (event.payload["mission"], event.payload["from"], event.payload["to"]) == (
        mission.pk,
        state,
        TARGET[action],
    )
    assert event.processed_at is None  # dispatched only after commit, which a test never reaches


def test_receiving_a_request_writes_one_audit_entry_and_one_request_received_event(api, mission_user):
    events_before, audit_before = last_event_id(), last_audit_id()

    response = api.as_user(mission_user).post(
        "/api/requests/",
        {"kind": "curfew_check", "area": "WV", "requested_by": "IOM team", "location": "12 High St"},
    )

    assert response.status_code == 201, response.json()
    request_id = response.json()["id"]
    (event,) = new_events(events_before)
    assert (event.type, event.aggregate_type, event.aggregate_id) == (
        "request.received",
        "request",
        str(request_id),
    )
    assert event.payload == {"request": request_id, "kind": "curfew_check", "area": event.payload["area"]}
    (entry,) = AuditEntry.objects.filter(pk__gt=audit_before).exclude(action="view")  # the answer is viewed
    assert (entry.object_type, entry.action, entry.actor) == ("tasking.request", "create", mission_user)
    assert not MissionTransition.objects.exists()


def test_assessing_a_request_writes_one_audit_entry_one_event_and_the_missions_first_history_row(
    api, mission_user, frozen
):
    request = request_make(mission_user)
    events_before, audit_before = last_event_id(), last_audit_id()

    response = api.as_user(mission_user).post(
        f"/api/requests/{request.pk}/assess/", {**SCORES, "decision": "approve"}
    )

    assert response.status_code == 200, response.json()
    mission = Mission.objects.get(request=request)
    (event,) = new_events(events_before)
    assert event.type == "request.assessed"
    assert event.payload["mission"] == mission.pk
    assert event.payload["decision"] == "approve"
    assert event.payload["grade"] == response.json()["grade"]
    (entry,) = AuditEntry.objects.filter(pk__gt=audit_before).exclude(action="view")  # the answer is viewed
    assert (entry.object_type, entry.action, entry.changes["state"]) == (
        "tasking.request",
        "transition",
        ["received", "approved"],
    )
    (row,) = MissionTransition.objects.filter(mission=mission)
    assert (row.from_state, row.to_state, row.actor, row.at) == ("", "pending", mission_user, NOW)


def test_the_allocated_event_names_the_resource_period_and_where_it_came_from(supervisor):
    mission = mission_make(supervisor, S.ALLOCATED, resource_code="OSU")
    first = (mission.resource_id, mission.period_id)
    events_before = last_event_id()

    services.mission_allocate(actor=supervisor, mission=mission, resource=resource("GTF"), reason="Divert.")

    (event,) = new_events(events_before)
    mission.refresh_from_db()
    assert event.payload["resource"] == mission.resource_id
    assert event.payload["period"] == mission.period_id
    assert (event.payload["previous_resource"], event.payload["previous_period"]) == first
    assert event.payload["kind"] == mission.kind
