"""Patrol compliance and dosage figures, grouped by grid, NPU, operation or period (aggregates)."""

from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import HotGrid, PatrolTrial, PatrolVisit, ScheduledPatrol
from .models.periods import LONDON, period_bounds_for_day

GROUPS = {
    "grid": "grid__code",
    "area": "grid__area__code",
    "operation": "grid__operation__code",
    "period": "period__day",
}
VISIT_GROUPS = {"grid": "grid__code", "area": "grid__area__code", "operation": "grid__operation__code"}
DEFAULT_EFFECTIVE_DOSE = 15


def _pct(part, whole):
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def compliance_rows(patrols=None, by="area"):
    """[{key, scheduled, compliant, gaps, compliance_pct}] for the given scheduled patrols."""
    patrols = ScheduledPatrol.objects.all() if patrols is None else patrols
    rows = (
        patrols.values(key=F(GROUPS[by]))
        .annotate(scheduled=Count("id"), compliant=Count("id", filter=Q(compliant_visit__isnull=False)))
        .order_by("key")
    )
    return [
        {
            **row,
            "gaps": row["scheduled"] - row["compliant"],
            "compliance_pct": _pct(row["compliant"], row["scheduled"]),
        }
        for row in rows
    ]


def compliance_total(patrols):
    totals = patrols.aggregate(
        scheduled=Count("id"), compliant=Count("id", filter=Q(compliant_visit__isnull=False))
    )
    return {**totals, "compliance_pct": _pct(totals["compliant"], totals["scheduled"])}


def _effective(visits):
    dose = Coalesce(F("grid__operation__effective_dose_minutes"), Value(DEFAULT_EFFECTIVE_DOSE))
    return visits.annotate(effective_dose=dose)


def dosage_rows(visits=None, by="area"):
    """[{key, visits, minutes, effective_visits}]: minutes in the grids, and visits of at least the
    operation's effective dose (default 15 minutes, after Koper)."""
    visits = PatrolVisit.objects.all() if visits is None else visits
    return list(
        _effective(visits)
        .values(key=F(VISIT_GROUPS[by]))
        .annotate(
            visits=Count("id"),
            minutes=Coalesce(Sum("dwell_minutes"), Value(Decimal(0))),
            effective_visits=Count("id", filter=Q(dwell_minutes__gte=F("effective_dose"))),
        )
        .order_by("key")
    )


def still_to_patrol(period, now=None):
    """Scheduled patrols of the period not yet compliant, leaving out grids that have already had
    their dose for the day (the patrol cap)."""
    now = now or timezone.now()
    day_start = now.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    dosed = (
        HotGrid.objects.annotate(
            today=Coalesce(
                Sum(
                    "visits__dwell_minutes",
                    filter=Q(visits__arrived_at__gte=day_start, visits__arrived_at__lte=now),
                ),
                Value(Decimal(0)),
            )
        )
        .filter(today__gte=F("daily_dose_minutes"))
        .values("pk")
    )
    return (
        ScheduledPatrol.objects.filter(period=period, compliant_visit__isnull=True)
        .exclude(grid__in=dosed)
        .select_related("grid", "grid__area", "resource")
        .order_by("starts_at", "grid__code")
    )


def trial_start(operation):
    """When the operation's trial starts counting: the start of the tasking period of its first
    day; None when it has no trial."""
    trial = PatrolTrial.objects.filter(operation=operation).only("starts_on").first()
    return period_bounds_for_day(trial.starts_on)[0] if trial is not None else None


def trial_readout(operation, patrols=None, visits=None):
    """Per arm: grids, patrols scheduled, compliance and dosage (crime and harm come from performance).

    Only patrols and visits from the trial's start count: a grid's arm is its arm from then on, and
    what was done on it before says nothing of that arm (a grid moved out of control before the
    start would carry its earlier patrols into treatment). Without a trial, all of them count."""
    patrols = ScheduledPatrol.objects.filter(grid__operation=operation) if patrols is None else patrols
    visits = PatrolVisit.objects.filter(grid__operation=operation) if visits is None else visits
    since = trial_start(operation)
    if since is not None:
        patrols, visits = patrols.filter(starts_at__gte=since), visits.filter(arrived_at__gte=since)
    grids = dict(
        HotGrid.objects.filter(operation=operation)
        .values_list("trial_arm")
        .annotate(n=Count("id"))
        .order_by()
    )
    sched = {
        row["arm"]: row
        for row in patrols.values(arm=F("grid__trial_arm"))
        .annotate(scheduled=Count("id"), compliant=Count("id", filter=Q(compliant_visit__isnull=False)))
        .order_by()
    }
    dose = {
        row["arm"]: row
        for row in _effective(visits)
        .values(arm=F("grid__trial_arm"))
        .annotate(
            visits=Count("id"),
            minutes=Coalesce(Sum("dwell_minutes"), Value(Decimal(0))),
            effective_visits=Count("id", filter=Q(dwell_minutes__gte=F("effective_dose"))),
        )
        .order_by()
    }
    rows = []
    for arm in (HotGrid.Arm.TREATMENT, HotGrid.Arm.CONTROL):
        s, d = sched.get(arm, {}), dose.get(arm, {})
        rows.append(
            {
                "arm": arm, "grids": grids.get(arm, 0), "scheduled": s.get("scheduled", 0),
                "compliant": s.get("compliant", 0),
                "compliance_pct": _pct(s.get("compliant", 0), s.get("scheduled", 0)),
                "visits": d.get("visits", 0), "minutes": d.get("minutes", Decimal(0)),
                "effective_visits": d.get("effective_visits", 0),
            }
        )  # fmt: skip
    return rows
