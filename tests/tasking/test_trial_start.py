"""A patrol trial cannot start before the day it is randomised: patrols already made were not
assigned to an arm by the randomisation, and counting them in an arm would contaminate the read-out.
The service refuses a backdated start (on its ``starts_on`` field) and changes nothing; the trial
page shows that error on its form. Today or a later day is accepted, and no day means today.

The clock stands at 19:00 on Friday 12 June 2026 (London)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from operations.models import AuditEntry, Operation
from tasking import services
from tasking.models import HotGrid, PatrolTrial

from .factories import html, signed_in
from .patrol_helpers import (
    TODAY,
    grid_make,
    patrol_reference,  # noqa: F401
    patrol_screens_clock,  # noqa: F401
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_screens_clock")]


@pytest.fixture
def vibrant_grids(db):
    return [
        grid_make(code=f"HG-VIB{n}", area=area, operation="VIBRANT")
        for n, area in enumerate(["BE", "BE", "BW", "BW"])
    ]


def vibrant():
    return Operation.objects.get(code="VIBRANT")


def arms():
    return dict(HotGrid.objects.filter(operation__code="VIBRANT").values_list("code", "trial_arm"))


def randomise(actor, starts_on, seed=7):
    return services.hot_grids_randomise(actor=actor, operation=vibrant(), seed=seed, starts_on=starts_on)


@pytest.mark.parametrize("starts_on", [date(2020, 1, 1), TODAY - timedelta(days=1)])
def test_a_backdated_start_is_refused_on_its_field_and_nothing_is_randomised(
    supervisor, vibrant_grids, starts_on
):
    before, audit = arms(), AuditEntry.objects.count()

    with pytest.raises(ValidationError) as caught:
        randomise(supervisor, starts_on)

    message = " ".join(caught.value.message_dict["starts_on"])
    assert f"cannot start on {starts_on:%d %b %Y}, before it is randomised (12 Jun 2026)" in message
    assert "Choose today or a later day." in message
    assert arms() == before and set(before.values()) == {""}
    assert not PatrolTrial.objects.exists()
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize(
    ("starts_on", "expected"),
    [(TODAY, TODAY), (TODAY + timedelta(days=30), TODAY + timedelta(days=30)), (None, TODAY)],
)
def test_today_a_later_day_or_no_day_are_accepted(supervisor, vibrant_grids, starts_on, expected):
    assert randomise(supervisor, starts_on).starts_on == expected
    assert PatrolTrial.objects.get().starts_on == expected
    assert set(arms().values()) == {HotGrid.Arm.TREATMENT, HotGrid.Arm.CONTROL}


def test_re_randomising_a_trial_not_yet_started_cannot_move_its_start_into_the_past(
    supervisor, vibrant_grids
):
    trial = randomise(supervisor, TODAY + timedelta(days=7), seed=7)
    before = arms()

    with pytest.raises(ValidationError):
        randomise(supervisor, TODAY - timedelta(days=7), seed=99)

    assert PatrolTrial.objects.get() == trial
    assert (PatrolTrial.objects.get().seed, PatrolTrial.objects.get().starts_on) == (
        7,
        TODAY + timedelta(days=7),
    )
    assert arms() == before


def test_the_trial_page_shows_the_backdated_start_as_a_form_error(client, supervisor, vibrant_grids):
    signed_in(client, supervisor)

    response = client.post("/patrols/trials/VIBRANT/randomise/", {"seed": "7", "starts_on": "2020-01-01"})

    assert response.status_code == 200
    page = html(response)
    assert "cannot start on 01 Jan 2020, before it is randomised (12 Jun 2026)" in page
    assert not PatrolTrial.objects.exists()
    assert set(arms().values()) == {""}

    accepted = client.post(
        "/patrols/trials/VIBRANT/randomise/", {"seed": "7", "starts_on": TODAY.isoformat()}
    )
    assert accepted.status_code == 302
    assert PatrolTrial.objects.get().starts_on == TODAY


def test_the_randomise_command_refuses_a_backdated_start_with_a_clear_error(vibrant_grids):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="cannot start on"):
        call_command("randomise_hot_grids", "VIBRANT", "--seed", "7", "--starts-on", "2020-01-01")
