"""The measures made in process on the benchmark database: recompute cost per event, each dashboard
page's server time and queries, and the full reconcile. Each returns plain dicts for report.py."""

import random
import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from . import load

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
        "p95_ms": load.percentiles(times)["p95"] if times else None,
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
