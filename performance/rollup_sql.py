"""Roll-ups in one statement each on PostgreSQL: the coarser periods of the changed base keys are
summed from the stored finer values, finished by unit and upserted by the database itself, and
only the values that really changed come back. The drain's Python roll-up (``engine._rollups``)
does the same work value by value and stays the path on SQLite; a reconcile proves them equal.

Values are finished exactly like ``engine.Context.finish``: numerators and percent denominators to
4 places, a rate per 1,000 residents against the area's population, a percent of its denominator,
rounded half up to 4 places (PostgreSQL's ``round`` on numeric rounds half away from zero).
"""

from django.db import connection
from django.utils import timezone

from . import periods
from .models import Indicator

SQL = """
WITH keys AS (
    SELECT * FROM unnest(%(ki)s::bigint[], %(ka)s::bigint[], %(ko)s::integer[])
        AS k(indicator_id, area_id, operation_key)
), targets AS (
    SELECT * FROM unnest(%(tk)s::varchar[], %(ts)s::date[], %(te)s::date[]) AS t(kind, start, stop)
), source AS MATERIALIZED (
    -- One index range scan per key (the bucket index: indicator, area, operation, kind, start)
    -- over the finer values all the targets together cover; each target then sums its own.
    SELECT v.indicator_id, v.area_id, v.operation_key, v.period_start, v.numerator, v.denominator
    FROM keys k
    JOIN performance_indicatorvalue v
      ON v.indicator_id = k.indicator_id AND v.area_id = k.area_id
     AND v.operation_key = k.operation_key AND v.period_kind = %(source)s
     AND v.period_start >= %(lower)s AND v.period_start < %(upper)s
), sums AS (
    SELECT k.indicator_id, k.area_id, k.operation_key, t.kind, t.start,
           round(COALESCE(SUM(s.numerator), 0), 4) AS n, round(COALESCE(SUM(s.denominator), 0), 4) AS d
    FROM keys k CROSS JOIN targets t
    LEFT JOIN source s
      ON s.indicator_id = k.indicator_id AND s.area_id = k.area_id
     AND s.operation_key = k.operation_key AND s.period_start >= t.start AND s.period_start < t.stop
    GROUP BY k.indicator_id, k.area_id, k.operation_key, t.kind, t.start
), finished AS (
    SELECT s.indicator_id, s.area_id, s.operation_key, s.kind, s.start, s.n,
           CASE i.unit WHEN %(rate)s THEN NULLIF(a.population, 0)::numeric
                       WHEN %(percent)s THEN s.d END AS d
    FROM sums s
    JOIN performance_indicator i ON i.id = s.indicator_id
    JOIN operations_area a ON a.id = s.area_id
)
INSERT INTO performance_indicatorvalue
    (indicator_id, area_id, operation_key, period_kind, period_start, value, numerator, denominator,
     computed_at)
SELECT f.indicator_id, f.area_id, f.operation_key, f.kind, f.start,
       CASE i.unit WHEN %(rate)s THEN round(f.n * 1000 / NULLIF(f.d, 0), 4)
                   WHEN %(percent)s THEN round(f.n * 100 / NULLIF(f.d, 0), 4)
                   ELSE f.n END,
       f.n, f.d, %(now)s
FROM finished f JOIN performance_indicator i ON i.id = f.indicator_id
-- An empty value (nothing counted) is stored only over a value that is there now.
WHERE NOT (f.n = 0 AND (i.unit = %(rate)s OR COALESCE(f.d, 0) = 0))
   OR EXISTS (
       SELECT 1 FROM performance_indicatorvalue x
       WHERE x.indicator_id = f.indicator_id AND x.area_id = f.area_id
         AND x.operation_key = f.operation_key AND x.period_kind = f.kind AND x.period_start = f.start
   )
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (indicator_id, area_id, operation_key, period_kind, period_start) DO UPDATE
    SET value = EXCLUDED.value, numerator = EXCLUDED.numerator,
        denominator = EXCLUDED.denominator, computed_at = EXCLUDED.computed_at
    WHERE (performance_indicatorvalue.numerator, performance_indicatorvalue.denominator)
          IS DISTINCT FROM (EXCLUDED.numerator, EXCLUDED.denominator)
RETURNING period_kind, indicator_id, area_id, operation_key, period_start
"""


def _upsert(keys, source, targets):
    """Sum ``source`` values into each (kind, start, stop) of ``targets`` for every key."""
    keys = sorted(keys)
    params = {
        "ki": [k[0] for k in keys], "ka": [k[1] for k in keys], "ko": [k[2] for k in keys],
        "tk": [t[0] for t in targets], "ts": [t[1] for t in targets], "te": [t[2] for t in targets],
        "source": source, "now": timezone.now(),
        "lower": min(t[1] for t in targets), "upper": max(t[2] for t in targets),
        "rate": Indicator.Unit.RATE, "percent": Indicator.Unit.PERCENT,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        return [tuple(row) for row in cursor.fetchall()]


def rollups_store(keys, base, base_start):
    """Store every coarser period holding ``base_start`` for ``keys`` (indicator, area, op);
    returns the changed values' keys (kind, indicator, area, op, start), like ``engine._store``."""
    month = periods.start_of(periods.MONTH, base_start)
    changed = []
    if base == periods.DAY:
        week = periods.start_of(periods.WEEK, base_start)
        changed += _upsert(
            keys, periods.DAY,
            [(periods.WEEK, week, periods.end_of(periods.WEEK, week)),
             (periods.MONTH, month, periods.end_of(periods.MONTH, month))],
        )  # fmt: skip
    today = timezone.localdate()
    targets = [
        (kind, start, periods.end_of(kind, start))
        for kind in (periods.QUARTER, periods.YEAR, periods.FINANCIAL_YEAR, periods.ROLLING_12)
        for start in periods.containing(kind, month)
        if periods.kept(kind, start, today)
    ]
    return changed + _upsert(keys, periods.MONTH, targets)


def windows_store(keys, kind, starts):
    """Store the periods of ``kind`` starting on ``starts`` for ``keys``, summed from stored
    months; returns the changed values' keys."""
    return _upsert(keys, periods.MONTH, [(kind, start, periods.end_of(kind, start)) for start in starts])
