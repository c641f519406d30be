"""Hot grids: creating and changing one with its patrol windows, and deleting one that has no
patrol history."""

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import ProtectedError

from operations.audit import audit_record
from operations.events import event_emit
from operations.exceptions import Conflict
from operations.models import AuditEntry

from ..geo import geometry_validate
from ..models import HotGrid, PatrolVisit, PatrolWindow, ScheduledPatrol


@transaction.atomic
def hot_grid_save(*, actor, grid=None, offence_groups=None, windows=None, reason="", **fields):
    """Create or change a hot grid. The geometry is validated (closed rings, no self-intersection,
    inside the force's plausible area); ``windows`` replaces the patrol windows when given, as a
    list of dicts {weekdays, start_time, end_time}."""
    creating = grid is None
    grid = grid or HotGrid()
    changes = {}
    for name, value in fields.items():
        if creating or getattr(grid, name) != value:
            changes[name] = [None if creating else getattr(grid, name), value]
        setattr(grid, name, value)
    geometry = geometry_validate(grid.geometry)
    grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat = geometry.bounds
    if not creating and "trial_arm" in changes:
        _refuse_arm_change_in_started_trial(actor, grid)
    grid.full_clean()
    grid.save()
    if offence_groups is not None:
        grid.offence_groups.set(offence_groups)
    if windows is not None:
        _windows_replace(grid, windows, changes)
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=grid, changes={k: v for k, v in changes.items() if k != "geometry"}, reason=reason,
    )  # fmt: skip
    if changes and not creating:
        # A grid moved to another NPU or operation moves its patrols' and visits' figures too.
        event_emit(
            "reference.changed",
            payload={"model": "tasking.hotgrid", "id": grid.pk, "fields": _attnames(changes)},
            aggregate=grid,
        )
    return grid


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


def _windows_replace(grid, windows, changes):
    """Make the grid's windows exactly ``windows``: identical ones are kept, others removed
    (patrols already scheduled on a removed window keep their history) or added."""

    def signature(weekdays, start, end):
        return (tuple(sorted(weekdays)), start, end)

    existing = {signature(w.weekdays, w.start_time, w.end_time): w for w in grid.windows.all()}
    wanted = []
    for window in windows:
        item = PatrolWindow(grid=grid, **window)
        item.full_clean()
        wanted.append(item)
    keep = {signature(w.weekdays, w.start_time, w.end_time) for w in wanted}
    removed = [w for key, w in existing.items() if key not in keep]
    added = [w for w in wanted if signature(w.weekdays, w.start_time, w.end_time) not in existing]
    for window in removed:
        window.delete()
    for window in added:
        window.save()
    if removed or added:
        changes["windows"] = [[str(w) for w in removed], [str(w) for w in added]]


def _refuse_arm_change_in_started_trial(actor, grid):
    trial = getattr(grid.operation, "trial", None) if grid.operation_id else None
    if trial is not None and trial.has_started():
        raise Conflict(f"The {grid.operation} trial started on {trial.starts_on}: its arms are locked.")
