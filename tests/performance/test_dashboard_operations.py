"""The operation pages, patrols and today read out exactly the activity logged (arrests, warrants,
targets, trial arms, patrol compliance, missions by state) and link to exactly those rows (every page's
access, the drill-down rows and the query budget are in test_dashboard_pages.py)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from operations.models import Area, Operation
from performance.dirty import indicators_drain
from tasking import services
from tasking.models import HotGrid, Outcome
from tasking.services import patrol_schedule_generate, period_for_day

from .conftest import grid_make, import_crimes, local, police_uk_row, visit_log
from .dashboard_helpers import NOW, at, get, link_after, operation_url, rows_listed


@pytest.fixture
def vibrant_data(desk, now, time_machine):
    """Vibrant arrests in Sep and Oct 2026 (3 + 2 in Oct, 4 in Sep), a no-trace, and an NPU arrest."""
    for moment, kwargs in [
        (local(2026, 9, 15, 10, 0), {"arrests": 4}),
        (local(2026, 10, 5, 10, 0), {"arrests": 3}),
        (local(2026, 10, 12, 10, 0), {"arrests": 2}),
    ]:
        at(time_machine, moment)
        desk.complete(kind="vibrant_arrest", operation="VIBRANT", **kwargs)
    at(time_machine, local(2026, 10, 13, 10, 0))
    desk.complete(kind="vibrant_arrest", operation="VIBRANT", result="not_found")
    desk.complete(kind="npu_arrest", arrests=5)
    at(time_machine, NOW)
    import_crimes(police_uk_row("2026-08", "Burglary"), police_uk_row("2026-08", "Burglary"),
                  police_uk_row("2026-08", "Robbery"), police_uk_row("2026-07", "Burglary"))  # fmt: skip
    indicators_drain()


def test_vibrant_arrests_equal_the_arrests_logged_and_link_to_exactly_those_outcomes(
    client, viewer, vibrant_data
):
    html = get(client, viewer, operation_url("VIBRANT")).content.decode()
    assert "5 arrests in Oct 2026 — show rows" in html
    assert "4 arrests in Sep 2026 — show rows" in html
    assert "up 1 (25.0 %) on Sep 2026" in html
    assert "495 below about 500 a month — <strong>target not met</strong>" in html
    url = link_after(html, "5 arrests in Oct 2026")
    assert "operation=VIBRANT" in url and "with_arrests=true" in url
    listed = get(client, viewer, url)
    expected = Outcome.objects.filter(
        mission__operation__code="VIBRANT", arrests__gte=1, completed_at__month=10
    ).values_list("mission_id", flat=True)
    assert sorted(listed.content.decode().count(f"M-{pk:06d}<") for pk in expected) == [1, 1]
    assert len(rows_listed(listed)) == 2
    # Recorded crime: the trend ends with the latest month loaded (Aug 2026).
    assert "2 burglary crimes in Aug 2026 — show rows" in html
    crimes = get(client, viewer, link_after(html, "2 burglary crimes in Aug 2026"))
    assert "<strong>2</strong> crimes" in crimes.content.decode()


def test_captiva_shows_this_quarter_against_last(client, viewer, desk, now, time_machine):
    for moment, kind, result, finds in [
        (
            local(2026, 8, 3, 9, 0),
            "warrant_firearms",
            "warrant_finds",
            {"firearms": 2, "ammunition_rounds": 30},
        ),
        (local(2026, 10, 2, 9, 0), "warrant_firearms", "warrant_no_finds", {}),
        (local(2026, 10, 3, 9, 0), "warrant_firearms", "warrant_finds", {"firearms": 1}),
        (local(2026, 10, 4, 9, 0), "warrant_drugs", "warrant_no_finds", {}),
    ]:
        at(time_machine, moment)
        desk.complete(kind=kind, operation="CAPTIVA", result=result, **finds)
    at(time_machine, NOW)
    indicators_drain()
    html = get(client, viewer, operation_url("CAPTIVA")).content.decode()
    assert "2 firearms warrants in Q4 2026 — show rows" in html
    assert "1 firearms warrants in Q3 2026 — show rows" in html
    assert "up 1 (100.0 %) on Q3 2026" in html
    assert "1 firearms recovered in Q4 2026 — show rows" in html
    assert "2 firearms recovered in Q3 2026 — show rows" in html
    rows = get(client, viewer, link_after(html, "2 firearms warrants in Q4 2026"))
    assert len(rows_listed(rows)) == 2


def test_sceptre_lists_outstanding_targets_ranked_and_the_week_of_action(client, viewer, desk, now):
    sceptre = Operation.objects.get(code="SCEPTRE")
    area = Area.objects.get(code="BE")
    for rank, ref in [(2, "NOM-2"), (1, "NOM-1"), (3, "NOM-3")]:
        services.operation_target_save(
            actor=desk.actor, operation=sceptre, area=area, rank=rank, subject_reference=ref,
            allow_closed_operation=True,  # Sceptre is closed: its week is replayed now
        )  # fmt: skip
    desk.complete(kind="weapons_sweep", operation="SCEPTRE", result="not_found", knives_weapons=0)
    # The arrest ticks NOM-3 off the list, as only an arrest outcome does.
    desk.complete(kind="npu_arrest", operation="SCEPTRE", arrests=2, request={"subject_reference": "NOM-3"})
    indicators_drain()
    html = get(client, viewer, operation_url("SCEPTRE")).content.decode()
    assert html.index("NOM-1") < html.index("NOM-2")
    assert "NOM-3" not in html
    assert "<strong>2</strong> outstanding" in html and "<strong>1</strong> arrested" in html
    assert "2 arrests in w/c 19 Oct 2026 — show rows" in html
    assert "1 weapons sweeps in w/c 19 Oct 2026 — show rows" in html
    sweeps = get(client, viewer, link_after(html, "1 weapons sweeps"))
    assert len(rows_listed(sweeps)) == 1


@pytest.fixture
def trial_grids(desk, time_machine, events_now):
    """Guardian: two treatment grids (one patrolled in time) and one control grid, on 19 Oct."""
    at(time_machine, local(2026, 10, 19, 9, 0))
    grids = [
        grid_make(desk.actor, code, operation="GUARDIAN", index=i, start="16:00", end="22:00")
        for i, code in enumerate(["G-T1", "G-T2", "G-C1"])
    ]
    HotGrid.objects.filter(code__in=["G-T1", "G-T2"]).update(trial_arm="treatment")
    HotGrid.objects.filter(code="G-C1").update(trial_arm="control")
    patrol_schedule_generate(period=period_for_day(date(2026, 10, 19)))
    at(time_machine, local(2026, 10, 20, 9, 0))
    visit_log(desk.actor, grids[0], local(2026, 10, 19, 17, 0), 20)
    at(time_machine, NOW)
    indicators_drain()
    return grids


def test_guardian_reads_out_each_arm(client, viewer, trial_grids):
    html = get(client, viewer, operation_url("GUARDIAN")).content.decode()
    assert "Treatment (patrolled)" in html and "Control (business as usual)" in html
    assert "50.0 %" in html  # treatment: 1 of 2 patrols in time
    assert "25 points below 75 %" in html
    assert "crime by arm needs recorded crime" in html.lower()
    rows = get(client, viewer, link_after(html, "2 patrols scheduled in the treatment arm"))
    assert rows.content.decode().count("G-T") >= 2


def test_guardian_counts_crime_inside_each_arms_grids(client, viewer, trial_grids):
    lon, lat = trial_grids[0].geometry["coordinates"][0][0]
    inside = (str(lon + 0.0005), str(lat + 0.0005))
    import_crimes(police_uk_row("2026-10", "Violence and sexual offences", lon=inside[0], lat=inside[1]),
                  police_uk_row("2026-10", "Burglary", lon="-1.5", lat="52.3"))  # fmt: skip
    html = get(client, viewer, operation_url("GUARDIAN")).content.decode()
    rows = get(client, viewer, link_after(html, "1 crimes in the treatment arm"))
    assert "<strong>1</strong> crime " in rows.content.decode()


def test_patrols_page_shows_compliance_per_npu_against_the_target(client, viewer, trial_grids):
    html = get(client, viewer, reverse("performance:patrols")).content.decode()
    # BE: 1 of 2 patrols in time (the control grid is policed as usual: nothing scheduled there)
    assert "50.0 % compliance across the force (1 of 2 patrols)" in html
    assert "25 points below 75 %" in html and "1 patrols not made in time in BE — show rows" in html
    assert "G-T1: 100.0 % compliant" in html and "more than 25 points below the target" in html.lower()
    rows = get(client, viewer, link_after(html, "1 patrols not made in time in BE"))
    assert "<strong>1</strong> scheduled patrol " in rows.content.decode() and "G-T2" in rows.content.decode()
    narrow = get(client, viewer, reverse("performance:patrols"), date_from="2026-10-01", date_to="2026-10-02")
    assert "No hot-grid patrols were scheduled" in narrow.content.decode()
    bad = get(client, viewer, reverse("performance:patrols"), date_from="yesterday")
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()


def test_today_counts_missions_by_state_and_resource_and_deadlines(client, viewer, desk, now):
    a = desk.mission()
    desk.allocate(a)
    b = desk.mission()
    desk.allocate(b, resource="OSU")
    desk.start(b)
    c = desk.mission(due_by=NOW + timedelta(hours=2))  # pending, due soon: at risk
    html = get(client, viewer, reverse("performance:today")).content.decode()
    assert "1 allocated for OSU — show rows" in html
    assert "1 in progress for OSU — show rows" in html
    assert "2 missions for OSU — show rows" in html
    assert "1 open requests due within 6 hours — show rows" in html
    rows = get(client, viewer, link_after(html, "1 allocated for OSU"))
    assert rows_listed(rows) == [a.reference]
    at_risk = get(client, viewer, link_after(html, "1 open requests due within"))
    assert at_risk.content.decode().count(c.request.reference) == 1
