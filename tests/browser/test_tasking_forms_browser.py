"""Forms that say everything at once, in a real browser: every mistake of a request named in one
submission, no field the services require labelled optional, a hot grid's stored dates shown in
its date pickers, and a form sent once however often its button is clicked.

Every test also proves that no request left 127.0.0.1 and that the pages logged no console
or script error; screenshots are saved under test-artifacts/browser/. Elements are found by role,
label and text, which also checks that the controls are labelled for assistive technology."""

import re
from datetime import timedelta

import pytest

from operations.models import Area
from tasking.models import Mission, Request, RequestKind
from tests.tasking.patrol_helpers import grid_make

from .tasking_helpers import (  # noqa: F401 (fixtures)
    DATETIME_LOCAL,
    HOME,
    audit_trail,
    error_summary,
    expected_refusal,
    field_error,
    fill_bad_forensic_request,
    local_minute,
    log_in,
    message,
    outcome_fields,
    post_from_page,
    state_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_mistake_on_the_request_form_is_named_in_one_submission(
    live_server, page, watch, shot, reference
):
    """Three mistakes in one request: all three are named at once, each next to its field."""
    from playwright.sync_api import expect

    log_in(page, live_server.url, "mission")
    fill_bad_forensic_request(page, live_server.url)
    shot("request-errors")

    expect(field_error(page, "Due by")).to_have_text("The deadline must be after the time received.")
    assert not Request.objects.exists()
    expect(field_error(page, "Forensic hit")).to_have_text(
        "Say which forensic hit (fingerprint, DNA, footwear).", timeout=1_000
    )
    expect(field_error(page, "Longitude")).to_have_text(
        "Give both latitude and longitude, or neither.", timeout=1_000
    )
    watch.assert_clean()


def test_fields_the_services_require_are_not_labelled_optional(
    live_server, page, watch, shot, reference, warrant_in_progress
):
    """On the mission page the "Not completed" reason is refused when left empty, so it must not be
    labelled optional; nor may the cancel reason or the TRM decision."""
    from playwright.sync_api import expect

    base, mission = live_server.url, warrant_in_progress
    log_in(page, base, "supervisor")
    page.goto(f"{base}/missions/{mission.pk}/")
    page.get_by_role("button", name="Mark not completed").click()
    page.wait_for_load_state()
    expect(field_error(page, "Reason")).to_contain_text("Say why the mission was not completed.")
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.IN_PROGRESS
    shot("reason-refused")
    labels = {
        "not completed": page.locator("label[for=nc_reason]").inner_text(),
        "cancel": page.locator("label[for=cancel_reason]").inner_text(),
    }
    page.goto(f"{base}/trm/")
    page.get_by_role("button", name=re.compile(r"^Open today's meeting")).click()
    page.wait_for_url(re.compile(r"/trm/\d{4}-\d{2}-\d{2}/$"))
    labels["decision"] = page.locator("label[for=decision_text]").inner_text()

    assert not {name: text for name, text in labels.items() if "(optional)" in text}
    watch.assert_clean()


def test_the_hot_grid_edit_form_shows_the_grids_dates(live_server, page, watch, shot, reference):
    """A Supervisor editing a hot grid sees its dates in the date fields, ready to keep or change."""
    from playwright.sync_api import expect

    grid = grid_make(
        reference.supervisor, "HG-DATES", area="BE", operation="GUARDIAN", name="Small Heath Park",
        active_to=reference.today + timedelta(days=90), ftdb_date=reference.today - timedelta(days=7),
    )  # fmt: skip
    log_in(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/patrols/grids/{grid.pk}/edit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit hot grid HG-DATES")
    shot("grid-edit")

    expect(page.get_by_label("Active from")).to_have_value(grid.active_from.isoformat(), timeout=1_000)
    expect(page.get_by_label("Active to")).to_have_value(grid.active_to.isoformat(), timeout=1_000)
    expect(page.get_by_label("FTDB date agreed")).to_have_value(grid.ftdb_date.isoformat(), timeout=1_000)
    watch.assert_clean()


def test_a_second_click_on_save_while_the_server_is_busy_logs_the_request_once(
    live_server, page, watch, shot, reference, monkeypatch
):
    """Impatient hands: the server takes a moment, "Save request" is clicked again meanwhile; the
    form is sent once, and one request is logged."""
    import time

    from playwright.sync_api import expect

    from tasking import services

    receive = services.request_receive

    def slow_receive(**fields):
        time.sleep(0.6)  # a busy morning: long enough for the second click to land first
        return receive(**fields)

    monkeypatch.setattr(services, "request_receive", slow_receive)
    log_in(page, live_server.url, "mission")
    page.goto(f"{live_server.url}/requests/new/")
    page.get_by_label("Kind").select_option(label=RequestKind.NPU_ARREST.label)
    page.get_by_label("Source NPU").select_option(label=str(Area.objects.get(code="BW")))
    page.get_by_label("Requested by").fill("DC 881 Jones")
    expect(page.get_by_role("button", name="Save request", exact=True)).to_be_enabled()
    # Two clicks 200 ms apart, as a hand makes them: Playwright's own clicks would wait for the page.
    page.evaluate(
        """() => {
            const buttons = [...document.querySelectorAll("button")];
            const save = buttons.find((b) => b.textContent === "Save request");
            save.click();
            setTimeout(() => save.click(), 200);
        }"""
    )
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    page.wait_for_timeout(1_000)  # any second submission would be logged by now
    shot("saved-once")

    expect(message(page)).to_contain_text("REQ-")
    assert Request.objects.count() == 1
    watch.assert_clean()
