"""The allocation screens through the test client: the allocation board and allocating from it, a
full resource refused with a clear message and a Supervisor's override of it, and a re-allocation
that needs its reason.

Test data is made with the tasking services, as the application itself would make it.
"""

import re

import pytest

from operations.models import Resource
from tasking import services

from .factories import allocated, approved, current_period, html, not_completed, signed_in, snapshot

pytestmark = pytest.mark.django_db


# -- allocation -----------------------------------------------------------------------------------


def test_the_allocation_board_shows_resources_and_missions_waiting(
    client, viewer, mission_user, reference_data
):
    pending = approved(mission_user)
    stuck = not_completed(mission_user)

    page = html(signed_in(client, viewer).get("/allocation/"))

    assert "Operational Support Unit" in page
    assert pending.reference in page and stuck.reference in page
    assert "Subject not at the address." in page
    assert 'name="resource"' not in page  # a viewer gets no allocation form


def test_allocating_from_the_board_returns_to_the_board(client, mission_user, reference_data):
    mission = approved(mission_user)
    osu = Resource.objects.get(code="OSU")
    period = current_period()
    board = f"/allocation/?period={period.day.isoformat()}"

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/",
        {"resource": osu.pk, "version": mission.version, "period": period.day.isoformat(), "next": board},
    )

    assert response.status_code == 302
    assert response.url == board
    mission.refresh_from_db()
    assert (mission.state, mission.resource, mission.period) == ("allocated", osu, period)
    page = html(client.get(board))
    assert re.search(r'>OSU</a>.*?<td class="num">1</td><td class="num">10</td>', page, re.S)
    assert f"{mission.reference} allocated to Operational Support Unit" in page


def test_allocation_is_refused_with_a_clear_message_when_the_resource_is_full(
    client, mission_user, supervisor, reference_data
):
    osu = Resource.objects.get(code="OSU")
    period = current_period()
    services.resource_period_set_capacity(
        actor=supervisor, resource=osu, period=period, capacity=1, reason="Training"
    )
    allocated(mission_user, period=period)
    mission = approved(mission_user)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/",
        {
            "resource": osu.pk,
            "version": mission.version,
            "period": period.day.isoformat(),
            "next": "/allocation/",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/allocation/"
    assert "is full for this period (1 of 1)" in html(response)
    assert snapshot(mission) == before


def test_a_supervisor_overrides_a_full_resource_with_a_reason(
    client, mission_user, supervisor, reference_data
):
    osu = Resource.objects.get(code="OSU")
    period = current_period()
    services.resource_period_set_capacity(
        actor=supervisor, resource=osu, period=period, capacity=1, reason="Training"
    )
    allocated(mission_user, period=period)
    mission = approved(mission_user)

    response = signed_in(client, supervisor).post(
        f"/missions/{mission.pk}/allocate/",
        {
            "resource": osu.pk,
            "version": mission.version,
            "override_reason": "Firearms threat: must go today.",
        },
    )

    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.state == "allocated"
    assert "capacity override" in html(client.get(f"/missions/{mission.pk}/"))


def test_re_allocation_without_a_reason_shows_the_error_next_to_the_field(
    client, mission_user, reference_data
):
    mission = allocated(mission_user)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/allocate/",
        {"resource": Resource.objects.get(code="FS").pk, "version": mission.version},
    )

    assert response.status_code == 200
    assert re.search(r'<input type="text" name="reason"[^>]*aria-invalid="true"', html(response))
    assert "Say why the mission is being re-allocated." in html(response)
    assert snapshot(mission) == before
