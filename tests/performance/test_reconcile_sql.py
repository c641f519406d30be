"""On PostgreSQL the full reconcile runs set-based in the database (``performance.reconcile_sql``).
The value-by-value Python reconcile is its oracle: on the same data both must give the same report,
and a repair by either must store the same values."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import TestCase

from operations.models import Area, CrimeRecord, OffenceGroup
from operations.roles import Role
from performance.dirty import rolling_windows_open
from performance.models import Indicator, IndicatorValue
from performance.reconcile import indicators_reconcile, python_reconcile
from performance.reconcile_differences import Differences
from performance.reconcile_sql import _quantize, sql_reconcile
from tasking.services import patrol_schedule_generate, period_for_day
from tests.conftest import make_user

from .conftest import (
    BW_LSOA,
    SH_LSOA,
    UNKNOWN_LSOA,
    Desk,
    grid_make,
    import_crimes,
    local,
    police_uk_row,
    snapshot,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Moments on the edges of periods: a Sunday night and the Monday after, the last evening of a
# financial year and just after midnight into the next (in summer time, so 23:30 UTC the day
# before), New Year's Eve and Day, the clocks going forward.
MOMENTS = [
    local(2025, 12, 31, 23, 50), local(2026, 1, 1, 0, 10), local(2026, 3, 29, 0, 30),
    local(2026, 3, 29, 23, 30), local(2026, 3, 30, 8, 0), local(2026, 3, 31, 22, 0),
    local(2026, 4, 1, 0, 30), local(2026, 4, 6, 12, 0),
]  # fmt: skip


@pytest.fixture(scope="module")
def history(perf_reference, django_db_blocker):
    """Activity of every calculator family, drained as events arrive: missions (completed with
    outcomes of every kind, not completed, carried over, cancelled) with and without an
    operation, patrols scheduled and visited, and recorded crime of several months including
    anti-social behaviour, unmapped and unlocated crimes and crimes of child offence groups.
    Made once per module in a savepoint held open for it; each test's changes are rolled back."""
    with django_db_blocker.unblock(), time_machine.travel(MOMENTS[0], tick=False) as clock:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            _history(Desk(make_user(get_user_model(), "reconciler", Role.SUPERVISOR)), clock)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _history(desk, clock):
    clock.move_to(MOMENTS[0] - timedelta(days=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        grids = [
            grid_make(desk.actor, "HG-R1", area="BE", operation="VIBRANT", index=1),
            grid_make(desk.actor, "HG-R2", area="SH", index=2, start="23:00", end="23:59"),
        ]
    for n, moment in enumerate(MOMENTS):
        clock.move_to(moment)
        with TestCase.captureOnCommitCallbacks(execute=True):
            _missions(desk, n, clock, moment)
        day = moment.date()
        clock.move_to(local(day.year, day.month, day.day, 9, 0))
        with TestCase.captureOnCommitCallbacks(execute=True):
            patrol_schedule_generate(period=period_for_day(day))
        clock.move_to(local(day.year, day.month, day.day, 9, 0) + timedelta(days=1))
        with TestCase.captureOnCommitCallbacks(execute=True):
            visit_log(desk.actor, grids[n % 2], local(day.year, day.month, day.day, 18, 7 * n), 5 + 4 * n)
            visit_log(desk.actor, grids[1], local(day.year, day.month, day.day, 23, 5), 15)
    clock.move_to(MOMENTS[-1] + timedelta(days=40))
    with TestCase.captureOnCommitCallbacks(execute=True):
        for month in ("2025-12", "2026-03", "2026-04"):
            import_crimes(
                police_uk_row(month, "Burglary", outcome="Offender fined"),
                police_uk_row(month, "Burglary", lsoa=SH_LSOA),
                police_uk_row(month, "Robbery", lsoa=UNKNOWN_LSOA),
                police_uk_row(month, "Vehicle crime", lsoa="", lon="", lat=""),
                police_uk_row(month, "Violence and sexual offences", outcome="Local resolution"),
                police_uk_row(month, "Anti-social behaviour", outcome=""),
                police_uk_row(month, "Possession of weapons", lsoa=BW_LSOA),
            )
        _child_group_crimes()
        # Each month's turn opened its rolling window (the scheduled task): run for each turn the
        # history crossed, over the months as they now stand.
        for month in range(1, 6):
            rolling_windows_open(today=date(2026, month, 1))


def _missions(desk, n, clock, moment):
    operation = "VIBRANT" if n % 2 else None
    area = ["BE", "SH", "BW"][n % 3]
    desk.complete(area=area, operation=operation, arrests=n + 1, cash_gbp=Decimal("12.34") * n)
    desk.complete(area="CV", kind="curfew_check", result="curfew_breached" if n % 2 else "curfew_complied")
    desk.complete(area=area, kind="warrant_drugs", result="warrant_finds", firearms=n % 2 + 1)
    desk.complete(area="SH", operation="CAPTIVA", kind="warrant_firearms", result="warrant_no_finds")
    desk.complete(area=area, kind="forensic_arrest", request={"forensic_hit": "dna"})
    failed = desk.mission(area=area, operation=operation)
    desk.allocate(failed)
    desk.not_complete(failed)
    if n % 3 == 0:  # carried over to the next day and done there
        clock.move_to(moment + timedelta(days=1))
        desk.allocate(failed, period=period_for_day((moment + timedelta(days=1)).date()))
        desk.start(failed)
        desk.outcome(failed, arrests=2)
    cancelled = desk.mission(area="WS")
    desk.allocate(cancelled)
    desk.cancel(cancelled)
    desk.mission(area="DY")  # still pending


def _child_group_crimes():
    """Crimes recorded under child groups count for their parent group's indicators."""
    template = CrimeRecord.objects.order_by("pk").first()
    for n, code in enumerate(["residential-burglary", "knife-crime", "firearms-offences"]):
        template.pk, template.key = None, f"child-{code}"
        template.offence_group = OffenceGroup.objects.get(code=code)
        template.month, template.line = date(2026, 3 + n % 2, 1), 900 + n
        template.area = Area.objects.get(code="BW")
        template.save()


def test_rounding_to_four_places_in_the_database_is_decimal_quantize_half_to_even(db):
    """Context.finish rounds a numerator with ``Decimal.quantize`` (half to even); sums of today's
    source columns never have more than 4 places, but a calculator's may one day."""
    numbers = [Decimal(text) for text in (
        "2", "-3.5", "2.00005", "2.00015", "-2.00005", "-2.00015", "1.23456", "0.00004999",
        "7.123450001", "-7.12345", "9999.99995", "0.000050", "12.3400",
    )]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_quantize('x')} FROM unnest(%s::numeric[]) WITH ORDINALITY AS t (x, n) ORDER BY n",  # noqa: S608
            [numbers],
        )
        rounded = [row[0] for row in cursor.fetchall()]
    assert rounded == [number.quantize(Decimal("0.0001")) for number in numbers]
    assert rounded[2:6] == [Decimal("2.0000"), Decimal("2.0002"), Decimal("-2.0000"), Decimal("-2.0002")]


def reports(repair=False):
    return sql_reconcile(repair=repair), python_reconcile(repair=repair)


def test_on_postgresql_the_reconcile_runs_in_the_database_and_finds_the_drained_values_right(history):
    report = indicators_reconcile(repair=False)
    assert isinstance(report["differences"], Differences)
    assert report == python_reconcile(repair=False)
    assert report["differences"] == [] and report["checked"] > 4000


def test_every_family_computed_from_nothing_is_reported_as_the_python_reconcile_reports_it(history):
    IndicatorValue.objects.all().delete()
    in_database, in_python = reports()
    assert in_database == in_python
    kinds = {key[0] for key, _, _ in in_database["differences"]}
    assert kinds == {"day", "week", "month", "quarter", "year", "financial_year", "rolling_12"}
    families = {key[1] for key, _, _ in in_database["differences"]}
    codes = set(Indicator.objects.filter(pk__in=families).values_list("code", flat=True))
    assert {"missions_completed", "mission_arrests", "patrol_compliance", "patrol_dosage"} <= codes
    assert {"burglary", "crime_rate", "harm_weighted_crime", "positive_outcome_rate"} <= codes
    assert all(found is None and expected is not None for _, found, expected in in_database["differences"])


def test_a_repair_from_nothing_stores_exactly_what_the_python_repair_stores(history):
    drained = snapshot()
    IndicatorValue.objects.all().delete()
    with transaction.atomic():
        python_reconcile(repair=True)
        by_python = snapshot()
        transaction.set_rollback(True)
    report = sql_reconcile(repair=True)
    assert report["repaired"] and len(report["differences"]) == len(by_python) > 1000
    assert snapshot() == by_python
    assert all(drained[key] == stored for key, stored in by_python.items())  # what the drain stored
    assert reports() == ({"checked": report["checked"], "differences": [], "repaired": False},) * 2


# --- corruption ---------------------------------------------------------------------------------


def value(code, area, kind, **filters):
    return IndicatorValue.objects.filter(
        indicator__code=code, area__code=area, period_kind=kind, operation_key=0, **filters
    ).order_by("period_start")[0]


def corrupt():
    """A wrong number, a wrong denominator, a missing value, stray values (one of them empty, so
    not a difference), and a value of an active indicator whose calculator is gone."""
    wrong = value("mission_arrests", "BE", "month")
    wrong.numerator = Decimal(99)
    wrong.save()
    rate = value("curfew_breach_rate", "CV", "week")
    rate.denominator += 1
    rate.save()
    missing = value("recorded_crime", "BW", "quarter")
    missing.delete()
    stray = value("mission_arrests", "BE", "day")
    stray.pk, stray.area = None, Area.objects.get(code="DY")
    stray.save()
    empty = value("missions_completed", "BE", "day")
    empty.pk, empty.area, empty.numerator = None, Area.objects.get(code="SW"), Decimal(0)
    empty.save()
    rate_stray = value("crime_rate", "BW", "month")
    rate_stray.pk, rate_stray.area = None, Area.objects.get(code="WS")
    rate_stray.save()
    retired = Indicator.objects.create(code="retired", name="Retired", calculator="gone")
    IndicatorValue.objects.create(
        indicator=retired, area=Area.objects.get(code="BE"), period_kind="day",
        period_start=date(2026, 1, 1), numerator=Decimal(3), value=Decimal(3),
    )  # fmt: skip
    return {
        "wrong": (wrong, (Decimal(99), None)),
        "denominator": (rate, (rate.numerator, rate.denominator)),
        "missing": (missing, None),
        "stray": (stray, (stray.numerator, None)),
        "rate stray": (rate_stray, (rate_stray.numerator, rate_stray.denominator)),
        "retired": (IndicatorValue.objects.get(indicator=retired), (Decimal(3), None)),
    }


def key_of(row):
    return (row.period_kind, row.indicator_id, row.area_id, row.operation_key, row.period_start)


def snapshot_key(row):
    return (row.indicator_id, row.area_id, row.operation_key, row.period_kind, row.period_start)


def test_each_corrupted_value_is_reported_as_the_python_reconcile_reports_it_and_repaired(history):
    drained = snapshot()
    corrupted = corrupt()
    in_database, in_python = reports()
    assert in_database == in_python
    found = {key: stored for key, stored, _ in in_database["differences"]}
    assert found == {key_of(row): stored for row, stored in corrupted.values()}
    expected = {key: want for key, _, want in in_database["differences"]}
    assert expected[key_of(corrupted["wrong"][0])] == (drained[snapshot_key(corrupted["wrong"][0])][1], None)
    assert expected[key_of(corrupted["missing"][0])] is not None
    assert expected[key_of(corrupted["stray"][0])] is None

    with transaction.atomic():  # what the Python repair stores …
        python_reconcile(repair=True)
        by_python = snapshot()
        transaction.set_rollback(True)
    report = sql_reconcile(repair=True)  # … the database repair stores too
    assert report["repaired"] and report["differences"] == in_python["differences"]
    assert snapshot() == by_python
    assert reports() == ({"checked": in_python["checked"], "differences": [], "repaired": False},) * 2
    ws = Area.objects.get(code="WS")
    zeroed = IndicatorValue.objects.get(pk=corrupted["rate stray"][0].pk)
    assert (zeroed.numerator, zeroed.denominator, zeroed.value) == (0, ws.population, 0)
    assert IndicatorValue.objects.get(pk=corrupted["stray"][0].pk).numerator == 0
