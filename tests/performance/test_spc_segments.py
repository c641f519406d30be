"""XmR charts split by baselines and breaks, their assurance against a target, missing values, and
properties that hold for any series."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from performance.spc import xmr

from .spc_series import BASE, TWO_SEGMENTS, all_signals, flagged, monthly

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
