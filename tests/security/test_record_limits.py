"""Times and counts a record cannot hold are refused where they are typed, with the field named and
nothing saved: a request received outside the years the app covers (``operations.dates``) or later
than now, a reference date in year 9999, an outcome of a hundred billion arrests, a resource with a
capacity no team has. An admin list asked for such a year of its date hierarchy says the filter is
wrong. None of these is a server error; and the request form accepts its own time of "now" in the
hour the clocks go back, which happens twice.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from operations.models import Area, Operation, Resource, TacticalPriority
from tasking.models import Request

from ..tasking.factories import (
    VALID,
    mission_make,
    nothing_saved,
    reference_data_once,  # noqa: F401
)
from .clients import OUTSIDE, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]


# -- requests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["npu_arrest", "curfew_check", "forensic_arrest"])
@pytest.mark.parametrize("received_at", ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z", "1999-12-31T12:00Z"])
def test_a_request_received_outside_the_app_s_dates_is_a_400_on_it(api, mission_user, kind, received_at):
    before = nothing_saved()
    body = {**VALID, "kind": kind, "received_at": received_at}
    if kind == "forensic_arrest":
        body["forensic_hit"] = "IDENT1 fingerprint hit 2026/123"

    response = api.as_user(mission_user).post("/api/requests/", body, format="json")

    assert response.status_code == 400, response.content
    assert OUTSIDE in str(response.json()["received_at"])
    assert nothing_saved() == before


def test_a_request_received_later_than_now_is_refused(api, mission_user):
    before = nothing_saved()
    later = (timezone.now() + timedelta(hours=2)).isoformat()

    response = api.as_user(mission_user).post("/api/requests/", {**VALID, "received_at": later})

    assert response.status_code == 400
    assert "cannot be later than now" in str(response.json()["received_at"]).lower()
    assert nothing_saved() == before


def test_a_request_received_a_minute_ahead_of_the_server_clock_is_accepted(api, mission_user):
    ahead = (timezone.now() + timedelta(minutes=1)).isoformat()

    response = api.as_user(mission_user).post("/api/requests/", {**VALID, "received_at": ahead})

    assert response.status_code == 201, response.json()


def test_a_deadline_outside_the_app_s_dates_is_a_400_on_due_by(api, mission_user):
    before = nothing_saved()

    response = api.as_user(mission_user).post(
        "/api/requests/", {**VALID, "due_by": "9999-12-31T23:00:00Z"}, format="json"
    )

    assert response.status_code == 400
    assert OUTSIDE in str(response.json()["due_by"])
    assert nothing_saved() == before


def request_form(**fields):
    be = Area.objects.get(code="BE")
    return {"kind": "npu_arrest", "area": be.pk, "requested_by": "PS 1234 Patel", **fields}


def test_the_request_form_names_received_at_when_its_year_is_out_of_range(mission_user):
    before = nothing_saved()

    response = signed_in(mission_user).post("/requests/new/", request_form(received_at="9999-12-31T23:00"))

    assert response.status_code == 200
    assert OUTSIDE in response.content.decode()
    assert nothing_saved() == before


# 25 October 2026: at 02:00 BST the clocks go back to 01:00 GMT, so 01:00-01:59 happens twice.
@pytest.mark.parametrize(
    "now", [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
)
def test_the_request_form_takes_its_own_time_of_now_in_the_hour_that_happens_twice(mission_user, now):
    client = signed_in(mission_user)
    with time_machine.travel(now, tick=False):
        shown = client.get("/requests/new/").context["form"]["received_at"].value()
        typed = shown.strftime("%Y-%m-%dT%H:%M")

        response = client.post("/requests/new/", request_form(received_at=typed))

    assert typed == "2026-10-25T01:30"
    assert response.status_code == 302, response.context["form"].errors
    request = Request.objects.latest("pk")
    assert request.received_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 01:30, in BST


def test_the_request_form_still_refuses_a_time_the_clocks_skip(mission_user):
    before = nothing_saved()

    response = signed_in(mission_user).post("/requests/new/", request_form(received_at="2026-03-29T01:30"))

    assert response.status_code == 200
    assert "couldn’t be interpreted" in response.context["form"].errors["received_at"][0]
    assert nothing_saved() == before


# -- outcomes and capacities ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("arrests", 99_999_999_999), ("firearms", 100_000), ("vehicles", 70_000), ("ammunition_rounds", 10**12)],
)
def test_an_outcome_count_no_mission_could_reach_is_a_400_on_its_field(api, mission_user, field, value):
    mission = mission_make(mission_user, "in_progress")
    body = {"result": "arrested", "arrests": 1, field: value, "version": mission.version}

    response = api.as_user(mission_user).post(f"/api/missions/{mission.pk}/outcome/", body, format="json")

    assert response.status_code == 400, response.content
    assert "less than or equal to" in str(response.json()[field])
    mission.refresh_from_db()
    assert mission.state == "in_progress"


def test_the_outcome_form_names_an_impossible_count(mission_user):
    mission = mission_make(mission_user, "in_progress")
    form = {
        "result": "arrested", "arrests": "99999999999", "version": mission.version,
        "completed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }  # fmt: skip

    response = signed_in(mission_user).post(f"/missions/{mission.pk}/outcome/", form)

    assert response.status_code == 200
    assert "less than or equal to" in response.content.decode()
    mission.refresh_from_db()
    assert mission.state == "in_progress"


def test_the_admin_refuses_a_capacity_no_team_has(administrator):
    osu = Resource.objects.get(code="OSU")
    form = {
        "code": osu.code, "name": osu.name, "kind": osu.kind, "home_area": "",
        "capacity_per_period": "99999999999", "active": "on",
    }  # fmt: skip

    response = signed_in(administrator).post(f"/admin/operations/resource/{osu.pk}/change/", form)

    assert response.status_code == 200
    assert "less than or equal to" in response.content.decode()
    osu.refresh_from_db()
    assert osu.capacity_per_period < 1000


# -- reference data in the admin --------------------------------------------------------------------


def test_the_admin_refuses_an_operation_starting_in_year_9999(administrator):
    operation = Operation.objects.get(code="GUARDIAN")
    before = operation.start_date
    form = {
        "code": operation.code, "name": operation.name, "status": operation.status,
        "start_date": "9999-12-31", "end_date": "", "source": operation.source,
        "patrol_arrival_rule": operation.patrol_arrival_rule,
        "patrol_arrival_hours": operation.patrol_arrival_hours or "",
        "effective_dose_minutes": operation.effective_dose_minutes or "",
    }  # fmt: skip

    response = signed_in(administrator).post(f"/admin/operations/operation/{operation.pk}/change/", form)

    assert response.status_code == 200
    assert OUTSIDE in response.content.decode()
    operation.refresh_from_db()
    assert operation.start_date == before


def test_a_tactical_priority_ending_in_year_9999_is_refused_by_its_model(db):
    priority = TacticalPriority.objects.first()
    priority.effective_to = priority.effective_to.replace(year=9999) if priority.effective_to else None
    priority.effective_to = priority.effective_to or priority.effective_from.replace(year=9999)

    with pytest.raises(Exception) as refused:
        priority.full_clean()

    assert OUTSIDE in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/tasking/request/?received_at__year=9999",
        "/admin/tasking/outcome/?completed_at__year=9999&completed_at__month=12",
        "/admin/tasking/trmmeeting/?date__year=9999",
        "/admin/tasking/mission/?period__starts_at__year=0",
    ],
)
def test_an_admin_list_filtered_by_a_year_out_of_range_says_the_filter_is_wrong(administrator, url):
    response = signed_in(administrator).get(url)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_a_threat_item_raised_in_1900_is_refused_on_raised_at(db):
    from django.core.exceptions import ValidationError

    from tasking.models import ThreatItem

    item = ThreatItem(title="Old item", raised_at=datetime(1900, 1, 1, 12, 0, tzinfo=UTC))

    with pytest.raises(ValidationError) as refused:
        item.full_clean()

    assert OUTSIDE in str(refused.value.message_dict["raised_at"])
