"""The Mission Support day in a real browser (Debian's Chromium through Playwright): a request
logged, triaged, assessed, allocated on the board, started and completed with finds. The test
checks what the user sees and the rows the services wrote, audit entries included (refusals are
in test_mission_refusals_browser.py).

Every test also proves that no request left 127.0.0.1 and that the pages logged no console
or script error; screenshots are saved under test-artifacts/browser/. Elements are found by role,
label and text, which also checks that the controls are labelled for assistive technology."""

import re

import pytest

from operations.models import Area, AuditEntry
from tasking.models import (
    Mission,
    MissionTransition,
    Outcome,
    Request,
    RequestKind,
)

from .tasking_helpers import audit_trail, log_in, message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
