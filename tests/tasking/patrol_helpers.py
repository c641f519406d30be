"""Hot-grid and patrol test data, made through the patrol services like the application makes it.

Grids sit around Birmingham city centre (lon -1.89, lat 52.48); ``grid_make`` spaces them apart so
each point lies in one grid only. Times are Europe/London unless a test says otherwise. The
schedule, compliance and API tests work on Wednesday 10 June 2026 (``DAY``, its window
``START``–``END``); the patrol screens' clock stands at 19:00 on Friday 12 June (``TODAY``), the
patrol API's at 09:00 that day.
"""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import transaction

from operations.models import Area, Event, Operation, Resource
from tasking import services
from tasking.geo import square_cell
from tasking.models import PatrolVisit, ScheduledPatrol
from tasking.models.periods import LONDON

BIRMINGHAM = (-1.89, 52.48)
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
LONG_AGO = date(2020, 1, 1)


@pytest.fixture(scope="module")
def patrol_reference(django_db_setup, django_db_blocker):
    """The force's reference data, loaded once per module inside a transaction held open for it.

    Each test's own transaction is a savepoint inside it, so every test starts from the same rows
    and rolls back its own. Not for ``transaction=True`` tests.
    """
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


def local(*args):
    """An aware Europe/London date-time: ``local(2026, 3, 28, 18, 0)``."""
    return datetime(*args, tzinfo=LONDON)


DAY = date(2026, 6, 10)  # a Wednesday in summer time
START = local(2026, 6, 10, 18, 0)  # the 18:00–20:00 window of that day
END = local(2026, 6, 10, 20, 0)
SECOND = timedelta(seconds=1)
TODAY = date(2026, 6, 12)  # a Friday: the patrol screens' today
CELL = {"lon": -1.89, "lat": 52.48, "size_m": 250}


@pytest.fixture
def patrol_screens_clock():
    """The clock stopped at 19:00 on ``TODAY``, inside the default 18:00–20:00 window."""
    with time_machine.travel(local(2026, 6, 12, 19, 0), tick=False):
        yield


@pytest.fixture
def patrol_api_clock():
    """The clock stopped at 09:00 on Friday 12 June 2026, two days after ``DAY``."""
    with time_machine.travel(local(2026, 6, 12, 9, 0), tick=False):
        yield


def window(start, end, weekdays=None):
    """A patrol window as ``hot_grid_save`` takes it; times as "HH:MM"."""
    return {
        "weekdays": list(EVERY_DAY if weekdays is None else weekdays),
        "start_time": time.fromisoformat(start),
        "end_time": time.fromisoformat(end),
    }


def cell_at(index, size_m=200):
    """The ``index``-th square cell of a lattice over Birmingham, about 700 m from its neighbours."""
    lon, lat = BIRMINGHAM
    column, row = index % 40, (index // 40) % 10
    return square_cell(lon=lon - 0.2 + column * 0.01, lat=lat + row * 0.01, size_m=size_m)


def centre_of(grid):
    """(lon, lat) of the middle of a grid's bounding box."""
    return (grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2


_counter = {"n": 0}


def grid_make(
    actor=None, code=None, *, area="BE", operation="GUARDIAN", windows=None, geometry=None, **fields
):
    """A hot grid saved through ``hot_grid_save``; by default patrolled 18:00–20:00 every day."""
    _counter["n"] += 1
    n = _counter["n"]
    fields.setdefault("name", f"Test grid {n}")
    fields.setdefault("active_from", LONG_AGO)
    return services.hot_grid_save(
        actor=actor,
        code=code or f"HG-T{n}",
        area=Area.objects.get(code=area),
        operation=Operation.objects.get(code=operation) if operation else None,
        geometry=geometry or cell_at(n),
        windows=[window("18:00", "20:00")] if windows is None else windows,
        **fields,
    )


def visit_log(grid, arrived_at, left_at=None, *, resource="NPU-BE", officer="PC 1234", actor=None):
    """A visit logged through ``patrol_visit_log``; 20 minutes long unless ``left_at`` is given."""
    return services.patrol_visit_log(
        actor=actor,
        grid=grid,
        resource=Resource.objects.get(code=resource),
        officer_reference=officer,
        arrived_at=arrived_at,
        left_at=left_at or arrived_at + timedelta(minutes=20),
        source=PatrolVisit.Source.FORM,
    )


def schedule(day):
    """Generate the patrols of the tasking period starting on local date ``day``; return the period."""
    period = services.period_for_day(day)
    services.patrol_schedule_generate(period=period)
    return period


def events_of(event_type):
    return list(Event.objects.filter(type=event_type).order_by("id"))


def only_patrol(grid):
    (patrol,) = ScheduledPatrol.objects.filter(grid=grid)
    return patrol


def compliant(grid):
    return only_patrol(grid).is_compliant


def section(page, start, end=None):
    """The part of a page from ``start`` up to ``end``."""
    part = page.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def grid_form(**overrides):
    """The hot-grid form's fields, as the screen posts them."""
    data = {
        "code": "HG-NEW", "name": "Digbeth", "area": "", "operation": "", "trial_arm": "",
        "geometry": "", "cell_lon": "", "cell_lat": "", "cell_size_m": "",
        "windows": "Mon-Fri 18:00-22:00; Sat 10:00-14:00", "daily_dose_minutes": "15",
        "active_from": "2026-06-01",
    }  # fmt: skip
    data.update(overrides)
    return data


def grid_payload(*, geometry=None, **overrides):
    """A hot grid as the API takes it: drawn as a square ``CELL``, or as ``geometry`` when given."""
    return {
        "code": "HG-API-1",
        "name": "Digbeth",
        "area": "BE",
        "operation": "VIBRANT",
        "active_from": "2026-01-01",
        "windows": [{"weekdays": [4, 5], "start_time": "20:00", "end_time": "02:00"}],
        **({"cell": CELL} if geometry is None else {"geometry": geometry}),
        **overrides,
    }


def visit_payload(**overrides):
    """A visit to grid HG-V on ``DAY`` as the API takes it: 22.5 minutes inside the window."""
    return {
        "grid": "HG-V",
        "resource": "NPU-BE",
        "officer_reference": "PC 4321",
        "arrived_at": "2026-06-10T18:30:00+01:00",
        "left_at": "2026-06-10T18:52:30+01:00",
        **overrides,
    }
