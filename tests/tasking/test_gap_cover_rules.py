"""When a scheduled patrol is a gap, and what follows from a hot grid's retirement.

A patrol is a gap only once its arrival deadline has passed with no visit: cover cannot be requested
before then. A patrol on a day after its grid's last active day (``active_to``) is no gap at all: it
is never flagged and cannot be covered. A visit on the day after a grid's last active day is still
accepted while a patrol of that last day can still be made (Guardian: 24 h after its start), and
counts for it.

The clock stands at 09:00 on Friday 12 June 2026, London time.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from operations.exceptions import Conflict
from tasking import services
from tasking.models import HotGrid, PatrolVisit, Request, RequestKind, ScheduledPatrol
from tasking.services.patrol_visits import visit_bounds_check

from .patrol_helpers import (
    DAY,
    SECOND,
    START,
    TODAY,
    grid_make,
    local,
    only_patrol,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
    visit_payload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]

NEXT_DAY = DAY + timedelta(days=1)  # Thursday 11 June


def retire(grid, last_day):
    return services.hot_grid_save(actor=None, grid=grid, active_to=last_day)


def active_days_set(grid, **days):
    """Change a grid's active days in the table only, keeping the patrols a retirement through the
    service would remove: as patrols scheduled before retirements removed them, or by a schedule
    run racing the change."""
    HotGrid.objects.filter(pk=grid.pk).update(**days)
    grid.refresh_from_db()
    return grid


def cover_requests():
    return Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).count()


# ---------------------------------------------------------------- cover before the deadline


def test_cover_through_the_api_is_refused_while_the_patrol_can_still_be_made(api, mission_user):
    grid = grid_make(code="HG-OPEN", operation="GUARDIAN")
    schedule(TODAY)  # 18:00 today; Guardian: to be reached by 18:00 tomorrow
    patrol = only_patrol(grid)
    assert patrol.arrive_by == local(2026, 6, 13, 18, 0)

    response = api.as_user(mission_user).post(f"/api/patrols/{patrol.pk}/cover/")

    assert response.status_code == 409, response.data
    assert response.data["code"] == "conflict"
    assert "is not a gap" in response.data["detail"]
    assert "can still be made until Sat 13 Jun 18:00" in response.data["detail"]
    assert cover_requests() == 0
    assert only_patrol(grid).cover_request_id is None


def test_cover_is_refused_at_the_deadline_itself_and_accepted_a_second_after(mission_user):
    grid = grid_make(operation="VIBRANT")
    schedule(TODAY)  # Vibrant: to be reached by the window's end, 20:00 today
    deadline = local(2026, 6, 12, 20, 0)

    with time_machine.travel(deadline, tick=False), pytest.raises(Conflict, match="not a gap"):
        services.patrol_gap_cover(actor=mission_user, patrol=only_patrol(grid))
    assert cover_requests() == 0

    with time_machine.travel(deadline + SECOND, tick=False):
        request = services.patrol_gap_cover(actor=mission_user, patrol=only_patrol(grid))
    assert only_patrol(grid).cover_request == request


# ---------------------------------------------------------------- retired grids


@pytest.fixture
def retired(db):
    """A Vibrant grid scheduled on 10 and 11 June, never patrolled, retired after the 10th with
    its patrol of the 11th kept."""
    grid = grid_make(code="HG-RET", operation="VIBRANT")
    schedule(DAY)
    schedule(NEXT_DAY)
    return active_days_set(grid, active_to=DAY)


def test_gap_detection_skips_the_patrols_of_a_grid_after_its_last_active_day(retired):
    kept = grid_make(code="HG-KEPT", operation="VIBRANT")
    schedule(NEXT_DAY)

    flagged = services.patrol_gaps_detect(now=local(2026, 6, 12, 8, 0))

    last_day = ScheduledPatrol.objects.get(grid=retired, period__day=DAY)
    after = ScheduledPatrol.objects.get(grid=retired, period__day=NEXT_DAY)
    assert sorted(flagged) == sorted([last_day.pk, ScheduledPatrol.objects.get(grid=kept).pk])
    after.refresh_from_db()
    assert after.gap_flagged_at is None


def test_covering_a_patrol_after_the_grids_last_active_day_is_a_409_naming_that_day(
    api, mission_user, retired
):
    after = ScheduledPatrol.objects.get(grid=retired, period__day=NEXT_DAY)

    response = api.as_user(mission_user).post(f"/api/patrols/{after.pk}/cover/")

    assert response.status_code == 409, response.data
    assert "HG-RET was retired" in response.data["detail"]
    assert "last active day being 10 Jun 2026" in response.data["detail"]
    assert cover_requests() == 0


def test_the_patrol_on_a_retired_grids_last_active_day_can_still_be_covered(mission_user, retired):
    last_day = ScheduledPatrol.objects.get(grid=retired, period__day=DAY)
    request = services.patrol_gap_cover(actor=mission_user, patrol=last_day)
    assert ScheduledPatrol.objects.get(pk=last_day.pk).cover_request == request


def test_a_patrol_before_a_grids_first_active_day_is_no_gap(mission_user):
    grid = grid_make(code="HG-LATE", operation="VIBRANT")
    schedule(DAY)
    active_days_set(grid, active_from=NEXT_DAY)

    assert services.patrol_gaps_detect(now=local(2026, 6, 12, 8, 0)) == []
    with pytest.raises(Conflict, match="active only from 11 Jun 2026"):
        services.patrol_gap_cover(actor=mission_user, patrol=only_patrol(grid))


# ---------------------------------------------------------------- visits after the last active day


@pytest.fixture
def guardian_retired(db):
    """A Guardian grid with one patrol, 18:00 on 10 June (to be reached by 18:00 on the 11th),
    retired after the 10th."""
    grid = grid_make(code="HG-G", operation="GUARDIAN")
    schedule(DAY)
    return retire(grid, DAY)


def test_a_visit_the_day_after_the_last_active_day_within_the_arrival_allowance_is_accepted(
    api, mission_user, guardian_retired
):
    response = api.as_user(mission_user).post(
        "/api/patrol-visits/",
        visit_payload(
            grid="HG-G", arrived_at="2026-06-11T09:00:00+01:00", left_at="2026-06-11T09:20:00+01:00"
        ),
        format="json",
    )

    assert response.status_code == 201, response.data
    assert only_patrol(guardian_retired).compliant_visit_id == response.data["id"]


def test_a_visit_after_the_arrival_allowance_of_the_last_day_is_still_refused(guardian_retired):
    with pytest.raises(ValidationError) as refused:
        visit_log(guardian_retired, local(2026, 6, 11, 18, 0) + SECOND)
    assert "active from 1 Jan 2020 to 10 Jun 2026" in str(refused.value.message_dict["grid"])
    assert "a visit on 11 Jun 2026 is outside those dates" in str(refused.value.message_dict["grid"])
    assert not PatrolVisit.objects.exists()


def test_a_visit_the_day_after_the_last_active_day_is_refused_when_no_patrol_reaches_it(db):
    grid = grid_make(code="HG-V", operation="VIBRANT")  # reached by the window's end, 20:00
    schedule(DAY)
    retire(grid, DAY)
    with pytest.raises(ValidationError, match="outside those dates"):
        visit_log(grid, local(2026, 6, 11, 9, 0))
    assert not PatrolVisit.objects.exists()


def test_a_visit_before_the_first_active_day_is_refused_though_a_later_patrol_is_scheduled(db):
    grid = grid_make(code="HG-N", operation="GUARDIAN", active_from=NEXT_DAY)
    schedule(NEXT_DAY)
    with pytest.raises(ValidationError, match="outside those dates"):
        visit_log(grid, START)
    assert not PatrolVisit.objects.exists()


def test_a_patrol_of_a_day_after_retirement_does_not_extend_the_grids_visits(db):
    grid = grid_make(code="HG-X", operation="GUARDIAN")
    schedule(NEXT_DAY)  # scheduled while active, then retired before it
    active_days_set(grid, active_to=DAY)
    with pytest.raises(ValidationError, match="outside those dates"):
        visit_log(grid, local(2026, 6, 11, 18, 30))


def test_a_visit_inside_the_active_days_is_checked_without_a_query(django_assert_num_queries):
    grid = grid_make(code="HG-Q", operation="GUARDIAN", active_to=date(2026, 6, 11))
    with django_assert_num_queries(0):
        visit_bounds_check(grid=grid, arrived_at=START, left_at=START + timedelta(minutes=20))
