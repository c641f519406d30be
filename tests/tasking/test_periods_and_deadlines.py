"""Tasking periods follow Europe/London local time (23 or 25 hours across a clock change), and
deadlines are kept in real time and flagged once each when at risk and when overdue.

2026's clock changes: forward at 01:00 GMT on Sunday 29 March, back at 02:00 BST on Sunday
25 October. The period that *contains* the change is the one starting at 07:00 the day before.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from operations.models import Event
from tasking import services
from tasking.models import Mission, Request
from tasking.tasks import flag_deadlines

from .factories import mission_make, reference_data_once, request_make  # noqa: F401

LONDON = ZoneInfo("Europe/London")
HOUR = timedelta(hours=1)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


def local(*args):
    return datetime(*args, tzinfo=LONDON)


def events(event_type):
    return list(Event.objects.filter(type=event_type).order_by("id"))


# Tasking periods


def test_a_period_starts_at_seven_oclock_london_time():
    period = services.period_for(local(2026, 6, 15, 7, 0))

    assert period.day == date(2026, 6, 15)
    assert period.starts_at == datetime(2026, 6, 15, 6, 0, tzinfo=UTC)  # 07:00 BST
    assert period.ends_at == datetime(2026, 6, 16, 6, 0, tzinfo=UTC)
    assert period.hours == 24


def test_a_moment_at_six_fifty_nine_belongs_to_the_previous_days_period():
    period = services.period_for(local(2026, 6, 15, 6, 59))

    assert period.day == date(2026, 6, 14)
    assert period.contains(local(2026, 6, 15, 6, 59))
    assert not period.contains(local(2026, 6, 15, 7, 0))


def test_a_winter_period_starts_at_seven_gmt():
    period = services.period_for(local(2026, 1, 10, 12, 0))

    assert period.starts_at == datetime(2026, 1, 10, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2026, 3, 27), 24),
        (date(2026, 3, 28), 23),  # the night the clocks go forward (Sunday 29 March, 01:00)
        (date(2026, 3, 29), 24),
        (date(2026, 10, 24), 25),  # the night the clocks go back (Sunday 25 October, 02:00)
        (date(2026, 10, 25), 24),
    ],
)
def test_a_period_spanning_a_clock_change_is_23_or_25_hours(day, hours):
    period = services.period_for_day(day)  # freshly created

    assert period.hours == hours
    period.refresh_from_db()
    assert period.hours == hours
    assert period.starts_at.astimezone(LONDON).hour == 7
    assert period.ends_at.astimezone(LONDON).hour == 7


def test_the_clock_change_night_belongs_to_the_period_starting_the_day_before():
    just_after_change = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST

    assert services.period_for(just_after_change).day == date(2026, 3, 28)
    assert services.period_for(local(2026, 3, 29, 7, 0)).day == date(2026, 3, 29)


def test_consecutive_periods_meet_without_gap_or_overlap_across_a_clock_change():
    first, second = services.period_for_day(date(2026, 10, 24)), services.period_for_day(date(2026, 10, 25))

    assert first.ends_at == second.starts_at


def test_the_period_start_hour_is_configurable(settings):
    settings.TASKING_PERIOD_START_HOUR = 6

    period = services.period_for(local(2026, 6, 15, 6, 30))

    assert period.day == date(2026, 6, 15)
    assert period.starts_at == datetime(2026, 6, 15, 5, 0, tzinfo=UTC)


def test_a_period_starting_at_midnight_is_named_by_its_local_date(settings):
    settings.TASKING_PERIOD_START_HOUR = 0

    period = services.period_for(local(2026, 6, 15, 0, 30))  # 23:30 UTC the day before

    assert period.day == date(2026, 6, 15)
    assert period.starts_at == datetime(2026, 6, 14, 23, 0, tzinfo=UTC)


def test_asking_for_a_period_twice_gives_the_same_row():
    assert services.period_for_day(date(2026, 5, 1)).pk == services.period_for(local(2026, 5, 2, 6, 0)).pk


# Deadlines

RECEIVED = local(2026, 3, 28, 10, 0)  # Saturday, GMT; 48 h later the clocks read BST
DUE = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # 11:00 BST on Monday


def test_a_forensic_arrest_is_due_48_real_hours_after_receipt_across_the_clock_change(mission_user):
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(mission_user, kind="forensic_arrest")

    request.refresh_from_db()
    assert request.received_at == RECEIVED
    assert request.due_by - request.received_at == timedelta(hours=48)
    assert request.due_by == DUE
    assert request.due_by.astimezone(LONDON).hour == 11


def test_a_forensic_arrest_received_through_the_api_in_local_time_is_due_48_real_hours_later(
    api, mission_user
):
    response = api.as_user(mission_user).post(
        "/api/requests/",
        {
            "kind": "forensic_arrest", "forensic_hit": "footwear", "area": "CV", "requested_by": "DC Jones",
            "received_at": RECEIVED.isoformat(),
        },
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    request = Request.objects.get(pk=response.json()["id"])
    assert request.due_by.astimezone(UTC) - request.received_at.astimezone(UTC) == timedelta(hours=48)
    assert request.due_by == DUE


def test_a_given_deadline_is_kept(mission_user):
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(mission_user, kind="forensic_arrest", due_by=RECEIVED + 12 * HOUR)

    assert request.due_by == RECEIVED + 12 * HOUR


def test_a_deadline_is_flagged_at_risk_once_six_hours_before_it_falls_due(mission_user):
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(mission_user, kind="forensic_arrest")

    with time_machine.travel(DUE - 6 * HOUR - timedelta(minutes=1), tick=False):
        assert services.deadlines_flag() == ([], [])
    with time_machine.travel(DUE - 6 * HOUR, tick=False):
        first = services.deadlines_flag()
        second = services.deadlines_flag()

    assert first == ([request.pk], [])
    assert second == ([], [])
    (event,) = events("deadline.at_risk")
    assert event.payload["request"] == request.pk
    assert event.payload["kind"] == "forensic_arrest"
    request.refresh_from_db()
    assert request.at_risk_flagged_at == DUE - 6 * HOUR
    assert request.overdue_flagged_at is None


def test_a_deadline_is_flagged_overdue_once_after_it_falls_due(mission_user):
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(mission_user, kind="forensic_arrest")
    with time_machine.travel(DUE - 5 * HOUR, tick=False):
        services.deadlines_flag()

    with time_machine.travel(DUE, tick=False):
        at_due = services.deadlines_flag()
    with time_machine.travel(DUE + 3 * HOUR, tick=False):
        later = services.deadlines_flag()

    assert at_due == ([], [request.pk])
    assert later == ([], [])
    assert len(events("deadline.at_risk")) == 1
    (event,) = events("deadline.overdue")
    assert event.payload["request"] == request.pk


def test_an_approved_request_is_flagged_with_its_mission(mission_user):
    with time_machine.travel(RECEIVED, tick=False):
        mission = mission_make(mission_user, Mission.State.ALLOCATED, kind="forensic_arrest")

    with time_machine.travel(DUE + HOUR, tick=False):
        services.deadlines_flag()

    (event,) = events("deadline.overdue")
    assert event.payload["mission"] == mission.pk
    assert event.payload["due_by"] == DUE.isoformat()


@pytest.mark.parametrize("state", [Mission.State.COMPLETED, Mission.State.CANCELLED])
def test_finished_missions_are_not_flagged(supervisor, state):
    with time_machine.travel(RECEIVED, tick=False):
        mission_make(supervisor, state, kind="forensic_arrest")

    with time_machine.travel(DUE - HOUR, tick=False):
        at_risk = services.deadlines_flag()
    with time_machine.travel(DUE + HOUR, tick=False):
        overdue = services.deadlines_flag()

    assert (at_risk, overdue) == (([], []), ([], []))
    assert not Event.objects.filter(type__startswith="deadline.").exists()


def test_a_rejected_request_is_not_flagged(supervisor):
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(supervisor, kind="forensic_arrest")
        services.request_assess(
            actor=supervisor, request=request, threat=1, threat_rationale="-", risk=1, risk_rationale="-",
            harm=1, harm_rationale="-", decision="reject", rejection_reason="Suspect already charged.",
        )  # fmt: skip

    with time_machine.travel(DUE + HOUR, tick=False):
        assert services.deadlines_flag() == ([], [])

    assert not Event.objects.filter(type__startswith="deadline.").exists()


def test_a_request_without_a_deadline_is_never_flagged(mission_user):
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(mission_user, kind="npu_arrest")

    with time_machine.travel(RECEIVED + 1000 * HOUR, tick=False):
        assert services.deadlines_flag() == ([], [])

    assert request.due_by is None


def test_the_at_risk_window_is_configurable(settings, mission_user):
    settings.TASKING_AT_RISK_HOURS = 12
    with time_machine.travel(RECEIVED, tick=False):
        request = request_make(mission_user, kind="forensic_arrest")

    with time_machine.travel(DUE - 11 * HOUR, tick=False):
        assert services.deadlines_flag() == ([request.pk], [])


def test_the_periodic_celery_task_flags_deadlines(mission_user, supervisor):
    with time_machine.travel(RECEIVED, tick=False):
        overdue = request_make(mission_user, kind="forensic_arrest")
        request_make(mission_user, kind="forensic_arrest", due_by=RECEIVED + 52 * HOUR)
        mission_make(supervisor, Mission.State.COMPLETED, kind="forensic_arrest")

    with time_machine.travel(DUE + HOUR, tick=False):
        result = flag_deadlines.delay().get()

    assert result == {"at_risk": 1, "overdue": 1}
    assert [e.payload["request"] for e in events("deadline.overdue")] == [overdue.pk]
