"""The series and chart readers the SPC tests share: hand-computed series and the signals a chart
carries."""

from datetime import date

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
