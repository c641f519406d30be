"""Statements run often enough that planning them costs more than running them, prepared once per
database connection (PostgreSQL only).

Django binds parameters on the client and turns psycopg's automatic preparation off. For a few
fixed statements on the busiest paths — the one-statement outcome write, the indicator roll-ups —
``fetch_prepared`` sends the parameters separately on a server-binding cursor and asks psycopg to
prepare the statement the first time a connection runs it; a persistent connection
(``DB_CONN_MAX_AGE``) then keeps the plan. The statements are logged like any other query when
queries are logged (tests, debug).
"""

import time

import psycopg
from django.db import connection

PREPARE_THRESHOLD = 5  # psycopg's default; only server-binding cursors, i.e. these, use it


def fetch_prepared(sql, params, *, one=False):
    """Run ``sql`` (``%(name)s`` placeholders; every parameter whose type the statement cannot
    infer cast in it) prepared on this connection; returns its rows, or the first (None if none)."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = PREPARE_THRESHOLD
    start = time.monotonic()
    with psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        rows = cursor.fetchone() if one else cursor.fetchall()
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - start:.3f}"})
    return rows
