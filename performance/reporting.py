"""Reads for reports: parsing period expressions, NPU benchmark tables and SPC series.

Benchmark tables follow the force's NPU tables (seed 000, figures 3–14) but with the standard
percentage change: (current − previous) / previous × 100. The papers divide by the *current*
year and show the mean of the NPU percentages as the force total; here the total's change is
computed from the totals, so it agrees with the rows it sums. A percentage indicator (completion
rate, compliance …) is its summed numerator over its summed denominator, compared in percentage
points.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

from operations.dates import day_in_range, day_out_of_range_message
from operations.models import Area, CrimeCount, CrimeRecord, OffenceGroup

from . import periods, spc
from .calculators import CRIMES, family_of
from .models import Indicator, IndicatorValue

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    text: str
    start: date
    end: date  # exclusive

    def contains_range(self, first, last_inclusive):
        return self.start <= first and last_inclusive < self.end

    def overlaps_range(self, first, last_inclusive):
        return first < self.end and last_inclusive >= self.start


def period_parse(text):
    """``2017`` (calendar year), ``2017/18`` (financial year April–March), ``2017-12`` (month) or
    ``START..END`` (ISO dates, inclusive). A period starting or ending outside the dates the app
    covers (``operations.dates``) is refused with the day that is."""
    text = (text or "").strip()
    try:
        first, last = _period_days(text)
    except ValueError:
        raise ValidationError(
            f"{text!r} is not a period: use 2017, 2017/18, 2017-12 or 2017-01-01..2017-12-31."
        ) from None
    return Period(text, first, last + timedelta(days=1))


def _period_days(text):
    """(first day, last day) of the period ``text`` names; a ValueError when it names none. Each day
    is checked against the app's range before the next is worked out from it, so no sum leaves
    Python's calendar."""
    if ".." in text:
        first, last = (date.fromisoformat(part) for part in text.split("..", 1))
        if last < first:
            raise ValueError
        return _in_range(first), _in_range(last)
    if re.fullmatch(r"\d{4}", text):
        first, months = date(int(text), 1, 1), 12
    elif match := re.fullmatch(r"(\d{4})/(\d{2})", text):
        year = int(match[1])
        if (year + 1) % 100 != int(match[2]):
            raise ValueError
        first, months = date(year, 4, 1), 12
    elif match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        first, months = date(int(match[1]), int(match[2]), 1), 1
    else:
        raise ValueError
    _in_range(first)
    return first, _in_range(periods.add_months(first, months) - timedelta(days=1))


def _in_range(day):
    if not day_in_range(day):
        raise ValidationError(day_out_of_range_message(day), code="date_out_of_range")
    return day


def _direction(change):
    return "up" if change > 0 else "down" if change < 0 else "same"


def _pct(current, previous):
    if not previous:
        return None
    return str((Decimal(current - previous) * 100 / Decimal(previous)).quantize(TWO, ROUND_HALF_UP))


def _crime_counts(period, offence_group):
    """{area id or None: count} for recorded crime in ``period``, and the aggregated counts that
    straddle it (reported, not guessed)."""
    records = CrimeRecord.objects.filter(month__gte=period.start, month__lt=period.end)
    counts = CrimeCount.objects.filter(period_start__lt=period.end, period_end__gte=period.start)
    if offence_group is None:
        records = records.filter(offence_group__is_crime=True)
        counts = counts.filter(offence_group__isnull=True)
    else:
        records = records.filter(Q(offence_group=offence_group) | Q(offence_group__parent=offence_group))
        counts = counts.filter(offence_group=offence_group)
    totals = {
        row["area_id"]: row["n"] for row in records.values("area_id").annotate(n=Count("id")).order_by()
    }
    straddling = []
    for row in counts.values("area_id", "area__code", "period_start", "period_end", "count"):
        if period.contains_range(row["period_start"], row["period_end"]):
            totals[row["area_id"]] = totals.get(row["area_id"], 0) + row["count"]
        else:
            straddling.append(
                {
                    "area": row["area__code"],
                    "period_start": row["period_start"],
                    "period_end": row["period_end"],
                }
            )
    return totals, straddling


def _whole(number):
    """A summed Decimal as an int when it is whole (counts), else as it is."""
    if number is None:
        return None
    return int(number) if number == int(number) else number


def _indicator_totals(indicator, period):
    """{area id: (numerator, denominator)} summed from the stored base values of ``indicator``
    within ``period``. A percentage's denominators add up; a count has none."""
    base = family_of(indicator).base
    rows = (
        IndicatorValue.objects.filter(
            indicator=indicator, period_kind=base, operation_key=0,
            period_start__gte=period.start, period_start__lt=period.end,
        )
        .values("area_id")
        .annotate(n=Sum("numerator"), d=Sum("denominator"))
        .order_by()
    )  # fmt: skip
    return {row["area_id"]: (_whole(row["n"]), _whole(row["d"])) for row in rows}, []


def _has_rate(indicator):
    """Only a count has a rate per 1,000 residents: not a percentage, money or minutes."""
    return indicator.unit in (Indicator.Unit.COUNT, Indicator.Unit.RATE)


def benchmark_table(*, indicator, period, compare, offence_group=None):
    """One row per NPU plus the force total for ``period`` against ``compare``.

    A count is summed over the period and compared by its % change, with a rate per 1,000
    residents. A percentage is the period's summed numerator over its summed denominator × 100
    (never a sum or mean of the stored percentages) and is compared by its change in percentage
    points (``change``; ``pct_change`` is empty), with no rate."""
    npus = list(Area.objects.filter(kind=Area.Kind.NPU).order_by("code"))
    force = Area.objects.filter(kind=Area.Kind.FORCE).first()
    percent = indicator.unit == Indicator.Unit.PERCENT
    crimes = family_of(indicator) == CRIMES and not percent  # a crime percentage needs its outcomes
    if crimes:
        current, straddle_now = _crime_counts(period, offence_group)
        previous, straddle_then = _crime_counts(compare, offence_group)
    else:
        current, straddle_now = _indicator_totals(indicator, period)
        previous, straddle_then = _indicator_totals(indicator, compare)
        if not percent:
            current = {area: n for area, (n, _) in current.items()}
            previous = {area: n for area, (n, _) in previous.items()}
    rates = _has_rate(indicator)

    def row(code, now, then, population):
        if percent:
            return _percent_row(code, now, then)
        return _row(code, now, then, population if rates else None)

    empty = (0, 0) if percent else 0
    rows = [
        row(area.code, current.get(area.pk, empty), previous.get(area.pk, empty), area.population)
        for area in npus
    ]
    order = "change" if percent else "pct_change"
    rows.sort(key=lambda item: (item[order] is None, -Decimal(item[order] or 0), item["area"]))
    npu_ids = {area.pk for area in npus}
    if crimes:
        # Every crime of the force counts in its total, unmapped ones (no NPU) included.
        now_total = sum(current.values())
        then_total = sum(previous.values())
        unmapped = {"current": current.get(None, 0), "previous": previous.get(None, 0)}
    else:
        now_total = _force_total(current, force, npu_ids, empty)
        then_total = _force_total(previous, force, npu_ids, empty)
        unmapped = {"current": 0, "previous": 0}
    total = row(force.code if force else "force", now_total, then_total, force.population if force else None)
    total["unmapped"] = unmapped
    return {
        "indicator": indicator.code,
        "unit": indicator.unit,
        "change_unit": "percentage_points" if percent else indicator.unit,
        "offence_group": offence_group.code if offence_group else None,
        "period": {"text": period.text, "start": period.start, "end": period.end - timedelta(days=1)},
        "compare": {"text": compare.text, "start": compare.start, "end": compare.end - timedelta(days=1)},
        "rows": rows,
        "total": total,
        "straddling": straddle_now + straddle_then,
    }


def _force_total(totals, force, npu_ids, empty):
    """The force's stored total (it holds rows of no NPU too), or the NPUs' sum without a force."""
    if force:
        return totals.get(force.pk, empty)
    parts = [value for area, value in totals.items() if area in npu_ids]
    if isinstance(empty, tuple):
        return (sum(n for n, _ in parts), sum(d or 0 for _, d in parts))
    return sum(parts)


def _row(code, current, previous, population):
    change = current - previous
    rate = (Decimal(current) * 1000 / Decimal(population)).quantize(TWO) if population else None
    return {
        "area": code, "current": current, "previous": previous, "change": change,
        "pct_change": _pct(current, previous), "direction": _direction(change),
        "rate_per_1000": str(rate) if rate is not None else None,
    }  # fmt: skip


def _percentage(numerator, denominator):
    if not denominator:
        return None  # 0 of 0: no percentage
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(TWO, ROUND_HALF_UP)


def _percent_row(code, current, previous):
    """A percentage's row: ``current`` and ``previous`` are (numerator, denominator) sums."""
    now, then = _percentage(*current), _percentage(*previous)
    change = now - then if now is not None and then is not None else None
    return {
        "area": code,
        "current": str(now) if now is not None else None,
        "previous": str(then) if then is not None else None,
        "change": str(change) if change is not None else None,
        "pct_change": None,
        "direction": _direction(change) if change is not None else "same",
        "rate_per_1000": None,
        "numerator": current[0], "denominator": current[1] or 0,
        "previous_numerator": previous[0], "previous_denominator": previous[1] or 0,
    }  # fmt: skip


def offence_group_for(code):
    if not code:
        return None
    group = OffenceGroup.objects.filter(code=code).first()
    if group is None:
        raise ValidationError(f"No offence group {code!r}.")
    return group


def series(
    *, indicator, area, operation_key=0, kind=periods.MONTH, start=None, end=None, breaks=(), baseline=None
):
    """The stored values of one indicator as an SPC chart (XmR) over a weekly or monthly series."""
    values = IndicatorValue.objects.filter(
        indicator=indicator, area=area, operation_key=operation_key, period_kind=kind
    ).order_by("period_start")
    if start:
        values = values.filter(period_start__gte=start)
    if end:
        values = values.filter(period_start__lte=end)
    points = [(row.period_start, float(row.value) if row.value is not None else None) for row in values]
    target = None
    if indicator.target_kind == Indicator.TargetKind.ABSOLUTE and indicator.target_value is not None:
        target = float(indicator.target_value)
    return spc.xmr(
        points, good_direction=indicator.good_direction, breaks=list(breaks), baseline=baseline, target=target
    )
