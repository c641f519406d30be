"""The Mission Support working day in a real browser (Debian's Chromium through Playwright): a
request logged, triaged, assessed, allocated on the board, started and completed with finds; bad
outcome and request input refused on the page with nothing saved; a Viewer who sees no write
controls and whose forged post is refused; a Supervisor's TRM meeting opened, decided and closed; a
patrol visit logged and counted on the compliance page. Each test checks what the user sees and the
rows the services wrote, audit entries included. Every test also proves that no request left
127.0.0.1 and that the pages logged no console or script error. Screenshots are saved under
test-artifacts/browser/. The last tests check that forms say everything at once: every mistake
named in one submission, no field the services require labelled optional, and stored dates shown
in the date pickers.

Elements are found by role, label and text where the page offers them, which also checks that the
controls are labelled for assistive technology."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from operations.models import Area, AuditEntry, Resource
from operations.reference import reference_data_load
from tasking.models import (
    Mission,
    MissionTransition,
    Outcome,
    PatrolVisit,
    Request,
    RequestKind,
    ScheduledPatrol,
    TrmDecision,
    TrmMeeting,
)
from tests.tasking.factories import footprint, last_audit_id, mission_make
from tests.tasking.patrol_helpers import grid_make, window

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# tests/conftest.py's users: the password is "pw-" + the username.
HOME = {"mission": "/", "viewer": "/", "supervisor": "/dashboards/"}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes


# ------------------------------------------------------------------------------------------ data


@pytest.fixture
def reference(mission_user, supervisor, viewer):
    """The force's reference data and one user per role that works these screens. Each test
    commits its own rows (the live server's thread must see them), so each loads them."""
    reference_data_load()
    return SimpleNamespace(
        mission_user=mission_user, supervisor=supervisor, viewer=viewer, today=timezone.localdate(),
        osu=Resource.objects.get(code="OSU"),
    )  # fmt: skip


@pytest.fixture
def warrant_in_progress(reference):
    """A firearms warrant mission on OSU, in progress: made through the services by Mission Support
    from a request received two hours ago."""
    return mission_make(
        reference.mission_user, Mission.State.IN_PROGRESS, kind=RequestKind.WARRANT_FIREARMS,
        subject_reference="N445566", location="14 Cherry Lane, Stechford",
        received_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip


@pytest.fixture
def hot_grid(reference):
    """A BE Guardian hot grid whose daily window opens when the tasking period starts, so the
    current period always holds one patrol of it, due within 24 hours."""
    start = settings.TASKING_PERIOD_START_HOUR
    return grid_make(
        reference.supervisor, "HG-BROWSER", area="BE", operation="GUARDIAN", name="Stechford Parade",
        windows=[window(f"{start:02d}:00", f"{(start + 2) % 24:02d}:00")],
    )  # fmt: skip


# --------------------------------------------------------------------------------------- helpers


def log_in(page, base, username):
    """Through the sign-in form, as a person would: type, press Enter, land on the role's home."""
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}{re.escape(HOME[username])}$"))


def message(page):
    """The flash messages shown at the top of the page."""
    return page.get_by_role("main").get_by_role("status").first


def field_error(page, label):
    """The error written next to the field labelled ``label`` (an optional field's label ends with
    "(optional)"), inside the same field block."""
    name = re.compile(rf"^{re.escape(label)}( \(optional\))?$")
    return page.locator(".field--error", has=page.get_by_label(name)).locator(".errorlist")


def error_summary(page):
    """The "There is a problem" box a refused form shows at the top."""
    return page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))


def expected_refusal(watch, url):
    """Chromium logs every 403 document as a console error. The refusal a test provoked on purpose is
    taken off the watcher's list (exactly once), so any other console error still fails the test."""
    refused = f"Failed to load resource: the server responded with a status of 403 (Forbidden) ({url}:0)"
    assert watch.console_errors.count(refused) == 1, watch.console_errors
    watch.console_errors.remove(refused)


def post_from_page(page, action, fields):
    """Post ``fields`` to ``action`` from the open page, as a form built in it would (the page's own
    CSRF token included); returns the response the browser navigated to."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            [action, {"csrfmiddlewaretoken": token, **fields}],
        )
    return navigation.value


def outcome_fields(mission):
    """A complete, valid outcome for an in-progress warrant mission, as the outcome form posts it."""
    return {
        "version": str(mission.version), "result": "warrant_no_finds", "arrests": "0",
        "completed_at": local_minute(timezone.now()).strftime(DATETIME_LOCAL),
    }  # fmt: skip


def state_of(mission):
    """footprint() less its audit count: opening a page that shows a subject's data is itself
    audited (a view), so changes to the trail are checked with ``audit_trail``."""
    rows = footprint(mission)
    rows.pop("audit")
    return rows


def audit_trail(user, since=0):
    """(object type, action, state or status change) of each change the user made, oldest first;
    views of personal data, which are audited too, are left out."""
    entries = (
        AuditEntry.objects.filter(actor=user, pk__gt=since)
        .exclude(action=AuditEntry.Action.VIEW)
        .order_by("pk")
    )
    return [
        (e.object_type, e.action, tuple(e.changes.get("state") or e.changes.get("status") or ()))
        for e in entries
    ]


def local_minute(moment):
    """A datetime as a datetime-local input shows it: Europe/London, to the minute."""
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def fill_bad_forensic_request(page, base):
    """A forensic-hit arrest with three mistakes: no hit named, a latitude without its longitude,
    and a deadline an hour before the time received."""
    page.goto(f"{base}/requests/new/")
    received = local_minute(timezone.now())
    page.get_by_label("Kind").select_option(label=RequestKind.FORENSIC_ARREST.label)
    page.get_by_label("Source NPU").select_option(label=str(Area.objects.get(code="BW")))
    page.get_by_label("Requested by").fill("DC 881 Jones")
    page.get_by_label("Latitude").fill("52.48")
    page.get_by_label("Received at").fill(received.strftime(DATETIME_LOCAL))
    page.get_by_label("Due by").fill((received - timedelta(hours=1)).strftime(DATETIME_LOCAL))
    page.get_by_role("button", name="Save request", exact=True).click()
    page.wait_for_load_state()


# ----------------------------------------------------------------------------------------- tests


def test_mission_support_logs_a_request_and_carries_it_through_to_a_completed_mission(
    live_server, page, watch, shot, reference
):
    """The whole day of one request: logged through the form, found in triage, assessed (which
    creates a mission), allocated on the allocation board, started, and completed with finds
    through the outcome form; the mission page shows the outcome and its history, and every step
    is an audited service call by the signed-in officer."""
    from playwright.sync_api import expect

    base = live_server.url
    user = reference.mission_user
    be = Area.objects.get(code="BE")
    log_in(page, base, "mission")

    # 1. Log the request.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Missions", exact=True).click()
    page.wait_for_url(re.compile(r"/requests/$"))
    page.get_by_role("link", name="New request").click()
    page.wait_for_url(re.compile(r"/requests/new/$"))
    expect(page.get_by_label("Kind")).to_be_focused()  # ready to type at once
    page.get_by_label("Kind").select_option(label=RequestKind.WARRANT_FIREARMS.label)
    page.get_by_label("Source NPU").select_option(label=str(be))
    page.get_by_label("Requested by").fill("DS 2211 Khan, BE CID")
    page.get_by_label("Subject reference").fill("N112233")
    page.get_by_label("Location").fill("7 Station Road, Stechford")
    page.get_by_label("Intelligence summary").fill("Handgun seen at the address two days ago.")
    shot("request-form")
    page.get_by_role("button", name="Save request", exact=True).click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    request = Request.objects.get()
    expect(message(page)).to_contain_text(f"{request.reference} received: provisional")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{request.reference} · {RequestKind.WARRANT_FIREARMS.label}"
    )
    assert (request.kind, request.area, request.state) == ("warrant_firearms", be, "received")
    assert (request.requested_by, request.subject_reference) == ("DS 2211 Khan, BE CID", "N112233")
    assert request.created_by == user

    # 2. Find it in triage and assess it.
    page.get_by_role("navigation", name="Mission Support screens").get_by_role(
        "link", name="Triage queue"
    ).click()
    page.wait_for_url(re.compile(r"/requests/$"))
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=request.reference, exact=True))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(RequestKind.WARRANT_FIREARMS.label)
    expect(row).to_contain_text("N112233")
    shot("triage")
    row.get_by_role("link", name=request.reference, exact=True).click()
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/assess/$"))
    page.get_by_label("Threat", exact=True).select_option(label="4 – high")
    page.get_by_label("Why this threat score").fill("Handgun reported at the address.")
    page.get_by_label("Risk", exact=True).select_option(label="4 – high")
    page.get_by_label("Why this risk score").fill("Subject has a history of violence.")
    page.get_by_label("Harm", exact=True).select_option(label="5 – very high")
    page.get_by_label("Why this harm score").fill("A firearm in a residential street.")
    page.get_by_label("Enhanced intelligence research done").check()
    shot("assess")
    page.get_by_role("button", name="Record assessment").click()
    page.wait_for_url(re.compile(rf"/requests/{request.pk}/$"))
    mission = Mission.objects.get(request=request)
    expect(message(page)).to_contain_text(f"mission {mission.reference} is pending allocation")
    request.refresh_from_db()
    assert request.state == Request.State.APPROVED
    assert (request.assessment.threat, request.assessment.risk, request.assessment.harm) == (4, 4, 5)
    assert request.assessment.assessor == user and request.assessment.enhanced_research_done
    assert mission.state == Mission.State.PENDING

    # 3. Allocate it on the allocation board.
    page.get_by_role("link", name="Allocation board").click()
    page.wait_for_url(re.compile(r"/allocation/$"))
    pending = page.get_by_role("region", name=re.compile(r"^Pending allocation"))
    row = pending.get_by_role("row").filter(has=page.get_by_role("link", name=mission.reference, exact=True))
    expect(row).to_have_count(1)
    capacity = reference.osu.capacity_per_period
    row.get_by_label(f"Resource for {mission.reference}", exact=True).select_option(
        label=f"OSU ({capacity} free)"
    )
    shot("allocation-board")
    row.get_by_role("button", name="Allocate", exact=True).click()
    page.wait_for_url(re.compile(r"/allocation/$"))
    expect(message(page)).to_contain_text(f"{mission.reference} allocated to {reference.osu.name}")
    expect(pending.get_by_role("link", name=mission.reference, exact=True)).to_have_count(0)
    osu_row = (
        page.get_by_role("region", name="Resources")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=re.compile(r"^OSU\b")))
    )
    expect(osu_row.get_by_role("cell").nth(0)).to_have_text("1")  # used
    expect(osu_row.get_by_role("cell").nth(2)).to_have_text(str(capacity - 1))  # free
    mission.refresh_from_db()
    assert (mission.state, mission.resource) == (Mission.State.ALLOCATED, reference.osu)

    # 4. Start it from the mission page.
    page.get_by_role("navigation", name="Mission Support screens").get_by_role(
        "link", name="Missions", exact=True
    ).click()
    page.wait_for_url(re.compile(r"/missions/$"))
    page.get_by_role("table", name="Missions").get_by_role("link", name=mission.reference, exact=True).click()
    page.wait_for_url(re.compile(rf"/missions/{mission.pk}/$"))
    page.get_by_role("button", name="Start mission").click()
    page.wait_for_url(re.compile(rf"/missions/{mission.pk}/$"))
    expect(message(page)).to_have_text(f"{mission.reference} started.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")

    # 5. Log the outcome with finds.
    page.get_by_role("link", name="Log outcome").click()
    page.wait_for_url(re.compile(rf"/missions/{mission.pk}/outcome/$"))
    page.get_by_label("Result").select_option(label=Outcome.Result.WARRANT_FINDS.label)
    page.get_by_label("Arrests").fill("1")
    page.get_by_label("Firearms").fill("1")
    page.get_by_label("Ammunition rounds").fill("20")
    page.get_by_label("Class A drugs (g)").fill("12.5")
    page.get_by_label("Cash (£)").fill("1500")
    page.get_by_label("Notes").fill("Pistol recovered from the loft.")
    shot("outcome-form")
    page.get_by_role("button", name="Log outcome and complete").click()
    page.wait_for_url(re.compile(rf"/missions/{mission.pk}/$"))

    # The mission page: completed, the outcome and its finds, and the whole history.
    completed = f"{mission.reference} completed: {Outcome.Result.WARRANT_FINDS.label}."
    expect(message(page)).to_have_text(completed)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Completed")
    card = page.get_by_role("region", name="Mission")
    expect(card.get_by_role("heading", name="Outcome", exact=True)).to_be_visible()
    expect(card).to_contain_text(Outcome.Result.WARRANT_FINDS.label)
    finds = card.locator("ul.finds").get_by_role("listitem")
    expect(finds).to_have_text(["1 arrest", "1 firearm", "20 rounds", "Class A 12.50 g", "£1500 cash"])
    expect(card).to_contain_text("Pistol recovered from the loft.")
    expect(page.get_by_role("region", name="Actions")).to_have_count(0)  # nothing left to do
    history = page.get_by_role("region", name="History").locator("tbody").get_by_role("row")
    expect(history).to_have_count(4)
    for index, step in enumerate(
        ["— → pending", "pending → allocated", "allocated → in_progress", "in_progress → completed"]
    ):
        expect(history.nth(index).get_by_role("cell").nth(1)).to_have_text(user.username)
        expect(history.nth(index).get_by_role("cell").nth(2)).to_have_text(step)
    expect(history.nth(3)).to_contain_text("(warrant_finds)")
    shot("mission-completed")

    mission.refresh_from_db()
    assert mission.state == Mission.State.COMPLETED
    outcome = mission.outcome
    assert (outcome.result, outcome.arrests, outcome.firearms, outcome.ammunition_rounds) == (
        "warrant_finds", 1, 1, 20,
    )  # fmt: skip
    assert (str(outcome.drugs_class_a_grams), str(outcome.cash_gbp)) == ("12.50", "1500.00")
    assert outcome.logged_by == user
    steps = MissionTransition.objects.filter(mission=mission).order_by("pk")
    assert list(steps.values_list("from_state", "to_state")) == [
        ("", "pending"), ("pending", "allocated"), ("allocated", "in_progress"), ("in_progress", "completed"),
    ]  # fmt: skip
    assert audit_trail(user) == [
        ("tasking.request", "create", ()),
        ("tasking.request", "transition", ("received", "approved")),
        ("tasking.mission", "transition", ("pending", "allocated")),
        ("tasking.mission", "transition", ("allocated", "in_progress")),
        ("tasking.mission", "transition", ("in_progress", "completed")),
    ]
    # Opening the request's pages is recorded too: they show a subject's personal data.
    assert AuditEntry.objects.filter(
        actor=user, action=AuditEntry.Action.VIEW, object_type="tasking.request", object_id=str(request.pk)
    ).exists()
    watch.assert_clean()


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


# ------------------------------------------------------------------------- forms that say everything


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
