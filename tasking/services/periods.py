"""Tasking periods and resource capacity."""

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from operations.audit import audit_record
from operations.exceptions import Forbidden
from operations.models import AuditEntry
from operations.roles import Role, has_role

from ..models import Mission, ResourcePeriod, TaskingPeriod
from ..models.periods import LONDON, period_bounds, period_bounds_for_day


def period_for_day(day):
    """The tasking period that starts on local date ``day`` (created on first use)."""
    period = TaskingPeriod.objects.filter(day=day).first()
    if period is not None:
        return period
    starts_at, ends_at = period_bounds_for_day(day)
    try:
        with transaction.atomic():
            return TaskingPeriod.objects.create(day=day, starts_at=starts_at, ends_at=ends_at)
    except IntegrityError:  # created by a concurrent request a moment ago
        return TaskingPeriod.objects.get(day=day)


def period_for(moment):
    """The tasking period containing ``moment``."""
    starts_at, _ = period_bounds(moment)
    return period_for_day(starts_at.astimezone(LONDON).date())


def resource_period_locked(resource, period):
    """The (resource, period) row, locked until the transaction ends: allocations serialise on it."""
    try:
        with transaction.atomic():
            ResourcePeriod.objects.get_or_create(resource=resource, period=period)
    except IntegrityError:
        pass  # a concurrent allocation created it; lock it below
    return (
        ResourcePeriod.objects.select_for_update()
        .select_related("resource")
        .get(resource=resource, period=period)
    )


def capacity_used(resource, period, exclude_mission=None):
    missions = Mission.objects.filter(resource=resource, period=period, state__in=Mission.CAPACITY_STATES)
    if exclude_mission is not None:
        missions = missions.exclude(pk=exclude_mission.pk)
    return missions.count()


def resource_usage(period, resources):
    """[(resource, used, capacity)] for a period, in two queries whatever the number of resources."""
    overrides = {
        rp.resource_id: rp.capacity
        for rp in ResourcePeriod.objects.filter(period=period, capacity__isnull=False)
    }
    used = dict(
        Mission.objects.filter(period=period, state__in=Mission.CAPACITY_STATES)
        .values_list("resource_id")
        .annotate(n=Count("id", filter=Q(resource__isnull=False)))
    )
    return [
        (resource, used.get(resource.pk, 0), overrides.get(resource.pk, resource.capacity_per_period))
        for resource in resources
    ]


@transaction.atomic
def resource_period_set_capacity(*, actor, resource, period, capacity, reason):
    """A Supervisor changes one resource's capacity for one period (e.g. a unit abstracted)."""
    if not has_role(actor, Role.SUPERVISOR):
        raise Forbidden("Only a Supervisor can change a resource's capacity for a period.")
    row = resource_period_locked(resource, period)
    old = row.effective_capacity
    row.capacity = capacity
    row.save(update_fields=["capacity"])
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, obj=row,
        changes={"capacity": [old, capacity]}, reason=reason,
    )  # fmt: skip
    return row
