"""Rolling 12-month windows are kept from their last month's first day: a change stores only the
windows that have begun their last month, the month's turn opens the new one for every bucket,
and the reconcile expects exactly those."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from operations.schedules import PERIODIC_TASKS
from performance import periods
from performance.dirty import rolling_windows_open
from performance.models import IndicatorValue
from performance.reconcile import indicators_reconcile

from .conftest import local, put, value_of

pytestmark = pytest.mark.django_db


def windows(code="mission_arrests", area="BE"):
    return set(
        IndicatorValue.objects.filter(
            indicator__code=code, area__code=area, period_kind="rolling_12", operation_key=0
        ).values_list("period_start", flat=True)
    )


def test_a_window_is_kept_once_its_last_month_has_begun():
    today = date(2026, 3, 11)
    assert periods.kept(periods.ROLLING_12, date(2025, 4, 1), today)  # 12 months to March 2026
    assert not periods.kept(periods.ROLLING_12, date(2025, 5, 1), today)  # to April 2026
    assert periods.kept(periods.ROLLING_12, date(2026, 4, 1), date(2027, 3, 1))
    assert periods.kept(periods.QUARTER, date(2026, 7, 1), today)  # other kinds: always


def test_a_change_stores_the_window_ending_this_month_and_none_to_come(
    desk, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=2)
    assert windows() == {date(2025, 4, 1)}
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 4, 1)) == Decimal(2)
    # Two months on, each month's turn having opened its window: a change in May stores the
    # window to May only, and the windows to April and to May are sums of their months.
    for month in (4, 5):
        time_machine.move_to(local(2026, month, 1, 0, 0, 30), tick=False)
        rolling_windows_open()
    time_machine.move_to(local(2026, 5, 20, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=1)
    assert windows() == {date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)}
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 5, 1)) == Decimal(2)
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 6, 1)) == Decimal(3)
    assert indicators_reconcile(repair=False)["differences"] == []


def test_the_month_turn_opens_the_new_window_for_every_bucket(
    desk, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=2)
        desk.complete(area="SH", arrests=1)
    time_machine.move_to(local(2026, 4, 1, 0, 0, 30), tick=False)
    # Nothing happened in April yet: before the turn's task, the window to April is not there,
    # and the reconcile says so.
    assert date(2025, 5, 1) not in windows()
    assert indicators_reconcile(repair=False)["differences"]

    with django_capture_on_commit_callbacks(execute=True):
        assert rolling_windows_open() > 0

    assert windows() == {date(2025, 4, 1), date(2025, 5, 1)}
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 5, 1)) == Decimal(2)
    assert value_of("mission_arrests", "SH", "rolling_12", date(2025, 5, 1)) == Decimal(1)
    assert value_of("mission_arrests", "WMP", "rolling_12", date(2025, 5, 1)) == Decimal(3)
    assert indicators_reconcile(repair=False)["differences"] == []
    assert rolling_windows_open() == 0  # run again: nothing to change


def test_the_reconcile_expects_no_window_to_come_and_zeroes_one_left_stored(desk, time_machine):
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    put("mission_arrests", "BE", "rolling_12", date(2025, 9, 1), 4)  # 12 months to August 2026
    report = indicators_reconcile(repair=True)
    assert [(key[0], key[4]) for key, _stored, _expected in report["differences"]] == [
        ("rolling_12", date(2025, 9, 1))
    ]
    assert value_of("mission_arrests", "BE", "rolling_12", date(2025, 9, 1)) == Decimal(0)
    assert indicators_reconcile(repair=False)["differences"] == []


def test_the_migration_removes_the_windows_to_come(desk, time_machine):
    time_machine.move_to(local(2026, 3, 11, 10, 0), tick=False)
    put("mission_arrests", "BE", "rolling_12", date(2025, 4, 1), 2)  # to March 2026: kept
    put("mission_arrests", "BE", "rolling_12", date(2025, 5, 1), 2)  # to April 2026: to come
    migration = importlib.import_module("performance.migrations.0003_rolling_windows_kept")
    migration.windows_to_come_remove(apps, None)
    assert windows() == {date(2025, 4, 1)}


def test_the_month_turn_is_scheduled():
    task, when, _description = PERIODIC_TASKS["rolling windows"]
    assert task == "performance.tasks.open_rolling_windows"
    assert when == {"crontab": "0 0 1 * *"}
