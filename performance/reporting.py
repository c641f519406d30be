"""Reads for reports: parsing period expressions, NPU benchmark tables and SPC series.

Benchmark tables follow the force's NPU tables (seed 000, figures 3–14) but with the standard
percentage change: (current − previous) / previous × 100. The papers divide by the *current*
year and show the mean of the NPU percentages as the force total; here the total's change is
computed from the totals, so it agrees with the rows it sums.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum

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
    ``START..END`` (ISO dates, inclusive)."""
    text = (text or "").strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return Period(text, date(year, 1, 1), date(year + 1, 1, 1))
        if match := re.fullmatch(r"(\d{4})/(\d{2})", text):
            year = int(match[1])
            if (year + 1) % 100 != int(match[2]):
                raise ValueError
            return Period(text, date(year, 4, 1), date(year + 1, 4, 1))
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            start = date(int(match[1]), int(match[2]), 1)
            return Period(text, start, periods.add_months(start, 1))
        if ".." in text:
            first, last = (date.fromisoformat(part) for part in text.split("..", 1))
            if last < first:
                raise ValueError
            return Period(text, first, last + timedelta(days=1))
    except ValueError:
        pass
    raise ValidationError(f"{text!r} is not a period: use 2017, 2017/18, 2017-12 or 2017-01-01..2017-12-31.")


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


def _indicator_totals(indicator, period):
    """{area id: numerator} from the stored base values of ``indicator`` within ``period``."""
    base = family_of(indicator).base
    rows = (
        IndicatorValue.objects.filter(
            indicator=indicator, period_kind=base, operation_key=0,
            period_start__gte=period.start, period_start__lt=period.end,
        )
        .values("area_id")
        .annotate(n=Sum("numerator"))
        .order_by()
    )  # fmt: skip
    return {row["area_id"]: int(row["n"]) if row["n"] == int(row["n"]) else row["n"] for row in rows}, []


def benchmark_table(*, indicator, period, compare, offence_group=None):
    """One row per NPU plus the force total for ``period`` against ``compare``."""
    npus = list(Area.objects.filter(kind=Area.Kind.NPU).order_by("code"))
    force = Area.objects.filter(kind=Area.Kind.FORCE).first()
    if family_of(indicator) == CRIMES:
        current, straddle_now = _crime_counts(period, offence_group)
        previous, straddle_then = _crime_counts(compare, offence_group)
    else:
        current, straddle_now = _indicator_totals(indicator, period)
        previous, straddle_then = _indicator_totals(indicator, compare)
    rows = []
    for area in npus:
        now, then = current.get(area.pk, 0), previous.get(area.pk, 0)
        rows.append(_row(area.code, now, then, area.population))
    rows.sort(key=lambda row: (row["pct_change"] is None, -Decimal(row["pct_change"] or 0), row["area"]))
    npu_ids = {area.pk for area in npus}
    if family_of(indicator) == CRIMES:
        # Every crime of the force counts in its total, unmapped ones (no NPU) included.
        now_total = sum(current.values())
        then_total = sum(previous.values())
        unmapped = {"current": current.get(None, 0), "previous": previous.get(None, 0)}
    else:
        now_total = current.get(force.pk, 0) if force else sum(v for k, v in current.items() if k in npu_ids)
        then_total = (
            previous.get(force.pk, 0) if force else sum(v for k, v in previous.items() if k in npu_ids)
        )
        unmapped = {"current": 0, "previous": 0}
    total = _row(force.code if force else "force", now_total, then_total, force.population if force else None)
    total["unmapped"] = unmapped
    return {
        "indicator": indicator.code,
        "offence_group": offence_group.code if offence_group else None,
        "period": {"text": period.text, "start": period.start, "end": period.end - timedelta(days=1)},
        "compare": {"text": compare.text, "start": compare.start, "end": compare.end - timedelta(days=1)},
        "rows": rows,
        "total": total,
        "straddling": straddle_now + straddle_then,
    }


def _row(code, current, previous, population):
    change = current - previous
    rate = (Decimal(current) * 1000 / Decimal(population)).quantize(TWO) if population else None
    return {
        "area": code, "current": current, "previous": previous, "change": change,
        "pct_change": _pct(current, previous), "direction": _direction(change),
        "rate_per_1000": str(rate) if rate is not None else None,
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
