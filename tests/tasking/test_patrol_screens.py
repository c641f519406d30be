"""The patrol screens through the test client: every page renders for each role and refuses a
viewer's posts, the compliance page with its gaps and cover, the trial page, the TRM agenda's
missed patrols, and a bounded number of queries on every page.

Test data is made with the patrol services (``patrol_helpers``), as the application makes it. The
clock is frozen on Friday 12 June 2026 at 19:00 London time.
"""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from operations.models import Operation
from tasking import services
from tasking.models import HotGrid, PatrolTrial, PatrolVisit, Request, RequestKind, ScheduledPatrol

from .factories import flash, html, signed_in
from .patrol_helpers import (
    TODAY,
    grid_form,
    grid_make,
    local,
    patrol_reference,  # noqa: F401
    patrol_screens_clock,  # noqa: F401
    schedule,
    section,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_screens_clock")]


@pytest.fixture
def patrol_pages(supervisor):
    grid = grid_make(supervisor, code="HG-PAGE", trial_arm=HotGrid.Arm.TREATMENT)
    grid_make(supervisor, code="HG-PAGE-C", trial_arm=HotGrid.Arm.CONTROL)
    schedule(TODAY)
    visit_log(grid, local(2026, 6, 12, 18, 10))
    services.hot_grids_randomise(
        actor=supervisor, operation=Operation.objects.get(code="GUARDIAN"), seed=7, starts_on=TODAY
    )
    meeting = services.trm_meeting_open(actor=supervisor, date=TODAY)
    return {
        "hub": "/patrols/",
        "grid list": "/patrols/grids/",
        "grid detail": f"/patrols/grids/{grid.pk}/",
        "grid form": "/patrols/grids/new/",
        "grid edit": f"/patrols/grids/{grid.pk}/edit/",
        "visit form": f"/patrols/visits/new/?grid={grid.pk}",
        "visits": "/patrols/visits/",
        "gps upload": "/patrols/visits/import/",
        "compliance": "/patrols/compliance/",
        "trial": "/patrols/trials/GUARDIAN/",
        "trm meeting": f"/trm/{meeting.date.isoformat()}/",
    }


# -- every page, every role ---------------------------------------------------------------------------


def test_every_patrol_page_renders_for_a_viewer_and_anonymous_users_are_sent_to_log_in(
    client, viewer, patrol_pages
):
    for name, url in patrol_pages.items():
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], name
    signed_in(client, viewer)
    for name, url in patrol_pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = html(response)
        assert "http://" not in page and "https://" not in page, name


def test_a_viewer_cannot_post_to_any_patrol_page_and_nothing_changes(client, viewer, supervisor):
    grid = grid_make(supervisor, code="HG-V", operation="VIBRANT")
    schedule(date(2026, 6, 11))
    gap = ScheduledPatrol.objects.get(grid=grid)
    before = (HotGrid.objects.count(), PatrolVisit.objects.count(), Request.objects.count())
    signed_in(client, viewer)
    posts = {
        "/patrols/grids/new/": grid_form(area="1", cell_lon="-1.89", cell_lat="52.48", cell_size_m="200"),
        f"/patrols/grids/{grid.pk}/edit/": grid_form(code="HG-V2"),
        "/patrols/visits/new/": {"grid": grid.pk},
        "/patrols/visits/import/": {
            "file": SimpleUploadedFile("p.csv", b"resource,officer,timestamp,lat,lon\n")
        },
        f"/patrols/gaps/{gap.pk}/cover/": {},
        "/patrols/trials/VIBRANT/randomise/": {"seed": "1"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert (HotGrid.objects.count(), PatrolVisit.objects.count(), Request.objects.count()) == before
    assert not PatrolTrial.objects.exists()
    assert HotGrid.objects.get(pk=grid.pk).code == "HG-V"


# -- compliance, gaps and cover -----------------------------------------------------------------------


@pytest.fixture
def two_days():
    """BE: two Guardian grids, one patrolled both days, one never; BW: a Vibrant grid patrolled twice."""
    be_done, be_never = grid_make(code="HG-BE1", area="BE"), grid_make(code="HG-BE2", area="BE")
    bw = grid_make(code="HG-BW1", area="BW", operation="VIBRANT")
    for day in (10, 11):
        schedule(date(2026, 6, day))
    for day in (10, 11):
        visit_log(be_done, local(2026, 6, day, 18, 30), local(2026, 6, day, 18, 50))
        visit_log(bw, local(2026, 6, day, 19, 0), local(2026, 6, day, 19, 10), resource="NPU-BW")
    return {"be_done": be_done, "be_never": be_never, "bw": bw}


def _rows(page, table_id):
    table = section(page, f'id="{table_id}"', "</table>")
    return {
        m[0]: re.findall(r'<td class="num">(?:<strong>)?([^<]*)', m[1])
        for m in re.findall(
            r'<th scope="row">([A-Za-z ]+?)(?: <span[^>]*>[^<]*</span>)?</th>(.*?)</tr>', table, re.S
        )
    }


def test_the_compliance_page_shows_the_percentages_per_npu_operation_and_force(client, viewer, two_days):
    page = html(signed_in(client, viewer).get("/patrols/compliance/?from=2026-06-10&to=2026-06-11"))

    # scheduled, compliant, gaps, compliance, visits, minutes, effective visits
    assert _rows(page, "by-npu") == {
        "BE": ["4", "2", "2", "50.0 %", "2", "40", "2"],
        "BW": ["2", "2", "0", "100.0 %", "2", "20", "0"],
        "Force": ["6", "4", "2", "66.7 %", "4", "60", "2"],
    }
    assert _rows(page, "by-operation") == {
        "GUARDIAN": ["4", "2", "2", "50.0 %", "2", "40", "2"],
        "VIBRANT": ["2", "2", "0", "100.0 %", "2", "20", "0"],
    }
    gaps = section(page, 'id="gaps-title"', "</section>")
    assert "(2)" in gaps and gaps.count("HG-BE2") == 2 and "HG-BE1" not in gaps

    only_vibrant = html(client.get("/patrols/compliance/?from=2026-06-10&to=2026-06-11&operation=VIBRANT"))
    assert set(_rows(only_vibrant, "by-npu")) == {"BW", "Force"}


def test_the_compliance_page_defaults_to_the_last_28_days(client, viewer):
    response = signed_in(client, viewer).get("/patrols/compliance/")
    assert (response.context["first"], response.context["last"]) == (date(2026, 5, 16), TODAY)


def test_raising_cover_for_a_gap_creates_one_request_and_a_second_click_shows_the_conflict(
    client, mission_user, two_days
):
    gap = ScheduledPatrol.objects.filter(grid=two_days["be_never"]).order_by("starts_at").first()
    signed_in(client, mission_user)
    page = html(client.get("/patrols/compliance/?from=2026-06-10&to=2026-06-11"))
    assert f'action="/patrols/gaps/{gap.pk}/cover/"' in page

    next_url = "/patrols/compliance/?from=2026-06-10&to=2026-06-11"
    first = client.post(f"/patrols/gaps/{gap.pk}/cover/", {"next": next_url})
    second = client.post(f"/patrols/gaps/{gap.pk}/cover/", {"next": next_url})

    assert first.status_code == second.status_code == 302 and first["Location"] == next_url
    cover = Request.objects.get()
    assert cover.kind == RequestKind.PATROL_SUPPORT and cover.area.code == "BE"
    assert ScheduledPatrol.objects.get(pk=gap.pk).cover_request == cover
    assert "already requested" in " ".join(flash(second))
    assert f"Cover {cover.reference}" in html(client.get(next_url))


# -- the trial ----------------------------------------------------------------------------------------


def test_the_trial_page_shows_the_balance_and_refuses_re_randomisation_after_the_start(client, supervisor):
    for n in range(4):
        grid_make(code=f"HG-BE{n}", area="BE")
    for n in range(2):
        grid_make(code=f"HG-BW{n}", area="BW")
    signed_in(client, supervisor)

    response = client.post("/patrols/trials/GUARDIAN/randomise/", {"seed": "42", "starts_on": "2026-06-20"})
    assert response.status_code == 302 and response["Location"] == "/patrols/trials/GUARDIAN/"
    page = html(client.get("/patrols/trials/GUARDIAN/"))
    assert ">42<" in page and "supervisor" in page and "not started" in page
    assert _rows(page, "balance") == {
        "BE": ["2", "2", "0"],
        "BW": ["1", "1", "0"],
        "All NPUs": ["3", "3", "0"],
    }
    readout = section(page, 'id="readout"', "</table>")
    assert "Treatment (patrolled)" in readout and "Control (business as usual)" in readout

    services.hot_grids_randomise(
        actor=supervisor, operation=Operation.objects.get(code="GUARDIAN"), seed=42, starts_on=TODAY
    )
    arms = dict(HotGrid.objects.values_list("code", "trial_arm"))
    refused = client.post("/patrols/trials/GUARDIAN/randomise/", {"seed": "43", "starts_on": "2026-06-20"})

    assert refused.status_code == 302
    assert "cannot be changed" in " ".join(flash(refused))
    assert dict(HotGrid.objects.values_list("code", "trial_arm")) == arms
    assert PatrolTrial.objects.get().seed == 42
    assert "its assignment is locked" in html(client.get("/patrols/trials/GUARDIAN/"))


def test_only_a_supervisor_sees_the_randomise_form(client, mission_user):
    grid_make(code="HG-X")
    page = html(signed_in(client, mission_user).get("/patrols/trials/GUARDIAN/"))
    assert "/randomise/" not in page and "have not been randomised yet" in page


# -- the TRM agenda -----------------------------------------------------------------------------------


def test_the_trm_page_lists_the_review_periods_hot_grid_gaps_by_npu_with_a_cover_button(client, mission_user):
    missed = grid_make(code="HG-MISS", area="BE", operation="VIBRANT")
    made = grid_make(code="HG-MADE", area="BW", operation="VIBRANT")
    schedule(date(2026, 6, 11))
    visit_log(made, local(2026, 6, 11, 18, 30), resource="NPU-BW")
    meeting = services.trm_meeting_open(actor=mission_user, date=TODAY)  # reviews 11 June
    url = f"/trm/{TODAY.isoformat()}/"
    signed_in(client, mission_user)

    page = html(client.get(url))

    gaps = section(page, 'id="hot-grids"', 'id="decisions"')
    assert "Patrols missed on Thu 11 Jun: 1 gap" in gaps
    assert "BE " in gaps and "HG-MISS" in gaps and "HG-MADE" not in gaps
    gap = ScheduledPatrol.objects.get(grid=missed)
    assert f'action="/patrols/gaps/{gap.pk}/cover/"' in gaps and f'name="next" value="{url}"' in gaps

    response = client.post(f"/patrols/gaps/{gap.pk}/cover/", {"next": url})
    assert response["Location"] == url
    assert ScheduledPatrol.objects.get(pk=gap.pk).cover_request is not None
    assert meeting.date == TODAY


# -- bounded queries ----------------------------------------------------------------------------------


@pytest.fixture
def lots(supervisor):
    """60 grids over 8 NPUs, 4 days of patrols (hundreds) and a visit for every other patrol."""
    areas = ["BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"]
    grids = [
        grid_make(code=f"HG-Q{n:02d}", area=areas[n % 8], operation=["GUARDIAN", "VIBRANT"][n % 2])
        for n in range(60)
    ]
    for day in range(9, 13):
        schedule(date(2026, 6, day))
    for n, grid in enumerate(grids):
        for day in range(9, 12):
            if (n + day) % 2:
                visit_log(grid, local(2026, 6, day, 18, 30), resource="NPU-BE")
    services.hot_grids_randomise(  # built as history: randomised on the day the trial starts
        actor=supervisor, operation=Operation.objects.get(code="GUARDIAN"), seed=3,
        starts_on=date(2026, 6, 1), today=date(2026, 6, 1),
    )  # fmt: skip
    services.trm_meeting_open(actor=supervisor, date=TODAY)
    assert ScheduledPatrol.objects.count() >= 200
    return grids


def test_every_patrol_page_uses_a_bounded_number_of_queries(
    client, mission_user, lots, django_assert_max_num_queries
):
    signed_in(client, mission_user)
    pages = [
        "/patrols/",
        "/patrols/grids/",
        f"/patrols/grids/{lots[0].pk}/",
        f"/patrols/grids/{lots[0].pk}/edit/",
        "/patrols/visits/new/",
        "/patrols/visits/",
        "/patrols/visits/import/",
        "/patrols/compliance/?from=2026-06-09&to=2026-06-12",
        "/patrols/trials/GUARDIAN/",
    ]
    client.get("/patrols/")  # today's schedule exists, as the periodic job would have made it
    for url in pages:
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200, url
    assert html(client.get("/patrols/grids/")).count('<a href="/patrols/grids/') >= 60
    with django_assert_max_num_queries(30):
        assert client.get(f"/trm/{TODAY.isoformat()}/").status_code == 200
