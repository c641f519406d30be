"""Hot-grid and patrol test data, made through the patrol services like the application makes it.

Grids sit around Birmingham city centre (lon -1.89, lat 52.48); ``grid_make`` spaces them apart so
each point lies in one grid only. Times are Europe/London unless a test says otherwise.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction

from operations.models import Area, Event, Operation, Resource
from tasking import services
from tasking.geo import square_cell
from tasking.models import PatrolVisit
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
