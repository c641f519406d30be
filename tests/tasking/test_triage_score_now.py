"""A request awaiting assessment is scored as of now, wherever it is shown: its time to the deadline
counts as of the moment the triage queue (screen or API) is read, not as of when it was logged, so
a request nearing its deadline rises above newer ones. The queue's order, its scores and grades, the
request's page, its assessment page and the TRM agenda agree, and the database computes to the
hundredth what the assessment page computes in Python.

The clock stands still (``tick=False``): a moment is the same for a page and for the check."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operations.models import Area, OffenceGroup, TacticalPriority
from tasking import selectors, services
from tasking.models import Request

from .factories import (
    html,
    reference_data_once,  # noqa: F401
    request_make,
    signed_in,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

LOGGED = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)


def provisional(request):
    """(score, grade) computed in Python as of now, as the assessment page does."""
    score, grade, _ = services.priority_compute(request=Request.objects.get(pk=request.pk))
    return score, grade


def queue_rows(client, query=""):
    """[(reference, grade, score)] of the triage screen, in its order."""
    page = html(client.get(f"/requests/{query}"))
    return re.findall(
        r'title="Assess (REQ-\d+)".*?grade--(P\d)">.*?<td class="num">([\d.]+)</td>', page, re.DOTALL
    )


@pytest.fixture
def forensic_and_newer(mission_user, time_machine):
    """A forensic-hit arrest logged at 09:00 (due 48 h later: 35.00 then), and 40 hours later a
    burglary request with no deadline (40.00, above it when logged). By then the arrest has 8 h
    left: 43.33, above the burglary."""
    time_machine.move_to(LOGGED, tick=False)
    forensic = request_make(mission_user, kind="forensic_arrest")
    time_machine.move_to(LOGGED + timedelta(hours=40), tick=False)
    newer = request_make(mission_user, kind="npu_arrest", offence_group="burglary")
    assert (forensic.priority_score, newer.priority_score) == (35, 40), "stored as of receipt"
    return forensic, newer


def test_a_request_nearing_its_deadline_rises_above_a_newer_one_on_the_screen(
    client, mission_user, forensic_and_newer
):
    forensic, newer = forensic_and_newer

    rows = queue_rows(signed_in(client, mission_user))

    assert [reference for reference, _, _ in rows] == [forensic.reference, newer.reference]
    assert rows[0] == (forensic.reference, "P3", "43.33")
    assert rows[1] == (newer.reference, "P3", "40.00")


def test_the_api_lists_the_queue_in_the_same_order(api, mission_user, forensic_and_newer):
    forensic, newer = forensic_and_newer

    body = api.as_user(mission_user).get("/api/requests/", {"state": "received"}).json()

    assert [row["id"] for row in body["results"]] == [forensic.pk, newer.pk]
    assert [(row["priority_score"], row["grade"]) for row in body["results"]] == [
        ("43.33", "P3"), ("40.00", "P3"),
    ]  # fmt: skip


def test_the_api_orders_by_the_score_it_shows(api, mission_user, forensic_and_newer):
    forensic, newer = forensic_and_newer
    client = api.as_user(mission_user)

    rising = client.get("/api/requests/", {"ordering": "priority_score"}).json()["results"]
    falling = client.get("/api/requests/", {"ordering": "-priority_score"}).json()["results"]

    assert [row["id"] for row in rising] == [newer.pk, forensic.pk]
    assert [row["id"] for row in falling] == [forensic.pk, newer.pk]


def test_the_queue_the_request_page_the_assessment_page_and_the_agenda_show_one_score(
    client, mission_user, forensic_and_newer
):
    forensic, _ = forensic_and_newer
    signed_in(client, mission_user)
    score, grade = provisional(forensic)
    assert (str(score), grade) == ("43.33", "P3")

    queued = {reference: (g, s) for reference, g, s in queue_rows(client)}
    detail = html(client.get(f"/requests/{forensic.pk}/"))
    assess = html(client.get(f"/requests/{forensic.pk}/assess/"))
    meeting = services.trm_meeting_open(actor=mission_user, date=timezone.localdate())
    agenda = html(client.get(f"/trm/{meeting.date:%Y-%m-%d}/"))

    assert queued[forensic.reference] == (grade, str(score))
    assert f"provisional {grade} (score {score} as of now)" in detail
    assert re.search(rf"<strong>{score}</strong>.*grade--{grade}\">{grade}<", assess, re.DOTALL)
    assert re.search(rf"{forensic.reference}</a></th>.*?<td class=\"num\">{score}</td>", agenda, re.DOTALL)


def test_a_request_is_filtered_by_the_grade_it_has_now(client, mission_user, time_machine):
    time_machine.move_to(LOGGED, tick=False)
    burglary = request_make(mission_user, kind="forensic_arrest", offence_group="burglary")
    assert burglary.grade == "P3"  # 45.00 when logged, 48 h before its deadline
    time_machine.move_to(LOGGED + timedelta(hours=47), tick=False)
    signed_in(client, mission_user)

    assert [row[0] for row in queue_rows(client, "?grade=P2")] == [burglary.reference]
    assert queue_rows(client, "?grade=P3") == []


def test_the_database_scores_as_python_does_to_the_hundredth(mission_user, time_machine):
    # A tactical priority of BW for robbery and its children, starting after the requests are
    # logged: it counts from its first day, for BW's requests only, and through a parent group.
    priority = TacticalPriority.objects.create(title="Robbery in BW", effective_from=date(2026, 7, 16))
    priority.offence_groups.add(OffenceGroup.objects.get(code="robbery"))
    priority.areas.add(Area.objects.get(code="BW"))
    time_machine.move_to(LOGGED, tick=False)
    cases = [
        ("BW", "personal-robbery", 30, 17),
        ("BE", "personal-robbery", 49, 0),
        ("BW", "business-robbery", 71, 3599),
        ("BW", None, 1, 0),
        ("CV", "drug-trafficking", 2, 1),
        ("BE", "violence-with-injury", None, 0),
        ("BE", "shoplifting", 100, 0),
    ]
    requests = []
    for area, group, hours, seconds in cases:
        due_by = LOGGED + timedelta(hours=hours, seconds=seconds) if hours is not None else None
        requests.append(
            request_make(mission_user, kind="npu_arrest", area=area, offence_group=group, due_by=due_by)
        )
    time_machine.move_to(LOGGED + timedelta(days=2, hours=3, minutes=7, seconds=11), tick=False)

    computed = {
        request.pk: (request.score_now, request.grade_now)
        for request in selectors.triage_queue().filter(pk__in=[r.pk for r in requests])
    }

    assert computed == {request.pk: provisional(request) for request in requests}
    assert len(set(computed.values())) == len(requests), "each request scores differently"


def test_the_queue_takes_the_same_queries_however_many_requests_wait(client, mission_user, time_machine):
    time_machine.move_to(LOGGED, tick=False)
    signed_in(client, mission_user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/requests/").status_code == 200
        return len(captured)

    request_make(mission_user, kind="forensic_arrest", offence_group="robbery")
    few = queries()
    for area in ["BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"]:
        request_make(mission_user, kind="forensic_arrest", area=area, offence_group="personal-robbery")
    assert queries() == few
