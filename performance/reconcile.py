"""The nightly reconcile: every indicator value recomputed from the source rows, compared with
what is stored, and repaired. There must never be a difference; one means a lost or doubled event."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Trunc

from . import periods
from .calculators import FAMILIES, periods_tz
from .engine import MONTH_ROLLUPS, Context, _accumulate, _grouped, _store
from .models import Indicator, IndicatorValue


def expected_values(context, families=None):
    """Every value computed from scratch: {(kind, ind, area, op, start): (num, den)}."""
    expected = {}
    tz = periods_tz()
    for family in families or FAMILIES.values():
        indicators = context.of_family(family)
        if not indicators:
            continue
        trunc_kind = "day" if family.base == periods.DAY else "month"
        truncate = Trunc(family.date_field, trunc_kind, tzinfo=tz if family.base == periods.DAY else None)
        if family.base == periods.MONTH:
            truncate = F(family.date_field)
        sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
        rows = _grouped(family, indicators, family.queryset(), extra_group=truncate)

        def period_of(row):
            value = row["g_period"]
            return value.date() if hasattr(value, "date") and callable(value.date) else value

        _accumulate(context, indicators, rows, sums, period_of)
        _expand(expected, family.base, sums)
    return expected


def _expand(expected, base, sums):
    """Add base-period sums into every period holding them. Days go into their day, week and
    month; quarters, years and rolling windows are then filled from the month sums (values are
    additive), so a day costs three additions instead of eighteen — the bulk of a reconcile."""
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
                _add(expected, (kind, i, a, o, target), n, d)


def _add(into, key, numerator, denominator):
    slot = into.get(key)
    if slot is None:
        into[key] = [numerator, denominator]
    else:
        slot[0] += numerator
        slot[1] += denominator


def _is_empty(indicator, numerator, denominator):
    return numerator == 0 and (indicator.unit == Indicator.Unit.RATE or not denominator)


def indicators_reconcile(*, repair=True):
    """Recompute every value from source rows and compare with what is stored. Returns a report
    with the differences (there should be none); with ``repair`` the stored values are fixed."""
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
            if not _is_empty(context.indicators[i], n, d):
                differences.append((key, (n, d), None))
        elif want != (n, d):
            differences.append((key, (n, d), want))
    for key, want in expected.items():
        if key not in seen and not _is_empty(context.indicators[key[1]], *want):
            differences.append((key, None, want))
    if repair and differences:
        _repair(context, differences)
    return {"checked": len(expected), "differences": differences, "repaired": repair and bool(differences)}


@transaction.atomic
def _repair(context, differences):
    _store(context, {key: want or (0, 0) for key, _, want in differences})
