"""After any storm of events, delivered in any order and more than once, the stored values equal a
recompute from scratch, and on PostgreSQL the database reconcile reports exactly what the Python
one does; a corrupted value is reported and repaired."""

import random
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operations.models import Area
from performance.dirty import indicators_drain
from performance.models import DirtyBucket, IndicatorValue
from performance.reconcile import indicators_reconcile, python_reconcile
from performance.reconcile_sql import sql_reconcile
from tasking.services import patrol_schedule_generate, period_for, period_for_day

from .conftest import (
    BW_LSOA,
    SH_LSOA,
    UNKNOWN_LSOA,
    grid_make,
    import_crimes,
    local,
    police_uk_row,
    visit_log,
)

pytestmark = pytest.mark.django_db

START = local(2026, 1, 5, 0, 0)  # the storm happens within the 60 days from here
OUTCOMES = {
    "npu_arrest": ["arrested", "not_found"],
    "forensic_arrest": ["arrested", "not_found"],
    "curfew_check": ["curfew_complied", "curfew_breached"],
    "warrant_drugs": ["warrant_finds", "warrant_no_finds"],
}
ENDINGS = ["outcome", "outcome", "not_complete", "carry_over", "cancel", "pending"]
CRIME_TYPES = [
    "Burglary",
    "Robbery",
    "Vehicle crime",
    "Anti-social behaviour",
    "Violence and sexual offences",
]
PLACES = [BW_LSOA, SH_LSOA, UNKNOWN_LSOA, ""]  # "" = no location at all

moments = st.tuples(st.integers(0, 59), st.integers(8, 20), st.integers(0, 59))
missions = st.tuples(
    st.just("mission"), moments, st.sampled_from(["BE", "BW", "SH"]), st.sampled_from([None, "VIBRANT"]),
    st.sampled_from(sorted(OUTCOMES)), st.integers(0, 1), st.integers(0, 3), st.sampled_from(ENDINGS),
)  # fmt: skip
visits = st.tuples(st.just("visit"), moments, st.booleans(), st.integers(-30, 150), st.integers(1, 40))
crimes = st.tuples(
    st.just("crime"), st.integers(0, 2),
    st.lists(st.tuples(st.sampled_from(CRIME_TYPES), st.sampled_from(PLACES)), min_size=1, max_size=5),
    st.booleans(),
)  # fmt: skip
steps = st.lists(st.one_of(missions, missions, visits, crimes), min_size=1, max_size=6)
deliveries = st.sampled_from(["in_order", "reversed", "shuffled", "each_twice"])


def at(moment):
    day, hour, minute = moment
    return START + timedelta(days=day, hours=hour, minutes=minute)


class Storm:
    def __init__(self, desk, grid, time_machine):
        self.desk, self.grid, self.clock = desk, grid, time_machine

    def move_to(self, when):
        self.clock.move_to(when, tick=False)

    def mission(self, moment, area, operation, kind, result_index, finds, ending):
        desk = self.desk
        when = at(moment)
        self.move_to(when)
        mission = desk.mission(kind, area, operation)
        if ending == "pending":
            return
        desk.allocate(mission)
        if ending == "cancel":
            self.move_to(when + timedelta(hours=2))
            desk.cancel(mission)
            return
        if ending in ("not_complete", "carry_over"):
            desk.not_complete(mission)
            if ending == "not_complete":
                return
            self.move_to(when + timedelta(days=1))  # the next TRM carries it over
            desk.allocate(mission, period=period_for(when + timedelta(days=1)))
        desk.start(mission)
        result = OUTCOMES[kind][result_index]
        fields = {}
        if result == "arrested":
            fields["arrests"] = 1 + finds
        if result == "warrant_finds":
            fields["firearms"] = 1 + finds
        if result not in ("warrant_no_finds", "curfew_complied", "curfew_breached") and finds:
            fields["cash_gbp"] = Decimal(finds * 25)
        desk.outcome(mission, result, **fields)

    def visit(self, moment, schedule, arrival_minutes, minutes):
        day = at(moment).date()
        self.move_to(local(day.year, day.month, day.day, 9, 0))
        if schedule:
            patrol_schedule_generate(period=period_for_day(day))
        arrived = local(day.year, day.month, day.day, 18, 0) + timedelta(minutes=arrival_minutes)
        self.move_to(arrived + timedelta(hours=3))
        visit_log(self.desk.actor, self.grid, arrived, minutes)

    def crime(self, month_offset, rows, import_twice):
        month = f"2026-{1 + month_offset:02d}"
        self.move_to(START + timedelta(days=60))
        lines = [
            police_uk_row(
                month, crime_type, lsoa=place, lon="-1.9" if place else "", lat="52.48" if place else ""
            )
            for crime_type, place in rows
        ]
        import_crimes(*lines, source_file=f"{month}-street.csv")
        if import_twice:  # the same file again changes nothing
            import_crimes(*lines, source_file=f"{month}-street.csv")


def deliver(callbacks, how, rng):
    order = list(range(len(callbacks)))
    if how == "reversed":
        order.reverse()
    elif how == "shuffled":
        rng.shuffle(order)
    elif how == "each_twice":
        order = [i for i in order for _ in range(2)]
        rng.shuffle(order)
    for index in order:
        callbacks[index]()


@pytest.fixture
def storm_grid(desk, time_machine):
    time_machine.move_to(START - timedelta(days=1), tick=False)
    return grid_make(desk.actor, "HG-STORM", area="BW", operation="VIBRANT", index=7)


STORM = settings(
    max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip


def after_a_storm(check, desk, grid, time_machine, capture, storm, how, seed):
    """Run ``storm``, deliver its events ``how`` and drain them, then ``check()``; rolled back, so
    every example starts from the same database."""
    actions = Storm(desk, grid, time_machine)
    with transaction.atomic():
        with capture() as callbacks:
            for kind, *args in storm:
                getattr(actions, kind)(*args)
        with capture():  # the drains the events ask for: run below
            deliver(callbacks, how, random.Random(seed))
        while DirtyBucket.objects.exists():
            indicators_drain()
        check()
        transaction.set_rollback(True)


@STORM
@given(storm=steps, how=deliveries, seed=st.integers(0, 1000))
def test_after_a_random_storm_of_events_reconcile_finds_no_difference(
    desk, storm_grid, time_machine, django_capture_on_commit_callbacks, storm, how, seed
):
    def check():
        report = indicators_reconcile(repair=False)
        assert report["differences"] == [], report["differences"][:5]
        assert report["checked"] > 0

    after_a_storm(check, desk, storm_grid, time_machine, django_capture_on_commit_callbacks, storm, how, seed)


@pytest.mark.postgres
@STORM
@given(storm=steps, how=deliveries, seed=st.integers(0, 1000))
def test_after_a_random_storm_the_database_reconcile_reports_what_the_python_reconcile_does(
    desk, storm_grid, time_machine, django_capture_on_commit_callbacks, storm, how, seed
):
    def check():
        report = sql_reconcile(repair=False)
        assert report == python_reconcile(repair=False) and report["differences"] == []
        assert report["checked"] > 0
        IndicatorValue.objects.all().delete()  # every value missing: each one reported alike
        assert sql_reconcile(repair=False) == python_reconcile(repair=False)

    after_a_storm(check, desk, storm_grid, time_machine, django_capture_on_commit_callbacks, storm, how, seed)


# --- corruption is found and repaired ------------------------------------------------------------


@pytest.fixture
def some_values(desk, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(local(2026, 2, 10, 15, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=2)
        desk.complete(area="CV", kind="curfew_check", result="curfew_complied")
        import_crimes(police_uk_row("2026-01", "Burglary"), police_uk_row("2026-01", "Robbery"))
    assert indicators_reconcile(repair=False)["differences"] == []


def be_month_arrests():
    return IndicatorValue.objects.filter(
        indicator__code="mission_arrests", area__code="BE", operation_key=0, period_kind="month"
    )


def test_a_corrupted_value_is_reported_with_what_was_stored_and_what_is_right_then_repaired(some_values):
    assert be_month_arrests().update(numerator=Decimal(99)) == 1
    report = indicators_reconcile(repair=False)
    [(key, found, expected)] = report["differences"]
    assert key[0] == "month" and found == (Decimal(99), None) and expected == (Decimal(2), None)
    assert be_month_arrests().get().numerator == 99  # reported, not repaired

    report = indicators_reconcile(repair=True)
    assert len(report["differences"]) == 1 and report["repaired"]
    row = be_month_arrests().get()
    assert (row.numerator, row.value) == (Decimal(2), Decimal(2))
    assert indicators_reconcile(repair=False)["differences"] == []


def test_a_missing_and_a_stray_value_are_reported_and_repaired(some_values):
    burglary = IndicatorValue.objects.get(
        indicator__code="recorded_crime", area__code="BW", period_kind="quarter", operation_key=0
    )
    burglary.delete()
    stray = be_month_arrests().get()
    stray.pk, stray.area = None, Area.objects.get(code="DY")
    stray.save()
    report = indicators_reconcile(repair=False)
    assert {(key[0], found is None, expected is None) for key, found, expected in report["differences"]} == {
        ("quarter", True, False),  # missing
        ("month", False, True),  # stray: no source rows for DY
    }
    indicators_reconcile(repair=True)
    assert indicators_reconcile(repair=False)["differences"] == []
    assert IndicatorValue.objects.get(pk=stray.pk).numerator == 0


def test_reconcile_indicators_check_exits_non_zero_only_when_a_value_differs(some_values):
    out = StringIO()
    call_command("reconcile_indicators", "--check", stdout=out)  # returns: exit status 0
    assert "0 difference(s)" in out.getvalue()

    be_month_arrests().update(numerator=Decimal(7))
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("reconcile_indicators", "--check", stdout=out)
    assert failure.value.returncode == 1  # what `manage.py` exits with
    assert "1 difference(s)" in out.getvalue() and "month" in out.getvalue()
    assert be_month_arrests().get().numerator == 7  # --check does not repair

    out = StringIO()
    call_command("reconcile_indicators", stdout=out)
    assert "Repaired." in out.getvalue()
    call_command("reconcile_indicators", "--check", stdout=StringIO())
    assert be_month_arrests().get().numerator == 2
