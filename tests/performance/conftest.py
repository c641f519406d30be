"""Performance test data, made through the tasking, patrol and crime-import services like the
application makes it, small readers for the stored indicator values, and the day (``DAY``, with the
``at_day`` clock) on which the engine tests make their activity."""

import hashlib
import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from operations.crime_import import crimes_import
from operations.models import Area, Event, Operation, Resource
from performance import periods
from performance.calculators import CALCULATORS
from performance.models import Indicator, IndicatorValue
from tasking import services
from tasking.geo import square_cell
from tasking.models import Mission, PatrolVisit

LONDON = ZoneInfo("Europe/London")
ASSESSMENT = {
    "threat": 3, "threat_rationale": "named nominal", "risk": 3, "risk_rationale": "weapons",
    "harm": 3, "harm_rationale": "community", "decision": "approve",
}  # fmt: skip
POLICE_UK_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
BW_LSOA, SH_LSOA = "E01009417", "E01010118"  # mapped to BW and SH by the shipped lookup
UNKNOWN_LSOA = "E01099999"
_serial = itertools.count(1)


def local(*args):
    """An aware Europe/London date-time: ``local(2026, 3, 10, 12, 0)``."""
    return datetime(*args, tzinfo=LONDON)


DAY = date(2026, 3, 10)  # a Tuesday: the day of the engine tests' activity
NOW = local(2026, 3, 10, 18, 0)


@pytest.fixture
def at_day(time_machine):
    """The clock stopped at 18:00 on ``DAY``."""
    time_machine.move_to(NOW, tick=False)
    return time_machine


class Desk:
    """Mission Support at work: every change goes through the tasking services (as a Supervisor,
    so capacity overrides and cancellations are allowed)."""

    def __init__(self, actor):
        self.actor = actor

    def mission(self, kind="npu_arrest", area="BE", operation=None, **request_fields):
        request_fields.setdefault("requested_by", "PC 1")
        if kind == "forensic_arrest":
            request_fields.setdefault("forensic_hit", "dna")
        # The dashboards show closed operations' work too (Sceptre's week, Henhouse's month):
        # replayed now, as the demo data builder replays it.
        request = services.request_receive(
            actor=self.actor, kind=kind, area=Area.objects.get(code=area),
            operation=Operation.objects.get(code=operation) if operation else None,
            allow_closed_operation=True, **request_fields,
        )  # fmt: skip
        services.request_assess(actor=self.actor, request=request, **ASSESSMENT)
        return Mission.objects.get(request=request)

    def allocate(self, mission, resource="OSU", **fields):
        fields.setdefault("override_reason", "test volume")
        return services.mission_allocate(
            actor=self.actor, mission=mission, resource=Resource.objects.get(code=resource), **fields
        )

    def start(self, mission):
        return services.mission_start(actor=self.actor, mission=mission)

    def outcome(self, mission, result="arrested", **fields):
        if result == "arrested":
            fields.setdefault("arrests", 1)
        return services.mission_log_outcome(actor=self.actor, mission=mission, result=result, **fields)

    def complete(
        self, kind="npu_arrest", area="BE", operation=None, result="arrested", request=None, **fields
    ):
        """A whole mission: received, approved, allocated, started and completed with an outcome."""
        mission = self.mission(kind, area, operation, **(request or {}))
        self.allocate(mission)
        self.start(mission)
        return self.outcome(mission, result, **fields)

    def not_complete(self, mission, reason="ran out of time"):
        return services.mission_not_complete(actor=self.actor, mission=mission, reason=reason)

    def cancel(self, mission, reason="no longer needed"):
        return services.mission_cancel(actor=self.actor, mission=mission, reason=reason)


@pytest.fixture(scope="module")
def perf_reference(django_db_setup, django_db_blocker):
    """The force's reference data, loaded once per module inside a transaction held open for it:
    each test's own transaction is a savepoint inside it, so every test starts from the same rows.
    Not for ``transaction=True`` tests."""
    from operations.reference import reference_data_load

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            reference_data_load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def desk(perf_reference, supervisor):
    return Desk(supervisor)


def grid_make(actor, code, *, area="BE", operation=None, index=0, start="18:00", end="20:00"):
    """A hot grid patrolled every day in one window, saved through ``hot_grid_save``."""
    from datetime import date, time

    return services.hot_grid_save(
        actor=actor, code=code, name=f"Grid {code}", area=Area.objects.get(code=area),
        operation=Operation.objects.get(code=operation) if operation else None,
        geometry=square_cell(lon=-1.95 + index * 0.01, lat=52.47, size_m=200), active_from=date(2020, 1, 1),
        windows=[{"weekdays": list(range(7)), "start_time": time.fromisoformat(start),
                  "end_time": time.fromisoformat(end)}],
    )  # fmt: skip


def visit_log(actor, grid, arrived_at, minutes, resource="OSU"):
    return services.patrol_visit_log(
        actor=actor, grid=grid, resource=Resource.objects.get(code=resource), officer_reference="PC 7",
        arrived_at=arrived_at, left_at=arrived_at + timedelta(minutes=minutes),
        source=PatrolVisit.Source.FORM,
    )  # fmt: skip


def crime_id():
    return hashlib.sha256(f"perf-crime-{next(_serial)}".encode()).hexdigest()


def police_uk_row(
    month,
    crime_type="Burglary",
    lsoa=BW_LSOA,
    outcome="Under investigation",
    cid=None,
    lon="-1.9",
    lat="52.48",
):
    """One data.police.uk street-level row; a fresh Crime ID unless ``cid`` (blank for ASB) is given."""
    if cid is None:
        cid = "" if crime_type == "Anti-social behaviour" else crime_id()
    force = "West Midlands Police"
    location = "On or near High Street" if lon else "No location"
    return ",".join([cid, month, force, force, lon, lat, location, lsoa, "", crime_type, outcome, ""])


def import_crimes(*rows, source_file=None):
    data = ("\n".join([POLICE_UK_HEADER, *rows]) + "\n").encode()
    return crimes_import(actor=None, data=data, source_file=source_file or f"street-{next(_serial)}.csv")


def indicator(code):
    return Indicator.objects.get(code=code)


def stored(code, area, kind, start, operation_key=0):
    """The stored IndicatorValue of one bucket, or None."""
    return IndicatorValue.objects.filter(
        indicator__code=code,
        area__code=area,
        period_kind=kind,
        period_start=start,
        operation_key=operation_key,
    ).first()


def value_of(code, area, kind, start, operation_key=0):
    row = stored(code, area, kind, start, operation_key)
    return None if row is None else row.value


def day_value(code, area="BE", operation_key=0, day=DAY):
    return value_of(code, area, "day", day, operation_key)


def snapshot():
    """Every stored value, keyed by bucket, without the time it was computed."""
    return {
        (row.indicator_id, row.area_id, row.operation_key, row.period_kind, row.period_start): (
            row.value,
            row.numerator,
            row.denominator,
        )
        for row in IndicatorValue.objects.all()
    }


def changed_events():
    return list(Event.objects.filter(type="indicator.changed").order_by("id"))


def assert_rollups_are_sums_of_base_values():
    """Every stored coarser value is the sum of the stored base values it holds."""
    base_kinds = {
        code: CALCULATORS[calc].family.base
        for code, calc in Indicator.objects.values_list("pk", "calculator")
    }
    base = {}
    for row in IndicatorValue.objects.all():
        if row.period_kind == base_kinds[row.indicator_id]:
            base[(row.indicator_id, row.area_id, row.operation_key, row.period_start)] = row
    checked = 0
    for row in IndicatorValue.objects.exclude(period_kind=periods.DAY):
        if row.period_kind == base_kinds[row.indicator_id]:
            continue
        end = periods.end_of(row.period_kind, row.period_start)
        parts = [
            item
            for (i, a, o, start), item in base.items()
            if (i, a, o) == (row.indicator_id, row.area_id, row.operation_key)
            and row.period_start <= start < end
        ]
        numerator = sum((item.numerator for item in parts), Decimal(0))
        assert row.numerator == numerator, (row, [str(p) for p in parts])
        if row.denominator is not None and row.indicator.unit == Indicator.Unit.PERCENT:
            assert row.denominator == sum((item.denominator or 0 for item in parts), Decimal(0)), row
        checked += 1
    return checked


# -- the dashboard pages -----------------------------------------------------------------------------


@pytest.fixture
def as_viewer(client, viewer):
    client.force_login(viewer)
    return client


def html_of(response):
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def put(code, area, kind, start, value, operation_key=0):
    IndicatorValue.objects.update_or_create(
        indicator=Indicator.objects.get(code=code), area=Area.objects.get(code=area),
        operation_key=operation_key, period_kind=kind, period_start=start,
        defaults={"value": Decimal(value), "numerator": Decimal(value), "denominator": None},
    )  # fmt: skip


def months(first, n):
    return [periods.add_months(first, i) for i in range(n)]


@pytest.fixture
def shaped_series():
    """Robbery (lower is better) by month for the force: steady, one spike (concern), then a long
    low run (improvement: a shift of 7+ below the mean)."""
    values = [50, 52, 49, 51, 50, 48, 52, 51, 50, 49, 95, 50, 51, 30, 31, 29, 30, 32, 31, 30, 29]
    for start, value in zip(months(date(2024, 1, 1), len(values)), values, strict=True):
        put("robbery", "WMP", "month", start, value)
    return values


PAGES_NOW = local(2026, 10, 20, 12, 0)  # the pages' Tue 20 Oct 2026: Oct is this month, Q4 this quarter


@pytest.fixture
def events_now(monkeypatch):
    """Each test runs inside one transaction that never commits: run on-commit work (event dispatch,
    which marks indicator buckets dirty) at once, as it would run after each service's commit."""
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def now(time_machine, events_now):
    """The clock stopped at ``PAGES_NOW``, on-commit work run at once."""
    time_machine.move_to(PAGES_NOW, tick=False)
    return PAGES_NOW
