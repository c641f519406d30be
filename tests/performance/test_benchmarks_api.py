"""NPU benchmark tables: seed 000 figure 3 reproduced with the standard % change, periods, offence
groups, unmapped crime and straddling counts, through the API and the management command."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from operations.crime_import import crime_counts_import
from operations.reference import DATA_DIR

from .conftest import BW_LSOA, SH_LSOA, UNKNOWN_LSOA, import_crimes, police_uk_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("perf_reference")]

FIGURE_3 = json.loads((DATA_DIR / "seed000_figure3.json").read_text())[0]
COUNTS_HEADER = "area_code,offence_group,period_start,period_end,count"


def load_counts(*lines):
    return crime_counts_import(
        actor=None, data="\n".join([COUNTS_HEADER, *lines]) + "\n", source_file="seed000_figure3.csv"
    )


@pytest.fixture
def figure_3():
    """Figure 3's counts (all recorded crime by NPU, 2017 and 2016) as CrimeCount rows."""
    assert FIGURE_3["figure"] == "3" and FIGURE_3["current_period"] == "2017"
    lines = []
    for row in FIGURE_3["rows"]:
        lines.append(f"{row['area']},all,2017-01-01,2017-12-31,{row['current']}")
        lines.append(f"{row['area']},all,2016-01-01,2016-12-31,{row['previous']}")
    report = load_counts(*lines)
    assert report.new == 16
    return {row["area"]: row for row in FIGURE_3["rows"]}


def benchmarks(client, **params):
    return client.get("/api/benchmarks/", {"indicator": "recorded_crime", **params})


@pytest.fixture
def client(api, viewer):
    return api.as_user(viewer)


def test_the_table_reproduces_each_npu_of_figure_3_with_the_standard_percentage_change(client, figure_3):
    response = benchmarks(client, period="2017", compare="2016")
    assert response.status_code == 200, response.data
    body = response.json()
    assert body["indicator"] == "recorded_crime"
    assert body["period"]["text"] == "2017" and body["compare"]["text"] == "2016"
    rows = {row["area"]: row for row in body["rows"]}
    assert set(rows) == set(figure_3)
    for area, paper in figure_3.items():
        row = rows[area]
        assert (row["current"], row["previous"]) == (paper["current"], paper["previous"])
        assert row["change"] == paper["change_computed"]
        assert row["pct_change"] == f"{paper['pct_change_vs_previous_computed']:.2f}"
        assert row["direction"] == "up"
    assert rows["SH"] | {"rate_per_1000": None} == {
        "area": "SH", "current": 15256, "previous": 12841, "change": 2415, "pct_change": "18.81",
        "direction": "up", "rate_per_1000": None,
    }  # fmt: skip
    assert body["straddling"] == []


def test_rows_are_ordered_by_percentage_change_descending_like_the_papers(client, figure_3):
    rows = benchmarks(client, period="2017", compare="2016").json()["rows"]
    percentages = [float(row["pct_change"]) for row in rows]
    assert percentages == sorted(percentages, reverse=True)
    assert [row["area"] for row in rows] == [row["area"] for row in FIGURE_3["rows"]]  # the paper's order


def test_the_force_total_sums_the_npus_and_its_change_comes_from_the_totals_not_a_mean(client, figure_3):
    total = benchmarks(client, period="2017", compare="2016").json()["total"]
    checks = FIGURE_3["total_checks"]
    assert total["area"] == "WMP"
    assert total["current"] == checks["sum_of_rows_current"] == 227303
    assert total["previous"] == checks["sum_of_rows_previous"] == 199446
    assert total["change"] == 227303 - 199446
    assert total["pct_change"] == f"{checks['true_pct_change_vs_previous']:.2f}" == "13.97"
    assert total["pct_change"] != FIGURE_3["total_as_printed"]["pct_change_as_printed"].rstrip("%")  # 12.37
    assert total["direction"] == "up"
    assert total["unmapped"] == {"current": 0, "previous": 0}


def test_a_count_straddling_the_period_is_listed_and_not_counted(client):
    load_counts("SH,all,2016-07-01,2017-06-30,9000", "SW,all,2017-01-01,2017-12-31,100")
    body = benchmarks(client, period="2017", compare="2016").json()
    rows = {row["area"]: row for row in body["rows"]}
    assert rows["SH"]["current"] == 0 and rows["SH"]["previous"] == 0
    assert rows["SW"]["current"] == 100
    assert body["total"]["current"] == 100 and body["total"]["previous"] == 0
    straddling = [item for item in body["straddling"] if item["area"] == "SH"]
    assert len(straddling) == 2  # it straddles both 2017 and 2016
    assert {(item["period_start"], item["period_end"]) for item in straddling} == {
        ("2016-07-01", "2017-06-30")
    }
    inside = benchmarks(client, period="2016-07-01..2017-06-30", compare="2016").json()
    assert {row["area"]: row["current"] for row in inside["rows"]}["SH"] == 9000


@pytest.fixture
def police_uk():
    """Street-level records: burglaries and robberies in BW and SH, some in no NPU, and ASB."""
    import_crimes(
        police_uk_row("2016-03", "Burglary", lsoa=BW_LSOA),
        police_uk_row("2016-03", "Robbery", lsoa=BW_LSOA),
        police_uk_row("2016-03", "Robbery", lsoa=BW_LSOA),
        police_uk_row("2017-03", "Burglary", lsoa=BW_LSOA),
        police_uk_row("2017-03", "Burglary", lsoa=BW_LSOA),
        police_uk_row("2017-03", "Burglary", lsoa=BW_LSOA),
        police_uk_row("2017-03", "Robbery", lsoa=BW_LSOA),
        police_uk_row("2017-12", "Burglary", lsoa=SH_LSOA),
        police_uk_row("2018-03", "Burglary", lsoa=SH_LSOA),
        police_uk_row("2018-04", "Burglary", lsoa=SH_LSOA),
        police_uk_row("2017-05", "Burglary", lsoa=UNKNOWN_LSOA),  # unmapped
        police_uk_row("2017-06", "Robbery", lsoa="", lon="", lat=""),  # no location: the force's
        police_uk_row("2017-03", "Anti-social behaviour", lsoa=BW_LSOA, outcome=""),
        police_uk_row("2017-03", "Anti-social behaviour", lsoa=BW_LSOA, outcome=""),
    )


def by_area(body):
    return {row["area"]: row for row in body["rows"]}


def test_the_offence_group_filter_counts_only_that_groups_records(client, police_uk):
    burglary = benchmarks(client, period="2017", compare="2016", offence_group="burglary").json()
    assert burglary["offence_group"] == "burglary"
    assert (by_area(burglary)["BW"]["current"], by_area(burglary)["BW"]["previous"]) == (3, 1)
    assert by_area(burglary)["BW"]["pct_change"] == "200.00"
    assert by_area(burglary)["SH"]["current"] == 1
    assert burglary["total"]["current"] == 3 + 1 + 1  # the unmapped burglary counts for the force
    assert burglary["total"]["unmapped"] == {"current": 1, "previous": 0}
    robbery = benchmarks(client, period="2017", compare="2016", offence_group="robbery").json()
    assert (by_area(robbery)["BW"]["current"], by_area(robbery)["BW"]["previous"]) == (1, 2)
    assert by_area(robbery)["BW"]["pct_change"] == "-50.00"
    assert by_area(robbery)["BW"]["direction"] == "down"
    assert robbery["total"]["current"] == 2 and robbery["total"]["unmapped"]["current"] == 1


def test_recorded_crime_counts_unmapped_crime_in_the_force_total_and_leaves_out_asb(client, police_uk):
    body = benchmarks(client, period="2017", compare="2016").json()
    rows = by_area(body)
    assert (rows["BW"]["current"], rows["BW"]["previous"]) == (4, 3)  # the two ASB incidents are not crimes
    assert rows["SH"]["current"] == 1
    assert body["total"]["current"] == 4 + 1 + 2  # plus the unknown LSOA and the no-location crime
    assert body["total"]["previous"] == 3
    assert body["total"]["unmapped"] == {"current": 2, "previous": 0}
    assert body["total"]["pct_change"] == "133.33"


def test_an_npu_with_nothing_the_year_before_has_no_percentage_change_and_sorts_last(client, police_uk):
    rows = benchmarks(client, period="2017", compare="2016").json()["rows"]
    sh = by_area({"rows": rows})["SH"]
    assert (sh["current"], sh["previous"], sh["change"]) == (1, 0, 1)
    assert sh["pct_change"] is None and sh["direction"] == "up"
    known = [row for row in rows if row["pct_change"] is not None]
    assert rows[: len(known)] == known  # every row with a percentage comes first
    assert by_area({"rows": rows})["CV"] | {"rate_per_1000": None} == {
        "area": "CV", "current": 0, "previous": 0, "change": 0, "pct_change": None, "direction": "same",
        "rate_per_1000": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("period", "sh_current"),
    [
        ("2017", 1),  # calendar year: December 2017
        ("2017/18", 2),  # April 2017 to March 2018: December 2017 and March 2018
        ("2018/19", 1),  # April 2018
        ("2017-12", 1),  # one month
        ("2018-03", 1),
        ("2017-12-01..2018-03-31", 2),  # inclusive ISO dates
        ("2018-01-01..2018-02-28", 0),
    ],
)
def test_periods_are_calendar_years_financial_years_months_or_date_ranges(
    client, police_uk, period, sh_current
):
    response = benchmarks(client, period=period, compare="2016")
    assert response.status_code == 200, response.data
    assert by_area(response.json())["SH"]["current"] == sh_current


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2017/19", "compare": "2016"},
        {"period": "2017-13", "compare": "2016"},
        {"period": "17", "compare": "2016"},
        {"period": "2018-01-01..2017-01-01", "compare": "2016"},
        {"period": "2017-01-01..", "compare": "2016"},
        {"period": "2017", "compare": "last year"},
        {"period": "2017"},
        {"period": "2017", "compare": "2016", "offence_group": "no-such-group"},
        {"period": "2017", "compare": "2016", "indicator": "no_such_indicator"},
    ],
)
def test_a_bad_period_offence_group_or_indicator_is_a_400(client, query):
    assert client.get("/api/benchmarks/", {"indicator": "recorded_crime", **query}).status_code == 400


def test_the_benchmarks_need_a_signed_in_viewer(api, no_role_user):
    assert benchmarks(api, period="2017", compare="2016").status_code == 401
    assert benchmarks(api.as_user(no_role_user), period="2017", compare="2016").status_code == 403


def test_benchmark_table_prints_the_same_table(figure_3):
    out = StringIO()
    call_command("benchmark_table", "--period", "2017", "--compare", "2016", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["NPU", "2017", "2016", "change", "%", "change"]
    assert lines[1].split() == ["SH", "15256", "12841", "2415", "18.81", "↑"]
    assert [line.split()[0] for line in lines[1:9]] == [row["area"] for row in FIGURE_3["rows"]]
    assert lines[9].split() == ["WMP", "227303", "199446", "27857", "13.97", "↑"]


def test_benchmark_table_refuses_a_bad_period():
    with pytest.raises(CommandError, match="is not a period"):
        call_command("benchmark_table", "--period", "2017/19", "--compare", "2016", stdout=StringIO())
