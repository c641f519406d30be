"""The recompute engine's built-in calculators, each on hand-built activity: missions allocated,
completed and not completed, completion and curfew breach rates, forensic arrests within 48 hours,
warrants and their finds, cash seized, patrol compliance and dosage, and recorded crime with its
rate, harm weighting and positive outcomes."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from operations.models import Area, OffenceGroup
from performance.models import Indicator
from tasking.services import patrol_schedule_generate, period_for_day

from .conftest import (
    DAY,
    NOW,
    day_value,
    grid_make,
    import_crimes,
    indicator,
    local,
    police_uk_row,
    stored,
    value_of,
)

pytestmark = pytest.mark.django_db


def test_arrests_from_missions_are_summed_per_npu_and_for_the_force(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(area="BE", arrests=2)
        desk.complete(area="BE", arrests=3)
        desk.complete(area="CV", arrests=1)
        desk.complete(area="CV", result="not_found")
    assert day_value("mission_arrests", "BE") == Decimal(5)
    assert day_value("mission_arrests", "CV") == Decimal(1)
    assert day_value("mission_arrests", "WMP") == Decimal(6)
    assert value_of("mission_arrests", "WMP", "month", date(2026, 3, 1)) == Decimal(6)
    assert day_value("missions_completed", "WMP") == Decimal(4)


def test_completion_rate_is_completed_missions_over_missions_finished(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            desk.complete(area="BE")
        failed = desk.mission(area="BE")
        desk.allocate(failed)
        desk.not_complete(failed)
        desk.mission(area="BE")  # still pending: not finished, not counted
    row = stored("mission_completion_rate", "BE", "day", DAY)
    assert (row.numerator, row.denominator, row.value) == (Decimal(3), Decimal(4), Decimal("75.0000"))
    assert day_value("missions_not_completed") == Decimal(1)
    assert day_value("missions_allocated") == Decimal(4)


def test_curfew_breach_rate_counts_breaches_over_checks_complied_or_breached(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(kind="curfew_check", result="curfew_breached")
        for _ in range(3):
            desk.complete(kind="curfew_check", result="curfew_complied")
        desk.complete(kind="curfew_check", result="aborted")  # not a check made
    row = stored("curfew_breach_rate", "BE", "day", DAY)
    assert (row.numerator, row.denominator, row.value) == (Decimal(1), Decimal(4), Decimal("25.0000"))
    assert day_value("curfew_checks") == Decimal(4)


def test_forensic_arrests_count_as_within_48_hours_up_to_and_including_the_deadline(
    desk, at_day, django_capture_on_commit_callbacks
):
    received = local(2026, 3, 8, 12, 0)  # due 48 h later: 10 March 12:00
    deadline = local(2026, 3, 10, 12, 0)
    with django_capture_on_commit_callbacks(execute=True):
        for completed_at, result in [
            (deadline - timedelta(hours=1), "arrested"),  # within
            (deadline, "arrested"),  # exactly at the deadline: within
            (deadline + timedelta(minutes=1), "arrested"),  # a minute late
            (deadline - timedelta(hours=2), "not_found"),  # in time but no arrest
        ]:
            # Started an hour before it was done (an outcome is never dated before its start), and
            # logged at 18:00.
            at_day.move_to(completed_at - timedelta(hours=1), tick=False)
            mission = desk.mission("forensic_arrest", received_at=received)
            desk.allocate(mission)
            desk.start(mission)
            at_day.move_to(NOW, tick=False)
            outcome = desk.outcome(mission, result, completed_at=completed_at)
            assert outcome.mission.due_by == deadline
        desk.complete(kind="npu_arrest")  # another kind: not in the measure
    row = stored("forensic_arrests_48h", "BE", "day", DAY)
    assert (row.numerator, row.denominator, row.value) == (Decimal(2), Decimal(4), Decimal("50.0000"))


def test_firearms_warrants_are_counted_apart_from_other_warrants_and_finds_are_summed(
    desk, at_day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(kind="warrant_firearms", result="warrant_finds", firearms=2, ammunition_rounds=30)
        desk.complete(kind="warrant_firearms", result="warrant_no_finds")
        desk.complete(kind="warrant_drugs", result="warrant_finds", drugs_class_a_grams=Decimal("12.50"))
        desk.complete(kind="warrant_other", result="warrant_no_finds")
        desk.complete(kind="warrant_other", result="aborted")  # not executed
        desk.complete(kind="captiva_visit", result="not_found")
    assert day_value("warrants_firearms") == Decimal(2)
    assert day_value("warrants_other") == Decimal(2)
    assert day_value("captiva_visits") == Decimal(1)
    assert day_value("firearms_recovered") == Decimal(2)
    assert day_value("ammunition_recovered") == Decimal(30)
    assert day_value("drugs_recovered") == Decimal("12.5000")


def test_cash_seized_is_summed_in_pounds_and_pence(desk, at_day, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        desk.complete(cash_gbp=Decimal("1250.50"))
        desk.complete(kind="warrant_drugs", result="warrant_finds", cash_gbp=Decimal("99.49"))
    assert indicator("cash_seized").unit == Indicator.Unit.GBP
    assert day_value("cash_seized") == Decimal("1349.9900")
    assert day_value("cash_seized", "WMP") == Decimal("1349.9900")


def test_patrol_compliance_dosage_and_effective_visits_follow_scheduled_patrols_and_visits(
    desk, time_machine, django_capture_on_commit_callbacks
):
    actor = desk.actor
    time_machine.move_to(local(2026, 3, 10, 9, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        visited = grid_make(actor, "HG-P1", index=1)
        missed = grid_make(actor, "HG-P2", index=2)
        other = grid_make(actor, "HG-P3", area="CV", index=3)
        patrol_schedule_generate(period=period_for_day(DAY))
    time_machine.move_to(local(2026, 3, 11, 6, 0), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        from .conftest import visit_log

        visit_log(actor, visited, local(2026, 3, 10, 18, 30), 20)  # in the window: compliant
        visit_log(actor, missed, local(2026, 3, 10, 21, 0), 10)  # after the window ended: not
        visit_log(actor, other, local(2026, 3, 10, 19, 0), 15)  # exactly the effective dose
    be = stored("patrol_compliance", "BE", "day", DAY)
    assert (be.numerator, be.denominator, be.value) == (Decimal(1), Decimal(2), Decimal("50.0000"))
    assert day_value("patrols_scheduled", "BE") == Decimal(2)
    assert day_value("patrol_compliance", "CV") == Decimal(100)
    assert day_value("patrol_compliance", "WMP") == Decimal("66.6667")
    assert day_value("patrol_dosage", "BE") == Decimal(30)
    assert day_value("patrol_dosage", "WMP") == Decimal(45)
    assert day_value("patrol_effective_visits", "BE") == Decimal(1)
    assert day_value("patrol_effective_visits", "WMP") == Decimal(2)


@pytest.fixture
def crime_month(desk, django_capture_on_commit_callbacks):
    """January 2026: 3 burglaries (one with a positive outcome) and a robbery in BW, 2 anti-social
    behaviour incidents there, and a burglary in an unknown LSOA."""
    Indicator.objects.create(
        code="asb", name="Anti-social behaviour", calculator="crime_count",
        parameters={"offence_groups": ["anti-social-behaviour"]},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_crimes(
            police_uk_row("2026-01", "Burglary", outcome="Offender fined"),
            police_uk_row("2026-01", "Burglary"),
            police_uk_row("2026-01", "Burglary"),
            police_uk_row("2026-01", "Robbery"),
            police_uk_row("2026-01", "Anti-social behaviour", outcome=""),
            police_uk_row("2026-01", "Anti-social behaviour", outcome=""),
            police_uk_row("2026-01", "Burglary", lsoa="E01099999"),
        )
    return date(2026, 1, 1)


def month_value(code, area, month):
    return value_of(code, area, "month", month)


def test_recorded_crime_leaves_out_anti_social_behaviour_unless_it_is_asked_for(crime_month):
    assert month_value("recorded_crime", "BW", crime_month) == Decimal(4)
    assert month_value("recorded_crime", "WMP", crime_month) == Decimal(5)  # the unmapped one too
    assert month_value("asb", "BW", crime_month) == Decimal(2)
    assert month_value("burglary", "BW", crime_month) == Decimal(3)
    assert month_value("robbery", "BW", crime_month) == Decimal(1)
    assert value_of("recorded_crime", "BW", "day", crime_month) is None  # crime is monthly
    assert value_of("recorded_crime", "WMP", "financial_year", date(2025, 4, 1)) == Decimal(5)


def test_crime_rate_per_1000_residents_uses_the_area_population(crime_month):
    bw = Area.objects.get(code="BW")
    row = stored("crime_rate", "BW", "month", crime_month)
    assert row.denominator == Decimal(bw.population)
    expected = (Decimal(4) * 1000 / Decimal(bw.population)).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert row.value == expected and row.value > 0
    force = Area.objects.get(code="WMP")
    assert stored("crime_rate", "WMP", "month", crime_month).value == (
        Decimal(5) * 1000 / Decimal(force.population)
    ).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def test_harm_weighted_crime_sums_each_offence_groups_harm_weight(crime_month):
    burglary = OffenceGroup.objects.get(code="burglary").harm_weight
    robbery = OffenceGroup.objects.get(code="robbery").harm_weight
    assert burglary > 0 and robbery > 0
    assert month_value("harm_weighted_crime", "BW", crime_month) == 3 * burglary + robbery
    severity = OffenceGroup.objects.get(code="burglary").severity_weight
    robbery_severity = OffenceGroup.objects.get(code="robbery").severity_weight
    assert month_value("severity_weighted_crime", "BW", crime_month) == 3 * severity + robbery_severity


def test_positive_outcome_rate_is_crimes_with_a_positive_last_outcome_over_crimes(crime_month):
    row = stored("positive_outcome_rate", "BW", "month", crime_month)
    assert (row.numerator, row.denominator, row.value) == (Decimal(1), Decimal(4), Decimal("25.0000"))
