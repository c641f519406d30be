"""The patrol API's scheduled patrols and visits: patrols filtered and covered when they are gaps,
visits logged by Mission Support with their dwell time, refused when impossible, and filtered."""

from datetime import timedelta

import pytest
import time_machine

from tasking.models import PatrolVisit, Request, RequestKind, ScheduledPatrol

from .patrol_helpers import (
    DAY,
    START,
    grid_make,
    local,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
    visit_payload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]


# ---------------------------------------------------------------- scheduled patrols


@pytest.fixture
def patrols(db):
    """Two days of patrols: HG-P1 (BE) patrolled on the 10th; HG-P2 (BW) never, flagged as gaps."""
    p1 = grid_make(code="HG-P1", area="BE", operation="VIBRANT")
    p2 = grid_make(code="HG-P2", area="BW", operation="VIBRANT")
    schedule(DAY)
    schedule(DAY + timedelta(days=1))
    visit_log(p1, START + timedelta(minutes=10))
    from tasking.services import patrol_gaps_detect

    patrol_gaps_detect(now=local(2026, 6, 11, 12, 0))  # the 10th's HG-P2 patrol only
    return p1, p2


def listed(client, query=""):
    response = client.get(f"/api/patrols/?{query}")
    assert response.status_code == 200, response.data
    items = response.data.get("results", response.data)
    return sorted((item["grid"], item["period"]) for item in items)


def test_patrols_filter_by_period_area_compliance_and_gap(api, viewer, patrols):
    client = api.as_user(viewer)
    d1, d2 = "2026-06-10", "2026-06-11"
    assert listed(client) == [("HG-P1", d1), ("HG-P1", d2), ("HG-P2", d1), ("HG-P2", d2)]
    assert listed(client, f"period={d1}") == [("HG-P1", d1), ("HG-P2", d1)]
    assert listed(client, "area=BW") == [("HG-P2", d1), ("HG-P2", d2)]
    assert listed(client, "compliant=true") == [("HG-P1", d1)]
    assert listed(client, "compliant=false") == [("HG-P1", d2), ("HG-P2", d1), ("HG-P2", d2)]
    assert listed(client, "gap=true") == [("HG-P2", d1)]
    assert listed(client, f"gap=false&period={d1}") == [("HG-P1", d1)]
    assert listed(client, "grid=HG-P1&compliant=false") == [("HG-P1", d2)]


def test_a_patrol_in_the_api_says_when_it_must_be_reached_and_whether_it_was(api, viewer, patrols):
    patrol = ScheduledPatrol.objects.get(grid__code="HG-P1", period__day=DAY)
    data = api.as_user(viewer).get(f"/api/patrols/{patrol.pk}/").data
    assert data["grid"] == "HG-P1" and data["area"] == "BE" and data["period"] == "2026-06-10"
    assert data["compliant"] is True
    assert data["compliant_visit"] == patrol.compliant_visit_id
    assert data["arrive_by"] == local(2026, 6, 10, 20, 0).isoformat()


def test_listing_patrols_takes_a_fixed_number_of_queries(api, viewer, patrols, django_assert_max_num_queries):
    client = api.as_user(viewer)
    client.get("/api/patrols/")  # warm the role cache and content types
    with django_assert_max_num_queries(6):
        assert client.get("/api/patrols/").status_code == 200


def test_mission_support_covers_a_gap_with_one_request(api, mission_user, patrols):
    gap = ScheduledPatrol.objects.get(grid__code="HG-P2", period__day=DAY)
    client = api.as_user(mission_user)
    response = client.post(f"/api/patrols/{gap.pk}/cover/")
    assert response.status_code == 201, response.data
    request = Request.objects.get(pk=response.data["request"])
    assert response.data["reference"] == request.reference
    assert (request.kind, request.area.code) == (RequestKind.PATROL_SUPPORT, "BW")
    again = client.post(f"/api/patrols/{gap.pk}/cover/")
    assert again.status_code == 409
    assert Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).count() == 1


def test_covering_a_patrolled_patrol_is_a_409(api, mission_user, patrols):
    done = ScheduledPatrol.objects.get(grid__code="HG-P1", period__day=DAY)
    response = api.as_user(mission_user).post(f"/api/patrols/{done.pk}/cover/")
    assert response.status_code == 409
    assert not Request.objects.filter(kind=RequestKind.PATROL_SUPPORT).exists()


# ---------------------------------------------------------------- visits


@pytest.fixture
def vibrant(db):
    grid = grid_make(code="HG-V", operation="VIBRANT")
    schedule(DAY)
    return grid


def test_mission_support_logs_a_visit_that_gets_its_dwell_minutes_and_makes_the_patrol_compliant(
    api, mission_user, vibrant
):
    response = api.as_user(mission_user).post("/api/patrol-visits/", visit_payload(), format="json")
    assert response.status_code == 201, response.data
    assert response.data["dwell_minutes"] == "22.50"
    assert response.data["source"] == PatrolVisit.Source.API
    visit = PatrolVisit.objects.get(pk=response.data["id"])
    assert visit.logged_by == mission_user
    assert ScheduledPatrol.objects.get(grid=vibrant).compliant_visit == visit


def test_a_visit_outside_the_window_is_logged_but_makes_nothing_compliant(api, mission_user, vibrant):
    payload = visit_payload(arrived_at="2026-06-10T21:00:00+01:00", left_at="2026-06-10T21:30:00+01:00")
    response = api.as_user(mission_user).post("/api/patrol-visits/", payload, format="json")
    assert response.status_code == 201
    assert not ScheduledPatrol.objects.get(grid=vibrant).is_compliant


def test_a_visit_that_leaves_before_it_arrives_is_a_400(api, mission_user, vibrant):
    payload = visit_payload(left_at="2026-06-10T18:29:59+01:00")
    response = api.as_user(mission_user).post("/api/patrol-visits/", payload, format="json")
    assert response.status_code == 400
    assert "left_at" in response.data
    assert not PatrolVisit.objects.exists()


def test_a_visit_in_the_future_is_a_400(api, mission_user, vibrant):
    payload = visit_payload(arrived_at="2026-06-13T18:30:00+01:00", left_at="2026-06-13T18:50:00+01:00")
    response = api.as_user(mission_user).post("/api/patrol-visits/", payload, format="json")
    assert response.status_code == 400
    assert "arrived_at" in response.data


def test_a_visit_to_an_unknown_grid_is_a_400(api, mission_user, vibrant):
    response = api.as_user(mission_user).post(
        "/api/patrol-visits/", visit_payload(grid="NOPE"), format="json"
    )
    assert response.status_code == 400
    assert "grid" in response.data


def test_a_visit_over_the_autumn_clock_change_is_accepted_with_its_real_length(api, mission_user, vibrant):
    # Arrives 01:50 BST, leaves 01:10 GMT: twenty real minutes later, though the clock reads earlier.
    payload = visit_payload(arrived_at="2026-10-25T01:50:00+01:00", left_at="2026-10-25T01:10:00+00:00")
    with time_machine.travel(local(2026, 10, 26, 9, 0), tick=False):
        response = api.as_user(mission_user).post("/api/patrol-visits/", payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data["dwell_minutes"] == "20.00"


def test_visits_filter_by_grid_area_and_arrival(api, viewer, vibrant):
    other = grid_make(code="HG-W", area="BW", operation="VIBRANT")
    visit_log(vibrant, START)
    visit_log(other, START + timedelta(hours=1))
    client = api.as_user(viewer)

    def grids(query):
        response = client.get(f"/api/patrol-visits/?{query}")
        assert response.status_code == 200
        items = response.data.get("results", response.data)
        return sorted(item["grid"] for item in items)

    assert grids("") == ["HG-V", "HG-W"]
    assert grids("grid=HG-V") == ["HG-V"]
    assert grids("area=BW") == ["HG-W"]
    assert grids("arrived_after=2026-06-10T18:30:00%2B01:00") == ["HG-W"]
