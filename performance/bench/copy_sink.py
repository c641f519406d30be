"""The benchmark dataset's plumbing: the tables and columns it fills, COPY batches written inline or
from a background thread, id and sequence bookkeeping, and the VACUUM (ANALYZE) after loading."""

import bisect
import io
import queue
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

LONDON = ZoneInfo("Europe/London")
HOUR = 3600.0

TABLES = {
    "request": "tasking_request",
    "mission": "tasking_mission",
    "transition": "tasking_missiontransition",
    "outcome": "tasking_outcome",
    "visit": "tasking_patrolvisit",
    "patrol": "tasking_scheduledpatrol",
    "crime": "operations_crimerecord",
    "period": "tasking_taskingperiod",
}


COLUMNS = {
    "request": "id, kind, state, forensic_hit, subject_reference, subject_name, location, intelligence_summary, "  # noqa: E501
    "requested_by, received_at, due_by, priority_score, grade, area_id, operation_id, created_by_id",
    "mission": "id, kind, due_by, state, version, carry_overs, state_reason, created_at, allocated_at, "
    "started_at, finished_at, area_id, operation_id, resource_id, request_id, period_id",
    "transition": "id, from_state, to_state, at, reason, details, actor_id, mission_id, area_id, "
    "operation_id, mission_kind",
    "outcome": "id, result, arrests, firearms, ammunition_rounds, knives_weapons, drugs_class_a_grams, "
    "drugs_class_b_grams, drugs_class_c_grams, cash_gbp, vehicles, other_finds, completed_at, logged_at, "
    "notes, logged_by_id, mission_id, area_id, operation_id, mission_kind",
    "visit": "id, officer_reference, arrived_at, left_at, dwell_minutes, source, logged_at, grid_id, "
    "resource_id",
    "patrol": "id, starts_at, ends_at, arrive_by, compliant_visit_id, grid_id, period_id, window_id",
    "crime": "id, key, crime_id, month, reported_by, falls_within, longitude, latitude, location, "
    "lsoa_code, lsoa_name, crime_type, last_outcome_category, context, source_file, line, area_id, "
    "offence_group_id",
    "period": "id, day, starts_at, ends_at",
}


def ts(epoch):
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def weighted(rng, pairs):
    """A chooser over (value, weight) pairs: ``choose()`` → value."""
    values, weights = [p[0] for p in pairs], [p[1] for p in pairs]
    total, acc, cum = sum(weights), 0.0, []
    for weight in weights:
        acc += weight
        cum.append(acc / total)
    return lambda: values[min(bisect.bisect(cum, rng.random()), len(values) - 1)]


@dataclass
class Counts:
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name, n):
        self.rows[name] = self.rows.get(name, 0) + n


class Sink:
    """Writes COPY batches: inline on Django's connection (inside the caller's transaction, as in
    tests), or from a background thread on its own connection so PostgreSQL ingests while Python
    generates the next batch (and, as a superuser, with FK triggers off: the generator is consistent)."""

    def __init__(self, threaded):
        self.threaded, self.error = threaded, None
        if threaded:
            self.jobs = queue.Queue(maxsize=3)
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def write(self, name, text):
        if not text:
            return
        if not self.threaded:
            with connection.cursor() as cursor, cursor.cursor.copy(copy_sql(name)) as copy:
                copy.write(text)
            return
        if self.error:
            raise self.error
        self.jobs.put((name, text))

    def close(self):
        if self.threaded:
            self.jobs.put(None)
            self.thread.join()
            if self.error:
                raise self.error

    def _run(self):
        import psycopg

        db = settings.DATABASES["default"]
        try:
            with psycopg.connect(
                dbname=db["NAME"],
                user=db["USER"],
                password=db["PASSWORD"] or None,
                host=db["HOST"] or None,
                port=db["PORT"] or None,
            ) as conn:
                if conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]:
                    conn.execute("set session_replication_role = replica")
                conn.execute("set synchronous_commit = off")
                while (job := self.jobs.get()) is not None:
                    with conn.cursor() as cursor, cursor.copy(copy_sql(job[0])) as copy:
                        copy.write(job[1])
                    conn.commit()
        except Exception as exc:  # surfaced to the generator on its next write
            self.error = exc
            while self.jobs.get() is not None:
                pass


def copy_sql(name):
    return f"COPY {TABLES[name]} ({COLUMNS[name]}) FROM STDIN"


def next_ids():
    with connection.cursor() as cursor:
        out = {}
        for name, table in TABLES.items():
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 — fixed names
            out[name] = cursor.fetchone()[0] + 1
        return out


def reset_sequences():
    with connection.cursor() as cursor:
        for table in TABLES.values():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 — fixed names
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )


def vacuum_analyze(tables):
    """VACUUM (ANALYZE) freshly loaded tables, as autovacuum would on a running server: fresh
    statistics for the planner, and a visibility map so that index-only scans need not visit the
    table (a server may run with autovacuum off, as this one's test setup does)."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # VACUUM needs autocommit
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")


def day_bounds(day):
    midnight = datetime.combine(day, dtime(), tzinfo=LONDON).timestamp()
    period = datetime.combine(day, dtime(settings.TASKING_PERIOD_START_HOUR), tzinfo=LONDON).timestamp()
    return midnight, period


def flush(sink, bufs):
    for name in ("request", "mission", "transition", "outcome", "visit", "patrol", "crime"):
        if name in bufs:
            sink.write(name, bufs[name].getvalue())
            bufs[name] = io.StringIO()
