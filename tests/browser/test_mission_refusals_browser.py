"""Refusals on the Mission Support screens in a real browser: bad outcome and request input
refused on the page with nothing saved, and a Viewer who sees no write controls and whose forged
post is refused. Each test checks what the user sees and that the services wrote nothing.

Every test also proves that no request left 127.0.0.1 and that the pages logged no console
or script error; screenshots are saved under test-artifacts/browser/. Elements are found by role,
label and text, which also checks that the controls are labelled for assistive technology."""

import re

import pytest

from tasking.models import (
    Outcome,
    Request,
)
from tests.tasking.factories import last_audit_id

from .tasking_helpers import (
    audit_trail,
    error_summary,
    expected_refusal,
    field_error,
    fill_bad_forensic_request,
    log_in,
    outcome_fields,
    post_from_page,
    state_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bad_outcome_input_shows_field_errors_on_the_page_and_saves_nothing(
    live_server, page, watch, shot, reference, warrant_in_progress
):
    """A warrant outcome said to have finds with none recorded, and a negative number of arrests:
    the form comes back with an error summary and each message next to its field, keeps what was
    typed, and the mission, its history, the outcomes and the audit trail are unchanged."""
    from playwright.sync_api import expect

    mission = warrant_in_progress
    before, audit_before = state_of(mission), last_audit_id()
    log_in(page, live_server.url, "mission")
    page.goto(f"{live_server.url}/missions/{mission.pk}/outcome/")
    page.get_by_label("Result").select_option(label=Outcome.Result.WARRANT_FINDS.label)
    page.get_by_label("Arrests").fill("-1")
    page.get_by_label("Notes").fill("Search completed.")
    page.get_by_role("button", name="Log outcome and complete").click()
    page.wait_for_load_state()

    expect(page).to_have_url(re.compile(rf"/missions/{mission.pk}/outcome/$"))  # not redirected: refused
    summary = error_summary(page)
    expect(summary.get_by_role("listitem")).to_have_text(
        [
            "Result: Record what was found, or use 'Warrant executed – no finds'.",
            "Arrests: Ensure this value is greater than or equal to 0.",
        ]
    )
    expect(field_error(page, "Result")).to_have_text(
        "Record what was found, or use 'Warrant executed – no finds'."
    )
    expect(field_error(page, "Arrests")).to_have_text("Ensure this value is greater than or equal to 0.")
    expect(page.get_by_label("Result")).to_be_focused()  # the first field in error, for the keyboard
    expect(page.get_by_label("Arrests")).to_have_value("-1")
    expect(page.get_by_label("Notes")).to_have_value("Search completed.")
    shot("outcome-errors")

    assert state_of(mission) == before
    assert not Outcome.objects.exists()
    assert audit_trail(reference.mission_user, since=audit_before) == []
    watch.assert_clean()


def test_bad_request_input_shows_a_field_error_on_the_page_and_saves_nothing(
    live_server, page, watch, shot, reference
):
    """A request due before it was received comes back with the error next to "Due by", what was
    typed kept, and no request or audit entry saved."""
    from playwright.sync_api import expect

    audit_before = last_audit_id()
    log_in(page, live_server.url, "mission")
    fill_bad_forensic_request(page, live_server.url)

    expect(page).to_have_url(re.compile(r"/requests/new/$"))
    expect(error_summary(page)).to_contain_text("Due by: The deadline must be after the time received.")
    expect(field_error(page, "Due by")).to_have_text("The deadline must be after the time received.")
    expect(page.get_by_label("Requested by")).to_have_value("DC 881 Jones")
    expect(page.get_by_label("Latitude")).to_have_value("52.48")
    shot("request-errors")

    assert not Request.objects.exists()
    assert audit_trail(reference.mission_user, since=audit_before) == []
    watch.assert_clean()


def test_a_viewer_sees_no_write_controls_and_a_forged_post_is_refused(
    live_server, page, watch, shot, reference, warrant_in_progress
):
    """A Viewer reads the queue, the mission and its outcome page but is offered no button or form
    that writes; an outcome posted anyway (a form built in the page, with a valid CSRF token) is
    refused with 403 and changes nothing."""
    from playwright.sync_api import expect

    base, mission = live_server.url, warrant_in_progress
    log_in(page, base, "viewer")
    page.goto(f"{base}/requests/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Triage queue")
    expect(page.get_by_role("link", name="New request")).to_have_count(0)

    page.goto(f"{base}/missions/{mission.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(mission.reference)
    expect(page.get_by_role("region", name="Actions")).to_have_count(0)
    for name in ("Start mission", "Mark not completed", "Cancel mission"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("link", name="Log outcome")).to_have_count(0)
    # No form in the page's content (signing out, in the header, is the only one).
    expect(page.locator("main form")).to_have_count(0)
    shot("viewer-mission")

    page.goto(f"{base}/missions/{mission.pk}/outcome/")
    expect(page.get_by_text("Your role (Viewer) can read outcomes but not log them.")).to_be_visible()
    expect(page.get_by_role("button", name="Log outcome and complete")).to_have_count(0)
    page.goto(f"{base}/requests/new/")
    expect(page.get_by_text("Your role (Viewer) can read requests but not log them.")).to_be_visible()
    expect(page.get_by_role("button", name="Save request")).to_have_count(0)

    before, audit_before = state_of(mission), last_audit_id()
    response = post_from_page(page, f"/missions/{mission.pk}/outcome/", outcome_fields(mission))
    assert response.status == 403
    expected_refusal(watch, f"{base}/missions/{mission.pk}/outcome/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")  # the site's own page
    expect(page.get_by_text("Nothing has been changed.")).to_be_visible()
    shot("viewer-refused")

    assert state_of(mission) == before
    assert not Outcome.objects.exists()
    assert audit_trail(reference.viewer, since=audit_before) == []
    watch.assert_clean()
