"""How the supervisor dashboards put indicator values into words: a value in its unit, the change on
last year, the target and the RAG status against it, and the icons and words for the SPC verdicts
(variation and assurance)."""

from decimal import Decimal

from .models import Indicator

AMBER_BAND = Decimal("0.10")  # within 10 % of the target is amber
VARIATION_TEXT = {
    "special_cause_improvement": ("▲", "Special cause — improvement"),
    "special_cause_concern": ("■", "Special cause — concern"),
    "common_cause": ("∿", "Common cause"),
}
ASSURANCE_TEXT = {
    "pass": ("✔", "Assurance: consistently passes the target"),
    "fail": ("✘", "Assurance: consistently fails the target"),
    "hit_and_miss": ("±", "Assurance: hit and miss"),
    None: ("–", "Assurance: no target"),
}
RAG_TEXT = {"green": "On target", "amber": "Near target", "red": "Off target"}


# ---------------------------------------------------------------------------------- formatting


def fmt_value(unit, value):
    if value is None:
        return "no value"
    value = Decimal(value)
    whole = value == value.to_integral_value()
    if unit == Indicator.Unit.PERCENT:
        return f"{value:,.1f} %"
    if unit == Indicator.Unit.GBP:
        return f"£{value:,.0f}"
    if unit == Indicator.Unit.RATE:
        return f"{value:,.2f} per 1,000"
    number = f"{value:,.0f}" if whole else f"{value:,.1f}"
    return f"{number} min" if unit == Indicator.Unit.MINUTES else number


def formatter(unit):
    return lambda v: fmt_value(unit, v).removesuffix(" per 1,000").removesuffix(" min")


def change_words(indicator, now, then):
    """Arrow, words and whether the change is good: 'up 12 % on last year'. Percentages change by
    percentage points, so a rate moving from 80 % to 88 % reads 'up 8.0 points', not 'up 10 %'."""
    if now is None or then is None:
        return {"arrow": "—", "words": "no value a year earlier", "tone": "none"}
    delta = now - then
    arrow, way = ("↑", "up") if delta > 0 else ("↓", "down") if delta < 0 else ("→", "no change")
    if delta == 0:
        words = "no change on last year"
    elif indicator.unit == Indicator.Unit.PERCENT:
        words = f"{way} {abs(delta):.1f} points on last year"
    elif then == 0:
        words = f"{way} {fmt_value(indicator.unit, abs(delta))} on last year (none a year earlier)"
    else:
        words = f"{way} {abs(delta) * 100 / abs(then):.0f} % on last year"
    good = (delta > 0) == (indicator.good_direction == Indicator.Direction.UP)
    tone = "same" if delta == 0 else "good" if good else "bad"
    return {
        "arrow": arrow,
        "words": words,
        "tone": tone,
        "better": {"good": "better", "bad": "worse"}.get(tone),
    }


def target_text(indicator):
    """The target in words, without the comparison it needs ('Target down 8 % on last year')."""
    if not indicator.target_kind or indicator.target_value is None:
        return "No target"
    t = indicator.target_value
    if indicator.target_kind == Indicator.TargetKind.ABSOLUTE:
        up = indicator.good_direction == Indicator.Direction.UP
        return f"Target {'at least' if up else 'at most'} {fmt_value(indicator.unit, t)}"
    return f"Target {'up' if t > 0 else 'down'} {abs(t):.0f} % on last year"


def rag(indicator, value, year_ago):
    """(status, target text): absolute targets compare with the value, % change targets with the same
    period a year earlier. Meeting it is green, within 10 % of it amber, anything else red."""
    if not indicator.target_kind or indicator.target_value is None:
        return None, "No target"
    t, text = indicator.target_value, target_text(indicator)
    up = indicator.good_direction == Indicator.Direction.UP
    if indicator.target_kind == Indicator.TargetKind.ABSOLUTE:
        goal = t
    else:
        if indicator.target_comparison != "previous_year" or year_ago is None:
            return None, text + " (no value to compare with)"
        goal = year_ago * (1 + t / 100)
        text += f" ({'at least' if up else 'at most'} {fmt_value(indicator.unit, goal)})"
    if value is None:
        return None, text
    if (value >= goal) if up else (value <= goal):
        return "green", text
    near = abs(value - goal) <= abs(goal) * AMBER_BAND if goal else False
    return ("amber" if near else "red"), text
