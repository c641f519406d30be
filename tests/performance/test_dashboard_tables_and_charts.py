"""The NPU benchmark tables and the SPC process chart as pages: seed 000's figure 3 reproduced with
the standard percentage change, the CSV with the same rows, straddling counts noted, bad periods
and choices reported on the form, limits, special causes and break lines drawn."""

import csv
import io
import json
import re
from datetime import date

import pytest
import time_machine

from operations.crime_import import crime_counts_import
from operations.models import Operation
from operations.reference import DATA_DIR

from .conftest import html_of, local, months, put

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

FIGURE_3 = json.loads((DATA_DIR / "seed000_figure3.json").read_text())[0]


# ---------------------------------------------------------------------------------- NPU tables


@pytest.fixture
def figure_3():
    lines = ["area_code,offence_group,period_start,period_end,count"]
    for row in FIGURE_3["rows"]:
        lines.append(f"{row['area']},all,2017-01-01,2017-12-31,{row['current']}")
        lines.append(f"{row['area']},all,2016-01-01,2016-12-31,{row['previous']}")
    crime_counts_import(actor=None, data="\n".join(lines) + "\n", source_file="seed000_figure3.csv")
    return FIGURE_3["rows"]


def test_the_npu_table_reproduces_seed_000_figure_3_with_the_standard_percentage_change(as_viewer, figure_3):
    html = html_of(as_viewer.get("/dashboards/npu/", {"period": "2017", "compare": "2016"}))
    order = re.findall(r'<tr data-area="(\w+)">', html)
    assert order == [row["area"] for row in figure_3]  # ordered by % change, like the paper
    for paper in figure_3:
        row = re.search(rf'<tr data-area="{paper["area"]}">(.*?)</tr>', html, re.S)[1]
        cells = re.findall(r'<td class="num">([^<]*)', row)
        assert cells[:3] == [str(paper["current"]), str(paper["previous"]), str(paper["change_computed"])]
        assert f"{paper['pct_change_vs_previous_computed']:.2f} %" in row
        assert "↑</span> up" in row and "(worse)" in row  # more crime is worse
    total = re.search(r'<tr class="total-row" data-area="WMP">(.*?)</tr>', html, re.S)[1]
    assert ">227303<" in total and ">199446<" in total and "13.97 %" in total
    assert "crime not mapped to any NPU: 0 in 2017 and 0 in 2016" in html
    assert "mean of the NPU percentages" in html and "divided each change" in html


def test_the_npu_csv_has_the_same_rows(as_viewer, figure_3):
    response = as_viewer.get("/dashboards/npu/", {"period": "2017", "compare": "2016", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "NPU",
        "Current",
        "Previous",
        "Change",
        "% change",
        "Direction",
        "Rate per 1,000 residents",
    ]
    assert [row[0] for row in rows[1:-1]] == [row["area"] for row in figure_3]
    sh = next(row for row in rows if row[0] == "SH")
    assert sh[:6] == ["SH", "15256", "12841", "2415", "18.81", "up"]
    assert rows[-1][:5] == ["WMP", "227303", "199446", str(227303 - 199446), "13.97"]


def test_a_straddling_count_is_listed_as_a_note(as_viewer):
    crime_counts_import(
        actor=None, source_file="straddle.csv",
        data="area_code,offence_group,period_start,period_end,count\nSH,all,2016-07-01,2017-06-30,9000\n",
    )  # fmt: skip
    html = html_of(as_viewer.get("/dashboards/npu/", {"period": "2017", "compare": "2016"}))
    assert "straddle a period boundary" in html and "SH: 1 Jul 2016 to 30 Jun 2017" in html


@pytest.mark.parametrize("period", ["2017/19", "17", "2018-01-01..2017-01-01", "last year"])
def test_a_bad_period_shows_an_error_on_the_form_not_a_500(as_viewer, period):
    response = as_viewer.get("/dashboards/npu/", {"period": period, "compare": "2016"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a period: use 2017, 2017/18, 2017-12" in html
    assert 'id="f-period"' in html and 'aria-invalid="true"' in html and 'role="alert"' in html


def test_the_npu_table_defaults_to_the_last_full_year_against_the_year_before(as_viewer):
    with time_machine.travel(local(2026, 5, 1, 9, 0), tick=False):
        html = html_of(as_viewer.get("/dashboards/npu/"))
    assert 'name="period" value="2025"' in html and 'name="compare" value="2024"' in html
    assert "Recorded crime" in html


# -------------------------------------------------------------------------------- process chart


def test_the_process_chart_draws_limits_and_special_causes_coloured_and_shaped(as_viewer, shaped_series):
    html = html_of(as_viewer.get("/dashboards/indicators/robbery/", {"from": "2024-01-01"}))
    svg = re.search(r'<svg class="spc-chart".*?</svg>', html, re.S)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    for line in ("line--mean", "line--limit line--upper", "line--limit line--lower", "line--sigma2"):
        assert f'class="{line}"' in svg
    assert re.search(r'<g class="point point--concern"><title>Nov 2024: 95 — Special cause — concern[^<]*'
                     r"</title><rect ", svg)  # fmt: skip
    assert re.search(r'<g class="point point--improvement"><title>[^<]*</title><polygon ', svg)
    assert '<g class="point point--concern"><title>Jan 2024: 50 — Special cause — concern: run of 7' in svg
    assert "tabindex" not in svg and "<a " not in svg  # the points are no focus traps
    assert 'class="tick tick--y"' in svg and 'class="tick tick--x"' in svg
    assert "Special cause — improvement (▲ blue)" in html and "Special cause — concern (■ orange)" in html
    # the same data as a table, signals in words
    table = re.search(r'<table class="data spc-table">.*?</table>', html, re.S)[0]
    assert table.count('<tr class="spc-row') == len(shaped_series)
    assert "Special cause — concern: beyond a process limit" in table
    assert "Special cause — improvement: 2 of 3 beyond the 2σ line, run of 7 on one side of the mean" in table
    assert "Trial limits" not in html


def test_break_lines_are_drawn_at_given_dates_and_at_the_operations_start(as_viewer, shaped_series):
    vibrant = Operation.objects.get(code="VIBRANT")
    vibrant.start_date = date(2024, 7, 1)
    vibrant.save()
    for start, value in zip(months(date(2024, 1, 1), 12), shaped_series[:12], strict=True):
        put("robbery", "WMP", "month", start, value, operation_key=vibrant.pk)
    html = html_of(
        as_viewer.get("/dashboards/indicators/robbery/", {"operation": "VIBRANT", "breaks": "2024-04-01"})
    )
    svg = re.search(r'<svg class="spc-chart".*?</svg>', html, re.S)[0]
    assert svg.count('class="line--break"') == 2
    assert "Break 01 Apr 2024" in svg and "VIBRANT starts 01 Jul 2024" in svg
    assert "Break 01 Apr 2024: new limits" in html and "VIBRANT starts 01 Jul 2024: new limits" in html
    assert "Trial limits" in html  # three segments of 3, 3 and 6 points


def test_the_process_chart_reports_bad_choices_and_switches_indicator(as_viewer):
    response = as_viewer.get("/dashboards/indicators/robbery/", {"baseline": "5", "breaks": "soon"})
    html = html_of(response)
    assert "12 or more" in html and "&#x27;soon&#x27; is not a date" in html
    response = as_viewer.get("/dashboards/indicators/robbery/", {"indicator": "burglary", "area": "BE"})
    assert response.status_code == 302 and response.url == "/dashboards/indicators/burglary/?area=BE"
    assert as_viewer.get("/dashboards/indicators/no-such/").status_code == 404
