"""The Sceptre week of action and the Guardian trial read-out."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from operations.dates import day_from_text
from operations.models import CrimeRecord
from operations.security import audit_personal_data_list
from tasking.models import HotGrid, OperationTarget, Outcome, PatrolTrial, RequestKind
from tasking.patrol_stats import trial_readout

from ... import periods
from ...drilldown import crimes_in_grids
from ...models import Indicator
from .base import (
    against_target,
    compare,
    indicator_rows_url,
    iso,
    local_midnight,
    quantity,
    rows_url,
    stored_values,
    value_at,
)

OUTSTANDING_SHOWN = 50
VIOLENCE = "violent-crime"


def _week_from(request, today):
    """(the Monday of the week asked for in ``?week=``, what was wrong with it): this week, and
    why, when the date is missing, not a date, or outside the dates the app covers."""
    day, error = day_from_text(request.GET.get("week"))
    return periods.start_of(periods.WEEK, day or today), error


def sceptre(operation, today, request):
    week, week_error = _week_from(request, today)
    before = week - timedelta(days=7)
    end = week + timedelta(days=7)
    label = periods.label(periods.WEEK, week)
    label_before = periods.label(periods.WEEK, before)
    indicators, values = stored_values(["mission_arrests"], kind=periods.WEEK, starts=[week, before],
                                       operation_keys=(operation.pk,))  # fmt: skip
    arrests_indicator = indicators.get("mission_arrests")
    arrests = value_at(values, indicators, "mission_arrests", operation.pk, week)
    arrests_before = value_at(values, indicators, "mission_arrests", operation.pk, before)
    # Sweeps and knives found have no stored indicator: one aggregate over this operation's sweep
    # outcomes in the two weeks (indexed by completion time, so bounded by a fortnight, not history).
    lower, middle, upper = local_midnight(before), local_midnight(week), local_midnight(end)
    this_week, last_week = Q(completed_at__gte=middle), Q(completed_at__lt=middle)
    sweeps = Outcome.objects.filter(
        mission__operation=operation, mission__kind=RequestKind.WEAPONS_SWEEP,
        completed_at__gte=lower, completed_at__lt=upper,
    ).aggregate(
        now=Count("id", filter=this_week), then=Count("id", filter=last_week),
        knives_now=Coalesce(Sum("knives_weapons", filter=this_week), 0),
        knives_then=Coalesce(Sum("knives_weapons", filter=last_week), 0),
    )  # fmt: skip
    sweep_rows = {"operation": operation.code, "kind": RequestKind.WEAPONS_SWEEP}
    figures = [
        {
            "title": "Weapons sweeps", "value": sweeps["now"],
            "url": rows_url("outcomes", **sweep_rows, completed_after=iso(middle),
                            completed_before=iso(upper)),
            "link_text": f"{sweeps['now']} weapons sweeps in {label} — show rows",
            "change": compare(sweeps["now"], sweeps["then"], against=f"on {label_before}"),
        },
        {
            "title": "Knives and weapons found on sweeps", "value": sweeps["knives_now"],
            "url": rows_url("outcomes", **sweep_rows, found="knives_weapons", completed_after=iso(middle),
                            completed_before=iso(upper)),
            "link_text": f"{sweeps['knives_now']} knives and weapons found in {label} — show rows",
            "change": compare(sweeps["knives_now"], sweeps["knives_then"], against=f"on {label_before}"),
        },
    ]  # fmt: skip
    if arrests_indicator is not None:
        figures.insert(
            0,
            {
                "title": "Knife arrests (Sceptre missions)", "value": arrests,
                "url": indicator_rows_url(arrests_indicator, start=week, end=end, operation=operation.code),
                "link_text": f"{arrests} arrests in {label} — show rows",
                "change": compare(arrests, arrests_before, against=f"on {label_before}"),
            },
        )  # fmt: skip
    for figure in figures:
        figure["comparisons"] = [figure["change"]]
    targets = OperationTarget.objects.filter(operation=operation)
    by_status = dict(targets.values_list("status").annotate(n=Count("id")).order_by())
    status_counts = [
        {"label": label_, "status": status, "count": by_status.get(status, 0)}
        for status, label_ in OperationTarget.Status.choices
    ]
    outstanding = list(
        targets.filter(status=OperationTarget.Status.OUTSTANDING)
        .select_related("area")
        .order_by("rank", "area__code", "pk")[:OUTSTANDING_SHOWN]
    )
    # The targets' subject references, names and locations are personal data: the view is recorded.
    audit_personal_data_list(request, OperationTarget, [target.pk for target in outstanding])
    return {
        "week": week, "week_label": label, "week_error": week_error, "previous_week": before,
        "next_week": end,
        "figures": figures, "status_counts": status_counts, "outstanding": outstanding,
        "outstanding_total": by_status.get(OperationTarget.Status.OUTSTANDING, 0),
        "outstanding_shown": OUTSTANDING_SHOWN,
    }  # fmt: skip


def _compliance_target():
    target = Indicator.objects.filter(code="patrol_compliance").values_list("target_value", flat=True).first()
    return target if target is not None else Decimal(75)


def guardian(operation, today, request):
    trial = PatrolTrial.objects.filter(operation=operation).first()
    target = _compliance_target()
    arms = trial_readout(operation)
    for row in arms:
        row["label"] = HotGrid.Arm(row["arm"]).label
        row["against"] = against_target(row["compliance_pct"], target, unit="points")
        scope = {"operation": operation.code, "arm": row["arm"]}
        row["scheduled_url"] = rows_url("patrols", **scope)
        row["compliant_url"] = rows_url("patrols", **scope, compliant="true")
        row["visits_url"] = rows_url("visits", **scope)
        row["minutes"] = quantity(row["minutes"])
    since = trial.starts_on if trial else operation.start_date
    crime = _crime_by_arm(operation, since, arms)
    return {"trial": trial, "arms": arms, "target": quantity(target), "crime": crime, "since": since}


def _crime_by_arm(operation, since, arms):
    """Recorded crime, violence and harm inside each arm's grids since the trial began."""
    crimes = CrimeRecord.objects.filter(offence_group__is_crime=True)
    if since:
        crimes = crimes.filter(month__gte=since.replace(day=1))
    grids = HotGrid.objects.filter(operation=operation).exclude(trial_arm="")
    found = crimes_in_grids(
        crimes,
        grids,
        fields=("offence_group__code", "offence_group__parent__code", "offence_group__harm_weight"),
    )
    totals = {row["arm"]: {"crimes": 0, "violence": 0, "harm": Decimal(0)} for row in arms}
    for crime, grid in found:
        bucket = totals.setdefault(grid["trial_arm"], {"crimes": 0, "violence": 0, "harm": Decimal(0)})
        bucket["crimes"] += 1
        if VIOLENCE in (crime["offence_group__code"], crime["offence_group__parent__code"]):
            bucket["violence"] += 1
        bucket["harm"] += crime["offence_group__harm_weight"] or 0
    month_from = f"{since:%Y-%m}" if since else None
    rows = []
    for row in arms:
        bucket = totals[row["arm"]]
        in_arm = {"in_grids": f"{operation.code}:{row['arm']}", "month_from": month_from, "is_crime": "true"}
        per_grid = (
            (Decimal(bucket["crimes"]) / row["grids"]).quantize(Decimal("0.1")) if row["grids"] else None
        )
        rows.append(
            {
                "arm": row["arm"], "label": row["label"], "grids": row["grids"], **bucket,
                "harm": quantity(bucket["harm"]), "per_grid": per_grid,
                "crimes_url": rows_url("crimes", **in_arm),
                "violence_url": rows_url("crimes", **in_arm, offence_group=VIOLENCE),
            }
        )  # fmt: skip
    return {"rows": rows, "any": bool(found)}
