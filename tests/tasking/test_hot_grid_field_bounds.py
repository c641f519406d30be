"""A hot grid's shares, daily dose and cell size have the same bounds through the API as on the
form: a share is a per cent from 0 to 100, a dose at least a minute (a dose of 0 counted every grid
as patrolled enough before any visit), and a cell from 50 m to 5 km on both routes."""

import pytest
from django.core.exceptions import ValidationError

from tasking.models import HotGrid

from .patrol_helpers import (
    CELL,
    grid_payload,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"daily_dose_minutes": 0}, "daily_dose_minutes"),
        ({"crime_share": "250.00"}, "crime_share"),
        ({"harm_share": "-5"}, "harm_share"),
    ],
)
def test_the_api_refuses_a_share_or_dose_out_of_bounds(api, supervisor, overrides, field):
    response = api.as_user(supervisor).post("/api/hot-grids/", grid_payload(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not HotGrid.objects.filter(code="HG-API-1").exists()


def test_the_api_takes_shares_at_their_bounds(api, supervisor):
    payload = grid_payload(crime_share="0", harm_share="100", daily_dose_minutes=1)

    response = api.as_user(supervisor).post("/api/hot-grids/", payload, format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("size", [20, 49])
def test_a_cell_smaller_than_a_street_is_refused_on_the_form_as_in_the_api(api, client, supervisor, size):
    api_answer = api.as_user(supervisor).post(
        "/api/hot-grids/", grid_payload(cell={**CELL, "size_m": size}), format="json"
    )
    client.force_login(supervisor)
    page = client.get("/patrols/grids/new/")
    form_field = page.context["form"].fields["cell_size_m"]

    assert api_answer.status_code == 400
    with pytest.raises(ValidationError, match="greater than or equal to 50"):
        form_field.clean(str(size))
