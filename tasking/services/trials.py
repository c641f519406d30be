"""Randomised deployment: assigning an operation's hot grids to treatment or control."""

import random
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.audit import audit_record
from operations.exceptions import Conflict
from operations.models import AuditEntry

from ..models import HotGrid, PatrolTrial
from .grid_schedule import day_start, patrols_remove, unworked_patrols
from .patrols import grid_patrols_schedule_now


def _assign(grids, seed, stratum):
    """Half of a stratum's grids to each arm; with an odd count the seed decides the extra one."""
    rng = random.Random(f"{seed}:{stratum}")  # noqa: S311 — reproducible assignment, not secrecy
    shuffled = sorted(grids, key=lambda grid: grid.code)
    rng.shuffle(shuffled)
    treated = len(shuffled) // 2 + (len(shuffled) % 2 if rng.random() < 0.5 else 0)
    return {
        grid.pk: HotGrid.Arm.TREATMENT if i < treated else HotGrid.Arm.CONTROL
        for i, grid in enumerate(shuffled)
    }


def hot_grids_randomise(*, actor, operation, seed, starts_on=None, today=None):
    """Assign ``operation``'s active grids to arms, stratified by NPU, reproducibly from ``seed``.

    The trial starts on ``starts_on`` (default: today), which may not be before today: patrols
    made before the randomisation were not assigned by it, and counting them in an arm would bias
    the read-out. ``today`` is the day the randomisation is made (default: the local date; the
    demo data, built as history, randomises as of its first day). Once the trial has started the
    assignment is locked: the refusal itself is audited.
    """
    today = today or timezone.localdate()
    if starts_on is not None and starts_on < today:
        raise ValidationError(
            {
                "starts_on": (
                    f"The trial cannot start on {starts_on:%d %b %Y}, before it is randomised "
                    f"({today:%d %b %Y}): patrols already made were not assigned to an arm by it. "
                    "Choose today or a later day."
                )
            }
        )
    trial = PatrolTrial.objects.filter(operation=operation).first()
    if trial is not None and trial.has_started(today):
        audit_record(
            actor=actor, action=AuditEntry.Action.REFUSED, obj=trial,
            changes={"seed": [trial.seed, seed]},
            reason=f"re-randomisation refused: the trial started on {trial.starts_on}",
        )  # fmt: skip
        raise Conflict(
            f"The {operation} trial started on {trial.starts_on}; its assignment cannot be changed.",
            current_state="started",
        )
    return _randomise(actor=actor, operation=operation, seed=seed, starts_on=starts_on or today)


def active_on(day):
    """Grids active on local date ``day``: the ones a trial starting that day randomises."""
    return Q(active_from__lte=day) & (Q(active_to__isnull=True) | Q(active_to__gte=day))


@transaction.atomic
def _randomise(*, actor, operation, seed, starts_on):
    """Grids active on the start day are assigned; others of the operation (retired before it, or
    not yet active) are left out of both arms. A grid put in control loses its patrols from the
    start on that nobody has worked on (no compliant visit, no cover request): control is business
    as usual, and a patrol left on it would count as a gap in the control arm's read-out. A grid
    taken out of control (a re-randomisation before the start) gets the current period's patrols
    at once, not at the schedule's next run."""
    grids = list(
        HotGrid.objects.filter(active_on(starts_on), operation=operation)
        .select_related("area")
        .order_by("code")
    )
    if not grids:
        raise Conflict(f"{operation} has no hot grids active on {starts_on:%d %b %Y} to randomise.")
    strata = defaultdict(list)
    for grid in grids:
        strata[grid.area.code].append(grid)
    arms = {}
    for stratum, members in sorted(strata.items()):
        arms.update(_assign(members, seed, stratum))
    outside = HotGrid.objects.filter(operation=operation).exclude(pk__in=arms).exclude(trial_arm="")
    for grid in [*grids, *outside]:
        arm = arms.get(grid.pk, "")
        changes = {}
        left_control = grid.trial_arm == HotGrid.Arm.CONTROL and arm != HotGrid.Arm.CONTROL
        if grid.trial_arm != arm:
            changes["trial_arm"] = [grid.trial_arm, arm]
            grid.trial_arm = arm
            grid.save(update_fields=["trial_arm"])
        if arm == HotGrid.Arm.CONTROL:
            removed = patrols_remove(unworked_patrols(grid=grid, starts_at__gte=day_start(starts_on)))
            if removed:
                changes["scheduled_patrols_removed"] = removed
        elif left_control:
            added = grid_patrols_schedule_now(grid)
            if added:
                changes["scheduled_patrols_added"] = added
        if changes:
            audit_record(
                actor=actor, action=AuditEntry.Action.UPDATE, obj=grid, changes=changes,
                reason=f"randomised with seed {seed}",
            )  # fmt: skip
    trial, _ = PatrolTrial.objects.update_or_create(
        operation=operation,
        defaults={
            "seed": seed, "starts_on": starts_on,
            "randomised_by": actor if getattr(actor, "is_authenticated", False) else None,
            "randomised_at": timezone.now(),
        },
    )  # fmt: skip
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, obj=trial, changes={"seed": seed})
    return trial


def trial_balance(operation):
    """Per NPU: grids in each arm, with their share of crime and harm. The grids counted are the
    ones the randomisation assigns: active on the trial's start day (today before any trial)."""
    trial = PatrolTrial.objects.filter(operation=operation).first()
    day = trial.starts_on if trial is not None else timezone.localdate()
    rows = defaultdict(lambda: {"treatment": 0, "control": 0, "unassigned": 0})
    grids = HotGrid.objects.filter(active_on(day), operation=operation)
    for area_code, arm in grids.values_list("area__code", "trial_arm"):
        rows[area_code][arm or "unassigned"] += 1
    return [{"area": code, **counts} for code, counts in sorted(rows.items())]
