"""Reporting periods: what a period kind means, which period holds a day, and each period's days.

A value is stored for a *base* period (a day for tasking and patrol indicators, a month for
recorded crime, which police.uk dates by month) and rolled up into every coarser period that
holds it: numerators and denominators are additive, so a month is exactly the sum of its days.
"""

from datetime import date, timedelta

DAY, WEEK, MONTH, QUARTER, YEAR, FINANCIAL_YEAR, ROLLING_12 = (
    "day", "week", "month", "quarter", "year", "financial_year", "rolling_12",
)  # fmt: skip

KINDS = [
    (DAY, "Day"),
    (WEEK, "Week (Monday–Sunday)"),
    (MONTH, "Month"),
    (QUARTER, "Quarter"),
    (YEAR, "Calendar year"),
    (FINANCIAL_YEAR, "Financial year (April–March)"),
    (ROLLING_12, "Rolling 12 months"),
]
ROLLUPS = {
    DAY: [WEEK, MONTH, QUARTER, YEAR, FINANCIAL_YEAR, ROLLING_12],
    MONTH: [QUARTER, YEAR, FINANCIAL_YEAR, ROLLING_12],
}


def add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def start_of(kind, day):
    """First day of the period of ``kind`` that holds ``day`` (rolling 12: the window ending with
    ``day``'s month, keyed by its first month)."""
    if kind == DAY:
        return day
    if kind == WEEK:
        return day - timedelta(days=day.weekday())
    if kind == MONTH:
        return day.replace(day=1)
    if kind == QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if kind == YEAR:
        return date(day.year, 1, 1)
    if kind == FINANCIAL_YEAR:
        return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    if kind == ROLLING_12:
        return add_months(day.replace(day=1), -11)
    raise ValueError(f"unknown period kind {kind!r}")


def end_of(kind, start):
    """The day after the period of ``kind`` starting on ``start`` (exclusive end)."""
    if kind == DAY:
        return start + timedelta(days=1)
    if kind == WEEK:
        return start + timedelta(days=7)
    months = {MONTH: 1, QUARTER: 3, YEAR: 12, FINANCIAL_YEAR: 12, ROLLING_12: 12}[kind]
    return add_months(start, months)


def containing(kind, day):
    """Every period of ``kind`` that holds ``day``: one, except rolling windows (twelve)."""
    if kind == ROLLING_12:
        first = add_months(day.replace(day=1), -11)
        return [add_months(first, i) for i in range(12)]
    return [start_of(kind, day)]


def kept(kind, start, today):
    """Whether a value is kept for the period of ``kind`` starting ``start`` as of ``today``: every
    period except a rolling window whose last month has not begun. Twelve windows hold a month,
    and eleven of those holding the current month end in months to come: no page reads them, and
    keeping them current cost eleven writes for every change. A window is stored from its last
    month's first day (``performance.dirty.rolling_windows_open``)."""
    return kind != ROLLING_12 or add_months(start, 11) <= today.replace(day=1)


def label(kind, start):
    if kind == DAY:
        return f"{start:%a %d %b %Y}"
    if kind == WEEK:
        return f"w/c {start:%d %b %Y}"
    if kind == MONTH:
        return f"{start:%b %Y}"
    if kind == QUARTER:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if kind == YEAR:
        return str(start.year)
    if kind == FINANCIAL_YEAR:
        return f"{start.year}/{str(start.year + 1)[-2:]}"
    end = add_months(start, 11)
    return f"12 months to {end:%b %Y}"
