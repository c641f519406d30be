"""A mission's outcome in one statement, on PostgreSQL.

Logging outcomes is the busiest write of the day, and the one supervisors watch for. The general
path (``missions.mission_log_outcome``) locks the mission, reads it with its related rows and then
writes five rows, one statement each. ``outcome_log_statement`` does the same work in a single
data-modifying statement: it completes the mission only if the rules the general path checks all
hold for the row as it is when locked — in progress, at the version the caller read, of a kind the
result can end, started and requested no later than the outcome's minute, with no outstanding
operation target the arrest would tick off — and in the same statement writes the outcome, the
history row, the audit entry and the outbox event, with the values the general path writes.

When any rule is not met the statement changes nothing and returns None: the general path then
runs as before, and says exactly what is wrong (or, for an arrest that may tick off a target, does
that work). So the statement only ever does what the general path would have done, in one round
trip instead of eight; ``tests/tasking/test_outcome_statement.py`` compares the rows both write.
"""

# ruff: noqa: S608 — the statement is built once from the models' own table and column names;
# every value is a parameter. It is prepared once per connection (``operations.prepared``).

import json
from functools import cache

from django.db import connection

from operations.events import event_dispatch_on_commit, event_listened
from operations.models import Area, AuditEntry, Event, Operation, Resource
from operations.prepared import fetch_prepared

from ..models import Mission, MissionTransition, OperationTarget, Outcome, Request, TaskingPeriod

S = Mission.State
EVENT_TYPE = "mission.outcome_logged"
# Filled from the mission row, as ``Outcome.of`` and ``MissionTransition.of`` fill them.
FROM_MISSION = {
    "mission_id": "id", "area_id": "area_id", "operation_id": "operation_id", "mission_kind": "kind",
}  # fmt: skip


def _columns(model, exclude=()):
    return [f.column for f in model._meta.concrete_fields if not f.primary_key and f.column not in exclude]


@cache
def _outcome_fields():
    return [f for f in Outcome._meta.concrete_fields if not f.primary_key and f.column not in FROM_MISSION]


@cache
def _mission_columns():
    return [f.attname for f in Mission._meta.concrete_fields]


@cache
def _statement():
    """The statement, built once from the models' tables and columns."""
    q = connection.ops.quote_name
    mission, request = q(Mission._meta.db_table), q(Request._meta.db_table)
    target = q(OperationTarget._meta.db_table)
    from_mission = ", ".join(f"m.{q(c)}" for c in FROM_MISSION.values())
    coordinates = ", ".join(q(c) for c in FROM_MISSION)
    own = _outcome_fields()
    transition_columns = _columns(MissionTransition, exclude=FROM_MISSION)
    assert transition_columns == ["from_state", "to_state", "at", "actor_id", "reason", "details"]
    assert _columns(AuditEntry) == [
        "at", "actor_id", "actor_username", "action", "object_type", "object_id", "object_repr", "changes",
        "reason",
    ]  # fmt: skip
    assert _columns(Event) == [
        "type", "payload", "aggregate_type", "aggregate_id", "created_at", "processed_at", "attempts",
        "last_error",
    ]  # fmt: skip
    returned = ", ".join(f"m.{q(c)}" for c in _mission_columns())
    return f"""
WITH m AS (
    UPDATE {mission} SET state = %(to)s, version = version + 1, finished_at = %(completed_at)s
    WHERE id = %(mission)s AND state = %(from)s
      AND (%(version)s::bigint IS NULL OR version = %(version)s::bigint)
      AND kind = ANY(%(kinds)s::text[])
      AND (started_at IS NULL OR date_trunc('minute', started_at) <= %(completed_at)s)
      AND EXISTS (
        SELECT 1 FROM {request} r
        WHERE r.id = {mission}.request_id
          AND date_trunc('minute', r.received_at) <= %(completed_at)s
          AND (NOT %(arrest)s OR NOT EXISTS (
            SELECT 1 FROM {target} t
            WHERE t.status = %(outstanding)s AND (
              t.id = r.target_id
              OR (r.target_id IS NULL AND btrim(r.subject_reference) <> ''
                  AND t.operation_id = {mission}.operation_id
                  AND upper(t.subject_reference) = upper(btrim(r.subject_reference)))
            )
          ))
      )
    RETURNING {", ".join(q(c) for c in _mission_columns())}
), o AS (
    INSERT INTO {q(Outcome._meta.db_table)} ({coordinates}, {", ".join(q(f.column) for f in own)})
    SELECT {from_mission}, {", ".join(f"%({f.attname})s" for f in own)} FROM m
    RETURNING id
), t AS (
    INSERT INTO {q(MissionTransition._meta.db_table)} ({coordinates}, {", ".join(map(q, transition_columns))})
    SELECT {from_mission}, %(from)s, %(to)s, %(now)s, %(actor)s, '', %(details)s::jsonb FROM m
), a AS (
    INSERT INTO {q(AuditEntry._meta.db_table)} ({", ".join(map(q, _columns(AuditEntry)))})
    SELECT %(now)s, %(actor)s, %(username)s, %(action)s, %(object_type)s, m.id::text,
           left(%(reference)s || ' ' || (%(labels)s::jsonb ->> m.kind), 200), %(changes)s::jsonb, ''
    FROM m
), e AS (
    INSERT INTO {q(Event._meta.db_table)} ({", ".join(map(q, _columns(Event)))})
    SELECT %(event_type)s, jsonb_build_object(
               'mission', m.id, 'kind', m.kind, 'area', m.area_id, 'operation', m.operation_id,
               'resource', m.resource_id, 'period', m.period_id, 'from', %(from)s::text, 'to', %(to)s::text,
               'outcome', o.id, 'result', %(result)s::text, 'arrests', %(arrests)s::integer,
               'completed_at', %(completed_iso)s::text
           ),
           'mission', m.id::text, %(now)s, %(processed_at)s, 0, ''
    FROM m, o
    RETURNING id
)
SELECT {returned}, o.id, e.id, a.code, op.code, res.code, p.day
FROM m CROSS JOIN o CROSS JOIN e
JOIN {q(Area._meta.db_table)} a ON a.id = m.area_id
LEFT JOIN {q(Operation._meta.db_table)} op ON op.id = m.operation_id
LEFT JOIN {q(Resource._meta.db_table)} res ON res.id = m.resource_id
LEFT JOIN {q(TaskingPeriod._meta.db_table)} p ON p.id = m.period_id
"""


@cache
def _kind_labels():
    return json.dumps({str(value): str(label) for value, label in Mission._meta.get_field("kind").choices})


def outcome_log_statement(*, actor, mission_id, outcome, expected_version, now):
    """Complete mission ``mission_id`` with ``outcome`` (unsaved, fields valid, no mission yet) in
    one statement. Returns the saved outcome, its ``mission`` the completed one with the related
    rows the API shows, or None when nothing was changed and the general path must run."""
    result = outcome.result
    params = {
        f.attname: f.get_db_prep_save(getattr(outcome, f.attname), connection) for f in _outcome_fields()
    }
    params.update(
        mission=mission_id, version=expected_version, kinds=Outcome.kinds_for(result),
        arrest=result == Outcome.Result.ARRESTED, outstanding=OperationTarget.Status.OUTSTANDING,
        completed_at=outcome.completed_at,
        completed_iso=outcome.completed_at.isoformat(), result=result, arrests=outcome.arrests,
        now=now, actor=actor.pk, username=actor.get_username(), action=AuditEntry.Action.TRANSITION,
        object_type=Mission._meta.label_lower, reference=Mission(pk=mission_id).reference,
        labels=_kind_labels(), details=json.dumps({"result": result}),
        changes=json.dumps({"state": [S.IN_PROGRESS, S.COMPLETED], "result": result}),
        event_type=EVENT_TYPE, processed_at=None if event_listened(EVENT_TYPE) else now,
        **{"from": S.IN_PROGRESS, "to": S.COMPLETED},
    )  # fmt: skip
    row = fetch_prepared(_statement(), params, one=True)
    if row is None:
        return None
    columns = _mission_columns()
    mission = Mission.from_db(connection.alias, columns, row[: len(columns)])
    outcome_id, event_id, area_code, operation_code, resource_code, day = row[len(columns) :]
    # The related rows the API shows, as read in the statement (the rest of each is deferred).
    mission.request = _partial(Request, mission.request_id)
    mission.area = _partial(Area, mission.area_id, code=area_code)
    mission.operation = _partial(Operation, mission.operation_id, code=operation_code)
    mission.resource = _partial(Resource, mission.resource_id, code=resource_code)
    mission.period = _partial(TaskingPeriod, mission.period_id, day=day)
    outcome.pk = outcome_id
    outcome.mission, outcome.area_id, outcome.operation_id, outcome.mission_kind = (
        mission, mission.area_id, mission.operation_id, mission.kind,
    )  # fmt: skip
    outcome._state.adding, outcome._state.db = False, connection.alias
    if params["processed_at"] is None:
        event_dispatch_on_commit(event_id)
    return outcome


def _partial(model, pk, **values):
    if pk is None:
        return None
    return model.from_db(connection.alias, ["id", *values], [pk, *values.values()])
