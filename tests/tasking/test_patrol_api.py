"""The patrol API: hot grids (Supervisors keep them), patrols and visits (Mission Support logs them)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from tasking.models import HotGrid, PatrolVisit, Request, RequestKind, ScheduledPatrol

from .patrol_helpers import grid_make, local, patrol_reference, schedule, visit_log, window  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]

DAY = date(2026, 6, 10)
START = local(2026, 6, 10, 18, 0)
CELL = {"lon": -1.89, "lat": 52.48, "size_m": 250}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(local(2026, 6, 12, 9, 0), tick=False):
        yield


def codes(response):
    assert response.status_code == 200, response.data
    return sorted(item["code"] for item in response.data.get("results", response.data))


def grid_payload(**overrides):
    return {
        "code": "HG-API-1",
        "name": "Digbeth",
        "area": "BE",
        "operation": "VIBRANT",
        "active_from": "2026-01-01",
        "windows": [{"weekdays": [4, 5], "start_time": "20:00", "end_time": "02:00"}],
        "cell": CELL,
        **overrides,
    }


# ---------------------------------------------------------------- hot grids


@pytest.fixture
def some_grids(db):
    return {
        "be_guardian": grid_make(
            code="HG-1", area="BE", operation="GUARDIAN", trial_arm=HotGrid.Arm.TREATMENT
        ),
        "be_control": grid_make(code="HG-2", area="BE", operation="GUARDIAN", trial_arm=HotGrid.Arm.CONTROL),
        "bw_vibrant": grid_make(code="HG-3", area="BW", operation="VIBRANT"),
        "ended": grid_make(code="HG-4", area="BW", operation="VIBRANT", active_to=date(2026, 1, 31)),
        "future": grid_make(code="HG-5", area="CV", operation="VIBRANT", active_from=date(2026, 7, 1)),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["HG-1", "HG-2", "HG-3", "HG-4", "HG-5"]),
        ("area=BE", ["HG-1", "HG-2"]),
        ("operation=VIBRANT", ["HG-3", "HG-4", "HG-5"]),
        ("arm=treatment", ["HG-1"]),
        ("arm=control", ["HG-2"]),
        ("active=true", ["HG-1", "HG-2", "HG-3"]),
        ("active=false", ["HG-4", "HG-5"]),
        ("area=BW&active=true", ["HG-3"]),
    ],
)
def test_hot_grids_filter_by_area_operation_arm_and_active(api, viewer, some_grids, query, expected):
    assert codes(api.as_user(viewer).get(f"/api/hot-grids/?{query}")) == expected


def test_a_hot_grid_comes_back_with_its_geometry_as_geojson(api, viewer, some_grids):
    grid = some_grids["be_guardian"]
    response = api.as_user(viewer).get(f"/api/hot-grids/{grid.pk}/")
    assert response.status_code == 200
    geometry = response.data["geometry"]
    assert geometry["type"] == "Polygon"
    assert geometry == grid.geometry
    ring = geometry["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert all(len(position) == 2 and all(isinstance(v, float) for v in position) for position in ring)
    assert response.data["area"] == "BE"
    assert response.data["operation"] == "GUARDIAN"
    assert response.data["windows"] == [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start_time": "18:00:00",
                                         "end_time": "20:00:00"}]  # fmt: skip


def test_a_supervisor_creates_a_hot_grid_from_a_cell_instead_of_a_geometry(api, supervisor):
    response = api.as_user(supervisor).post("/api/hot-grids/", grid_payload(), format="json")
    assert response.status_code == 201, response.data
    grid = HotGrid.objects.get(code="HG-API-1")
    assert grid.geometry["type"] == "Polygon"
    assert grid.min_lon < -1.89 < grid.max_lon and grid.min_lat < 52.48 < grid.max_lat
    assert response.data["geometry"] == grid.geometry
    assert "cell" not in response.data
    (patrol_window,) = grid.windows.all()
    assert patrol_window.weekdays == [4, 5]


def test_a_supervisor_creates_a_hot_grid_with_a_geojson_geometry(api, supervisor):
    geometry = {
        "type": "Polygon",
        "coordinates": [[[-1.9, 52.47], [-1.88, 52.47], [-1.88, 52.49], [-1.9, 52.47]]],
    }
    payload = grid_payload(geometry=geometry)
    del payload["cell"]
    response = api.as_user(supervisor).post("/api/hot-grids/", payload, format="json")
    assert response.status_code == 201, response.data
    assert HotGrid.objects.get(code="HG-API-1").geometry == geometry


def test_a_cell_outside_the_force_area_is_a_400_on_the_geometry(api, supervisor):
    response = api.as_user(supervisor).post(
        "/api/hot-grids/", grid_payload(cell={"lon": -0.13, "lat": 51.5, "size_m": 200}), format="json"
    )
    assert response.status_code == 400
    assert "geometry" in response.data
    assert not HotGrid.objects.filter(code="HG-API-1").exists()


def test_a_hot_grid_must_belong_to_an_npu(api, supervisor):
    response = api.as_user(supervisor).post("/api/hot-grids/", grid_payload(area="WMP"), format="json")
    assert response.status_code == 400
    assert "area" in response.data


def test_a_supervisor_edits_and_deletes_a_hot_grid(api, supervisor):
    grid = grid_make(supervisor)
    client = api.as_user(supervisor)
    response = client.patch(f"/api/hot-grids/{grid.pk}/", {"name": "Renamed", "cell": CELL}, format="json")
    assert response.status_code == 200, response.data
    grid.refresh_from_db()
    assert grid.name == "Renamed"
    assert grid.min_lon < -1.89 < grid.max_lon
    assert client.delete(f"/api/hot-grids/{grid.pk}/").status_code == 204
    assert not HotGrid.objects.filter(pk=grid.pk).exists()


def test_a_hot_grid_with_visits_cannot_be_deleted(api, supervisor):
    grid = grid_make(supervisor)
    visit_log(grid, START)
    response = api.as_user(supervisor).delete(f"/api/hot-grids/{grid.pk}/")
    assert response.status_code == 409
    assert HotGrid.objects.filter(pk=grid.pk).exists()


# ---------------------------------------------------------------- compliance of one grid


@pytest.fixture
def grid_with_history(db):
    """A Vibrant grid scheduled 10–12 June; patrolled on the 10th (20 min) and 11th (10 min)."""
    grid = grid_make(code="HG-C", operation="VIBRANT")
    for offset in range(3):
        schedule(DAY + timedelta(days=offset))
    visit_log(grid, local(2026, 6, 10, 18, 30), local(2026, 6, 10, 18, 50))
    visit_log(grid, local(2026, 6, 11, 19, 0), local(2026, 6, 11, 19, 10))
    return grid


def test_a_grids_compliance_over_a_range(api, viewer, grid_with_history):
    response = api.as_user(viewer).get(
        f"/api/hot-grids/{grid_with_history.pk}/compliance/",
        {"from": "2026-06-10T07:00:00+01:00", "to": "2026-06-12T07:00:00+01:00"},
    )
    assert response.status_code == 200, response.data
    data = response.data
    assert (data["grid"], data["scheduled"], data["compliant"], data["compliance_pct"]) == (
        "HG-C",
        2,
        2,
        Decimal("100.0"),
    )
    assert (data["visits"], data["minutes"], data["effective_visits"]) == (2, 30, 1)
    assert len(data["patrols"]) == 2


def test_a_grids_compliance_over_its_whole_history(api, viewer, grid_with_history):
    data = api.as_user(viewer).get(f"/api/hot-grids/{grid_with_history.pk}/compliance/").data
    assert (data["scheduled"], data["compliant"], data["compliance_pct"]) == (3, 2, Decimal("66.7"))
    assert (data["visits"], data["minutes"]) == (2, 30)


def test_a_grids_compliance_from_a_date_on(api, viewer, grid_with_history):
    response = api.as_user(viewer).get(
        f"/api/hot-grids/{grid_with_history.pk}/compliance/", {"from": "2026-06-11T07:00:00+01:00"}
    )
    data = response.data
    assert (data["scheduled"], data["compliant"], data["visits"], data["minutes"]) == (2, 1, 1, 10)


def test_a_grids_compliance_with_a_naive_time_reads_it_as_london_time(api, viewer, grid_with_history):
    response = api.as_user(viewer).get(
        f"/api/hot-grids/{grid_with_history.pk}/compliance/", {"from": "2026-06-11T07:00:00"}
    )
    assert response.status_code == 200
    assert response.data["scheduled"] == 2


def test_a_grids_compliance_in_an_empty_range_is_zero_with_no_percentage(api, viewer, grid_with_history):
    data = (
        api.as_user(viewer)
        .get(
            f"/api/hot-grids/{grid_with_history.pk}/compliance/",
            {"from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"},
        )
        .data
    )
    figures = [data[k] for k in ("scheduled", "compliant", "compliance_pct", "visits", "minutes")]
    assert figures == [0, 0, None, 0, 0]


@pytest.mark.parametrize("bad", ["yesterday", "2026-02-30T10:00:00", "2026-13-01T00:00:00Z", "10/06/2026"])
def test_a_grids_compliance_with_a_bad_date_is_a_400(api, viewer, grid_with_history, bad):
    for name in ("from", "to"):
        response = api.as_user(viewer).get(f"/api/hot-grids/{grid_with_history.pk}/compliance/", {name: bad})
        assert response.status_code == 400, (name, bad)
        assert name in response.data


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


def visit_payload(**overrides):
    return {
        "grid": "HG-V",
        "resource": "NPU-BE",
        "officer_reference": "PC 4321",
        "arrived_at": "2026-06-10T18:30:00+01:00",
        "left_at": "2026-06-10T18:52:30+01:00",
        **overrides,
    }


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


# ---------------------------------------------------------------- who may do what


@pytest.fixture
def targets(db):
    grid = grid_make(code="HG-R", operation="VIBRANT")
    schedule(DAY)
    patrol = ScheduledPatrol.objects.get(grid=grid)
    visit = visit_log(grid, START + timedelta(hours=3))  # after the window: the patrol stays a gap
    return grid, patrol, visit


READS = [
    "/api/hot-grids/",
    "/api/hot-grids/{grid}/",
    "/api/hot-grids/{grid}/compliance/",
    "/api/patrols/",
    "/api/patrols/{patrol}/",
    "/api/patrol-visits/",
    "/api/patrol-visits/{visit}/",
]


def writes(grid, patrol):
    """(method, url, body) of every write, each with a body that would succeed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    point = f"NPU-BE,PC 9,2026-06-10T18:10:00+01:00,{grid.min_lat + 0.0005},{grid.min_lon + 0.0005}"
    csv = f"resource,officer,timestamp,lat,lon\n{point}\n"
    return {
        "create hot grid": ("post", "/api/hot-grids/", grid_payload(), "json"),
        "edit hot grid": ("patch", f"/api/hot-grids/{grid.pk}/", {"name": "Changed"}, "json"),
        "replace hot grid": ("put", f"/api/hot-grids/{grid.pk}/", grid_payload(code=grid.code), "json"),
        "delete hot grid": ("delete", f"/api/hot-grids/{grid.pk}/", None, "json"),
        "cover gap": ("post", f"/api/patrols/{patrol.pk}/cover/", None, "json"),
        "log visit": ("post", "/api/patrol-visits/", visit_payload(grid=grid.code), "json"),
        "import points": (
            "post", "/api/patrol-visits/import/",
            {"file": SimpleUploadedFile("p.csv", csv.encode(), content_type="text/csv")}, "multipart",
        ),
    }  # fmt: skip


def send(client, method, url, body, fmt):
    return (
        getattr(client, method)(url, body, format=fmt) if body is not None else getattr(client, method)(url)
    )


def urls(grid, patrol, visit):
    return [u.format(grid=grid.pk, patrol=patrol.pk, visit=visit.pk) for u in READS]


def test_anonymous_users_get_401_on_every_patrol_endpoint(api, targets):
    grid, patrol, _ = targets
    for url in urls(*targets):
        assert api.get(url).status_code == 401, url
    for name, (method, url, body, fmt) in writes(grid, patrol).items():
        assert send(api, method, url, body, fmt).status_code == 401, name


def test_a_viewer_reads_every_patrol_endpoint_but_gets_403_on_every_write(api, viewer, targets):
    grid, patrol, _ = targets
    client = api.as_user(viewer)
    for url in urls(*targets):
        assert client.get(url).status_code == 200, url
    counts = (HotGrid.objects.count(), PatrolVisit.objects.count(), Request.objects.count())
    for name, (method, url, body, fmt) in writes(grid, patrol).items():
        assert send(client, method, url, body, fmt).status_code == 403, name
    assert (HotGrid.objects.count(), PatrolVisit.objects.count(), Request.objects.count()) == counts
    grid.refresh_from_db()
    assert grid.name != "Changed"


MISSION_SUPPORT_MAY = {"cover gap": 201, "log visit": 201, "import points": 200}


def test_mission_support_logs_visits_imports_and_covers_but_cannot_touch_hot_grids(
    api, mission_user, targets
):
    grid, patrol, _ = targets
    client = api.as_user(mission_user)
    for name, (method, url, body, fmt) in writes(grid, patrol).items():
        response = send(client, method, url, body, fmt)
        assert response.status_code == MISSION_SUPPORT_MAY.get(name, 403), (name, response.data)
    grid.refresh_from_db()
    assert grid.name != "Changed"
    assert not HotGrid.objects.filter(code="HG-API-1").exists()


@pytest.mark.parametrize("who", ["supervisor", "administrator"])
def test_supervisors_and_administrators_write_hot_grids(api, request, targets, who):
    grid, patrol, _ = targets
    client = api.as_user(request.getfixturevalue(who))
    all_writes = writes(grid, patrol)
    for name in ("create hot grid", "edit hot grid"):
        method, url, body, fmt = all_writes[name]
        assert send(client, method, url, body, fmt).status_code in (200, 201), name
    grid.refresh_from_db()
    assert grid.name == "Changed"
    assert HotGrid.objects.filter(code="HG-API-1").exists()


def test_a_user_without_a_role_gets_403_even_for_reading(api, no_role_user, targets):
    client = api.as_user(no_role_user)
    for url in urls(*targets):
        assert client.get(url).status_code == 403, url
