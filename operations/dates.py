"""The dates a user can ask the app about, and the clear answer to one outside them.

Dates arrive in URLs, forms and API bodies, and the pages do arithmetic around them: a tasking
period ends the next morning, a dashboard shows the week before and after, a process chart starts
up to 260 weeks before its last point. Python's dates stop at the years 1 and 9999, so an unchecked
``9999-12-31`` or ``0001-01-01`` would fail inside that arithmetic instead of being refused.

The accepted years are 2000 to 2100. The app's data is of this century: police.uk's recorded crime
starts in December 2010, the board papers cover 2014-2024 and the national measures' baseline is the
year ending June 2019; 2000 leaves room for older force extracts, 2100 for any plan or target date.
Every sum a page makes (a few years at most either side) stays far from Python's limits.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def day_in_range(day):
    """Whether the app accepts ``day`` (a ``date``)."""
    return FIRST_DAY <= day <= LAST_DAY


def day_out_of_range_message(day):
    return (
        f"{day.isoformat()} is outside the dates this app covers: "
        f"choose one from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}."
    )


# What a form or the API says of a time Python itself cannot hold (year 0 once in London time).
OUT_OF_RANGE = f"This is outside the dates this app covers: choose one from {FIRST_DAY} to {LAST_DAY}."


def validate_in_range(value):
    """The model fields' validator: a date, or the day of a date and time, the app accepts."""
    day = value.date() if isinstance(value, datetime) else value
    if day is not None and not day_in_range(day):
        raise ValidationError(day_out_of_range_message(day), code="date_out_of_range")


def day_check(day, field=None):
    """``day`` as given when the app accepts it (or when it is None); otherwise a ValidationError,
    on ``field`` when one is named, that the forms and the API show as that field's error."""
    if day is None or day_in_range(day):
        return day
    error = ValidationError(day_out_of_range_message(day), code="date_out_of_range")
    raise ValidationError({field: error}) if field else error


def day_from_text(text):
    """(the date an ISO text names, or None; what is wrong with it, or ""), for a page to show:
    no text at all is (None, ""), a text that is no date or a date outside the range says why."""
    text = (text or "").strip()
    if not text:
        return None, ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, f"{text[:40]!r} is not a date: use YYYY-MM-DD."
    if not day_in_range(day):
        return None, day_out_of_range_message(day)
    return day, ""
