"""Who may do what on the patrol API: anonymous users get 401, viewers read, Mission Support logs
visits, imports points and covers gaps, and only Supervisors and Administrators write hot grids."""

from datetime import timedelta

import pytest

from tasking.models import HotGrid, PatrolVisit, Request, ScheduledPatrol

from .patrol_helpers import (
    DAY,
    START,
    grid_make,
    grid_payload,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
    visit_payload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]


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
