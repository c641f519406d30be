"""Tasking test data made through the services, so every row is one the application itself could make.

``mission_make(actor, "in_progress")`` walks a fresh request through the real life cycle (receive,
assess, allocate, start, …) rather than writing a mission row in a given state. The screen tests'
helpers (``receive``, ``approved``, ``allocated``, … and ``signed_in``, ``html``) and the request and
mission API tests' bodies and clock live here too.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import transaction
from django.utils import timezone

from operations.models import Area, AuditEntry, Event, OffenceGroup, Operation, Resource
from tasking import services
from tasking.models import Mission, MissionTransition, Outcome, Request, RequestKind


@pytest.fixture(scope="module")
def reference_data_once(django_db_setup, django_db_blocker):
    """The force's reference data, loaded once per module instead of once per test.

    Loading it takes most of a small test's time. It is loaded inside a transaction held open for
    the module; each test's own transaction is a savepoint within it, so every test still starts
    from the same rows and rolls back its own. Not for ``transaction=True`` tests.
    """
    from operations.reference import reference_data_load

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            reference_data_load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


SCORES = {
    "threat": 3, "threat_rationale": "Known to carry a blade.",
    "risk": 3, "risk_rationale": "Address confirmed by the NPU.",
    "harm": 3, "harm_rationale": "Repeat victims in the area.",
}  # fmt: skip

# A valid outcome for each kind of mission the helpers make.
OUTCOME_FOR_KIND = {
    RequestKind.CURFEW_CHECK: {"result": "curfew_complied"},
    RequestKind.WARRANT_DRUGS: {"result": "warrant_finds", "drugs_class_a_grams": "12.50"},
    RequestKind.WARRANT_FIREARMS: {"result": "warrant_finds", "firearms": 1, "ammunition_rounds": 20},
    RequestKind.WARRANT_OTHER: {"result": "warrant_no_finds"},
}
ARREST = {"result": "arrested", "arrests": 1}


def resource(code):
    return Resource.objects.get(code=code)


def request_make(
    actor, *, kind=RequestKind.NPU_ARREST, area="BE", operation=None, offence_group=None, **fields
):
    """A received request, logged through ``request_receive`` (codes name the reference rows)."""
    if kind == RequestKind.FORENSIC_ARREST:
        fields.setdefault("forensic_hit", Request.ForensicHit.FINGERPRINT)
    fields.setdefault("requested_by", "PS 1234 Patel, BE NPU")
    return services.request_receive(
        actor=actor,
        kind=kind,
        area=Area.objects.get(code=area),
        operation=Operation.objects.get(code=operation) if operation else None,
        offence_group=OffenceGroup.objects.get(code=offence_group) if offence_group else None,
        **fields,
    )


def request_approve(actor, request, **scores):
    """Approve a request at assessment; returns the pending mission it creates."""
    services.request_assess(actor=actor, request=request, decision="approve", **{**SCORES, **scores})
    return Mission.objects.get(request=request)


def outcome_for(mission):
    return dict(OUTCOME_FOR_KIND.get(mission.kind, ARREST))


def mission_make(actor, state=Mission.State.PENDING, *, resource_code="OSU", period=None, **request_fields):
    """A mission brought to ``state`` through the services (cancelling needs a Supervisor actor)."""
    S = Mission.State
    mission = request_approve(actor, request_make(actor, **request_fields))
    if state == S.CANCELLED:
        services.mission_cancel(actor=actor, mission=mission, reason="No longer needed.")
    if state in (S.ALLOCATED, S.IN_PROGRESS, S.COMPLETED, S.NOT_COMPLETED):
        services.mission_allocate(
            actor=actor, mission=mission, resource=resource(resource_code),
            period=period or services.period_for(timezone.now()),
        )  # fmt: skip
    if state in (S.IN_PROGRESS, S.COMPLETED):
        services.mission_start(actor=actor, mission=mission)
    if state == S.COMPLETED:
        services.mission_log_outcome(actor=actor, mission=mission, **outcome_for(mission))
    if state == S.NOT_COMPLETED:
        services.mission_not_complete(actor=actor, mission=mission, reason="Subject not at the address.")
    mission.refresh_from_db()
    assert mission.state == state, f"helper made a {mission.state} mission, not {state}"
    return mission


def footprint(mission):
    """Everything a transition could change: equal footprints mean nothing was (half-)saved."""
    mission = Mission.objects.get(pk=mission.pk)
    return {
        "state": mission.state,
        "version": mission.version,
        "resource": mission.resource_id,
        "period": mission.period_id,
        "carry_overs": mission.carry_overs,
        "state_reason": mission.state_reason,
        "history": MissionTransition.objects.filter(mission=mission).count(),
        "events": Event.objects.count(),
        "audit": AuditEntry.objects.count(),
        "outcomes": Outcome.objects.count(),
        "requests": Request.objects.count(),
    }


def new_events(since_id):
    return list(Event.objects.filter(pk__gt=since_id).order_by("id"))


def last_event_id():
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def last_audit_id():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


# -- the request and mission API ------------------------------------------------------------------

# The least a request logged through the API needs.
VALID = {"kind": "npu_arrest", "area": "BE", "requested_by": "PS 1234 Patel, BE NPU"}


def nothing_saved():
    # Reading personal data is itself audited (action "view"); only changes count here.
    changes = AuditEntry.objects.exclude(action=AuditEntry.Action.VIEW)
    return (Request.objects.count(), Event.objects.count(), changes.count())


@pytest.fixture
def midday():
    """Away from 07:00, so that "the current period" cannot change in the middle of a test."""
    with time_machine.travel(datetime(2026, 7, 14, 12, 0, tzinfo=UTC)):
        yield


def post(client, mission, action, data=None):
    """POST one of a mission's actions (``allocate``, ``start``, …) to the API."""
    return client.post(f"/api/missions/{mission.pk}/{action}/", data or {})


def tomorrow():
    return services.period_for(timezone.now()).day + timedelta(days=1)


# -- the screens ----------------------------------------------------------------------------------


def receive(actor, *, kind="npu_arrest", **fields):
    """A received request, logged like ``request_make``; a forensic one was hit on DNA."""
    if kind == "forensic_arrest":
        fields.setdefault("forensic_hit", "dna")
    return request_make(actor, kind=kind, **fields)


def approved(actor, **fields):
    """A received request approved at assessment; returns its pending mission."""
    return request_approve(actor, receive(actor, **fields))


def allocated(actor, resource="OSU", period=None, **fields):
    mission = approved(actor, **fields)
    services.mission_allocate(
        actor=actor, mission=mission, resource=Resource.objects.get(code=resource), period=period
    )
    return Mission.objects.get(pk=mission.pk)


def in_progress(actor, **fields):
    mission = allocated(actor, **fields)
    services.mission_start(actor=actor, mission=mission)
    return Mission.objects.get(pk=mission.pk)


def not_completed(actor, **fields):
    mission = allocated(actor, **fields)
    services.mission_not_complete(actor=actor, mission=mission, reason="Subject not at the address.")
    return Mission.objects.get(pk=mission.pk)


def current_period():
    return services.period_for(timezone.now())


def signed_in(client, user):
    client.force_login(user)
    return client


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot(mission):
    mission = Mission.objects.get(pk=mission.pk)
    return (mission.state, mission.version, mission.resource_id, mission.period_id, mission.history.count())


def html(response):
    return response.content.decode()
