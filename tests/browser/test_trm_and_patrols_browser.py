"""A Supervisor's TRM meeting and a patrol visit in a real browser: the meeting opened, a decision
refused empty and then recorded, the meeting closed and locked; a visit logged from the grid's
"Log a visit" link and counted on the compliance page.

Every test also proves that no request left 127.0.0.1 and that the pages logged no console
or script error; screenshots are saved under test-artifacts/browser/. Elements are found by role,
label and text, which also checks that the controls are labelled for assistive technology."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import AuditEntry, Resource
from tasking.models import (
    PatrolVisit,
    ScheduledPatrol,
    TrmDecision,
    TrmMeeting,
)
from tests.tasking.factories import last_audit_id

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


def test_a_supervisor_opens_todays_trm_records_a_decision_and_closes_it(
    live_server, page, watch, shot, reference
):
    """From the TRM list a Supervisor opens today's meeting, records a decision on its page, and
    closes it (confirming the prompt): the page then says it is locked, offers no decision form,
    and the meeting, the decision and three audit entries are stored."""
    from playwright.sync_api import expect

    base, today, supervisor = live_server.url, reference.today, reference.supervisor
    audit_before = last_audit_id()
    log_in(page, base, "supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="TRM", exact=True).click()
    page.wait_for_url(re.compile(r"/trm/$"))
    page.get_by_role("button", name=re.compile(r"^Open today's meeting")).click()
    page.wait_for_url(re.compile(rf"/trm/{today:%Y-%m-%d}/$"))
    meeting = TrmMeeting.objects.get()
    expect(message(page)).to_have_text(f"{meeting} is open.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(meeting))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")
    assert (meeting.date, meeting.chair, meeting.status) == (today, supervisor, TrmMeeting.Status.OPEN)

    decisions = page.get_by_role("region", name="8. Decisions")
    decision_form = decisions.locator("form")
    decision_form.get_by_role("button", name="Record decision").click()  # nothing written yet
    page.wait_for_load_state()
    expect(field_error(page, "Decision")).to_have_text("Write the decision.")
    assert not TrmDecision.objects.exists()
    decision_form.get_by_label("Kind").select_option(label=TrmDecision.Kind.DIVERT.label)
    decision_form.get_by_label("Decision").fill("Divert OSU to the Stechford firearms series for 24 h.")
    shot("trm-decision")
    decision_form.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(rf"/trm/{today:%Y-%m-%d}/$"))  # the decision posts to .../decisions/
    expect(message(page)).to_have_text("Decision recorded.")
    item = decisions.get_by_role("listitem").filter(has_text="Divert OSU to the Stechford firearms series")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(TrmDecision.Kind.DIVERT.label)
    expect(item).to_contain_text(supervisor.username)

    prompts = []

    def accept(dialog):
        prompts.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Close meeting").click()
    page.wait_for_url(re.compile(rf"/trm/{today:%Y-%m-%d}/$"))
    expect(message(page)).to_have_text(f"{meeting} closed: its review is locked.")
    assert prompts == ["Close the meeting and lock its review?"]
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed")
    expect(page.get_by_text(re.compile(rf"Closed by {supervisor.username} at .+ — locked\."))).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(page.get_by_role("button", name="Close meeting")).to_have_count(0)
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    shot("trm-closed")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.closed_by) == (TrmMeeting.Status.CLOSED, supervisor)
    decision = TrmDecision.objects.get(meeting=meeting)
    assert (decision.kind, decision.made_by) == (TrmDecision.Kind.DIVERT, supervisor)
    assert audit_trail(supervisor, since=audit_before) == [
        ("tasking.trmmeeting", "create", ()),
        ("tasking.trmdecision", "create", ()),
        ("tasking.trmmeeting", "transition", ("open", "closed")),
    ]
    watch.assert_clean()


def test_mission_support_logs_a_patrol_visit_and_the_compliance_page_counts_it(
    live_server, page, watch, shot, reference, hot_grid
):
    """Today's patrols list the grid still to patrol; its "Log a visit" link opens the visit form
    with the grid chosen; the visit logged makes the patrol compliant, and the compliance page
    counts it for the NPU: one scheduled, one compliant, no gap, 100.0 %, 25 minutes, one effective
    visit."""
    from playwright.sync_api import expect

    base, user = live_server.url, reference.mission_user
    audit_before = last_audit_id()
    log_in(page, base, "mission")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patrols", exact=True).click()
    page.wait_for_url(re.compile(r"/patrols/$"))
    still = page.get_by_role("region", name=re.compile(r"^Still to patrol"))
    expect(still.get_by_role("row").filter(has_text="HG-BROWSER")).to_have_count(1)
    patrol = ScheduledPatrol.objects.get(grid=hot_grid)  # scheduled when the page was built
    still.get_by_role("link", name="Log a visit to HG-BROWSER").click()
    page.wait_for_url(re.compile(rf"/patrols/visits/new/\?grid={hot_grid.pk}$"))
    expect(page.get_by_label("Hot grid")).to_have_value(str(hot_grid.pk))

    left = max(local_minute(timezone.now()), local_minute(patrol.starts_at))
    arrived = left - timedelta(minutes=25)
    page.get_by_label("Resource").select_option(label=Resource.objects.get(code="NPU-BE").name)
    page.get_by_label("Officer reference").fill("PC 4521")
    page.get_by_label("Arrived at").fill(arrived.strftime(DATETIME_LOCAL))
    page.get_by_label("Left at").fill(left.strftime(DATETIME_LOCAL))
    shot("visit-form")
    page.get_by_role("button", name="Log visit", exact=True).click()
    page.wait_for_url(re.compile(r"/patrols/$"))
    expect(message(page)).to_contain_text("Visit to HG-BROWSER logged")
    expect(message(page)).to_contain_text("1 scheduled patrol now compliant.")
    expect(still.get_by_role("row").filter(has_text="HG-BROWSER")).to_have_count(0)

    page.get_by_role("link", name="Compliance and gaps").first.click()
    page.wait_for_url(re.compile(r"/patrols/compliance/$"))
    row = (
        page.locator("#by-npu tbody")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(r"^BE\b")))
    )
    expect(row.get_by_role("cell")).to_have_text(["1", "1", "0", "100.0 %", "1", "25", "1"])
    expect(page.get_by_role("region", name=re.compile(r"^Gaps:"))).to_contain_text("No gaps in this range.")
    shot("compliance")

    visit = PatrolVisit.objects.get()
    assert (visit.grid, visit.officer_reference, visit.logged_by) == (hot_grid, "PC 4521", user)
    assert visit.source == PatrolVisit.Source.FORM and visit.dwell_minutes == 25
    assert timezone.localtime(visit.arrived_at) == arrived
    patrol.refresh_from_db()
    assert patrol.compliant_visit == visit
    entry = AuditEntry.objects.get(actor=user, object_type="tasking.patrolvisit")
    assert (entry.action, entry.object_id) == ("create", str(visit.pk))
    assert entry.changes == {"patrols": [patrol.pk]}  # the patrol it made compliant
    assert audit_trail(user, since=audit_before) == [("tasking.patrolvisit", "create", ())]
    watch.assert_clean()
