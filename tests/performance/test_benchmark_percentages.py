"""The NPU benchmark table of a percentage indicator: each NPU's and the force's figure is the
period's summed numerator over its summed denominator × 100 (never the numerator alone, never a rate
per 1,000 residents of it), compared in percentage points, with better or worse judged on the
percentage — through the API, the NPU table page and the ``benchmark_table`` command. Counts keep
their % change and rate per 1,000 residents; money gets no rate.

Activity is made through the tasking services in October and November 2026: completion rate BE
3 of 4 (75 %) then 4 of 4 (100 %), CV 1 of 2 (50 %) then 1 of 4 (25 %); the force 4 of 6 (66.67 %)
then 5 of 8 (62.50 %)."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from operations.models import Area

from .conftest import import_crimes, local, police_uk_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

COMPLETION = {"indicator": "mission_completion_rate", "period": "2026-11", "compare": "2026-10"}


def finish(desk, area, completed, not_completed, **outcome):
    for _ in range(completed):
        desk.complete(area=area, **outcome)
    for _ in range(not_completed):
        mission = desk.mission(area=area)
        desk.allocate(mission)
        desk.not_complete(mission)


@pytest.fixture
def two_months(desk, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(local(2026, 10, 14, 12, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        finish(desk, "BE", 3, 1, cash_gbp=100)
        finish(desk, "CV", 1, 1)
    time_machine.move_to(local(2026, 11, 18, 12, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        finish(desk, "BE", 4, 0)
        finish(desk, "CV", 1, 3)


def by_area(body):
    return {row["area"]: row for row in body["rows"]}


def test_a_percentage_is_the_summed_numerator_over_the_summed_denominator_in_percentage_points(
    api, viewer, two_months
):
    response = api.as_user(viewer).get("/api/benchmarks/", COMPLETION)

    assert response.status_code == 200, response.data
    body = response.json()
    assert (body["unit"], body["change_unit"]) == ("percent", "percentage_points")
    assert body["total"] | {"unmapped": None} == {
        "area": "WMP", "current": "62.50", "previous": "66.67", "change": "-4.17", "pct_change": None,
        "direction": "down", "rate_per_1000": None, "numerator": 5, "denominator": 8,
        "previous_numerator": 4, "previous_denominator": 6, "unmapped": None,
    }  # fmt: skip
    rows = by_area(body)
    assert (rows["BE"]["current"], rows["BE"]["previous"], rows["BE"]["change"]) == (
        "100.00",
        "75.00",
        "25.00",
    )
    assert (rows["CV"]["current"], rows["CV"]["previous"], rows["CV"]["change"]) == (
        "25.00",
        "50.00",
        "-25.00",
    )
    assert (rows["BE"]["direction"], rows["CV"]["direction"]) == ("up", "down")
    assert all(row["rate_per_1000"] is None and row["pct_change"] is None for row in body["rows"])


def test_an_npu_with_no_finished_missions_has_no_percentage_and_sorts_after_those_that_have(
    api, viewer, two_months
):
    body = api.as_user(viewer).get("/api/benchmarks/", COMPLETION).json()

    assert [row["area"] for row in body["rows"][:2]] == ["BE", "CV"]  # by change in points, largest first
    bw = by_area(body)["BW"]
    assert (bw["current"], bw["previous"], bw["change"], bw["direction"]) == (None, None, None, "same")
    assert (bw["numerator"], bw["denominator"]) == (0, 0)


def test_counts_keep_their_percentage_change_and_rate_and_money_gets_no_rate(api, viewer, two_months):
    client = api.as_user(viewer)
    completed = client.get("/api/benchmarks/", {**COMPLETION, "indicator": "missions_completed"}).json()
    be = by_area(completed)["BE"]
    population = Area.objects.get(code="BE").population
    assert (be["current"], be["previous"], be["change"], be["pct_change"]) == (4, 3, 1, "33.33")
    assert be["rate_per_1000"] == str((Decimal(4) * 1000 / Decimal(population)).quantize(Decimal("0.01")))
    assert completed["change_unit"] == "count"

    cash = client.get(
        "/api/benchmarks/", {"indicator": "cash_seized", "period": "2026-10", "compare": "2026-09"}
    )
    assert by_area(cash.json())["BE"]["current"] == 300
    assert all(row["rate_per_1000"] is None for row in [*cash.json()["rows"], cash.json()["total"]])


def test_the_npu_table_page_shows_percentages_and_points_and_judges_better_or_worse_on_them(
    client, viewer, two_months
):
    client.force_login(viewer)
    response = client.get("/dashboards/npu/", COMPLETION)

    assert response.status_code == 200
    page = response.content.decode()
    table = page.split('<table class="data npu-table"', 1)[1].split("</table>", 1)[0]
    assert "Change (percentage points)" in table and "Rate per 1,000 residents" not in table
    be = re.search(r'<tr data-area="BE">(.*?)</tr>', table, re.S)[1]
    assert "100.00 %" in be and "75.00 %" in be and ">25.00<" in be and "(better)" in be
    cv = re.search(r'<tr data-area="CV">(.*?)</tr>', table, re.S)[1]
    assert "25.00 %" in cv and ">-25.00<" in cv and "(worse)" in cv
    force = re.search(r'<tr class="total-row" data-area="WMP">(.*?)</tr>', table, re.S)[1]
    assert "62.50 %" in force and "66.67 %" in force and ">-4.17<" in force and "(worse)" in force
    assert ">5<" not in force  # the numerator is not the figure


def test_the_command_prints_percentages_and_their_change_in_points(two_months):
    out = StringIO()
    call_command("benchmark_table", "--indicator", "mission_completion_rate", "--period", "2026-11",
                 "--compare", "2026-10", stdout=out)  # fmt: skip
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["NPU", "2026-11", "2026-10", "points"]
    assert lines[1].split() == ["BE", "100.00", "75.00", "25.00", "↑"]
    assert lines[-1].split() == ["WMP", "62.50", "66.67", "-4.17", "↓"]


def test_a_recorded_crime_percentage_comes_from_its_outcomes_not_the_crime_count(
    api, viewer, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_crimes(
            police_uk_row("2025-01", "Burglary", outcome="Offender fined"),
            police_uk_row("2025-01", "Burglary"),
            police_uk_row("2025-01", "Burglary"),
            police_uk_row("2025-01", "Robbery"),
            police_uk_row("2024-01", "Burglary", outcome="Offender fined"),
            police_uk_row("2024-01", "Burglary"),
        )

    body = (
        api.as_user(viewer)
        .get("/api/benchmarks/", {"indicator": "positive_outcome_rate", "period": "2025", "compare": "2024"})
        .json()
    )

    bw = by_area(body)["BW"]
    assert (bw["current"], bw["previous"], bw["change"], bw["direction"]) == (
        "25.00",
        "50.00",
        "-25.00",
        "down",
    )
    assert (bw["numerator"], bw["denominator"]) == (1, 4)
    assert body["total"]["current"] == "25.00"
