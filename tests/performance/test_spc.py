"""XmR charts and the NHS "Making Data Count" rules, checked against hand-computed series: the
limits, the four rules and the good direction (segments, assurance, missing values and properties
are in test_spc_segments.py)."""

from datetime import date

import pytest

from performance.spc import xmr

from .spc_series import BASE, all_signals, flagged, kinds, monthly

# --- limits -------------------------------------------------------------------------------------------


def test_limits_of_a_twelve_point_series_match_the_hand_computation():
    chart = xmr(monthly(BASE))

    for point in chart.to_dict()["points"]:
        assert point["mean"] == 12.0
        assert point["upper_limit"] == 15.6273
        assert point["lower_limit"] == 8.3727
        assert point["upper_2sigma"] == 14.4182
        assert point["lower_2sigma"] == 9.5818
        assert point["trial"] is False
        assert point["segment"] == 0
        assert point["signals"] == []
        assert point["special_cause"] is None
    assert chart.points[0].upper_limit == pytest.approx(12 + 2.66 * 15 / 11)
    assert chart.variation == "common_cause"


def test_to_dict_gives_iso_dates_and_rounded_numbers():
    data = xmr(monthly(BASE), target=10).to_dict()

    assert data["points"][0]["period_start"] == "2022-01-01"
    assert data["points"][0]["value"] == 10.0
    assert data["good_direction"] == "up"
    assert data["target"] == 10.0
    assert data["variation"] == "common_cause"
    assert data["assurance"] == "hit_and_miss"
    assert set(data["points"][0]) == {
        "period_start",
        "value",
        "mean",
        "upper_limit",
        "lower_limit",
        "upper_2sigma",
        "lower_2sigma",
        "segment",
        "trial",
        "signals",
        "special_cause",
    }


def test_fewer_than_twelve_points_give_trial_limits():
    assert all(point.trial for point in xmr(monthly(BASE[:11])).points)
    assert not any(point.trial for point in xmr(monthly(BASE)).points)


def test_a_single_point_has_trial_limits_equal_to_its_value():
    (point,) = xmr(monthly([7.5])).points

    assert point.trial is True
    assert point.mean == point.upper_limit == point.lower_limit == 7.5
    assert point.upper_2sigma == point.lower_2sigma == 7.5
    assert point.signals == []


def test_an_empty_series_is_an_empty_common_cause_chart():
    chart = xmr([], target=5)

    assert chart.points == []
    assert chart.variation == "common_cause"
    assert chart.assurance is None
    assert chart.to_dict()["points"] == []


@pytest.mark.parametrize("second", [date(2022, 1, 1), date(2021, 12, 1)])
def test_dates_that_do_not_increase_are_refused(second):
    with pytest.raises(ValueError, match="strictly increasing"):
        xmr([(date(2022, 1, 1), 1.0), (second, 2.0)])


def test_an_unknown_good_direction_is_refused():
    with pytest.raises(ValueError, match="good_direction"):
        xmr(monthly(BASE), good_direction="sideways")


# --- rule 1: beyond a process limit ---------------------------------------------------------------


def test_a_point_just_beyond_a_limit_signals_but_one_exactly_on_it_does_not():
    limits = xmr(monthly(BASE)).points[0]
    upper, lower = limits.upper_limit, limits.lower_limit
    # Fixing the limits on BASE keeps them independent of the points under test.
    chart = xmr(monthly([*BASE, upper, upper + 0.001, 12, lower, lower - 0.001]), baseline=12)

    assert chart.points[12].upper_limit == upper
    assert flagged(chart, "beyond_limit") == [13, 16]
    assert [s.kind for s in chart.points[13].signals if s.rule == "beyond_limit"] == ["improvement"]
    assert [s.kind for s in chart.points[16].signals if s.rule == "beyond_limit"] == ["concern"]


# --- rule 2: shift ----------------------------------------------------------------------------------


def test_seven_points_above_the_mean_are_a_shift_on_every_one():
    chart = xmr(monthly([*BASE, *[13] * 7]), baseline=12)

    assert flagged(chart, "shift") == list(range(12, 19))
    assert kinds(chart, "shift") == {"improvement"}
    assert {s.rule for s in all_signals(chart)} == {"shift"}
    assert chart.variation == "special_cause_improvement"


def test_six_points_above_the_mean_are_not_a_shift():
    chart = xmr(monthly([*BASE, *[13] * 6]), baseline=12)

    assert all_signals(chart) == []


def test_a_point_exactly_on_the_mean_breaks_a_shift():
    chart = xmr(monthly([*BASE, 13, 13, 13, 12, 13, 13, 13]), baseline=12)

    assert chart.points[15].value == chart.points[15].mean
    assert all_signals(chart) == []


def test_a_shift_below_the_mean_is_a_concern_when_higher_is_better():
    chart = xmr(monthly([*BASE, *[11] * 7]), baseline=12)

    assert flagged(chart, "shift") == list(range(11, 19))  # BASE ends with 11, also below: 8 points
    assert kinds(chart, "shift") == {"concern"}
    assert chart.variation == "special_cause_concern"


# --- rule 3: trend ----------------------------------------------------------------------------------


def test_seven_strictly_increasing_points_are_a_trend():
    chart = xmr(monthly([5, 1, 2, 3, 4, 5, 6, 7, 3]))

    assert flagged(chart, "trend") == [1, 2, 3, 4, 5, 6, 7]
    assert kinds(chart, "trend") == {"improvement"}


def test_seven_strictly_decreasing_points_are_a_concern_when_higher_is_better():
    chart = xmr(monthly([3, 7, 6, 5, 4, 3, 2, 1, 5]))

    assert flagged(chart, "trend") == [1, 2, 3, 4, 5, 6, 7]
    assert kinds(chart, "trend") == {"concern"}


def test_a_tie_breaks_a_trend():
    chart = xmr(monthly([5, 1, 2, 3, 3, 4, 5, 6, 3]))

    assert flagged(chart, "trend") == []


def test_six_increasing_points_are_not_a_trend():
    chart = xmr(monthly([5, 1, 2, 3, 4, 5, 6, 3]))

    assert flagged(chart, "trend") == []


def test_the_peak_between_two_trends_carries_both_and_shows_concern():
    chart = xmr(monthly([1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]))

    peak = chart.points[6]
    assert {(s.rule, s.kind) for s in peak.signals if s.rule == "trend"} == {
        ("trend", "improvement"),
        ("trend", "concern"),
    }
    assert peak.special_cause == "concern"


# --- rule 4: two of three beyond a 2σ line -----------------------------------------------------------


def test_two_of_three_points_beyond_the_upper_2sigma_line_signal_on_those_two():
    # Upper 2σ is 14.4182 and the upper limit 15.6273, so 14.5 triggers rule 4 only.
    chart = xmr(monthly([*BASE, 14.5, 12, 14.5]), baseline=12)

    assert flagged(chart, "two_of_three") == [12, 14]
    assert kinds(chart, "two_of_three") == {"improvement"}
    assert {s.rule for s in all_signals(chart)} == {"two_of_three"}


def test_two_points_beyond_2sigma_on_opposite_sides_do_not_signal():
    # Lower 2σ is 9.5818.
    chart = xmr(monthly([*BASE, 14.5, 12, 9.5]), baseline=12)

    assert all_signals(chart) == []


def test_two_points_beyond_2sigma_more_than_three_apart_do_not_signal():
    chart = xmr(monthly([*BASE, 14.5, 12, 12, 14.5]), baseline=12)

    assert all_signals(chart) == []


# --- good direction -----------------------------------------------------------------------------------


def test_good_direction_down_turns_improvement_into_concern_and_back():
    up = xmr(monthly([*BASE, *[13] * 7]), baseline=12)
    down = xmr(monthly([*BASE, *[13] * 7]), baseline=12, good_direction="down")

    assert kinds(up, "shift") == {"improvement"}
    assert kinds(down, "shift") == {"concern"}
    assert down.variation == "special_cause_concern"
    low = xmr(monthly([*BASE, *[11] * 7]), baseline=12, good_direction="down")
    assert kinds(low, "shift") == {"improvement"}
