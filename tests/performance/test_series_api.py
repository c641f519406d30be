"""The SPC series of an indicator: stored monthly values as an XmR chart, break dates, and the
parameters and roles the endpoint checks."""

import math
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase

from operations.models import Operation
from operations.roles import Role
from performance.models import IndicatorValue
from tests.conftest import make_user

from .conftest import Desk, local

pytestmark = pytest.mark.django_db

# Arrests by month in BE, January 2025 to February 2026; October 2025 is exceptional.
MONTHS = [date(2025, m, 1) for m in range(1, 13)] + [date(2026, 1, 1), date(2026, 2, 1)]
ARRESTS = [5, 7, 6, 8, 7, 6, 9, 8, 7, 30, 6, 7, 8, 7]
SERIES = "/api/indicators/mission_arrests/series/"


@pytest.fixture(scope="module")
def monthly_arrests(perf_reference, django_db_blocker):
    """Built once for the module, inside the transaction ``perf_reference`` holds open."""
    with django_db_blocker.unblock():
        desk = Desk(make_user(get_user_model(), "series-builder", Role.SUPERVISOR))
        for month, arrests in zip(MONTHS, ARRESTS, strict=True):
            moment = local(month.year, month.month, 15, 12, 0)
            with time_machine.travel(moment, tick=False), TestCase.captureOnCommitCallbacks(execute=True):
                desk.complete(area="BE", operation="VIBRANT", arrests=arrests)
    return dict(zip(MONTHS, ARRESTS, strict=True))


def xmr_lines(values):
    """Mean, process limits and 2σ lines, computed by hand."""
    mean = sum(values) / len(values)
    moving_ranges = [abs(b - a) for a, b in pairwise(values)]
    spread = 2.66 * sum(moving_ranges) / len(moving_ranges)
    return mean, mean + spread, mean - spread, mean + spread * 2 / 3, mean - spread * 2 / 3


def close(a, b):
    return math.isclose(a, b, abs_tol=1e-4)


def test_the_series_returns_the_stored_months_with_mean_limits_and_two_sigma_lines(
    api, viewer, monthly_arrests
):
    response = api.as_user(viewer).get(SERIES, {"area": "BE", "period": "month"})
    assert response.status_code == 200, response.data
    body = response.json()
    assert (body["indicator"], body["area"], body["period"]) == ("mission_arrests", "BE", "month")
    points = body["points"]
    stored = dict(
        IndicatorValue.objects.filter(
            indicator__code="mission_arrests", area__code="BE", operation_key=0, period_kind="month"
        ).values_list("period_start", "value")
    )
    assert stored == {month: Decimal(n) for month, n in monthly_arrests.items()}
    assert [point["period_start"] for point in points] == [m.isoformat() for m in MONTHS]
    assert [point["value"] for point in points] == ARRESTS
    mean, upper, lower, upper_2s, lower_2s = xmr_lines(ARRESTS)
    for point in points:
        assert close(point["mean"], mean) and close(point["upper_limit"], upper)
        assert close(point["lower_limit"], lower)
        assert close(point["upper_2sigma"], upper_2s) and close(point["lower_2sigma"], lower_2s)
        assert point["segment"] == 0 and point["trial"] is False  # 14 points: limits are not trial


def test_a_month_beyond_the_process_limit_is_signalled_as_an_improvement_for_arrests(
    api, viewer, monthly_arrests
):
    points = api.as_user(viewer).get(SERIES, {"area": "BE"}).json()["points"]
    october = next(point for point in points if point["period_start"] == "2025-10-01")
    assert {"rule": "beyond_limit", "kind": "improvement"} in october["signals"]
    assert october["special_cause"] == "improvement"
    quiet = [point for point in points if point["period_start"] != "2025-10-01"]
    assert all(point["value"] <= point["upper_limit"] for point in quiet)
    assert not any(signal["rule"] == "beyond_limit" for point in quiet for signal in point["signals"])


def test_a_break_date_splits_the_limits_into_segments_computed_on_their_own(api, viewer, monthly_arrests):
    response = api.as_user(viewer).get(SERIES, {"area": "BE", "breaks": "2025-09-01"})
    assert response.status_code == 200, response.data
    points = response.json()["points"]
    before, after = ARRESTS[:8], ARRESTS[8:]
    assert [point["segment"] for point in points] == [0] * 8 + [1] * 6
    for segment, values in ((0, before), (1, after)):
        mean, upper, lower, *_ = xmr_lines(values)
        for point in points:
            if point["segment"] == segment:
                assert close(point["mean"], mean) and close(point["upper_limit"], upper)
                assert close(point["lower_limit"], lower)
                assert point["trial"] is True  # fewer than 12 points: trial limits
    assert points[0]["mean"] != points[-1]["mean"]


def test_the_series_follows_an_operation_and_a_date_range(api, viewer, monthly_arrests):
    client = api.as_user(viewer)
    vibrant = client.get(SERIES, {"area": "BE", "operation": "VIBRANT"}).json()["points"]
    assert [point["value"] for point in vibrant] == ARRESTS
    ranged = client.get(SERIES, {"area": "WMP", "from": "2025-06-01", "to": "2025-08-01"}).json()
    assert [point["period_start"] for point in ranged["points"]] == ["2025-06-01", "2025-07-01", "2025-08-01"]
    assert [point["value"] for point in ranged["points"]] == ARRESTS[5:8]
    weekly = client.get(SERIES, {"area": "BE", "period": "week"}).json()["points"]
    assert len(weekly) == 14 and sum(point["value"] for point in weekly) == sum(ARRESTS)
    assert Operation.objects.filter(code="VIBRANT").exists()


@pytest.mark.parametrize(
    "query",
    [
        {"period": "day"},
        {"period": "year"},
        {"breaks": "2025-13-01"},
        {"breaks": "2025-09-01,soon"},
        {"baseline": "5"},
        {"baseline": "twelve"},
        {"from": "01/06/2025"},
        {"area": "XX"},
        {"operation": "NO-SUCH-OP"},
    ],
)
def test_a_bad_period_break_baseline_or_filter_is_a_400(api, viewer, perf_reference, query):
    response = api.as_user(viewer).get(SERIES, {"area": "BE", **query})
    assert response.status_code == 400, response.data


def test_a_baseline_of_twelve_points_fixes_the_limits_on_the_first_twelve(api, viewer, monthly_arrests):
    points = api.as_user(viewer).get(SERIES, {"area": "BE", "baseline": "12"}).json()["points"]
    mean, upper, *_ = xmr_lines(ARRESTS[:12])
    assert all(close(point["mean"], mean) and close(point["upper_limit"], upper) for point in points)


def test_the_series_needs_a_signed_in_user_with_a_role(api, viewer, no_role_user, perf_reference):
    assert api.get(SERIES, {"area": "BE"}).status_code == 401
    assert api.as_user(no_role_user).get(SERIES, {"area": "BE"}).status_code == 403
    assert api.as_user(viewer).get(SERIES, {"area": "BE"}).status_code == 200
    assert api.as_user(viewer).get("/api/indicators/nothing/series/").status_code == 404
