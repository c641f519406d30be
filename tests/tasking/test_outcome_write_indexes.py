"""Every index of the rows an outcome writes earns its place: each outcome writes a mission, an
outcome, a history row, an audit entry and an event (and the worker a receipt and the event's
processed mark), and every index of those tables is written with them."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLES = [
    "tasking_mission", "tasking_outcome", "tasking_missiontransition", "operations_auditentry",
    "operations_event", "operations_eventdelivery",
]  # fmt: skip

INDEXES = """
SELECT t.relname, i.relname, ix.indisunique, ix.indpred IS NOT NULL,
       array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o),
       array(SELECT opc.opcname FROM unnest(ix.indclass) WITH ORDINALITY c(oid, o)
             JOIN pg_opclass opc ON opc.oid = c.oid ORDER BY c.o)
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
WHERE t.relname = ANY(%s)
"""


def _indexes():
    with connection.cursor() as cursor:
        cursor.execute(INDEXES, [TABLES])
        return cursor.fetchall()


def test_no_index_is_a_pattern_matching_twin():
    twins = [
        (table, name) for table, name, *_, opclasses in _indexes() if any("pattern" in c for c in opclasses)
    ]
    assert twins == []


def test_no_index_repeats_the_leading_columns_of_another():
    rows = _indexes()
    redundant = [
        (table, name, other)
        for table, name, unique, partial, columns, _ in rows
        if not unique and not partial
        for other_table, other, _, other_partial, other_columns, _ in rows
        if other_table == table and other != name and not other_partial
        and other_columns[: len(columns)] == columns
    ]  # fmt: skip
    assert redundant == []


def test_the_indexes_the_reads_need_are_there():
    names = {name for _, name, *_ in _indexes()}
    assert {
        "mission_deadline_idx", "mission_capacity_idx", "mission_kind_idx", "outcome_area_completed_idx",
        "mission_transition_area_at_idx", "audit_object_idx", "event_unprocessed_idx", "event_type_idx",
        "event_delivery_once",
    } <= names  # fmt: skip
