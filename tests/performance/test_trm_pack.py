"""The TRM pack (/dashboards/trm/<date>/): the agenda built by reading only, in the same number of
queries however much data there is, with long lists cut for print and every count kept whole."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations.models import Area
from performance.views.pages import trm
from tasking import agenda, services
from tasking.models import Mission, TaskingPeriod, TrmMeeting

from .conftest import grid_make, local

NOW = local(2026, 10, 20, 12, 0)  # in the period of Tue 20 Oct, which the meeting of 21 Oct reviews
MEETING_DAY = date(2026, 10, 21)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def pack_url(day):
    return reverse("performance:trm-pack", args=[day.isoformat()])


def section(html, start, end):
    return html.split(f'id="{start}"')[1].split(f'id="{end}"')[0]


def activity(desk, n):
    """``n`` of everything the agenda lists, in the period under review (Tue 20 Oct): missions of OSU
    and FS in each state, missions not completed, deadlines at risk, curfew breaches with their
    follow-up requests (checks by FR), requests awaiting assessment and open threat items."""
    for i in range(n):
        for resource in ("OSU", "FS"):
            done = desk.mission()
            desk.allocate(done, resource=resource)
            desk.start(done)
            desk.outcome(done)
            desk.not_complete(desk.allocate(desk.mission(), resource=resource))
            desk.allocate(desk.mission(), resource=resource)
        breach = desk.mission(kind="curfew_check")
        desk.allocate(breach, resource="FR")
        desk.start(breach)
        desk.outcome(breach, result="curfew_breached")
        desk.mission(due_by=timezone.now() + timedelta(hours=2))  # approved, pending: at risk
        services.request_receive(
            actor=desk.actor, kind="npu_arrest", area=Area.objects.get(code="CV"), requested_by="PC 2"
        )
        services.threat_item_save(
            actor=desk.actor, category="crime_series", area=Area.objects.get(code="BE"),
            title=f"Series {n}-{i}", owner="DS Rowe",
        )  # fmt: skip
    services.deadlines_flag()


def queries(client, day):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(pack_url(day))
    assert response.status_code == 200
    return captured.captured_queries


@pytest.fixture
def cut_short(monkeypatch):
    """Lists cut at 2 rows, so a few rows of data already stand for a long history."""
    monkeypatch.setattr(trm, "ROWS_SHOWN", 2)
    monkeypatch.setattr(trm, "MISSIONS_SHOWN_PER_RESOURCE", 2)
    monkeypatch.setattr(agenda, "NEW_REQUESTS_SHOWN", 2)


@pytest.mark.parametrize("opened", [False, True], ids=["no meeting yet", "meeting opened"])
def test_the_pack_uses_the_same_bounded_number_of_queries_for_little_and_lots_of_data(
    client, viewer, desk, now, cut_short, opened, django_assert_max_num_queries
):
    activity(desk, 1)  # a little of everything
    if opened:
        meeting = services.trm_meeting_open(actor=desk.actor, date=MEETING_DAY, attendees="DI Smith")
        services.trm_decision_record(actor=desk.actor, meeting=meeting, kind="other", text="Divert OSU")
    client.force_login(viewer)
    with django_assert_max_num_queries(20):
        little = len(queries(client, MEETING_DAY))

    activity(desk, 4)  # five times as much: every list now longer than its cut
    with django_assert_max_num_queries(20):
        lots = queries(client, MEETING_DAY)

    assert len(lots) == little
    html = client.get(pack_url(MEETING_DAY)).content.decode()
    assert ("has not been opened yet" in html) is not opened
    assert "the first 2 listed" in html and "The 2 oldest of 10" in html and "The 2 highest of" in html


def test_the_pack_of_a_meeting_not_opened_yet_reads_only(client, viewer, desk, now):
    """Neither the meeting, nor the period it plans, nor the one it reviews exists: the pack shows
    them as they will be and writes nothing (the session's own save aside)."""
    grid_make(desk.actor, "G-P1")
    day = date(2026, 12, 1)
    before = (TaskingPeriod.objects.count(), TrmMeeting.objects.count())
    client.force_login(viewer)

    statements = [q["sql"] for q in queries(client, day)]

    writes = [
        s for s in statements if re.match(r"\s*(INSERT|UPDATE|DELETE)", s) and "django_session" not in s
    ]
    assert writes == []
    assert (TaskingPeriod.objects.count(), TrmMeeting.objects.count()) == before
    html = client.get(pack_url(day)).content.decode()
    assert "Reviews the tasking period <strong>Mon 30 Nov 2026 from 07:00</strong>" in html
    assert "plans <strong>Tue 01 Dec 2026 from 07:00</strong>" in html
    assert "Patrols missed on Mon 30 Nov: 0 gaps" in html
    assert "Every hot-grid patrol due in the period under review was made." in html


def test_the_pack_cuts_long_lists_for_print_and_keeps_every_count_whole(client, viewer, desk, now, cut_short):
    activity(desk, 3)
    client.force_login(viewer)

    html = client.get(pack_url(MEETING_DAY)).content.decode()

    missions = section(html, "missions", "not-completed")
    for resource in ("Operational Support Unit", "Force Support"):
        counts = "9 missions · 3 completed · 3 not completed · 0 cancelled · 3 still open"
        caption = f"{resource}: {counts} · the first 2 listed"
        assert caption in missions
    counts = "3 missions · 3 completed · 0 not completed · 0 cancelled · 0 still open"
    assert f"Force Response: {counts} · the first 2" in missions
    assert len(re.findall(r">M-\d{6}<", missions)) == 3 * 2
    not_completed = section(html, "not-completed", "deadlines")
    assert "The 2 oldest of 6" in not_completed and len(re.findall(r">M-\d{6}<", not_completed)) == 2
    deadlines = section(html, "deadlines", "breaches")
    assert "The 2 due soonest of 3" in deadlines and len(re.findall(r">REQ-\d{6}<", deadlines)) == 2
    counts = {label: n for n, label in re.findall(r'aria-label="(\d+) — ([^:]+): go to the section"', html)}
    assert counts["missions reviewed"] == "21" and counts["not completed"] == "6"
    assert counts["deadlines at risk or overdue"] == "3" and counts["curfew breaches"] == "3"


def test_cut_short_the_missions_not_completed_are_the_oldest_periods_first(
    client, viewer, desk, time_machine, monkeypatch
):
    """Periods are created on first use, so a later day's period can have the smaller id."""
    monkeypatch.setattr(trm, "ROWS_SHOWN", 1)
    time_machine.move_to(local(2026, 10, 19, 12, 0), tick=False)
    later_day = desk.not_complete(desk.allocate(desk.mission()))
    time_machine.move_to(local(2026, 10, 18, 12, 0), tick=False)
    desk.not_complete(desk.allocate(desk.mission(due_by=local(2026, 10, 25, 12, 0))))  # due later
    due_sooner = desk.not_complete(desk.allocate(desk.mission(due_by=local(2026, 10, 24, 12, 0))))
    assert later_day.period_id < due_sooner.period_id
    time_machine.move_to(NOW, tick=False)
    client.force_login(viewer)

    html = client.get(pack_url(MEETING_DAY)).content.decode()

    listed = re.findall(r">(M-\d{6})<", section(html, "not-completed", "deadlines"))
    assert listed == [due_sooner.reference]  # the oldest period, and in it the nearest deadline
    assert "The 1 oldest of 3" in html


def test_the_trm_meeting_page_still_lists_everything(client, supervisor, desk, now, cut_short):
    activity(desk, 3)
    services.trm_meeting_open(actor=desk.actor, date=MEETING_DAY)
    client.force_login(supervisor)

    html = client.get(reverse("tasking:trm-detail", args=[MEETING_DAY.isoformat()])).content.decode()

    assert html.count("carry-over/") == 6
    assert 'Operational Support Unit <span class="muted small">9 missions · 3 completed' in html
    assert len(re.findall(r">M-\d{6}<", section(html, "missions", "not-completed"))) == 21


def test_trm_pack_shows_the_agenda_for_printing_and_creates_nothing(client, viewer, desk, now):
    before = (TaskingPeriod.objects.count(), TrmMeeting.objects.count())
    client.force_login(viewer)
    html = client.get(pack_url(MEETING_DAY)).content.decode()
    assert (TaskingPeriod.objects.count(), TrmMeeting.objects.count()) == before
    for heading in (
        "Missions by resource",
        "Missions not completed",
        "Deadlines at risk",
        "Curfew breaches",
        "New requests",
        "Open threat items",
        "Hot-grid gaps",
        "Decisions recorded",
        "Attendees",
    ):
        assert heading in html  # fmt: skip
    assert "has not been opened yet" in html
    assert "<form" not in html.split('id="main"')[1]
    assert "css/print.css" in html and "OFFICIAL – SENSITIVE" in html and "data-print" in html
    meeting = services.trm_meeting_open(
        actor=desk.actor, date=date(2026, 10, 20), attendees="DI Smith\nPS Jones"
    )
    services.trm_decision_record(actor=desk.actor, meeting=meeting, kind="other", text="Divert OSU to BE")
    opened = client.get(reverse("performance:trm-pack-latest"), follow=True)
    html = opened.content.decode()
    assert "Divert OSU to BE" in html and "DI Smith" in html
    assert reverse("tasking:trm-detail", args=[date(2026, 10, 20)]) in html


def resource_tables(html):
    """{caption: [mission references]} for each table of the missions by resource."""
    missions = html.split('id="missions"')[1].split('id="not-completed"')[0]
    return {
        re.search(r"<caption>([^<]*)</caption>", table)[1]: re.findall(r">(M-\d{6})<", table)
        for table in missions.split("<table")[1:]
    }


def test_trm_pack_lists_each_resources_first_missions_by_id_and_counts_them_all(
    client, viewer, supervisor, desk, now, monkeypatch
):
    """Two resources with more missions than the pack lists, in every state and allocated in turn
    so that their ids interleave, and cancelled missions left without a resource."""
    monkeypatch.setattr(trm, "MISSIONS_SHOWN_PER_RESOURCE", 3)
    made = {"OSU": [], "FS": [], None: []}
    for _ in range(5):
        for resource in ("FS", "OSU"):
            made[resource].append(desk.allocate(desk.mission(), resource=resource))
    osu, fs = made["OSU"], made["FS"]
    desk.outcome(desk.start(osu[0]))
    desk.cancel(osu[1])
    desk.not_complete(osu[2])
    desk.start(osu[3])
    desk.start(fs[1])
    desk.outcome(desk.start(fs[2]))
    desk.not_complete(fs[3])
    desk.outcome(desk.start(fs[4]))
    for _ in range(4):
        unassigned = desk.cancel(desk.allocate(desk.mission(), resource="FR"))
        Mission.objects.filter(pk=unassigned.pk).update(resource=None)
        made[None].append(unassigned)
    desk.mission()  # pending, in no period: not reviewed

    client.force_login(viewer)
    html = client.get(pack_url(MEETING_DAY)).content.decode()

    first = {
        resource: [m.reference for m in sorted(made[resource], key=lambda m: m.pk)[:3]] for resource in made
    }
    cut = "still open · the first 3 listed"
    osu_name = "Operational Support Unit"
    assert resource_tables(html) == {
        f"Force Support: 5 missions · 2 completed · 1 not completed · 0 cancelled · 2 {cut}": first["FS"],
        f"{osu_name}: 5 missions · 1 completed · 1 not completed · 1 cancelled · 2 {cut}": first["OSU"],
        f"No resource: 4 missions · 0 completed · 0 not completed · 4 cancelled · 0 {cut}": first[None],
    }
    counts = {label: n for n, label in re.findall(r'aria-label="(\d+) — ([^:]+): go to the section"', html)}
    assert counts["missions reviewed"] == "14"

    services.trm_meeting_open(actor=desk.actor, date=date(2026, 10, 21))
    client.force_login(supervisor)
    meeting = client.get(reverse("tasking:trm-detail", args=["2026-10-21"])).content.decode()
    listed = re.findall(r">(M-\d{6})<", meeting.split('id="missions"')[1].split('id="not-completed"')[0])
    assert sorted(listed) == sorted(m.reference for missions in made.values() for m in missions)
    assert 'Operational Support Unit <span class="muted small">5 missions · 1 completed' in meeting
