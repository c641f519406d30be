"""On PostgreSQL an outcome is written in one statement (``outcome_statement``): it must write
exactly the rows the general path writes, and change nothing whenever the general path would refuse
the outcome or has more to do (a target to tick off, a follow-up to raise)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.exceptions import Conflict
from operations.models import Area, AuditEntry, Event, Operation, OutcomeType
from tasking import services
from tasking.models import Mission, MissionTransition, OperationTarget, Outcome, Request, RequestKind
from tasking.services import missions

from .factories import mission_make, reference_data_once  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]
S = Mission.State
K = RequestKind


@pytest.fixture
def statement_results(monkeypatch):
    """What each call of the one-statement write returned (None: it changed nothing)."""
    results = []
    real = missions.outcome_log_statement

    def recorded(**kwargs):
        results.append(real(**kwargs))
        return results[-1]

    monkeypatch.setattr(missions, "outcome_log_statement", recorded)
    return results


def general_path_only(monkeypatch):
    monkeypatch.setattr(missions, "_log_outcome_in_one_statement", lambda *args: None)


def written(mission):
    """Every row logging the outcome wrote or changed, with the mission's and outcome's own ids
    replaced by placeholders so that two missions' rows compare."""
    mission.refresh_from_db()
    outcome = Outcome.objects.get(mission=mission)

    own = {"mission_id", "object_id", "aggregate_id", "mission", "outcome"}

    def plain(value, name=""):
        if isinstance(value, dict):
            return {key: plain(item, key) for key, item in value.items()}
        if name in own:
            return {mission.pk: "MISSION", str(mission.pk): "MISSION", outcome.pk: "OUTCOME"}.get(
                value, value
            )
        if name == "object_repr":
            return value.replace(mission.reference, "M-REF")
        return value

    def rows(queryset, exclude=("id",)):
        return [
            {name: plain(value, name) for name, value in row.items() if name not in exclude}
            for row in queryset.order_by("id").values()
        ]

    return {
        "mission": {
            name: getattr(mission, name) for name in ("state", "version", "finished_at", "state_reason")
        },
        "outcome": rows(Outcome.objects.filter(pk=outcome.pk)),
        "history": rows(MissionTransition.objects.filter(mission=mission, to_state=S.COMPLETED)),
        "audit": rows(
            AuditEntry.objects.filter(object_type="tasking.mission", object_id=str(mission.pk)).filter(
                changes__state=[S.IN_PROGRESS, S.COMPLETED]
            )
        ),
        "events": rows(Event.objects.filter(type="mission.outcome_logged", aggregate_id=str(mission.pk))),
    }


def twins(actor, **request_fields):
    return [mission_make(actor, S.IN_PROGRESS, **request_fields) for _ in range(2)]


WRITES = {
    "an arrest, with its version": (
        {"kind": K.NPU_ARREST},
        {"result": "arrested", "arrests": 2, "notes": "Two detained at the address.", "version": True},
    ),
    "an arrest on an operation with no target for the subject": (
        {"kind": K.VIBRANT_ARREST, "operation": "VIBRANT", "subject_reference": "N0040404"},
        {"result": "arrested", "arrests": 1, "completed_at": -2},
    ),
    "a warrant with finds and a Home Office outcome": (
        {"kind": K.WARRANT_DRUGS},
        {
            "result": "warrant_finds", "drugs_class_a_grams": "12.50", "cash_gbp": "1520.00",
            "other_finds": "Scales.", "home_office_outcome": True,
        },
    ),
    "a curfew complied with": ({"kind": K.CURFEW_CHECK}, {"result": "curfew_complied"}),
    "an aborted visit": ({"kind": K.CAPTIVA_VISIT}, {"result": "aborted", "notes": "Address empty."}),
}  # fmt: skip


def outcome_fields(mission, spec):
    fields = dict(spec)
    if fields.pop("version", False):
        fields["expected_version"] = mission.version
    if "completed_at" in fields:
        fields["completed_at"] = timezone.now() + timedelta(minutes=fields["completed_at"])
    if fields.pop("home_office_outcome", False):
        fields["home_office_outcome"] = OutcomeType.objects.order_by("pk").first()
    return fields


@pytest.mark.parametrize("case", list(WRITES))
def test_the_statement_writes_what_the_general_path_writes(
    case, mission_user, statement_results, monkeypatch
):
    request_fields, spec = WRITES[case]
    by_statement, by_steps = twins(mission_user, **request_fields)

    version = Mission.objects.get(pk=by_statement.pk).version
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        fields = outcome_fields(by_statement, spec), outcome_fields(by_steps, spec)
        with CaptureQueriesContext(connection) as queries:
            done = services.mission_log_outcome(
                actor=mission_user, mission=Mission(pk=by_statement.pk), **fields[0]
            )
        general_path_only(monkeypatch)
        services.mission_log_outcome(actor=mission_user, mission=Mission(pk=by_steps.pk), **fields[1])

    assert statement_results and statement_results[0] is not None, "the statement did not apply"
    # One round trip for the mission and its rows, no read first (a Home Office outcome type
    # given is checked to exist, as on the general path).
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert [sql for sql in statements if "tasking_" in sql] == [statements[-1]]
    assert len(statements) == (2 if "home_office_outcome" in spec else 1)
    assert written(by_statement) == written(by_steps)
    # The service's answer is the completed mission with the related rows the API shows.
    assert (done.pk, done.mission.state, done.mission.version) == (
        Outcome.objects.get(mission=by_statement).pk, S.COMPLETED, version + 1,
    )  # fmt: skip
    assert done.mission.area.code == Area.objects.get(pk=by_statement.area_id).code
    assert done.mission.resource.code == by_statement.resource.code
    assert done.mission.period.day == by_statement.period.day


def refusal(actor, mission, **fields):
    try:
        services.mission_log_outcome(actor=actor, mission=Mission(pk=mission.pk), **fields)
    except (Conflict, ValidationError, Mission.DoesNotExist) as error:
        return type(error).__name__, str(error)
    pytest.fail("the outcome was accepted")


REFUSALS = {
    "a stale version": ({}, {"result": "arrested", "arrests": 1, "expected_version": 1}),
    "a result the kind cannot have": ({}, {"result": "curfew_complied"}),
    "an arrest without arrests": ({}, {"result": "arrested", "arrests": 0}),
    "a time before the mission started": ({}, {"result": "arrested", "arrests": 1, "completed_at": -600}),
    "a time in the future": ({}, {"result": "arrested", "arrests": 1, "completed_at": 60}),
    "a mission not started": ({"state": S.ALLOCATED}, {"result": "arrested", "arrests": 1}),
    "a mission already completed": ({"state": S.COMPLETED}, {"result": "arrested", "arrests": 1}),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_outcome_is_refused_as_before_and_the_statement_changes_nothing(
    case, mission_user, statement_results, monkeypatch
):
    making, spec = REFUSALS[case]
    state = making.get("state", S.IN_PROGRESS)
    first, second = (mission_make(mission_user, state, kind=K.NPU_ARREST) for _ in range(2))
    statement_results.clear()  # making a completed mission logged its outcome
    outcomes = Outcome.objects.count()

    def fields():
        values = dict(spec)
        if "completed_at" in values:
            values["completed_at"] = timezone.now() + timedelta(minutes=values["completed_at"])
        return values

    with_statement = refusal(mission_user, first, **fields())
    general_path_only(monkeypatch)
    with_steps = refusal(mission_user, second, **fields())

    assert with_statement == (with_steps[0], with_steps[1].replace(second.reference, first.reference))
    assert all(result is None for result in statement_results)
    assert Outcome.objects.count() == outcomes


def test_a_mission_that_does_not_exist_is_still_not_found(mission_user, statement_results):
    with pytest.raises(Mission.DoesNotExist):
        services.mission_log_outcome(actor=mission_user, mission=Mission(pk=987654321), result="aborted")

    assert statement_results == [None]


def target(actor, reference):
    return services.operation_target_save(
        actor=actor, operation=Operation.objects.get(code="GUARDIAN"), area=Area.objects.get(code="BE"),
        subject_reference=reference, rank=1, reason="Wanted for robbery.",
    )  # fmt: skip


def test_an_arrest_that_ticks_off_a_target_is_left_to_the_general_path(mission_user, statement_results):
    wanted = target(mission_user, "N0077777")
    mission = mission_make(mission_user, S.IN_PROGRESS, operation="GUARDIAN", subject_reference="N0077777")

    services.mission_log_outcome(
        actor=mission_user, mission=Mission(pk=mission.pk), result="arrested", arrests=1
    )

    assert statement_results == [None]
    wanted.refresh_from_db()
    assert (wanted.status, wanted.arrest_mission_id) == (OperationTarget.Status.ARRESTED, mission.pk)


def test_an_arrest_naming_its_target_is_left_to_the_general_path(mission_user, statement_results):
    named = target(mission_user, "N0088888")
    mission = mission_make(mission_user, S.IN_PROGRESS, operation="GUARDIAN", target=named)

    services.mission_log_outcome(
        actor=mission_user, mission=Mission(pk=mission.pk), result="arrested", arrests=1
    )

    assert statement_results == [None]
    named.refresh_from_db()
    assert named.status == OperationTarget.Status.ARRESTED


def test_a_curfew_breach_raises_its_follow_up_through_the_general_path(mission_user, statement_results):
    mission = mission_make(mission_user, S.IN_PROGRESS, kind=K.CURFEW_CHECK)

    services.mission_log_outcome(actor=mission_user, mission=Mission(pk=mission.pk), result="curfew_breached")

    assert statement_results == []  # not even tried
    assert Request.objects.filter(follow_up_of=mission).count() == 1


@pytest.mark.parametrize("version", [0, -1, 2**31, 10**30])
def test_a_version_no_mission_can_have_is_stale_not_an_error(mission_user, statement_results, version):
    mission = mission_make(mission_user, S.IN_PROGRESS)

    with pytest.raises(Conflict, match="was changed by someone else"):
        services.mission_log_outcome(
            actor=mission_user, mission=Mission(pk=mission.pk), result="aborted", expected_version=version
        )

    assert statement_results == []


@pytest.mark.parametrize("pk", [987654321, 2**63, 10**30])
def test_an_outcome_for_a_mission_id_that_cannot_exist_is_not_found(api, mission_user, pk):
    response = api.as_user(mission_user).post(
        f"/api/missions/{pk}/outcome/", {"result": "aborted"}, format="json"
    )

    assert response.status_code == 404
