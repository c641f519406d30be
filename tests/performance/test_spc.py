"""XmR charts and the NHS "Making Data Count" rules, checked against hand-computed series."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.spc import xmr

# A stable 12-point series used as the baseline in most tests.
#   sum = 144, so mean = 12
#   moving ranges 2,1,2,1,2,1,1,1,1,1,2: sum 15 over 11 ranges, mean moving range = 15/11 = 1.363636…
#   2.66 × 15/11 = 3.627272…  → upper limit 15.6273, lower limit 8.3727
#   2/3 of that  = 2.418181…  → upper 2σ 14.4182, lower 2σ 9.5818
# No point is on a rule: sides -,0,-,+,0,+,+,0,-,0,+,- and no run of steps longer than 2.
BASE = [10, 12, 11, 13, 12, 14, 13, 12, 11, 12, 13, 11]

# Two segments when broken at index 8: [9, 11, 9, 11, 12, 13, 12, 13] and [12, 13, 12, 9, 10, 9, 10].
TWO_SEGMENTS = [9, 11, 9, 11, 12, 13, 12, 13, 12, 13, 12, 9, 10, 9, 10]


def monthly(values):
    return [(date(2022 + i // 12, i % 12 + 1, 1), value) for i, value in enumerate(values)]


def flagged(chart, rule):
    """Indices of the points carrying ``rule``."""
    return [i for i, point in enumerate(chart.points) if any(s.rule == rule for s in point.signals)]


def kinds(chart, rule):
    return {s.kind for point in chart.points for s in point.signals if s.rule == rule}


def all_signals(chart):
    return [s for point in chart.points for s in point.signals]


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


# --- baselines and breaks ------------------------------------------------------------------------------


def test_a_fixed_baseline_keeps_the_first_twelve_points_limits_for_the_rest():
    chart = xmr(monthly([*BASE, *[20] * 6]), baseline=12)

    for point in chart.to_dict()["points"]:
        assert (point["mean"], point["upper_limit"], point["lower_limit"]) == (12.0, 15.6273, 8.3727)
        assert point["trial"] is False
    assert flagged(chart, "beyond_limit") == list(range(12, 18))
    # Without the baseline all 18 points set the limits: mean (144 + 120) / 18 = 14.6667.
    assert xmr(monthly([*BASE, *[20] * 6])).to_dict()["points"][0]["mean"] == 14.6667


def test_a_baseline_longer_than_the_segment_uses_the_whole_segment():
    chart = xmr(monthly(BASE[:6]), baseline=12)

    # 10, 12, 11, 13, 12, 14: mean 72 / 6 = 12, moving ranges 2,1,2,1,2 → 8/5 = 1.6, 2.66 × 1.6 = 4.256
    assert chart.points[0].mean == 12.0
    assert chart.points[0].upper_limit == pytest.approx(16.256)
    assert chart.points[0].trial is True


def test_breaks_give_each_segment_its_own_limits_and_runs_do_not_cross_them():
    series = monthly(TWO_SEGMENTS)
    # Unbroken: mean 165 / 15 = 11, and the seven points 12,13,12,13,12,13,12 above it are a shift.
    assert flagged(xmr(series), "shift") == list(range(4, 11))

    chart = xmr(series, breaks=[series[8][0]])
    data = chart.to_dict()["points"]
    # Segment 0: mean 90 / 8 = 11.25; moving ranges 2,2,2,1,1,1,1 → 10/7; 2.66 × 10/7 = 3.8 exactly;
    #   2σ distance 3.8 × 2/3 = 2.5333.
    assert {(p["segment"], p["mean"], p["upper_limit"], p["lower_limit"]) for p in data[:8]} == {
        (0, 11.25, 15.05, 7.45)
    }
    assert {(p["upper_2sigma"], p["lower_2sigma"]) for p in data[:8]} == {(13.7833, 8.7167)}
    # Segment 1: mean 75 / 7 = 10.714286; moving ranges 1,1,3,1,1,1 → 8/6; 2.66 × 4/3 = 3.546667;
    #   2σ distance 2.364444.
    assert {(p["segment"], p["mean"], p["upper_limit"], p["lower_limit"]) for p in data[8:]} == {
        (1, 10.7143, 14.261, 7.1676)
    }
    assert {(p["upper_2sigma"], p["lower_2sigma"]) for p in data[8:]} == {(13.0787, 8.3498)}
    assert all(p["trial"] for p in data)
    # Four points above the mean at the end of segment 0 and three at the start of segment 1: no shift.
    assert all_signals(chart) == []


def test_breaks_outside_the_series_change_nothing():
    series = monthly(BASE)
    chart = xmr(series, breaks=[date(2000, 1, 1), date(2030, 1, 1)])

    assert chart.to_dict() == xmr(series).to_dict()


# --- assurance -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("good_direction", "target", "expected"),
    [
        # BASE limits are 8.3727 to 15.6273.
        ("up", 8, "pass"),
        ("up", 16, "fail"),
        ("up", 12, "hit_and_miss"),
        ("up", 8.3727, "pass"),  # lower limit 8.37272… is just above it
        ("down", 16, "pass"),
        ("down", 8, "fail"),
        ("down", 12, "hit_and_miss"),
        ("up", None, None),
        ("down", None, None),
    ],
)
def test_assurance_against_a_target(good_direction, target, expected):
    assert xmr(monthly(BASE), good_direction=good_direction, target=target).assurance == expected


def test_assurance_uses_the_last_segments_limits():
    series = monthly(TWO_SEGMENTS)
    # Segment 0 spans 7.45 to 15.05 (hit and miss against 14.5); segment 1 tops out at 14.261.
    chart = xmr(series, breaks=[series[8][0]], target=14.5)

    assert chart.assurance == "fail"


# --- missing values ------------------------------------------------------------------------------------


def test_missing_values_are_left_out_of_the_limits_and_carry_no_signal():
    chart = xmr(monthly([*BASE[:6], None, *BASE[6:]]))

    assert [p.mean for p in chart.points] == [12.0] * 13
    assert chart.points[0].upper_limit == pytest.approx(12 + 2.66 * 15 / 11)
    assert chart.points[6].value is None
    assert chart.points[6].signals == []
    assert chart.points[6].trial is False  # 12 values, although 13 points
    assert chart.to_dict()["points"][6]["value"] is None


def test_a_missing_value_does_not_break_a_shift():
    # Seven values above the mean with a gap among them: still a shift, on the seven values only.
    chart = xmr(monthly([*BASE, 13, 13, 13, None, 13, 13, 13, 13]), baseline=12)

    assert flagged(chart, "shift") == [12, 13, 14, 16, 17, 18, 19]


def test_variation_follows_the_last_point_with_a_value():
    chart = xmr(monthly([*BASE, *[13] * 7, None]), baseline=12)

    assert chart.variation == "special_cause_improvement"


# --- properties ----------------------------------------------------------------------------------------

values_strategy = st.lists(
    st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)), max_size=40
)


@st.composite
def charts(draw):
    values = draw(values_strategy)
    series = monthly(values)
    breaks = draw(st.lists(st.sampled_from([d for d, _ in series]), max_size=3)) if series else []
    baseline = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=20)))
    target = draw(st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)))
    return {"values": series, "breaks": breaks, "baseline": baseline, "target": target}


@given(charts())
def test_the_mean_lies_between_the_2sigma_lines_which_lie_inside_the_limits(kwargs):
    for point in xmr(**kwargs).points:
        if point.mean is not None:
            assert point.lower_limit <= point.lower_2sigma <= point.mean <= point.upper_2sigma
            assert point.upper_2sigma <= point.upper_limit
        if point.value is None:
            assert point.signals == []


@given(charts())
def test_reversing_the_good_direction_swaps_improvement_and_concern_exactly(kwargs):
    up = xmr(**kwargs, good_direction="up")
    down = xmr(**kwargs, good_direction="down")
    swap = {"improvement": "concern", "concern": "improvement"}

    for p_up, p_down in zip(up.points, down.points, strict=True):
        assert [(s.rule, swap[s.kind]) for s in p_up.signals] == [(s.rule, s.kind) for s in p_down.signals]
        assert (p_up.mean, p_up.upper_limit, p_up.lower_limit) == (
            p_down.mean,
            p_down.upper_limit,
            p_down.lower_limit,
        )
