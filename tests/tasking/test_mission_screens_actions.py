"""A mission's page through the test client: it shows the history and only the actions allowed,
and each action on it (start, outcome, not completed, cancel) is taken, refused for a viewer or a
stale page, or shown with its error next to the field.

Test data is made with the tasking services, as the application itself would make it.
"""

import re

import pytest
from django.utils import timezone

from tasking import services
from tasking.models import Mission

from .factories import allocated, approved, flash, html, in_progress, signed_in, snapshot

pytestmark = pytest.mark.django_db


# -- mission detail actions -----------------------------------------------------------------------


def test_the_mission_page_shows_history_components_and_only_the_allowed_actions(
    client, mission_user, supervisor, reference_data
):
    mission = allocated(mission_user)
    signed_in(client, mission_user)

    page = html(client.get(f"/missions/{mission.pk}/"))

    assert f'action="/missions/{mission.pk}/start/"' in page
    assert f'action="/missions/{mission.pk}/not-completed/"' in page
    assert f'action="/missions/{mission.pk}/cancel/"' not in page  # Supervisor only
    assert f'href="/missions/{mission.pk}/outcome/"' not in page  # not started yet
    assert "Re-allocate" in page
    assert "pending → <strong>allocated</strong>" in page
    assert "T 3 · R 3 · H 3" in page
    assert f'name="version" value="{mission.version}"' in page

    page = html(signed_in(client, supervisor).get(f"/missions/{mission.pk}/"))
    assert f'action="/missions/{mission.pk}/cancel/"' in page


def test_starting_a_mission_from_its_page(client, mission_user, reference_data):
    mission = allocated(mission_user)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/start/", {"version": mission.version}
    )

    assert response.status_code == 302
    assert response.url == f"/missions/{mission.pk}/"
    assert Mission.objects.get(pk=mission.pk).state == "in_progress"
    assert f"{mission.reference} started." in flash(response)


def test_a_stale_page_gets_the_changed_by_someone_else_message_and_changes_nothing(
    client, mission_user, reference_data
):
    mission = allocated(mission_user)
    stale_version = mission.version
    services.mission_start(actor=mission_user, mission=mission)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/not-completed/",
        {"version": stale_version, "reason": "No units."},
        follow=True,
    )

    assert response.redirect_chain == [(f"/missions/{mission.pk}/", 302)]
    assert "was changed by someone else" in html(response)
    assert snapshot(mission) == before


def test_an_illegal_move_names_the_current_state(client, mission_user, reference_data):
    mission = approved(mission_user)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/start/", {"version": mission.version}, follow=True
    )

    assert "is pending allocation: it cannot move to in progress" in html(response)
    assert Mission.objects.get(pk=mission.pk).state == "pending"


def test_logging_an_outcome_completes_the_mission(client, mission_user, reference_data):
    mission = in_progress(mission_user, kind="warrant_drugs")
    signed_in(client, mission_user)
    page = html(client.get(f"/missions/{mission.pk}/outcome/"))
    assert re.search(r'<select name="result"[^>]*autofocus', page)

    response = client.post(
        f"/missions/{mission.pk}/outcome/",
        {
            "version": mission.version, "result": "warrant_finds", "arrests": 2, "firearms": 0,
            "ammunition_rounds": 0, "knives_weapons": 1, "drugs_class_a_grams": "28.5",
            "drugs_class_b_grams": "0", "drugs_class_c_grams": "0", "cash_gbp": "1500", "vehicles": 0,
            "completed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )  # fmt: skip

    assert response.status_code == 302, html(response)
    mission.refresh_from_db()
    assert mission.state == "completed"
    assert mission.outcome.arrests == 2
    assert "Class A 28.50 g" in html(client.get(f"/missions/{mission.pk}/"))


def test_a_bad_outcome_shows_the_error_and_leaves_the_mission_in_progress(
    client, mission_user, reference_data
):
    mission = in_progress(mission_user)
    before = snapshot(mission)

    response = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/outcome/",
        {"version": mission.version, "result": "arrested", "arrests": 0, "completed_at": ""},
    )

    assert response.status_code == 200
    assert "An arrest outcome needs at least one arrest." in html(response)
    assert re.search(r'name="arrests"[^>]*aria-invalid="true"', html(response))
    assert snapshot(mission) == before


def test_not_completed_needs_a_reason_and_records_it(client, mission_user, reference_data):
    mission = in_progress(mission_user)
    signed_in(client, mission_user)

    missing = client.post(
        f"/missions/{mission.pk}/not-completed/", {"version": mission.version, "reason": ""}
    )
    assert missing.status_code == 200
    assert "Say why the mission was not completed." in html(missing)
    assert Mission.objects.get(pk=mission.pk).state == "in_progress"

    done = client.post(
        f"/missions/{mission.pk}/not-completed/", {"version": mission.version, "reason": "Abstracted."}
    )
    assert done.status_code == 302
    mission.refresh_from_db()
    assert (mission.state, mission.state_reason) == ("not_completed", "Abstracted.")


def test_cancelling_is_for_supervisors(client, mission_user, supervisor, reference_data):
    mission = allocated(mission_user)
    before = snapshot(mission)

    refused = signed_in(client, mission_user).post(
        f"/missions/{mission.pk}/cancel/", {"version": mission.version, "reason": "Duplicate."}
    )
    assert refused.status_code == 403
    assert snapshot(mission) == before

    done = signed_in(client, supervisor).post(
        f"/missions/{mission.pk}/cancel/", {"version": mission.version, "reason": "Duplicate."}
    )
    assert done.status_code == 302
    assert Mission.objects.get(pk=mission.pk).state == "cancelled"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("start", {}),
        ("not-completed", {"reason": "x"}),
        ("cancel", {"reason": "x"}),
        ("allocate", {"reason": "x"}),
        ("outcome", {"result": "arrested", "arrests": 1}),
    ],
)
def test_a_viewer_cannot_post_any_mission_action(client, viewer, mission_user, reference_data, action, data):
    mission = allocated(mission_user)
    before = snapshot(mission)

    response = signed_in(client, viewer).post(
        f"/missions/{mission.pk}/{action}/", {"version": mission.version, **data}
    )

    assert response.status_code == 403
    assert snapshot(mission) == before
