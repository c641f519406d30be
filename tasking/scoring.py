"""The priority score's arithmetic, in Python for one request and as a database expression for a
list. Both count in whole hundredths of a point with the same integer rounding, so a list ordered
by the expression and a page that computes one request's score show the same number.

A request awaiting assessment is scored as of the moment it is read: its time to the deadline,
the offence group's harm weight and the tactical priorities in force that day are those of now, not
of when it was logged. An assessed request keeps the score its assessment stored."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.fields import DateField
from django.db.models.functions import Cast, Coalesce, Greatest, Least, Round
from django.utils import timezone

# Weights of the priority score (0–100). Threat, risk and harm dominate; the offence group's harm
# weight, alignment with the FTDB's tactical priorities and the time left to the deadline adjust.
TRH_POINTS = Decimal(50)
HARM_WEIGHT_POINTS = Decimal(20)
HARM_WEIGHT_FULL = Decimal(500)  # a harm weight at or above this earns the full points
ALIGNMENT_POINTS = Decimal(15)
URGENCY_POINTS = Decimal(15)
URGENCY_HORIZON_HOURS = Decimal(72)
GRADE_THRESHOLDS = [(Decimal(70), "P1"), (Decimal(50), "P2"), (Decimal(30), "P3")]
PROVISIONAL_SCORES = [3, 3, 3]  # threat, risk and harm until the assessor scores them
TWO = Decimal("0.01")

# The same weights in hundredths of a point, and the horizon in seconds, for integer arithmetic.
HARM_CENTS, HARM_FULL_CENTS = int(HARM_WEIGHT_POINTS * 100), int(HARM_WEIGHT_FULL * 100)
ALIGNMENT_CENTS, URGENCY_CENTS = int(ALIGNMENT_POINTS * 100), int(URGENCY_POINTS * 100)
HORIZON_SECONDS = int(URGENCY_HORIZON_HOURS * 3600)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def trh_points(scores):
    return (Decimal(sum(scores)) / Decimal(15) * TRH_POINTS).quantize(TWO, ROUND_HALF_UP)


PROVISIONAL_TRH_CENTS = int(trh_points(PROVISIONAL_SCORES) * 100)


def points(cents):
    """Hundredths of a point as the two-place Decimal the score is shown and stored as."""
    return Decimal(cents).scaleb(-2).quantize(TWO)


def grade_for(score):
    return next((grade for threshold, grade in GRADE_THRESHOLDS if score >= threshold), "P4")


def epoch_seconds(moment):
    """Whole seconds from 1970 to ``moment`` (its fraction of a second dropped)."""
    return (moment - EPOCH) // timedelta(seconds=1)


def deadline_cents(seconds_left):
    """Hundredths of the deadline points for ``seconds_left`` before it: none from the horizon (72 h)
    out, rising evenly to the full points at the deadline and after it; rounded half up."""
    remaining = min(max(seconds_left, 0), HORIZON_SECONDS)
    return ((HORIZON_SECONDS - remaining) * 2 * URGENCY_CENTS + HORIZON_SECONDS) // (2 * HORIZON_SECONDS)


def harm_cents(weight):
    """Hundredths of the harm-weight points for an offence group's weight (two decimal places)."""
    weight_cents = min(int((weight * 100).to_integral_value(ROUND_HALF_UP)), HARM_FULL_CENTS)
    return (weight_cents * 2 * HARM_CENTS + HARM_FULL_CENTS) // (2 * HARM_FULL_CENTS)


# -- the same as database expressions (SQLite and PostgreSQL) ------------------------------------


class EpochSeconds(Func):
    """Whole seconds from 1970 to a date-time column, its fraction of a second dropped.

    SQLite keeps a date-time as UTC text ("2026-06-10 17:00:00.250000"): its first 19 characters
    are the whole second. PostgreSQL truncates to the second and extracts the epoch."""

    arity = 1
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # "%%%%s": the template is %-formatted, then the backend turns "%%" into "%".
        template = "CAST(STRFTIME('%%%%s', SUBSTR(%(expressions)s, 1, 19)) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "CAST(EXTRACT(EPOCH FROM DATE_TRUNC('second', %(expressions)s)) AS BIGINT)"
        return self.as_sql(compiler, connection, template=template, **extra)


class _AtQueryTime(Expression):
    """A value taken from the clock when the query is compiled, not when it is built: a queryset
    kept for later (a view's class attribute) still reads the time of each request it serves."""

    def __init__(self, at=None, output_field=None):
        super().__init__(output_field=output_field)
        self.at = at

    def value(self, now, connection):
        raise NotImplementedError

    def as_sql(self, compiler, connection):
        return "%s", [self.value(self.at or timezone.now(), connection)]


class NowSeconds(_AtQueryTime):
    def __init__(self, at=None):
        super().__init__(at, output_field=IntegerField())

    def value(self, now, connection):
        return epoch_seconds(now)


class Today(_AtQueryTime):
    """The local (London) date."""

    def __init__(self, at=None):
        super().__init__(at, output_field=DateField())

    def value(self, now, connection):
        return connection.ops.adapt_datefield_value(timezone.localdate(now))


def _int(number):
    return Value(number, output_field=IntegerField())


def deadline_cents_sql(at=None):
    seconds_left = EpochSeconds("due_by") - NowSeconds(at)
    remaining = Least(Greatest(seconds_left, _int(0)), _int(HORIZON_SECONDS))
    rounded = ((_int(HORIZON_SECONDS) - remaining) * _int(2 * URGENCY_CENTS) + _int(HORIZON_SECONDS)) / _int(
        2 * HORIZON_SECONDS
    )
    return Case(When(due_by__isnull=True, then=_int(0)), default=rounded, output_field=IntegerField())


def harm_cents_sql():
    weight = Coalesce(F("offence_group__harm_weight"), Value(Decimal(0)))
    weight_cents = Least(Cast(Round(weight * Value(100)), IntegerField()), _int(HARM_FULL_CENTS))
    return (weight_cents * _int(2 * HARM_CENTS) + _int(HARM_FULL_CENTS)) / _int(2 * HARM_FULL_CENTS)


def alignment_cents_sql(at=None):
    """The alignment points where a tactical priority in force today names the request's offence
    group (or its parent), force-wide or for the request's NPU."""
    from operations.models import TacticalPriority

    day = Today(at)
    in_force = TacticalPriority.objects.filter(
        Q(effective_from__isnull=True) | Q(effective_from__lte=day),
        Q(effective_to__isnull=True) | Q(effective_to__gte=day),
    )
    matching = in_force.filter(
        Q(offence_groups=OuterRef("offence_group")) | Q(offence_groups=OuterRef("offence_group__parent"))
    ).filter(Q(areas__isnull=True) | Q(areas=OuterRef("area")))
    return Case(
        When(Exists(matching), then=_int(ALIGNMENT_CENTS)), default=_int(0), output_field=IntegerField()
    )


def score_cents_sql(at=None):
    """The score in hundredths: for a request awaiting assessment its provisional score as of now
    (or ``at``), for any other the score its assessment stored."""
    provisional = (
        _int(PROVISIONAL_TRH_CENTS) + harm_cents_sql() + alignment_cents_sql(at) + deadline_cents_sql(at)
    )
    stored = Cast(Round(F("priority_score") * Value(100)), IntegerField())
    return Case(When(state="received", then=provisional), default=stored, output_field=IntegerField())


def grade_cents_range(grade):
    """(low, high) in hundredths of the scores graded ``grade``: low inclusive, high exclusive,
    None where there is no bound; None for a grade that does not exist."""
    grades = [grade for _, grade in GRADE_THRESHOLDS] + ["P4"]
    if grade not in grades:
        return None
    cents = [int(threshold * 100) for threshold, _ in GRADE_THRESHOLDS]
    index = grades.index(grade)
    return ([*cents, None][index], [None, *cents][index])
