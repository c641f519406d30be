"""Deciding a mission at the TRM from a page gone stale, or on a mission that is not waiting for the
meeting: each per-mission form posts the version it showed, a refusal is shown on the meeting page by
the mission with nothing saved (no decision either), and the meeting lists only the missions it can
carry over. Its resource summary counts cancelled missions, and a decision has a bounded length."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from operations.exceptions import Conflict
from operations.models import Resource
from tasking import agenda, selectors, services
from tasking.models import Mission, TrmDecision

from .factories import allocated, approved, footprint, html, midday, not_completed, signed_in  # noqa: F401
from .trm_helpers import tomorrows_meeting, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.fixture
def meeting(mission_user, reference_data):
    """Tomorrow's meeting: it plans the next period and reviews the current one, where the tests act."""
    return tomorrows_meeting(mission_user)


def section(page, name="not-completed", end="deadlines"):
    return page.split(f'id="{name}"')[1].split(f'id="{end}"')[0]


def test_each_per_mission_form_posts_the_version_the_page_showed(client, supervisor, meeting):
    stuck = not_completed(supervisor)

    page = section(html(signed_in(client, supervisor).get(url(meeting))))

    forms = re.findall(r"<form .*?</form>", page, flags=re.S)
    assert len(forms) == 2  # carry over, cancel
    for form in forms:
        assert f'<input type="hidden" name="version" value="{stuck.version}">' in form


def test_a_stale_page_cannot_carry_over_again_a_mission_someone_has_just_carried_over(
    client, mission_user, meeting
):
    stuck = not_completed(mission_user)
    seen = stuck.version
    services.trm_mission_carry_over(
        actor=mission_user, meeting=meeting, mission=stuck, resource=Resource.objects.get(code="OSU"),
        reason="Carried over by a colleague.",
    )  # fmt: skip
    before = footprint(stuck)

    response = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"),
        {"resource": Resource.objects.get(code="FS").pk, "reason": "Second try.", "version": seen},
    )

    assert response.status_code == 409
    shown = section(html(response))
    assert f"<li>{stuck.reference} is already allocated: someone else did this" in shown
    assert footprint(stuck) == before  # still on OSU: not silently re-allocated to FS
    assert list(TrmDecision.objects.values_list("text", flat=True)) == ["Carried over by a colleague."]


def test_a_stale_cancel_does_not_cancel_a_mission_someone_has_just_carried_over(client, supervisor, meeting):
    stuck = not_completed(supervisor)
    seen = stuck.version
    services.trm_mission_carry_over(
        actor=supervisor, meeting=meeting, mission=stuck, resource=Resource.objects.get(code="OSU")
    )
    before = footprint(stuck)

    response = signed_in(client, supervisor).post(
        url(meeting, f"missions/{stuck.pk}/cancel/"), {"reason": "No longer wanted.", "version": seen}
    )

    assert response.status_code == 409
    assert "was changed by someone else" in section(html(response))
    assert footprint(stuck) == before
    assert Mission.objects.get(pk=stuck.pk).state == Mission.State.ALLOCATED
    assert not TrmDecision.objects.filter(kind=TrmDecision.Kind.CANCEL).exists()


def test_a_refused_carry_over_writes_no_decision(mission_user, meeting):
    stuck = not_completed(mission_user)
    before = footprint(stuck)

    with pytest.raises(Conflict, match="changed by someone else"):
        services.trm_mission_carry_over(
            actor=mission_user, meeting=meeting, mission=stuck, resource=Resource.objects.get(code="FS"),
            expected_version=stuck.version - 1,
        )  # fmt: skip

    assert footprint(stuck) == before
    assert not TrmDecision.objects.exists()


def test_a_page_without_the_version_is_told_to_reload(client, mission_user, meeting):
    stuck = not_completed(mission_user)
    before = footprint(stuck)

    response = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"), {"resource": Resource.objects.get(code="FS").pk}
    )

    assert response.status_code == 200
    assert f"{stuck.reference}: the page is out of date. Reload it and decide again." in html(response)
    assert footprint(stuck) == before
    assert not TrmDecision.objects.exists()


@pytest.mark.parametrize("action", ["carry-over", "cancel"])
def test_only_a_mission_not_completed_is_decided_at_the_trm(client, supervisor, meeting, action):
    for mission in (approved(supervisor), allocated(supervisor)):
        before = footprint(mission)

        response = signed_in(client, supervisor).post(
            url(meeting, f"missions/{mission.pk}/{action}/"),
            {"resource": Resource.objects.get(code="FS").pk, "reason": "Try.", "version": mission.version},
        )

        assert response.status_code == 409
        state = mission.get_state_display().lower()
        assert (
            f"{mission.reference} is {state}: the TRM carries over or cancels only a mission not completed."
            in section(html(response))
        )
        assert footprint(mission) == before
    assert not TrmDecision.objects.exists()


def test_the_meeting_lists_only_missions_from_a_period_before_the_one_it_plans(
    client, mission_user, reference_data
):
    stuck = not_completed(mission_user)  # in the current period
    current = services.period_for(timezone.now())
    todays = services.trm_meeting_open(actor=mission_user, date=current.day)  # plans the current period
    tomorrows = tomorrows_meeting(mission_user)

    page = html(signed_in(client, mission_user).get(url(todays)))

    assert stuck.reference not in section(page)
    assert "Not completed</a> (0)" in page
    assert agenda.trm_agenda(todays, rows=50)["not_completed_total"] == 0
    assert agenda.trm_agenda(todays)["not_completed"] == []
    assert selectors.missions_not_completed_page(0, 50, before=todays.date) == []
    assert stuck.reference in section(html(client.get(url(tomorrows))))
    assert agenda.trm_agenda(tomorrows, rows=50)["not_completed_total"] == 1


def test_a_carry_over_without_a_resource_says_what_to_choose(client, mission_user, meeting):
    stuck = not_completed(mission_user)

    response = signed_in(client, mission_user).post(
        url(meeting, f"missions/{stuck.pk}/carry-over/"), {"resource": "", "version": stuck.version}
    )

    assert f"{stuck.reference} – Resource: choose the resource to carry it over to." in html(response)
    assert "This field is required" not in html(response)


def test_the_resource_summary_counts_cancelled_missions(client, supervisor, meeting):
    allocated(supervisor, resource="FS")
    services.mission_cancel(actor=supervisor, mission=allocated(supervisor, resource="FS"), reason="Dup.")

    page = section(html(signed_in(client, supervisor).get(url(meeting))), "missions", "not-completed")

    assert "2 missions · 0 completed · 0 not completed · 1 cancelled · 1 still open" in page


def test_a_decision_longer_than_two_thousand_characters_is_refused(client, mission_user, meeting):
    with pytest.raises(ValidationError) as refused:
        services.trm_decision_record(actor=mission_user, meeting=meeting, text="x" * 2_001)
    assert "2,000 characters or fewer" in refused.value.message_dict["text"][0]
    services.trm_decision_record(actor=mission_user, meeting=meeting, text="x" * 2_000)

    page = html(signed_in(client, mission_user).get(url(meeting)))
    assert 'maxlength="2000"' in re.search(r'<textarea[^>]*name="text"[^>]*>', page).group(0)
    response = client.post(url(meeting, "decisions/"), {"kind": "other", "text": "y" * 500_000})
    assert response.status_code == 200
    assert TrmDecision.objects.count() == 1


def test_a_carry_over_reason_longer_than_a_decision_is_refused(mission_user, meeting):
    stuck = not_completed(mission_user)
    before = footprint(stuck)

    with pytest.raises(ValidationError) as refused:
        services.trm_mission_carry_over(
            actor=mission_user, meeting=meeting, mission=stuck, resource=Resource.objects.get(code="FS"),
            reason="z" * 2_001,
        )  # fmt: skip

    assert "reason" in refused.value.message_dict
    assert footprint(stuck) == before
    assert not TrmDecision.objects.exists()
