"""The recompute engine: a claimed base bucket from its source rows, and everything it rolls up into.

A base bucket is indicator × area × operation × day (or × month for recorded crime). ``recompute``
reads one base period's source rows for the claimed NPUs with one grouped aggregate per family,
adds the force's other NPUs from their stored values, stores what changed and rolls it up into
every coarser period by summing stored values (a month from its days; quarters, years and rolling
windows from months). The work per event is bounded by the size of one NPU's period, never by the
length of history. ``performance.dirty`` marks and drains the buckets; ``performance.reconcile``
recomputes everything from scratch and compares.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import F, IntegerField, Q, Value
from django.utils import timezone

from operations.models import Area

from . import periods
from .calculators import CALCULATORS, expressions, family_of
from .models import Indicator, IndicatorValue
from .rollup_sql import rollups_store

FOUR = Decimal("0.0001")
VALUE_COLUMNS = ("indicator_id", "area_id", "operation_key", "period_start", "numerator", "denominator")
MONTH_ROLLUPS = [periods.QUARTER, periods.YEAR, periods.FINANCIAL_YEAR, periods.ROLLING_12]


class Context:
    """What a computation needs to know once: the force, populations, active indicators."""

    def __init__(self):
        areas = list(Area.objects.values_list("pk", "kind", "population"))
        self.force_id = next((pk for pk, kind, _ in areas if kind == Area.Kind.FORCE), None)
        self.population = {pk: population for pk, _, population in areas}
        self.indicators = {i.pk: i for i in Indicator.objects.filter(active=True)}

    def of_family(self, family):
        return [i for i in self.indicators.values() if i.calculator in CALCULATORS and family_of(i) == family]

    def keys_for(self, area_id, operation_id):
        """A source row counts for its NPU and the force, for its operation and for 'all'."""
        areas = {self.force_id} if area_id in (None, self.force_id) else {area_id, self.force_id}
        operations = {0} if not operation_id else {0, operation_id}
        return [(a, o) for a in areas for o in operations]

    def finish(self, indicator, area_id, numerator, denominator):
        """(value, numerator, denominator) by the indicator's unit."""
        numerator = Decimal(numerator or 0).quantize(FOUR)
        if indicator.unit == Indicator.Unit.RATE:
            population = self.population.get(area_id)
            denominator = Decimal(population) if population else None
            value = numerator * 1000 / denominator if denominator else None
        elif indicator.unit == Indicator.Unit.PERCENT:
            denominator = Decimal(denominator or 0).quantize(FOUR)
            value = numerator * 100 / denominator if denominator else None
        else:
            denominator, value = None, numerator
        value = value.quantize(FOUR, ROUND_HALF_UP) if value is not None else None
        return value, numerator, denominator


def _grouped(family, indicators, queryset, extra_group=None):
    exprs = {}
    for indicator in indicators:
        numerator, denominator = expressions(indicator)
        exprs[f"n{indicator.pk}"] = numerator
        if denominator is not None:
            exprs[f"d{indicator.pk}"] = denominator
    group = {"g_area": F(family.area_field)}
    group["g_op"] = F(family.operation_field) if family.operation_field else Value(None, IntegerField())
    if extra_group is not None:
        group["g_period"] = extra_group
    return queryset.values(**group).annotate(**exprs).order_by()


def _accumulate(context, indicators, rows, into, period_of):
    for row in rows:
        start = period_of(row)
        for area, op in context.keys_for(row["g_area"], row["g_op"]):
            for indicator in indicators:
                slot = into[(indicator.pk, area, op, start)]
                slot[0] += row[f"n{indicator.pk}"] or 0
                slot[1] += row.get(f"d{indicator.pk}") or 0


def compute_base(context, family, indicators, start, areas=None):
    """{(indicator, area, op, start): [numerator, denominator]} for one base period.

    With ``areas`` (NPU ids) only the rows of those NPUs and the rows of no NPU are read: the
    NPUs' values are then whole, and the force's hold those NPUs and the rows of no NPU only."""
    end = periods.end_of(family.base, start)
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    source = family.rows_between(start, end)
    if areas is not None:
        field = family.area_field
        source = source.filter(
            Q(**{f"{field}__in": areas}) | Q(**{f"{field}__isnull": True}) | Q(**{field: context.force_id})
        )
    rows = _grouped(family, indicators, source)
    _accumulate(context, indicators, rows, sums, lambda row: start)
    return sums


def _other_npus(context, family, indicators, start, force_keys, read_areas):
    """{(indicator, op): [numerator, denominator]}: the stored base values of ``start`` of every
    NPU not in ``read_areas``, summed for the force's keys (a rate's denominator is the
    population, not a sum: only a percentage's denominators add up)."""
    percent = {i.pk for i in indicators if i.unit == Indicator.Unit.PERCENT}
    sums = defaultdict(lambda: [Decimal(0), Decimal(0)])
    rows = (
        IndicatorValue.objects.filter(
            period_kind=family.base, period_start=start,
            indicator_id__in={i for i, _, _ in force_keys}, operation_key__in={o for _, _, o in force_keys},
        )
        .exclude(area_id__in=[*read_areas, context.force_id])
        .order_by()
        .values_list("indicator_id", "operation_key", "numerator", "denominator")
    )  # fmt: skip
    for indicator_id, op, numerator, denominator in rows:
        slot = sums[(indicator_id, op)]
        slot[0] += numerator
        if indicator_id in percent:
            slot[1] += denominator or 0
    return sums


def _store(context, results):
    """Upsert the values in ``results`` {(kind, ind, area, op, start): (num, den)} that differ from
    the stored ones, in one read and one write; returns the keys whose value changed."""
    if not results:
        return []
    stored = {
        (k, i, a, o, s): (n, d)
        for k, i, a, o, s, n, d in IndicatorValue.objects.filter(
            period_kind__in={key[0] for key in results}, indicator_id__in={key[1] for key in results},
            area_id__in={key[2] for key in results}, operation_key__in={key[3] for key in results},
            period_start__in={key[4] for key in results},
        ).order_by().values_list("period_kind", *VALUE_COLUMNS)
    }  # fmt: skip
    now = timezone.now()
    changed, rows = [], []
    for key, (numerator, denominator) in results.items():
        kind, indicator_id, area_id, operation_key, start = key
        value, numerator, denominator = context.finish(
            context.indicators[indicator_id], area_id, numerator, denominator
        )
        if stored.get(key) == (numerator, denominator):
            continue
        if key not in stored and is_empty(context.indicators[indicator_id], numerator, denominator):
            continue  # an empty value is never stored (as in the reconcile): nothing changes
        changed.append(key)
        rows.append(
            IndicatorValue(
                indicator_id=indicator_id, area_id=area_id, operation_key=operation_key, period_kind=kind,
                period_start=start, value=value, numerator=numerator, denominator=denominator,
                computed_at=now,
            )
        )  # fmt: skip
    IndicatorValue.objects.bulk_create(
        rows, update_conflicts=True,
        unique_fields=["indicator", "area", "operation_key", "period_kind", "period_start"],
        update_fields=["value", "numerator", "denominator", "computed_at"],
    )  # fmt: skip
    return changed


def is_empty(indicator, numerator, denominator):
    """Nothing counted: the same as no stored value (a rate's denominator is the population)."""
    return numerator == 0 and (indicator.unit == Indicator.Unit.RATE or not denominator)


def _fetch(kind, keys, lower, upper):
    """Stored {(ind, area, op, start): (num, den)} of ``kind`` in [lower, upper) for ``keys``."""
    rows = IndicatorValue.objects.filter(
        period_kind=kind, period_start__gte=lower, period_start__lt=upper,
        indicator_id__in={k[0] for k in keys}, area_id__in={k[1] for k in keys},
        operation_key__in={k[2] for k in keys},
    ).order_by().values_list(*VALUE_COLUMNS)  # fmt: skip
    return {(i, a, o, s): (n, d or 0) for i, a, o, s, n, d in rows if (i, a, o) in keys}


def _sum_into(results, kind, targets, values, keys):
    """Add each value to every ``targets`` period (of ``kind``) holding it; zero where none."""
    for key in keys:
        for target in targets:
            results.setdefault((kind, *key, target), [Decimal(0), Decimal(0)])
    for (i, a, o, start), (n, d) in values.items():
        for target in targets:
            if target <= start < periods.end_of(kind, target):
                slot = results[(kind, i, a, o, target)]
                slot[0] += n
                slot[1] += d


def _rollups(context, keys, base, base_start):
    """Every coarser period holding ``base_start`` for ``keys``, from stored values: weeks and
    months from days, then quarters, years and the rolling windows kept (``periods.kept``) from
    months (two reads)."""
    results = {}
    month = periods.start_of(periods.MONTH, base_start)
    month_values = {}
    if base == periods.DAY:
        week = periods.start_of(periods.WEEK, base_start)
        lower = min(week, month)
        upper = max(periods.end_of(periods.WEEK, week), periods.end_of(periods.MONTH, month))
        days = _fetch(periods.DAY, keys, lower, upper)
        _sum_into(results, periods.WEEK, [week], days, keys)
        _sum_into(results, periods.MONTH, [month], days, keys)
        # The month just summed is not stored yet: the coarser periods use it from here.
        month_values = {key[1:]: tuple(value) for key, value in results.items() if key[0] == periods.MONTH}
    today = timezone.localdate()
    targets = {
        kind: [start for start in periods.containing(kind, month) if periods.kept(kind, start, today)]
        for kind in MONTH_ROLLUPS
    }
    lower = min(t for starts in targets.values() for t in starts)
    upper = max(periods.end_of(kind, t) for kind, starts in targets.items() for t in starts)
    months = _fetch(periods.MONTH, keys, lower, upper)
    months.update(month_values)
    for kind, starts in targets.items():
        _sum_into(results, kind, starts, months, keys)
    return results


def recompute(context, family, indicator_ids, base_start, claimed_keys):
    """Recompute the claimed buckets (indicator, area, operation) of one base period of a family,
    and everything they roll up into."""
    indicators = [context.indicators[i] for i in indicator_ids if i in context.indicators]
    if not indicators:
        return []
    base = family.base
    force = context.force_id
    # Only the claimed buckets are stored: every change marks the buckets it touches, so the
    # day's other buckets are already right. Only the claimed NPUs' rows are read; the force is
    # those, the rows of no NPU, and the stored values of its other NPUs. Every NPU bucket
    # brings the force's with it, so the force is summed again after each NPU change, whichever
    # drain claims it: the work stays that of the event, however busy the day.
    force_keys = {(i, force, o) for i, _, o in claimed_keys} if force is not None else set()
    areas = {a for _, a, _ in claimed_keys if a != force}
    computed = compute_base(context, family, indicators, base_start, areas=areas)
    others = _other_npus(context, family, indicators, base_start, force_keys, areas) if force_keys else {}
    results = {}
    for key in claimed_keys | force_keys:
        numerator, denominator = computed.get((*key, base_start), (0, 0))  # no rows left: 0
        if key[1] == force:
            extra = others.get((key[0], key[2]), (0, 0))
            numerator, denominator = numerator + extra[0], denominator + extra[1]
        results[(*key, base_start)] = [numerator, denominator]
    changed = _store(context, {(base, *key): value for key, value in results.items()})
    keys = {key[1:4] for key in changed}
    if keys and connection.vendor == "postgresql":
        changed += rollups_store(keys, base, base_start)
    elif keys:
        changed += _store(context, _rollups(context, keys, base, base_start))
    return changed
