"""The measures: API vs bare create, freshness, recompute cost per event, dashboard pages,
full reconcile. Each returns plain dicts for report.py."""

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
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
        ids = remaining(batch) + ids  # missions the run did not reach stay usable
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


# ---------------------------------------------------------------------- 3. cost per event


# Every bucket the event marked gets a stale stored value (a placeholder where there was none), so
# the drain must store each one and roll it up, as when an outcome changes them all. Without the
# placeholders a small history, whose days mostly have no value yet, would do less work for the
# same event than a large one, and the ratio would measure that instead of the history's size.
STALE_SQL = """
INSERT INTO performance_indicatorvalue
    (indicator_id, area_id, operation_key, period_kind, period_start, value, numerator, denominator,
     computed_at)
SELECT d.indicator_id, d.area_id, d.operation_key, d.period_kind, d.period_start, -1, -1, NULL, now()
FROM performance_dirtybucket d
ON CONFLICT (indicator_id, area_id, operation_key, period_kind, period_start) DO UPDATE SET numerator = -1
"""


def drain_cost(*, samples, seed=7):
    """Mark the buckets one historic outcome touches (as its event would), make their stored day
    values stale, and time ``indicators_drain``; median over ``samples`` outcomes. Each sample
    is rolled back afterwards, so the history stays as it was for the next one and the reconcile."""
    from operations.events import dispatch_deferred
    from performance.calculators import OUTCOMES, TRANSITIONS
    from performance.dirty import buckets_mark, indicators_drain
    from performance.engine import Context
    from tasking.models import Outcome

    rng = random.Random(seed)  # noqa: S311 — sampling, not security
    high = Outcome.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picked = []
    while len(picked) < samples and high:
        row = (
            Outcome.objects.filter(pk__gte=rng.randint(1, high))
            .order_by("pk")
            .values_list("completed_at", "area_id", "operation_id")
            .first()
        )
        if row:
            picked.append(row)
    times, queries = [], []
    for completed_at, area, operation in picked:
        day = timezone.localdate(completed_at)
        context = Context()
        with transaction.atomic():
            with dispatch_deferred():
                for family in (TRANSITIONS, OUTCOMES):
                    buckets_mark(
                        family=family, day=day, area_ids=[area], operation_ids=[operation], context=context
                    )
            with connection.cursor() as cursor:
                cursor.execute(STALE_SQL)
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                indicators_drain()
                times.append((time.perf_counter() - start) * 1000)
            queries.append(len(captured))
            transaction.set_rollback(True)
    return {
        "samples": len(times),
        "median_ms": statistics.median(times) if times else None,
        "p90_ms": load.percentiles(times)["p95"] if times else None,
        "queries": statistics.median(queries) if queries else None,
        "max_queries": max(queries, default=None),
    }


# ---------------------------------------------------------------------------- 4. dashboards


def dashboard_pages(*, user, repeat=5):
    """Every page in performance.urls, server time (median) and queries, via Django's test client."""
    from django.test import Client
    from django.test.utils import override_settings

    rows, notes = [], []
    try:
        targets, notes = _page_targets()
    except Exception as exc:  # another session may be mid-edit: report, don't crash the run
        return [], [f"performance.urls could not be loaded: {exc!r}"]
    if not targets:
        notes.append("performance.urls has no pages yet.")
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False, DEBUG=False):
        client = Client()
        client.force_login(user)
        for label, url in targets:
            try:
                client.get(url)  # warm caches and imports
                times, count, status = [], None, None
                for _ in range(repeat):
                    with CaptureQueriesContext(connection) as captured:
                        start = time.perf_counter()
                        response = client.get(url)
                        times.append((time.perf_counter() - start) * 1000)
                    count, status = len(captured), response.status_code
                rows.append(
                    {
                        "page": label,
                        "url": url,
                        "status": status,
                        "ms": statistics.median(times),
                        "max_ms": max(times),
                        "queries": count,
                    }
                )
            except Exception as exc:
                notes.append(f"{label} ({url}) failed: {exc!r}")
    return rows, notes


def _page_targets():
    from django.urls import URLPattern, URLResolver, reverse

    from performance import urls as page_urls

    targets, notes = [], []
    today = timezone.localdate().isoformat()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                route = str(pattern.pattern)
                yield f"{namespace}:{pattern.name}", route, list(pattern.pattern.converters)

    for name, route, params in walk(page_urls.urlpatterns, page_urls.app_name):
        choices = [{}]
        for param in params:
            if param in ("date", "day"):
                values = [today]
            elif "operation" in param or ("code" in param and "operation" in route):
                values = ["VIBRANT", "SCEPTRE", "GUARDIAN", "CAPTIVA"]
            elif "indicator" in param or "code" in param:
                values = ["missions_completed"]
            elif param in ("area", "npu"):
                values = ["BE"]
            else:
                values = None
            if values is None:
                notes.append(f"{name} ({route}) skipped: no sample value for <{param}>.")
                choices = []
                break
            choices = [{**c, param: v} for c in choices for v in values]
        for kwargs in choices:
            label = name + ("" if not kwargs else " " + " ".join(str(v) for v in kwargs.values()))
            targets.append((label, reverse(name, kwargs=kwargs)))
    return targets, notes


# ------------------------------------------------------------------------------ 5. reconcile


def reconcile_timed():
    from performance.reconcile import indicators_reconcile

    start = time.perf_counter()
    report = indicators_reconcile(repair=False)
    return {
        "seconds": time.perf_counter() - start,
        "checked": report["checked"],
        "differences": len(report["differences"]),
        "sample": report["differences"][:5],
    }
