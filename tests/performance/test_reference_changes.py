"""A change to what figures are computed from — an NPU's population, an offence group's weight, an
indicator's definition, a hot grid's NPU — recomputes the figures across history once it commits,
and a change to anything else (a name) recomputes nothing."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

import pytest

from operations.models import Area, Event, OffenceGroup
from performance.reconcile import indicators_reconcile
from tasking.services import hot_grid_save, patrol_schedule_generate, period_for_day

from .conftest import DAY, day_value, grid_make, import_crimes, local, police_uk_row, stored, visit_log

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

JANUARY = date(2026, 1, 1)


@pytest.fixture
def crimes(django_capture_on_commit_callbacks):
    """January 2026: two burglaries and a robbery in BW, their figures stored."""
    with django_capture_on_commit_callbacks(execute=True):
        import_crimes(
            police_uk_row("2026-01", "Burglary"),
            police_uk_row("2026-01", "Burglary"),
            police_uk_row("2026-01", "Robbery"),
        )
    return JANUARY


def change(api, administrator, capture, path, data):
    with capture(execute=True):
        response = api.as_user(administrator).patch(path, data, format="json")
    assert response.status_code == 200, response.json()


def area_path(code):
    return f"/api/areas/{Area.objects.get(code=code).pk}/"


def per_1000(count, population):
    return (Decimal(count) * 1000 / Decimal(population)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def test_a_new_population_recomputes_the_npus_crime_rates(
    api, administrator, crimes, django_capture_on_commit_callbacks
):
    population = Area.objects.get(code="BW").population
    assert stored("crime_rate", "BW", "month", crimes).value == per_1000(3, population)

    change(api, administrator, django_capture_on_commit_callbacks, area_path("BW"), {"population": 300_000})

    row = stored("crime_rate", "BW", "month", crimes)
    assert (row.denominator, row.value) == (Decimal(300_000), per_1000(3, 300_000))
    assert stored("crime_rate", "BW", "year", date(2026, 1, 1)).value == per_1000(3, 300_000)
    assert indicators_reconcile(repair=False)["differences"] == []


def test_a_new_harm_weight_recomputes_harm_weighted_crime(
    api, administrator, crimes, django_capture_on_commit_callbacks
):
    robbery = OffenceGroup.objects.get(code="robbery").harm_weight
    burglary = OffenceGroup.objects.get(code="burglary").pk
    change(
        api, administrator, django_capture_on_commit_callbacks, f"/api/offence-groups/{burglary}/",
        {"harm_weight": "100.00"},
    )  # fmt: skip
    assert stored("harm_weighted_crime", "BW", "month", crimes).value == 2 * 100 + robbery
    assert indicators_reconcile(repair=False)["differences"] == []


def test_a_new_definition_recomputes_the_indicator(
    api, administrator, crimes, django_capture_on_commit_callbacks
):
    assert stored("burglary", "BW", "month", crimes).value == Decimal(2)
    change(
        api, administrator, django_capture_on_commit_callbacks, "/api/indicators/burglary/",
        {"parameters": {"offence_groups": ["robbery"]}},
    )  # fmt: skip
    assert stored("burglary", "BW", "month", crimes).value == Decimal(1)
    assert indicators_reconcile(repair=False)["differences"] == []


def test_a_new_name_recomputes_nothing(api, administrator, crimes, django_capture_on_commit_callbacks):
    with mock.patch("performance.tasks.reconcile_indicators.delay") as delay:
        change(
            api, administrator, django_capture_on_commit_callbacks, area_path("BW"), {"name": "Birmingham W"}
        )
        change(api, administrator, django_capture_on_commit_callbacks, area_path("SH"), {"population": 1})
    assert Event.objects.filter(type="reference.changed").count() == 2  # each change is announced
    assert delay.call_count == 1  # only the population change recomputes


def test_a_hot_grid_moved_to_another_npu_takes_its_patrol_figures_with_it(
    desk, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(local(2026, 3, 10, 9, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        grid = grid_make(desk.actor, "HG-MOVE", area="BE", index=1)
        patrol_schedule_generate(period=period_for_day(DAY))
    time_machine.move_to(local(2026, 3, 11, 6, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        visit_log(desk.actor, grid, local(2026, 3, 10, 18, 30), 20)
    assert (day_value("patrol_dosage", "BE"), day_value("patrol_dosage", "CV")) == (Decimal(20), None)

    with django_capture_on_commit_callbacks(execute=True):
        hot_grid_save(actor=desk.actor, grid=grid, area=Area.objects.get(code="CV"), reason="wrong NPU")

    assert day_value("patrol_dosage", "CV") == Decimal(20)
    assert day_value("patrol_dosage", "BE") in (None, Decimal(0))
    assert day_value("patrol_compliance", "CV") == Decimal(100)
    assert indicators_reconcile(repair=False)["differences"] == []
