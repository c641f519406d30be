"""The force scorecard's tiles, read from stored indicator values in two queries whatever the data
size: the key indicators, a version token for live refresh, each tile's value, change, target, RAG
status, sparkline and SPC verdict, and the zero-filling of empty periods that the process chart
shares."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q

from . import charts, periods, spc
from .calculators import family_of
from .dashboard import shift, year_before
from .dashboard_text import ASSURANCE_TEXT, RAG_TEXT, VARIATION_TEXT, change_words, fmt_value, rag
from .models import Indicator, IndicatorValue

SPARK_POINTS, SPC_POINTS = 13, 24


# --------------------------------------------------------------------------------------- tiles


def values_version(indicator_ids, area, operation_key, kind):
    """A token that changes whenever any shown value is written or removed (one query)."""
    row = IndicatorValue.objects.filter(
        indicator_id__in=indicator_ids, area=area, operation_key=operation_key, period_kind=kind
    ).aggregate(latest=Max("computed_at"), n=Count("id"))
    latest = row["latest"].isoformat() if row["latest"] else "none"
    return f"{latest}|{row['n']}"


def key_indicators():
    return list(Indicator.objects.filter(key=True, active=True).order_by("sort_order", "code"))


def filled(indicator, stored, starts):
    """Values for ``starts``; counts and sums store nothing for an empty bucket, so a gap after the
    first stored value is a zero. Percentages of nothing stay undefined (None)."""
    zero_fill = indicator.unit != Indicator.Unit.PERCENT
    out, seen = [], False
    for start in starts:
        if start in stored:
            seen = True
            out.append(stored[start])
        else:
            out.append(Decimal(0) if zero_fill and seen else None)
    return out


def scorecard_tiles(indicators, area, operation_key, kind, link):
    """One tile per indicator in two queries: the latest stored period of each indicator's family,
    then every value needed (13 for the sparkline, 24 for the SPC verdict, a year back for the
    change). ``link(indicator)`` gives the drill-down URL."""
    if not indicators:
        return []
    if area is None:  # no reference data loaded yet
        return [_tile(ind, kind, None, {}, link(ind)) for ind in indicators]
    base = IndicatorValue.objects.filter(area=area, operation_key=operation_key, period_kind=kind)
    latest = dict(
        base.filter(indicator__in=indicators)
        .values_list("indicator_id")
        .annotate(last=Max("period_start"))
        .order_by()
    )
    # One "current period" per family, so an indicator that had nothing lately shows a zero for the
    # same period as its neighbours rather than an older figure.
    family_latest = {}
    for ind in indicators:
        if ind.pk in latest:
            name = family_of(ind).name
            family_latest[name] = max(family_latest.get(name, date.min), latest[ind.pk])
    current = {
        ind.pk: family_latest.get(family_of(ind).name) if ind.pk in latest else None for ind in indicators
    }
    wanted = Q(pk__in=[])
    for ind in indicators:
        if current[ind.pk]:
            first = min(shift(kind, current[ind.pk], 1 - SPC_POINTS), year_before(kind, current[ind.pk]))
            wanted |= Q(indicator=ind, period_start__gte=first, period_start__lte=current[ind.pk])
    stored = {}
    for ind_id, start, value in base.filter(wanted).values_list("indicator_id", "period_start", "value"):
        stored.setdefault(ind_id, {})[start] = value
    return [_tile(ind, kind, current[ind.pk], stored.get(ind.pk, {}), link(ind)) for ind in indicators]


def _tile(indicator, kind, current, stored, url):
    tile = {"indicator": indicator, "url": url, "code": indicator.code}
    if current is None:
        return tile | {"empty": True, "sparkline": charts.sparkline([], label=f"{indicator.name}: no values")}
    starts = [shift(kind, current, -i) for i in reversed(range(SPC_POINTS))]
    values = filled(indicator, stored, starts)
    value = values[-1]
    ago_start = year_before(kind, current)
    year_ago = stored.get(ago_start)
    if year_ago is None and indicator.unit != Indicator.Unit.PERCENT and stored and min(stored) <= ago_start:
        year_ago = Decimal(0)
    status, target_text = rag(indicator, value, year_ago)
    target = float(indicator.target_value) if indicator.target_kind == Indicator.TargetKind.ABSOLUTE else None
    chart = spc.xmr(
        [(s, v) for s, v in zip(starts, values, strict=True)],
        good_direction=indicator.good_direction, target=target,
    )  # fmt: skip
    spark_starts, spark_values = starts[-SPARK_POINTS:], values[-SPARK_POINTS:]
    label = f"{indicator.name}, last {SPARK_POINTS} periods to {periods.label(kind, current)}"
    icon, verdict = VARIATION_TEXT[chart.variation]
    a_icon, assurance = ASSURANCE_TEXT[chart.assurance]
    return tile | {
        "empty": False,
        "period": periods.label(kind, current),
        "value": value,
        "value_text": fmt_value(indicator.unit, value),
        "year_ago_text": fmt_value(indicator.unit, year_ago),
        "year_ago_period": periods.label(kind, ago_start),
        "target_text": target_text,
        "rag": status,
        "rag_text": RAG_TEXT.get(status, "No RAG status"),
        "change": change_words(indicator, value, year_ago),
        "sparkline": charts.sparkline(
            [None if v is None else float(v) for v in spark_values], width=200, height=40, label=label
        ),
        "spark_rows": [
            (periods.label(kind, s), fmt_value(indicator.unit, v))
            for s, v in zip(spark_starts, spark_values, strict=True)
        ],
        "variation": chart.variation,
        "variation_icon": icon,
        "variation_text": verdict,
        "trial": sum(v is not None for v in values) < 12,
        "assurance": chart.assurance or "none",
        "assurance_icon": a_icon,
        "assurance_text": assurance,
    }
