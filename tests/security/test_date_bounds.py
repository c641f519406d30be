"""Dates outside the years the app covers (2000-2100, ``operations.dates``) and odd digits get a clear
answer, never a server error: a page shows what was wrong and falls back to its default, a form or
the API names the field (400), the TRM pack of such a day is not found (404). Looking at a day on
the allocation board writes no tasking period, and the process chart draws at most 260 weeks or
120 months, saying so when asked for more.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from operations.dates import FIRST_DAY, LAST_DAY
from tasking import services
from tasking.models import Mission, TaskingPeriod, TrmMeeting
from tests.security.clients import OUTSIDE, api_as, page_says, signed_in
from tests.tasking.factories import resource

# -- tasking periods: the allocation board, allocating, opening a meeting --------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_allocation_board_shows_the_current_period_and_says_why_for_a_day_out_of_range(db, world, day):
    periods = TaskingPeriod.objects.count()

    response = signed_in(world.users["viewer"]).get("/allocation/", {"period": day})

    assert response.status_code == 200
    assert page_says(response, f"{day} {OUTSIDE}", "Showing the current period instead.")
    assert response.context["period"].contains(timezone.now())
    assert TaskingPeriod.objects.count() == periods


def test_looking_at_a_day_on_the_allocation_board_creates_no_period(db, world):
    day = date(2099, 6, 1)
    periods = TaskingPeriod.objects.count()

    response = signed_in(world.users["viewer"]).get("/allocation/", {"period": day.isoformat()})

    assert response.status_code == 200 and response.context["period"].day == day
    assert all(row["used"] == 0 for row in response.context["rows"])
    assert TaskingPeriod.objects.count() == periods
    assert not TaskingPeriod.objects.filter(day=day).exists()


def test_a_bad_date_on_the_allocation_board_is_said_not_written(db, world):
    periods = TaskingPeriod.objects.count()
    response = signed_in(world.users["viewer"]).get("/allocation/", {"period": "31/12/2026"})
    assert response.status_code == 200 and page_says(response, "is not a date: use YYYY-MM-DD.")
    assert TaskingPeriod.objects.count() == periods


def test_allocating_through_the_api_into_a_day_out_of_range_is_a_400_on_the_period(db, world):
    mission = world.missions["pending"]
    periods = TaskingPeriod.objects.count()

    response = api_as(world.users["mission_support"]).post(
        f"/api/missions/{mission.pk}/allocate/",
        {"resource": "OSU", "period": "9999-12-31", "version": mission.version},
    )

    assert response.status_code == 400
    assert OUTSIDE in response.json()["period"][0]
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.PENDING
    assert TaskingPeriod.objects.count() == periods


def test_allocating_on_the_page_into_a_day_out_of_range_is_a_field_error(db, world):
    mission = world.missions["pending"]
    periods = TaskingPeriod.objects.count()

    response = signed_in(world.users["mission_support"]).post(
        f"/missions/{mission.pk}/allocate/",
        {"resource": resource("OSU").pk, "period": "9999-12-31", "version": mission.version},
    )

    assert response.status_code == 200
    assert OUTSIDE in response.context["form"].errors["period"][0]
    assert page_says(response, OUTSIDE)
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.PENDING
    assert TaskingPeriod.objects.count() == periods


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01", "1999-12-31"])
def test_opening_a_meeting_out_of_range_through_the_api_is_a_400_on_the_date(db, world, day):
    # 2101 and 1999 have tasking periods Python can compute: only the app's range refuses them.
    periods = TaskingPeriod.objects.count()

    response = api_as(world.users["mission_support"]).post("/api/trm-meetings/", {"date": day})

    assert response.status_code == 400
    assert response.json()["date"] == [f"{day} {OUTSIDE}: choose one from 2000-01-01 to 2100-12-31."]
    assert not TrmMeeting.objects.filter(date=date.fromisoformat(day)).exists()
    assert TaskingPeriod.objects.count() == periods


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01"])
def test_opening_a_meeting_out_of_range_on_the_page_says_which_dates_are_covered(db, world, day):
    response = signed_in(world.users["mission_support"]).post("/trm/open/", {"date": day}, follow=True)

    assert response.status_code == 200
    assert page_says(response, f"{day} {OUTSIDE}") and not page_says(response, "Give the meeting date as")
    assert not TrmMeeting.objects.filter(date=date.fromisoformat(day)).exists()


def test_opening_a_meeting_with_no_date_on_the_page_asks_for_the_format(db, world):
    response = signed_in(world.users["mission_support"]).post("/trm/open/", {"date": "31/12"}, follow=True)
    assert page_says(response, "Give the meeting date as YYYY-MM-DD.")


def test_the_meeting_service_itself_refuses_a_day_out_of_range_on_the_date(db, world):
    with pytest.raises(ValidationError) as refused:
        services.trm_meeting_open(actor=world.users["mission_support"], date=date(2101, 1, 1))
    assert refused.value.error_dict["date"][0].code == "date_out_of_range"
    assert services.trm_meeting_open(actor=world.users["mission_support"], date=LAST_DAY).date == LAST_DAY


def test_a_period_at_each_end_of_the_range_still_works(db, world):
    assert services.period_for_day(FIRST_DAY).day == FIRST_DAY
    assert services.period_for_day(LAST_DAY).day == LAST_DAY


# -- patrol pages -------------------------------------------------------------------------------


def test_patrol_compliance_to_the_end_of_the_calendar_is_a_field_error_on_the_default_range(db, world):
    response = signed_in(world.users["viewer"]).get("/patrols/compliance/", {"to": "9999-12-31"})

    assert response.status_code == 200
    assert OUTSIDE in response.context["form"].errors["to"][0] and page_says(response, OUTSIDE)
    assert response.context["last"] == timezone.localdate()


def test_a_trial_start_out_of_range_is_a_field_error(db, world):
    response = signed_in(world.users["supervisor"]).post(
        "/patrols/trials/GUARDIAN/randomise/", {"seed": 7, "starts_on": "9999-12-31"}
    )

    assert response.status_code == 200
    assert OUTSIDE in response.context["form"].errors["starts_on"][0]


# -- dashboards ---------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_trm_pack_of_a_day_out_of_range_is_not_found(db, world, day):
    assert signed_in(world.users["viewer"]).get(f"/dashboards/trm/{day}/").status_code == 404


def test_the_trm_pack_at_the_first_day_of_the_range_is_shown(db, world):
    response = signed_in(world.users["viewer"]).get(f"/dashboards/trm/{FIRST_DAY.isoformat()}/")
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_sceptre_week_out_of_range_shows_this_week_and_says_why(db, world, day):
    response = signed_in(world.users["viewer"]).get("/dashboards/operations/SCEPTRE/", {"week": day})

    assert response.status_code == 200
    assert page_says(response, f"{day} {OUTSIDE}", "Showing this week instead.")
    week = response.context["page"]["week"]
    assert week <= timezone.localdate() < date.fromordinal(week.toordinal() + 7)


CHART = "/dashboards/indicators/recorded_crime/"


@pytest.mark.parametrize(
    "params",
    [
        {"to": "0001-02-01"},
        {"period": "week", "to": "0001-01-09"},
        {"from": "0001-01-01"},
        {"period": "week", "breaks": "9999-12-31"},
        {"baseline": "²"},
    ],
)
def test_the_process_chart_says_what_was_wrong_with_a_date_or_number(db, world, params):
    response = signed_in(world.users["viewer"]).get(CHART, params)

    assert response.status_code == 200
    [name] = [key for key in params if key != "period"]
    assert name in response.context["errors"]
    assert page_says(response, "Some choices were not used")


def test_the_series_api_refuses_odd_digits_and_dates_out_of_range_with_400s(db, world):
    api = api_as(world.users["viewer"])
    series = "/api/indicators/recorded_crime/series/"

    for params, field in (
        ({"baseline": "²"}, "baseline"),
        ({"baseline": "9" * 5000}, "baseline"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"breaks": "2026-01-01,9999-12-31"}, "breaks"),
    ):
        response = api.get(series, params)
        assert response.status_code == 400, params
        assert field in response.json(), params

    assert api.get(series, {"baseline": "12"}).status_code == 200


# -- the process chart's range cap --------------------------------------------------------------


def test_the_whole_calendar_of_weeks_is_refused_and_the_default_chart_shown(db, world):
    response = signed_in(world.users["viewer"]).get(
        CHART, {"period": "week", "from": "0001-01-01", "to": "9999-12-27"}
    )

    assert response.status_code == 200
    assert OUTSIDE in response.context["errors"]["from"] and OUTSIDE in response.context["errors"]["to"]
    assert len(response.context["chart"].points) <= 78


@pytest.mark.parametrize(
    ("kind", "first", "last", "cap", "default"),
    [
        ("week", "2000-01-03", "2026-01-05", 260, 78),
        ("month", "2000-01-01", "2026-01-01", 120, 36),
    ],
)
def test_a_chart_range_over_the_cap_says_so_and_draws_the_default(db, world, kind, first, last, cap, default):
    response = signed_in(world.users["viewer"]).get(CHART, {"period": kind, "from": first, "to": last})

    assert response.status_code == 200
    assert f"shows at most {cap} points" in response.context["errors"]["from"]
    assert page_says(response, f"shows at most {cap} points")
    assert 1 <= len(response.context["chart"].points) <= default


@pytest.mark.parametrize(
    ("kind", "first", "last", "cap"),
    [("week", "2021-01-18", "2026-01-05", 260), ("month", "2016-02-01", "2026-01-01", 120)],
)
def test_a_chart_range_at_the_cap_is_drawn_whole(db, world, kind, first, last, cap):
    response = signed_in(world.users["viewer"]).get(CHART, {"period": kind, "from": first, "to": last})

    assert response.status_code == 200 and response.context["errors"] == {}
    assert len(response.context["chart"].points) == cap
