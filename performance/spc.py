"""XmR process charts with the NHS "Making Data Count" special-cause rules.

Pure Python (no Django), so the indicator API and the tests can feed it any series. Arithmetic is in
float throughout; ``to_dict()`` rounds every number to 4 places for JSON.

Decisions where the specification leaves a choice:

* Missing values (``None``) are left out of every calculation: the mean, the moving ranges (taken
  between the neighbouring present values), baselines ("the first n points" means n present values)
  and runs, which simply continue across a gap. A missing point is still returned, with its segment's
  lines so a chart draws them unbroken, but never carries a signal.
* A point flagged both ways (the peak between an upward and a downward trend, say) shows
  ``special_cause="concern"``: a warning is never hidden behind good news.
* The chart's ``variation`` follows the last point that has a value, and ``assurance`` uses the limits
  of the last segment (the limits that describe the process now). Both are None-safe.
* ``trial`` is true when the limits rest on fewer than ``min_baseline`` values (including a baseline
  shorter than that, or a segment with no values at all).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

# 2.66 = 3 / d2, with d2 = 1.128 for moving ranges of two points: mean ± 3σ estimated from the ranges.
LIMIT_FACTOR = 2.66
RUN_LENGTH = 7  # points in a shift or a trend
GOOD_DIRECTIONS = ("up", "down")


@dataclass(frozen=True)
class Signal:
    rule: str  # "beyond_limit" | "shift" | "trend" | "two_of_three"
    kind: str  # "improvement" | "concern"

    def to_dict(self) -> dict:
        return {"rule": self.rule, "kind": self.kind}


@dataclass
class Point:
    period_start: date
    value: float | None
    mean: float | None
    upper_limit: float | None
    lower_limit: float | None
    upper_2sigma: float | None
    lower_2sigma: float | None
    segment: int
    trial: bool
    signals: list[Signal] = field(default_factory=list)

    @property
    def special_cause(self) -> str | None:
        kinds = {signal.kind for signal in self.signals}
        if "concern" in kinds:  # concern takes precedence: see the module docstring
            return "concern"
        return "improvement" if kinds else None

    def to_dict(self) -> dict:
        return {
            "period_start": self.period_start.isoformat(),
            "value": _round(self.value),
            "mean": _round(self.mean),
            "upper_limit": _round(self.upper_limit),
            "lower_limit": _round(self.lower_limit),
            "upper_2sigma": _round(self.upper_2sigma),
            "lower_2sigma": _round(self.lower_2sigma),
            "segment": self.segment,
            "trial": self.trial,
            "signals": [signal.to_dict() for signal in self.signals],
            "special_cause": self.special_cause,
        }


@dataclass
class Chart:
    points: list[Point]
    good_direction: str
    target: float | None = None

    @property
    def variation(self) -> str:
        latest = [point for point in self.points if point.value is not None]
        cause = latest[-1].special_cause if latest else None
        return f"special_cause_{cause}" if cause else "common_cause"

    @property
    def assurance(self) -> str | None:
        if self.target is None or not self.points or self.points[-1].mean is None:
            return None
        last = self.points[-1]
        # "pass" means the whole range of common-cause variation is on the good side of the target.
        if self.good_direction == "up":
            passes, fails = last.lower_limit > self.target, last.upper_limit < self.target
        else:
            passes, fails = last.upper_limit < self.target, last.lower_limit > self.target
        return "pass" if passes else "fail" if fails else "hit_and_miss"

    def to_dict(self) -> dict:
        return {
            "good_direction": self.good_direction,
            "target": _round(self.target),
            "variation": self.variation,
            "assurance": self.assurance,
            "points": [point.to_dict() for point in self.points],
        }


def xmr(
    values: list[tuple[date, float | None]],
    *,
    good_direction: str = "up",
    baseline: int | None = None,
    breaks=(),
    target: float | None = None,
    min_baseline: int = 12,
) -> Chart:
    """Build an XmR chart from ``(period_start, value)`` pairs in strictly increasing date order.

    ``breaks`` start a new segment (with its own limits) at the first point on or after each date.
    ``baseline=n`` fixes a segment's limits on its first n values when it has at least n.
    """
    if good_direction not in GOOD_DIRECTIONS:
        raise ValueError(f"good_direction must be 'up' or 'down', not {good_direction!r}")
    if baseline is not None and baseline < 1:
        raise ValueError(f"baseline must be a positive number of points, not {baseline!r}")
    dates = [period_start for period_start, _ in values]
    for i in range(1, len(dates)):
        if dates[i] <= dates[i - 1]:
            raise ValueError(
                f"period_start must be strictly increasing: point {i} ({dates[i]}) "
                f"does not come after point {i - 1} ({dates[i - 1]})"
            )
    numbers = [_to_float(value) for _, value in values]
    chart = Chart(points=[], good_direction=good_direction, target=None if target is None else float(target))

    # Segment k holds the points after the k-th break; empty segments are dropped from the numbering.
    starts = sorted(set(breaks))
    keys = [bisect_right(starts, d) for d in dates]
    for segment, key in enumerate(dict.fromkeys(keys)):
        indices = [i for i, k in enumerate(keys) if k == key]
        present = [numbers[i] for i in indices if numbers[i] is not None]
        fitted = present[:baseline] if baseline is not None and len(present) >= baseline else present
        lines = _lines(fitted)
        trial = len(fitted) < min_baseline
        points = [Point(dates[i], numbers[i], *lines, segment=segment, trial=trial) for i in indices]
        if present:
            _mark_signals([point for point in points if point.value is not None], good_direction)
        chart.points.extend(points)
    return chart


def _lines(values: list[float]) -> tuple[float | None, ...]:
    """Mean, upper and lower process limits, upper and lower 2σ lines; all None without values."""
    if not values:
        return (None,) * 5
    mean = math.fsum(values) / len(values)
    ranges = [abs(b - a) for a, b in pairwise(values)]
    spread = LIMIT_FACTOR * (math.fsum(ranges) / len(ranges)) if ranges else 0.0
    two_sigma = spread * 2 / 3
    return mean, mean + spread, mean - spread, mean + two_sigma, mean - two_sigma


def _mark_signals(points: list[Point], good_direction: str) -> None:
    """Apply the four rules to one segment's points that have values (all share the same lines)."""

    def mark(point: Point, rule: str, high: bool) -> None:
        # A high point (or an upward trend) is good news when higher is better, and vice versa.
        signal = Signal(rule, "improvement" if high == (good_direction == "up") else "concern")
        if signal not in point.signals:
            point.signals.append(signal)

    values = [point.value for point in points]
    first = points[0]
    mean, upper, lower = first.mean, first.upper_limit, first.lower_limit

    # (1) Strictly beyond a process limit: a point exactly on the limit is within common-cause variation.
    for point in points:
        if point.value > upper or point.value < lower:
            mark(point, "beyond_limit", point.value > upper)

    # (2) Shift: 7+ consecutive points on one side of the mean; a point on the mean has side 0 and so
    # breaks the run without belonging to one.
    sides = [_sign(value - mean) for value in values]
    for start, stop, side in _runs(sides):
        if stop - start >= RUN_LENGTH:
            for point in points[start:stop]:
                mark(point, "shift", side > 0)

    # (3) Trend: 7+ points each strictly above (or below) the one before, i.e. 6+ equal-signed steps;
    # a tie is a zero step and breaks the trend. Step j joins points j and j + 1.
    steps = [_sign(b - a) for a, b in pairwise(values)]
    for start, stop, step in _runs(steps):
        if stop - start >= RUN_LENGTH - 1:
            for point in points[start : stop + 1]:
                mark(point, "trend", step > 0)

    # (4) Two of three consecutive points strictly beyond the same 2σ line; only those beyond are marked.
    # A segment of two points is a single (short) window, so two points beyond still count.
    beyond = [
        1 if point.value > point.upper_2sigma else -1 if point.value < point.lower_2sigma else 0
        for point in points
    ]
    for start in range(max(1, len(points) - 2)):
        window = range(start, min(start + 3, len(points)))
        for side in (1, -1):
            hits = [j for j in window if beyond[j] == side]
            if len(hits) >= 2:
                for j in hits:
                    mark(points[j], "two_of_three", side > 0)


def _runs(keys: list[int]):
    """Yield (start, stop, key) for each maximal run of equal non-zero keys."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0:
                yield start, i, keys[start]
            start = i


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _to_float(value) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"values must be finite numbers or None (for a missing point), not {value!r}")
    return number


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
