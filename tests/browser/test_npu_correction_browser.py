"""Correcting a request's NPU in a real browser: a Supervisor goes from the request page to the
correction form, chooses the right NPU and gives a reason, and the request and its mission show
the new NPU; without a reason the form says so next to the field and nothing moves.

Every test also proves that no request left 127.0.0.1 and that the pages logged no console or
script error; screenshots are saved under test-artifacts/browser/."""

import pytest

from operations.models import Area, AuditEntry
from tasking.models import Mission, Request

from .tasking_helpers import field_error, log_in, message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Logged against the wrong NPU: the address is in Sandwell."


def open_the_correction(page, base, mission):
    from playwright.sync_api import expect

    page.goto(f"{base}/requests/{mission.request_id}/")
    page.get_by_role("link", name="Correct the NPU").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correct the NPU of")


def test_a_supervisor_corrects_the_npu_from_the_request_page(
    live_server, page, watch, shot, reference, warrant_in_progress
):
    from playwright.sync_api import expect

    base, mission = live_server.url, warrant_in_progress
    sandwell = Area.objects.get(code="SW")
    log_in(page, base, "supervisor")
    open_the_correction(page, base, mission)
    page.get_by_label("Right NPU").select_option(str(sandwell.pk))
    page.get_by_label("Reason").fill(REASON)
    shot("npu-correction")
    page.get_by_role("button", name="Correct the NPU").click()
    page.wait_for_url(f"{base}/requests/{mission.request_id}/")

    expect(message(page)).to_contain_text(f"{mission.reference} are now in SW")
    assert Request.objects.get(pk=mission.request_id).area == sandwell
    assert Mission.objects.get(pk=mission.pk).area == sandwell
    assert AuditEntry.objects.filter(object_type="tasking.mission", reason=REASON).exists()
    watch.assert_clean()


def test_without_a_reason_the_form_says_so_and_nothing_moves(
    live_server, page, watch, shot, reference, warrant_in_progress
):
    from playwright.sync_api import expect

    base, mission = live_server.url, warrant_in_progress
    before = Request.objects.get(pk=mission.request_id).area
    log_in(page, base, "supervisor")
    open_the_correction(page, base, mission)
    page.get_by_label("Right NPU").select_option(str(Area.objects.get(code="SW").pk))
    page.get_by_role("button", name="Correct the NPU").click()
    page.wait_for_load_state()
    shot("npu-correction-refused")

    expect(field_error(page, "Reason")).to_contain_text("Say why the NPU is being corrected.")
    assert Request.objects.get(pk=mission.request_id).area == before
    assert Mission.objects.get(pk=mission.pk).area == before
    watch.assert_clean()
