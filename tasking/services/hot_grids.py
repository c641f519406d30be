"""Hot grids: creating and changing one with its patrol windows, and deleting one that has no
patrol history."""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from operations.audit import audit_record
from operations.events import event_emit
from operations.exceptions import Conflict
from operations.models import AuditEntry

from ..geo import geometry_validate
from ..models import HotGrid, PatrolTrial, PatrolVisit, PatrolWindow, ScheduledPatrol
from .grid_schedule import (
    day_start,
    orphans_relink,
    patrols_after_retirement_remove,
    patrols_of_windows_remove,
    patrols_remove,
    unworked_patrols,
)
from .patrols import grid_patrols_schedule_now, patrol_schedule_for


@transaction.atomic
def hot_grid_save(*, actor, grid=None, offence_groups=None, windows=None, reason="", **fields):
    """Create or change a hot grid. The geometry is validated (closed rings, no self-intersection,
    inside the force's plausible area); ``windows`` replaces the patrol windows when given, as a
    list of dicts {weekdays, start_time, end_time}.

    Scheduled patrols that no longer apply and that nobody has worked on (no compliant visit, no
    cover request) are removed with the change: those of a removed window not yet started, those
    after the grid's last active day when it is retired, and those from its trial's start when it
    is put in the control arm. A grid taken out of the control arm gets the current period's
    patrols at once. The counts are audited."""
    creating = grid is None
    stored = None if creating else _stored(grid)
    grid = grid or HotGrid()
    changes = {}
    for name, value in fields.items():
        if creating or getattr(grid, name) != value:
            changes[name] = [None if creating else getattr(grid, name), value]
        setattr(grid, name, value)
    geometry = geometry_validate(grid.geometry)
    grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = geometry.bounds
    _refuse_arm_change_in_started_trial(stored, grid)
    grid.full_clean()
    grid.save()
    if offence_groups is not None:
        grid.offence_groups.set(offence_groups)
    removed = 0
    if windows is not None:
        removed += _windows_replace(grid, windows, changes, regenerate=not creating)
    if stored is not None and _retired_earlier(stored["active_to"], grid.active_to):
        removed += patrols_after_retirement_remove(grid)
    added = 0
    if stored is not None and stored["trial_arm"] != grid.trial_arm:
        into, out_of = grid.trial_arm == HotGrid.Arm.CONTROL, stored["trial_arm"] == HotGrid.Arm.CONTROL
        if into:
            removed += patrols_remove(unworked_patrols(grid=grid, starts_at__gte=_control_from(grid)))
        elif out_of:
            added = grid_patrols_schedule_now(grid)
    audit_changes = {k: v for k, v in changes.items() if k != "geometry"}
    if removed:
        audit_changes["scheduled_patrols_removed"] = removed
    if added:
        audit_changes["scheduled_patrols_added"] = added
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=grid, changes=audit_changes, reason=reason,
    )  # fmt: skip
    if changes and not creating:
        # A grid moved to another NPU or operation moves its patrols' and visits' figures too.
        event_emit(
            "reference.changed",
            payload={"model": "tasking.hotgrid", "id": grid.pk, "fields": _attnames(changes)},
            aggregate=grid,
        )
    return grid


def _control_from(grid):
    """From when a grid put in control loses its unworked patrols: its operation's trial's start,
    as randomising does, or now when no trial has been randomised (patrols already started stay)."""
    trial = PatrolTrial.objects.filter(operation_id=grid.operation_id).first() if grid.operation_id else None
    return day_start(trial.starts_on) if trial is not None else timezone.now()


def _stored(grid):
    """The grid's stored operation, arm and last day, its row locked: the caller's copy may be stale."""
    return (
        HotGrid.objects.select_for_update().values("operation_id", "trial_arm", "active_to").get(pk=grid.pk)
    )


def _retired_earlier(old, new):
    return new is not None and (old is None or new < old)


def _attnames(changes):
    """The changed fields by column name (``area_id``); its windows, not a column, by name."""
    names = set()
    for name in changes:
        try:
            names.add(getattr(HotGrid._meta.get_field(name), "attname", name))
        except FieldDoesNotExist:
            names.add(name)
    return sorted(names)


@transaction.atomic
def hot_grid_delete(*, actor, grid, reason=""):
    """Delete a hot grid that has no history: no scheduled patrol and no visit. A grid with either
    is refused (Conflict): its compliance, gaps and dosage are history the indicators are computed
    from, so it is retired instead, by giving it a last active day (``active_to``)."""
    grid = HotGrid.objects.select_for_update().get(pk=grid.pk)
    patrols = ScheduledPatrol.objects.filter(grid=grid).count()
    visits = PatrolVisit.objects.filter(grid=grid).count()
    if patrols or visits:
        _refuse_delete(grid, patrols, visits)
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, obj=grid, reason=reason,
        changes={"windows": [str(w) for w in grid.windows.all()]},
    )  # fmt: skip
    try:
        with transaction.atomic():
            grid.delete()
    except ProtectedError:  # history written since the count above
        _refuse_delete(
            grid,
            ScheduledPatrol.objects.filter(grid=grid).count(),
            PatrolVisit.objects.filter(grid=grid).count(),
        )


def _refuse_delete(grid, patrols, visits):
    held = " and ".join(
        f"{n} {noun}{'s' if n != 1 else ''}"
        for n, noun in ((patrols, "scheduled patrol"), (visits, "visit"))
        if n
    )
    raise Conflict(
        f"Hot grid {grid.code} has {held}: its patrol history cannot be deleted. "
        "Retire the grid instead by setting its last active day (active_to).",
        current_state="has_history",
    )


def _windows_replace(grid, windows, changes, *, regenerate):
    """Make the grid's windows exactly ``windows``: identical ones are kept, others removed or
    added. A removed window's patrols not yet started and not worked on are removed (those already
    started keep their history), and on a change the current period's schedule is made again for
    the added ones. Returns the number of patrols removed."""

    def signature(weekdays, start, end):
        return (tuple(sorted(set(weekdays))), start, end)

    existing = {signature(w.weekdays, w.start_time, w.end_time): w for w in grid.windows.all()}
    wanted = {}
    for window in windows:
        item = PatrolWindow(grid=grid, **window)
        item.full_clean()
        key = signature(item.weekdays, item.start_time, item.end_time)
        if key in wanted:
            raise ValidationError({"windows": f"The window {item} is given twice."})
        wanted[key] = item
    removed = [w for key, w in existing.items() if key not in wanted]
    added = [w for key, w in wanted.items() if key not in existing]
    if not (removed or added):
        return 0
    count = patrols_of_windows_remove(grid, removed)
    for window in removed:
        window.delete()
    for window in added:
        window.save()
    changes["windows"] = [[str(w) for w in removed], [str(w) for w in added]]
    if regenerate:
        patrol_schedule_for()
        count += orphans_relink(grid, added)
    return count


def _refuse_arm_change_in_started_trial(stored, grid):
    """Once an operation's trial has started its arms are locked: no grid joins it with an arm,
    changes arm in it, or leaves it with one (the way round the lock through another operation)."""
    old_operation, old_arm = (stored["operation_id"], stored["trial_arm"]) if stored else (None, "")
    new_operation, new_arm = grid.operation_id, grid.trial_arm
    if old_operation == new_operation:
        touched = [new_operation] if old_arm != new_arm else []
    else:
        touched = [op for op, arm in ((old_operation, old_arm), (new_operation, new_arm)) if arm]
    for trial in PatrolTrial.objects.filter(operation_id__in=[op for op in touched if op]):
        if trial.has_started():
            raise Conflict(
                f"The {trial.operation} trial started on {trial.starts_on}: its arms are locked.",
                current_state="started",
            )
