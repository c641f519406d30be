"""Missions, their life cycle history, and their outcomes."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from operations.dates import validate_in_range

from .requests import ARREST_KINDS, WARRANT_KINDS, RequestKind


class Mission(models.Model):
    """An approved request allocated to a resource for a tasking period."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending allocation"
        ALLOCATED = "allocated", "Allocated"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        NOT_COMPLETED = "not_completed", "Not completed"
        CANCELLED = "cancelled", "Cancelled"

    # The life cycle: which states each state may move to.
    TRANSITIONS = {
        State.PENDING: {State.ALLOCATED, State.CANCELLED},
        State.ALLOCATED: {State.ALLOCATED, State.IN_PROGRESS, State.NOT_COMPLETED, State.CANCELLED},
        State.IN_PROGRESS: {State.COMPLETED, State.NOT_COMPLETED, State.CANCELLED},
        State.NOT_COMPLETED: {State.ALLOCATED, State.CANCELLED},
        State.COMPLETED: set(),
        State.CANCELLED: set(),
    }
    OPEN_STATES = {State.PENDING, State.ALLOCATED, State.IN_PROGRESS, State.NOT_COMPLETED}
    # States that use a place in a resource's capacity for the mission's period.
    CAPACITY_STATES = {State.ALLOCATED, State.IN_PROGRESS, State.COMPLETED, State.NOT_COMPLETED}

    request = models.OneToOneField("tasking.Request", on_delete=models.PROTECT, related_name="mission")
    # Copied from the request so that mission lists and indicators filter without a join.
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    area = models.ForeignKey("operations.Area", on_delete=models.PROTECT, related_name="missions")
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.PROTECT, related_name="missions"
    )
    due_by = models.DateTimeField(null=True, blank=True)
    resource = models.ForeignKey(
        "operations.Resource", null=True, blank=True, on_delete=models.PROTECT, related_name="missions"
    )
    # No index of their own: period leads the (period, resource, …) indexes below and state the
    # (state, due_by) one, which serve each alone too.
    period = models.ForeignKey(
        "tasking.TaskingPeriod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="missions",
        db_index=False,
    )
    state = models.CharField(max_length=14, choices=State.choices, default=State.PENDING)
    version = models.PositiveIntegerField(
        default=1, help_text="Optimistic concurrency: bumped on each change."
    )
    carry_overs = models.PositiveSmallIntegerField(default=0)
    state_reason = models.TextField(blank=True, help_text="Why it was not completed or cancelled.")
    created_at = models.DateTimeField(default=timezone.now)
    allocated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["period", "resource", "state"], name="mission_capacity_idx"),
            # The TRM agenda lists each resource's first missions of a period by id, reading only those.
            models.Index(fields=["period", "resource", "id"], name="mission_period_resource_idx"),
            models.Index(fields=["state", "due_by"], name="mission_deadline_idx"),
            # Plain indexes, not ``db_index``: that adds a second, pattern-matching index to a
            # text column, and every outcome's update writes each index of its mission.
            models.Index(fields=["kind"], name="mission_kind_idx"),
            # The TRM agenda walks periods for the missions still awaiting a decision.
            models.Index(
                fields=["period", "due_by", "id"],
                condition=Q(state="not_completed"),
                name="mission_not_completed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="pending")
                | Q(state="cancelled")
                | Q(resource__isnull=False, period__isnull=False),
                name="mission_allocated_has_resource_and_period",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def reference(self):
        return f"M-{self.pk:06d}" if self.pk else "M-new"

    def allowed_transitions(self):
        return sorted(self.TRANSITIONS[self.State(self.state)])

    def can_move_to(self, state):
        return state in self.TRANSITIONS[self.State(self.state)]


class MissionCoordinates(models.Model):
    """The mission's NPU, operation and kind, copied onto the rows indicators count (transitions,
    outcomes): one NPU's rows of a day are then a range of an (area, date) index on the row's own
    table, with no join to the missions. Only correcting the request's NPU changes them, together
    (``request_area_correct``)."""

    # Indexed by each table's (area, date) index, which leads with it.
    area = models.ForeignKey("operations.Area", on_delete=models.PROTECT, related_name="+", db_index=False)
    operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mission_kind = models.CharField(max_length=20, choices=RequestKind.choices)

    class Meta:
        abstract = True

    @classmethod
    def of(cls, mission, **fields):
        """A row of ``mission`` carrying its NPU, operation and kind."""
        return cls(
            mission=mission, area_id=mission.area_id, operation_id=mission.operation_id,
            mission_kind=mission.kind, **fields,
        )  # fmt: skip


class MissionTransition(MissionCoordinates):
    """One step of a mission's life: who moved it, when, from where to where, and why."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=14, blank=True)
    to_state = models.CharField(max_length=14)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # Indicators recompute one day of transitions at a time, counting them by area, operation
        # and states: this index holds every column that count reads, so on a busy day it is
        # answered from the index alone instead of one table row per transition.
        indexes = [
            models.Index(
                fields=["at", "area", "operation", "to_state", "from_state", "id"],
                name="mission_transition_day_idx",
            ),
            models.Index(fields=["area", "at"], name="mission_transition_area_at_idx"),
        ]

    def __str__(self):
        return f"{self.mission.reference}: {self.from_state or '—'} → {self.to_state}"


class Outcome(MissionCoordinates):
    """What happened when a mission was carried out, with what was found."""

    class Result(models.TextChoices):
        ARRESTED = "arrested", "Arrest made"
        NOT_FOUND = "not_found", "No trace"
        WARRANT_FINDS = "warrant_finds", "Warrant executed – finds"
        WARRANT_NO_FINDS = "warrant_no_finds", "Warrant executed – no finds"
        CURFEW_COMPLIED = "curfew_complied", "Curfew complied"
        CURFEW_BREACHED = "curfew_breached", "Curfew breached"
        ABORTED = "aborted", "Aborted"

    FIND_FIELDS = [
        "firearms", "ammunition_rounds", "knives_weapons", "drugs_class_a_grams",
        "drugs_class_b_grams", "drugs_class_c_grams", "cash_gbp", "vehicles",
    ]  # fmt: skip

    mission = models.OneToOneField(Mission, on_delete=models.PROTECT, related_name="outcome")
    result = models.CharField(max_length=18, choices=Result.choices)
    # The most one outcome records of each count: far above any one warrant's finds, far below
    # the columns' limits, so that a slip of extra digits is refused where it is typed.
    arrests = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    firearms = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(1_000)])
    ammunition_rounds = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(100_000)])
    knives_weapons = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(1_000)])
    drugs_class_a_grams = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    drugs_class_b_grams = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    drugs_class_c_grams = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    cash_gbp = models.DecimalField("cash (£)", max_digits=12, decimal_places=2, default=0)
    vehicles = models.PositiveSmallIntegerField(
        "vehicles or parts", default=0, validators=[MaxValueValidator(1_000)]
    )
    other_finds = models.TextField(blank=True)
    home_office_outcome = models.ForeignKey(
        "operations.OutcomeType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(default=timezone.now, db_index=True, validators=[validate_in_range])
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-completed_at"]
        indexes = [
            models.Index(fields=["area", "completed_at"], name="outcome_area_completed_idx"),
            models.Index(fields=["result"], name="outcome_result_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(drugs_class_a_grams__gte=0)
                & Q(drugs_class_b_grams__gte=0)
                & Q(drugs_class_c_grams__gte=0)
                & Q(cash_gbp__gte=0),
                name="outcome_finds_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.mission.reference}: {self.get_result_display()}"

    @property
    def finds(self):
        """What was found, one phrase a kind (``_finds.html``), only the kinds found."""
        from django.template.defaultfilters import floatformat

        def counted(n, one, many):
            return f"{n} {one if n == 1 else many}"

        phrases = [
            self.arrests and counted(self.arrests, "arrest", "arrests"),
            self.firearms and counted(self.firearms, "firearm", "firearms"),
            self.ammunition_rounds and f"{self.ammunition_rounds} rounds",
            self.knives_weapons and f"{self.knives_weapons} knives/weapons",
            self.drugs_class_a_grams and f"Class A {floatformat(self.drugs_class_a_grams, '-2')} g",
            self.drugs_class_b_grams and f"Class B {floatformat(self.drugs_class_b_grams, '-2')} g",
            self.drugs_class_c_grams and f"Class C {floatformat(self.drugs_class_c_grams, '-2')} g",
            self.cash_gbp and f"£{floatformat(self.cash_gbp, '-2')} cash",
            self.vehicles and counted(self.vehicles, "vehicle/parts", "vehicles/parts"),
            self.other_finds.strip(),
        ]
        return [phrase for phrase in phrases if phrase]

    @property
    def has_finds(self):
        return any(getattr(self, name) for name in self.FIND_FIELDS) or bool(self.other_finds.strip())

    @classmethod
    def kind_problem(cls, result, kind):
        """Why ``result`` cannot end a mission of ``kind``, or None when it can."""
        curfew = {cls.Result.CURFEW_COMPLIED, cls.Result.CURFEW_BREACHED}
        warrant = {cls.Result.WARRANT_FINDS, cls.Result.WARRANT_NO_FINDS}
        problem = None
        if result in curfew and kind != RequestKind.CURFEW_CHECK:
            problem = "Curfew results are only for curfew checks."
        elif kind == RequestKind.CURFEW_CHECK and result not in curfew | {cls.Result.ABORTED}:
            problem = "A curfew check ends complied, breached or aborted."
        if result in warrant and kind not in WARRANT_KINDS:
            problem = "Warrant results are only for warrant missions."
        return problem

    @classmethod
    def kinds_for(cls, result):
        """The mission kinds ``result`` can end (``kind_problem`` is None for each)."""
        return [kind for kind in RequestKind.values if cls.kind_problem(result, kind) is None]

    def own_problems(self):
        """{field: message} for the rules the outcome keeps whatever its mission: the result, the
        counts, the finds and the time (not yet the mission's kind or its request's receipt)."""
        errors = {}
        if self.result == self.Result.ARRESTED and self.arrests < 1:
            errors["arrests"] = "An arrest outcome needs at least one arrest."
        if self.result == self.Result.WARRANT_FINDS and not self.has_finds:
            errors["result"] = "Record what was found, or use 'Warrant executed – no finds'."
        if self.result == self.Result.WARRANT_NO_FINDS and self.has_finds:
            errors["result"] = "Finds are recorded: use 'Warrant executed – finds'."
        if self.completed_at and self.completed_at > timezone.now() + timedelta(minutes=5):
            errors["completed_at"] = "Cannot be in the future."
        # The check constraint "outcome_finds_not_negative", said here per field and without a
        # query: the services validate with validate_constraints=False.
        for name in ("drugs_class_a_grams", "drugs_class_b_grams", "drugs_class_c_grams", "cash_gbp"):
            if (getattr(self, name) or 0) < 0:
                errors[name] = "Cannot be negative."
        return errors

    def clean(self):
        errors = {}
        problem = self.kind_problem(self.result, self.mission.kind)
        if problem:
            errors["result"] = problem
        own = self.own_problems()
        completed_at = own.pop("completed_at", None)
        errors.update(own)  # a finds rule outranks the kind rule on "result"
        # Nor before the request that asked for it: a slip of the year would otherwise rewrite a
        # closed (perhaps published) period's figures. To the minute, as the forms give times.
        received = self.mission.request.received_at if self.mission.request_id else None
        if self.completed_at and received and self.completed_at < received.replace(second=0, microsecond=0):
            completed_at = (
                f"Cannot be before the request was received ({timezone.localtime(received):%d %b %Y %H:%M})."
            )
        if completed_at:
            errors["completed_at"] = completed_at
        if errors:
            raise ValidationError(errors)


__all__ = ["ARREST_KINDS", "Mission", "MissionTransition", "Outcome"]
