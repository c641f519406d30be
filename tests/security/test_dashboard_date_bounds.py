"""Periods and dates outside the years the app covers (2000-2100, ``operations.dates``) on the NPU
table, the benchmarks API, the patrols dashboard and a hot grid's compliance get a clear answer,
never a server error: the page says what was wrong and shows its default, the API answers 400.
A hot grid's compliance also refuses a UTC offset no place uses (beyond ±14:00).
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from performance import reporting
from tests.security.clients import OUTSIDE, api_as, page_says, signed_in

NPU = "/dashboards/npu/"
BENCHMARKS = "/api/benchmarks/"
PATROLS = "/dashboards/patrols/"


# -- period expressions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2017-01-01..9999-12-31", "9999-12-31"),
        ("0001", "0001-01-01"),
        ("0001/02", "0001-04-01"),
        ("0001-02", "0001-02-01"),
        ("0001-01-01..0001-12-31", "0001-01-01"),
        ("9999", "9999-01-01"),
        ("9999/00", "9999-04-01"),
        ("9999-12", "9999-12-01"),
        ("2100/01", "2101-03-31"),  # starts in the range, ends after it
        ("1999-12-31..2017-01-01", "1999-12-31"),
    ],
)
def test_a_period_starting_or_ending_out_of_range_is_refused_naming_the_day(text, day):
    with pytest.raises(ValidationError) as refused:
        reporting.period_parse(text)
    assert refused.value.messages == [f"{day} {OUTSIDE}: choose one from 2000-01-01 to 2100-12-31."]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2000", date(2000, 1, 1), date(2001, 1, 1)),
        ("2099/00", date(2099, 4, 1), date(2100, 4, 1)),
        ("2100-12", date(2100, 12, 1), date(2101, 1, 1)),
        ("2000-01-01..2100-12-31", date(2000, 1, 1), date(2101, 1, 1)),
    ],
)
def test_a_period_at_each_end_of_the_range_is_read(text, start, end):
    period = reporting.period_parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("text", ["0000", "2017-13", "2017/19", "2017-12-31..2017-01-01", "soon"])
def test_what_is_no_period_is_still_said_so(text):
    with pytest.raises(ValidationError) as refused:
        reporting.period_parse(text)
    assert "is not a period" in refused.value.messages[0]


# -- the NPU table and the benchmarks API ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [("2017-01-01..9999-12-31", "9999-12-31"), ("0001", "0001-01-01"), ("0001/02", "0001-04-01")],
)
def test_the_npu_table_says_which_day_of_the_period_is_out_of_range(db, world, text, day):
    response = signed_in(world.users["viewer"]).get(NPU, {"period": text})

    assert response.status_code == 400
    assert response.context["errors"]["period"].startswith(f"{day} {OUTSIDE}")
    assert page_says(response, f"{day} {OUTSIDE}") and response.context["table"] is None


def test_the_npu_csv_compared_with_a_period_out_of_range_is_the_page_with_the_error(db, world):
    response = signed_in(world.users["viewer"]).get(
        NPU, {"period": "2017", "compare": "2016-01-01..9999-12-31", "format": "csv"}
    )

    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert response.context["errors"]["compare"].startswith(f"9999-12-31 {OUTSIDE}")


def test_the_npu_table_over_the_whole_range_is_shown(db, world):
    response = signed_in(world.users["viewer"]).get(
        NPU, {"period": "2000-01-01..2100-12-31", "compare": "2000"}
    )
    assert response.status_code == 200 and response.context["errors"] == {}


@pytest.mark.parametrize(
    ("params", "field", "day"),
    [
        ({"period": "2017-01-01..9999-12-31", "compare": "2016"}, "period", "9999-12-31"),
        ({"period": "2017", "compare": "0001-01-01..0001-12-31"}, "compare", "0001-01-01"),
    ],
)
def test_the_benchmarks_api_refuses_a_period_out_of_range_with_a_400_on_it(db, world, params, field, day):
    response = api_as(world.users["viewer"]).get(BENCHMARKS, {"indicator": "recorded_crime", **params})

    assert response.status_code == 400
    assert response.json() == {field: [f"{day} {OUTSIDE}: choose one from 2000-01-01 to 2100-12-31."]}


def test_the_benchmarks_api_names_every_bad_parameter_at_once(db, world):
    response = api_as(world.users["viewer"]).get(
        BENCHMARKS,
        {"indicator": "recorded_crime", "period": "someday", "compare": "9999", "offence_group": "x"},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"period", "compare", "offence_group"}


# -- the patrols dashboard -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "day"), [("date_from", "9999-12-31"), ("date_to", "9999-12-31"), ("date_from", "0001-01-01")]
)
def test_the_patrols_dashboard_out_of_range_is_a_field_error_on_the_default_range(db, world, name, day):
    response = signed_in(world.users["viewer"]).get(PATROLS, {name: day})

    assert response.status_code == 200
    assert response.context["form"].errors[name] == [
        f"{day} {OUTSIDE}: choose one from 2000-01-01 to 2100-12-31."
    ]
    assert page_says(response, f"{day} {OUTSIDE}")
    today = timezone.localdate()
    assert (response.context["start"], response.context["end"]) == (today - timedelta(days=27), today)


def test_the_patrols_dashboard_at_the_last_day_of_the_range_is_shown(db, world):
    response = signed_in(world.users["viewer"]).get(PATROLS, {"date_from": "2100-12-31"})

    assert response.status_code == 200 and not response.context["form"].errors
    assert response.context["start"] == response.context["end"] == date(2100, 12, 31)


# -- a hot grid's compliance --------------------------------------------------------------------


def compliance(world, **params):
    return api_as(world.users["viewer"]).get(f"/api/hot-grids/{world.grid.pk}/compliance/", params)


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("9999-12-31T23:59:59-23:59", OUTSIDE),
        ("9999-12-31", OUTSIDE),
        ("0001-01-01", OUTSIDE),
        ("0001-01-01T00:00:00+01:00", OUTSIDE),
        ("2101-01-01T00:00:00Z", OUTSIDE),
        ("2024-01-01T00:00:00+20:00", "UTC offset from -14:00 to +14:00"),
        ("2024-01-01T00:00:00-14:01", "UTC offset from -14:00 to +14:00"),
    ],
)
def test_a_grids_compliance_out_of_range_is_a_400_on_the_bound(db, world, name, value, says):
    response = compliance(world, **{name: value})

    assert response.status_code == 400
    assert says in response.json()[name][0]


def test_a_grids_compliance_says_which_day_is_out_of_range(db, world):
    response = compliance(world, **{"from": "0001-01-01"})
    assert response.json() == {"from": [f"0001-01-01 {OUTSIDE}: choose one from 2000-01-01 to 2100-12-31."]}


def test_a_grids_compliance_within_the_widest_offsets_and_the_range_is_counted(db, world):
    response = compliance(world, **{"from": "2000-01-01T00:00:00+14:00", "to": "2100-12-31T23:59:59-14:00"})

    assert response.status_code == 200
    assert response.json()["scheduled"] == 1


@pytest.mark.postgres
@pytest.mark.parametrize("value", ["2024-01-01T00:00:00+20:00", "2024-01-01T00:00:00+15:59"])
def test_a_grids_compliance_with_an_offset_postgresql_refuses_is_a_400_there_too(db, world, value):
    assert compliance(world, **{"from": value}).status_code == 400
    assert compliance(world, **{"from": "2024-01-01T00:00:00+14:00"}).status_code == 200
