"""The measures made over HTTP against the running servers: the create-outcome API against the bare
create, and freshness. Each returns plain dicts for report.py (the in-process measures are in
``measures_inprocess``)."""

import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone

from . import load

OUTCOME_BODY = {"result": "arrested", "arrests": 1}
OUTCOME_PATH = "/api/missions/{id}/outcome/"
BARE_PATH = "/bench/bare-outcomes/"


# ------------------------------------------------------------------------- 1. create-outcome API


def remaining(ids):
    from tasking.models import Mission

    left = set(Mission.objects.filter(pk__in=ids, state="in_progress").values_list("pk", flat=True))
    return [i for i in ids if i in left]


def _timed_out(run, what, option):
    """A run must end on its duration: one stopped by its request count reports the whole duration
    as its time (wrk), which would understate its throughput."""
    if run["reached_bound"]:
        raise SystemExit(
            f"The {what} run at {run['clients']} clients reached its request bound before its "
            f"duration, so its throughput cannot be measured: raise {option} or lower --duration."
        )
    return run


def api_compare(*, base_url, token, pool, levels, duration, max_requests, bare_max_requests, settle):
    """For each concurrency: the bare endpoint, then the real one on fresh in-progress missions.
    Both runs end on their duration (see ``_timed_out``)."""
    rows, ids = [], list(pool)
    for clients in levels:
        settle()
        bare = load.closed_loop(
            base_url=base_url,
            path=BARE_PATH,
            body=OUTCOME_BODY,
            token=token,
            clients=clients,
            duration=duration,
            max_requests=bare_max_requests,
        )
        _timed_out(bare, "bare create", "--bare-max-requests")
        settle()
        batch, ids = ids[:max_requests], ids[max_requests:]
        real = load.closed_loop(
            base_url=base_url,
            path=OUTCOME_PATH,
            body=OUTCOME_BODY,
            token=token,
            clients=clients,
            duration=duration,
            max_requests=len(batch),
            ids=batch,
        )
        _timed_out(real, "create-outcome", "--max-requests")
        # Missions the run did not reach stay usable, once the requests wrk left in flight when its
        # time ran out have been answered (they take at most about the run's slowest answer):
        # read any sooner, a mission still being completed would be used again, and refused (409).
        time.sleep(min(5.0, (real["max"] or 0) / 1000) + 0.2)
        settle()
        ids = remaining(batch) + ids
        rows.append(
            {
                "clients": clients,
                "bare": bare,
                "real": real,
                "ratio": real["throughput"] / bare["throughput"] if bare["throughput"] else 0,
            }
        )
    return rows, ids


# ------------------------------------------------------------------------------- 2. freshness

LOG_SQL = """
CREATE TABLE IF NOT EXISTS bench_value_log (
    period_start date, numerator numeric, computed_at timestamptz, committed_at timestamptz
);
CREATE OR REPLACE FUNCTION bench_value_log_fn() RETURNS trigger AS $$
BEGIN
    INSERT INTO bench_value_log VALUES (NEW.period_start, NEW.numerator, NEW.computed_at, clock_timestamp());
    RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS bench_value_log ON performance_indicatorvalue;
CREATE CONSTRAINT TRIGGER bench_value_log AFTER INSERT OR UPDATE ON performance_indicatorvalue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.period_kind = 'day' AND NEW.indicator_id = {indicator} AND NEW.area_id = {area}
          AND NEW.operation_key = 0)
    EXECUTE FUNCTION bench_value_log_fn();
"""


def freshness_prepare():
    """A deferred (commit-time) trigger logging every stored change of the force's daily
    'missions completed' value: when each value became visible, with its numerator."""
    from operations.models import Area
    from performance.models import Indicator

    indicator = Indicator.objects.get(code="missions_completed").pk
    area = Area.objects.get(kind=Area.Kind.FORCE).pk
    with connection.cursor() as cursor:
        cursor.execute(LOG_SQL.replace("{indicator}", str(indicator)).replace("{area}", str(area)))
    return indicator, area


def freshness_run(*, base_url, token, ids, rate, seconds, settle, bucket):
    """Outcomes at ``rate``/s; for each, the time from its commit (seen by the client as the
    response) until the stored force value first counted it."""
    from performance.models import IndicatorValue

    indicator, area = bucket
    settle()
    baseline = dict(
        IndicatorValue.objects.filter(
            indicator_id=indicator,
            area_id=area,
            operation_key=0,
            period_kind="day",
            period_start__gte=timezone.localdate() - timedelta(days=1),
        ).values_list("period_start", "numerator")
    )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_value_log")
    records = load.paced(
        base_url=base_url,
        path=OUTCOME_PATH,
        body=OUTCOME_BODY,
        token=token,
        ids=ids,
        rate=rate,
        max_seconds=seconds,
    )
    settle()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT period_start, numerator, extract(epoch FROM committed_at) FROM bench_value_log "
            "ORDER BY committed_at"
        )
        log = cursor.fetchall()
    ok = sorted((r for r in records if r[3] == 200), key=lambda r: r[2])
    by_day, since_response, since_request, missing = {}, [], [], 0
    for _mission, sent, received, _status in ok:
        day = timezone.localtime(datetime.fromtimestamp(received, tz=UTC)).date()
        by_day[day] = by_day.get(day, 0) + 1
        rank = by_day[day]
        need = (baseline.get(day) or 0) + rank
        seen = next((float(at) for start, n, at in log if start == day and n >= need), None)
        if seen is None:
            missing += 1
            continue
        since_response.append(max(0.0, seen - received) * 1000)
        since_request.append((seen - sent) * 1000)
    elapsed = (max(r[2] for r in records) - min(r[1] for r in records)) if records else 0
    return {
        "rate": rate,
        "sent": len(records),
        "ok": len(ok),
        "achieved_rate": len(records) / elapsed if elapsed else 0,
        "missing": missing,
        "from_response": load.percentiles(since_response),
        "from_request": load.percentiles(since_request),
        "used": [r[0] for r in records],
    }
