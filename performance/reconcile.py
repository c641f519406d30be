"""The nightly reconcile: every indicator value recomputed from the source rows, compared with
what is stored, and repaired. There must never be a difference; one means a lost or doubled event."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Trunc
from django.utils import timezone

from . import periods
from .calculators import FAMILIES, periods_tz
from .engine import MONTH_ROLLUPS, Context, _accumulate, _grouped, _store, is_empty
from .models import IndicatorValue

KIND_ORDER = {kind: index for index, (kind, _) in enumerate(periods.KINDS)}
RECONCILE_QUEUED = "performance:reconcile-queued"  # cache flag: a reconcile is waiting in the queue


def reconcile_after_commit():
    """Recompute every value (a reconcile with repair) once the current transaction commits,
    unless one is already waiting in the queue: for changes that reach across all of history,
    such as a population, an offence group's weight or an indicator's definition."""
    from operations.events import is_dispatch_deferred
    from operations.queued import send_unless_queued

    from .tasks import reconcile_indicators

    def send():
        if not is_dispatch_deferred():
            send_unless_queued(RECONCILE_QUEUED, reconcile_indicators.delay, ttl=60)

    transaction.on_commit(send)


def base_rows(family, indicators):
    """The family's one grouped aggregate over all of history: a row per area, operation and base
    period (``g_period``: a local day for day-based families, the month for recorded crime)."""
    if family.base == periods.DAY:
        truncate = Trunc(family.date_field, "day", tzinfo=periods_tz())
    else:
        truncate = F(family.date_field)
    return _grouped(family, indicators, family.queryset(), extra_group=truncate)


def expected_values(context, families=None):
    """Every value computed from scratch: {(kind, ind, area, op, start): (num, den)}."""
    expected = {}
    for family in families or FAMILIES.values():
        indicators = context.of_family(family)
        if not indicators:
            continue
        sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
        rows = base_rows(family, indicators)

        def period_of(row):
            value = row["g_period"]
            return value.date() if hasattr(value, "date") and callable(value.date) else value

        _accumulate(context, indicators, rows, sums, period_of)
        _expand(expected, family.base, sums, timezone.localdate())
    return expected


def _expand(expected, base, sums, today):
    """Add base-period sums into every period holding them. Days go into their day, week and
    month; quarters, years and the rolling windows kept as of ``today`` (``periods.kept``) are then
    filled from the month sums (values are additive), so a day costs three additions instead of
    eighteen — the bulk of a reconcile."""
    months = sums
    if base == periods.DAY:
        months = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for (i, a, o, start), (n, d) in sums.items():
            _add(expected, (periods.DAY, i, a, o, start), n, d)
            _add(expected, (periods.WEEK, i, a, o, start - timedelta(days=start.weekday())), n, d)
            _add(months, (i, a, o, start.replace(day=1)), n, d)
    for (i, a, o, month), (n, d) in months.items():
        _add(expected, (periods.MONTH, i, a, o, month), n, d)
        for kind in MONTH_ROLLUPS:
            for target in periods.containing(kind, month):
                if periods.kept(kind, target, today):
                    _add(expected, (kind, i, a, o, target), n, d)


def _add(into, key, numerator, denominator):
    slot = into.get(key)
    if slot is None:
        into[key] = [numerator, denominator]
    else:
        slot[0] += numerator
        slot[1] += denominator


def indicators_reconcile(*, repair=True):
    """Recompute every value from source rows and compare with what is stored. Returns a report
    ``{"checked": n, "differences": [(key, stored, expected), …], "repaired": bool}`` (there
    should be no difference; stored and expected are (numerator, denominator) or None, an empty
    value counting as none), differences ordered by indicator, area, operation, period kind and
    start; with ``repair`` the stored values are fixed. Set-based in the database on PostgreSQL
    (``reconcile_sql``), value by value in Python elsewhere."""
    if connection.vendor == "postgresql":
        from .reconcile_sql import sql_reconcile

        return sql_reconcile(repair=repair)
    return python_reconcile(repair=repair)


def difference_order(difference):
    kind, i, a, o, s = difference[0]
    return i, a is None, a or 0, o, KIND_ORDER[kind], s  # as the database orders them


def python_reconcile(*, repair=True):
    """The reconcile value by value in Python: the SQLite path, and the oracle of the SQL one."""
    context = Context()
    expected = {}
    for key, (n, d) in expected_values(context).items():
        kind, i, a, o, s = key
        expected[key] = context.finish(context.indicators[i], a, n, d)[1:]
    differences = []
    seen = set()
    for kind, i, a, o, s, n, d in (
        IndicatorValue.objects.filter(indicator_id__in=list(context.indicators))
        .values_list(
            "period_kind",
            "indicator_id",
            "area_id",
            "operation_key",
            "period_start",
            "numerator",
            "denominator",
        )
        .iterator(chunk_size=20_000)
    ):
        key = (kind, i, a, o, s)
        seen.add(key)
        want = expected.get(key)
        if want is None:
            if not is_empty(context.indicators[i], n, d):
                differences.append((key, (n, d), None))
        elif want != (n, d):
            differences.append((key, (n, d), want))
    for key, want in expected.items():
        if key not in seen and not is_empty(context.indicators[key[1]], *want):
            differences.append((key, None, want))
    differences.sort(key=difference_order)
    if repair and differences:
        _repair(context, differences)
    return {"checked": len(expected), "differences": differences, "repaired": repair and bool(differences)}


@transaction.atomic
def _repair(context, differences):
    _store(context, {key: want or (0, 0) for key, _, want in differences})
