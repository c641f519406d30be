"""seed_demo's tasking activity: every kind and life-cycle path, the papers' rates, and made once only."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Sum
from django.test import override_settings
from django.utils import timezone

import tasking.demo
from operations.models import Event, Resource
from tasking import services
from tasking.models import (
    Mission,
    MissionTransition,
    OperationTarget,
    Outcome,
    Request,
    RequestKind,
    TaskingPeriod,
    TrmDecision,
    TrmMeeting,
)

pytestmark = pytest.mark.django_db

SMALL_DAYS = 10
DEMO_SETTINGS = {"DEBUG": True, "DEMO_PASSWORD": "demo password for tests"}


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts():
    models = [
        m for label in ("auth", "operations", "tasking") for m in apps.get_app_config(label).get_models()
    ]
    return {model._meta.label: model.objects.count() for model in models}


def curfew_breach_rate():
    checks = Outcome.objects.filter(mission__kind=RequestKind.CURFEW_CHECK)
    breached = checks.filter(result=Outcome.Result.CURFEW_BREACHED).count()
    complied = checks.filter(result=Outcome.Result.CURFEW_COMPLIED).count()
    return breached / (breached + complied)


def today():
    return services.period_for(timezone.now()).day


@pytest.fixture(scope="class")
def demo_output(django_db_setup, django_db_blocker):
    """Ten days of activity through seed_demo, built once for a class of tests: inside a transaction
    held open for the class (each test's own is a savepoint in it) and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(**DEMO_SETTINGS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with mock.patch.object(tasking.demo, "DAYS", SMALL_DAYS):
                yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.usefixtures("demo_output")
class TestSmallDemo:
    def test_seed_demo_reports_the_activity_it_created(self, demo_output):
        assert "Demo activity created: 10 days" in demo_output

    def test_every_request_kind_is_present(self):
        kinds = set(Request.objects.values_list("kind", flat=True))

        assert kinds == set(RequestKind.values)

    def test_requests_come_from_all_eight_npus_and_the_named_operations(self):
        areas = set(Request.objects.values_list("area__code", flat=True))
        operations = set(Request.objects.values_list("operation__code", flat=True))

        assert areas == {"BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"}
        assert {"VIBRANT", "SCEPTRE", "GUARDIAN", "CAPTIVA"} <= operations

    def test_missions_reach_every_end_of_the_life_cycle(self):
        states = set(Mission.objects.values_list("state", flat=True))

        assert {"completed", "cancelled", "not_completed", "allocated", "in_progress"} <= states

    def test_some_missions_were_not_completed_and_carried_over_at_the_next_trm(self):
        carried = Mission.objects.filter(carry_overs__gt=0)

        assert carried.filter(state=Mission.State.COMPLETED).exists()
        for mission in carried[:5]:
            steps = list(mission.history.values_list("to_state", flat=True))
            assert steps[steps.index("not_completed") + 1] == "allocated"
            assert mission.trm_decisions.filter(kind=TrmDecision.Kind.CARRY_OVER).exists()

    def test_a_few_requests_are_rejected_by_the_supervisor(self):
        rejected = Request.objects.filter(state=Request.State.REJECTED)

        assert 0 < rejected.count() < Request.objects.count() * 0.1
        assert set(rejected.values_list("assessment__assessor__username", flat=True)) == {"supervisor"}

    def test_outcomes_record_finds_of_every_sort(self):
        totals = Outcome.objects.aggregate(
            **{
                name: Sum(name)
                for name in ["firearms", "ammunition_rounds", "drugs_class_a_grams", "cash_gbp"]
            },
            vehicles=Sum("vehicles"),
        )

        assert all(totals.values()), totals

    def test_curfew_breaches_raise_follow_up_arrest_requests(self):
        breaches = Outcome.objects.filter(result=Outcome.Result.CURFEW_BREACHED)

        assert breaches.exists()
        assert Request.objects.filter(follow_up_of__isnull=False).count() == breaches.count()

    def test_past_trm_meetings_are_closed_with_decisions_and_todays_is_open(self):
        past = TrmMeeting.objects.filter(date__lt=today())

        assert past.count() == SMALL_DAYS - 1
        assert not past.exclude(status=TrmMeeting.Status.CLOSED).exists()
        assert not past.annotate(n=Count("decisions")).filter(n=0).exists()
        assert TrmMeeting.objects.get(date=today()).status == TrmMeeting.Status.OPEN

    def test_no_resource_is_allocated_beyond_its_capacity_in_any_period(self):
        resources = list(Resource.objects.all())
        used_resources = set()

        for period in TaskingPeriod.objects.all():
            for resource, used, capacity in services.resource_usage(period, resources):
                assert used <= capacity, (period, resource)
                if used:
                    used_resources.add(resource.code)
        assert used_resources == {resource.code for resource in resources}

    def test_every_mission_change_has_its_history_row_and_event(self):
        missions = Mission.objects.annotate(steps=Count("history"))

        assert not missions.exclude(steps=F("version")).exists()
        events = Event.objects.filter(aggregate_type="mission").count()
        assert events == MissionTransition.objects.exclude(from_state="").count()

    def test_sceptre_targets_are_listed_and_some_arrested_through_missions(self):
        targets = OperationTarget.objects.filter(operation__code="SCEPTRE")
        arrested = targets.filter(status=OperationTarget.Status.ARRESTED)

        assert targets.count() == 10 + 3 * 8
        assert arrested.exists()
        assert targets.filter(status=OperationTarget.Status.OUTSTANDING).exists()
        for target in arrested:
            assert target.arrest_mission.outcome.result == Outcome.Result.ARRESTED

    def test_personal_data_is_minimal_and_obviously_fictional(self):
        demo = Request.objects.filter(requested_by__startswith="Demo:")

        assert not Request.objects.exclude(subject_name="").exists()
        assert not demo.exclude(subject_reference__startswith="DEMO-").exists()

    def test_seed_demo_a_second_time_creates_nothing(self, settings):
        settings.DEBUG = True
        settings.DEMO_PASSWORD = DEMO_SETTINGS["DEMO_PASSWORD"]
        before = row_counts()

        output = seed()

        assert "Demo activity already present" in output
        assert row_counts() == before


def test_sixty_days_of_demo_activity_match_the_papers(reference_data, mission_user, supervisor):
    # The builder alone (seed_demo's other builders and its event dispatch are tested elsewhere).
    tasking.demo.build_demo_activity(StringIO())

    month_ago = timezone.now() - timedelta(days=30)
    vibrant_arrests = Outcome.objects.filter(
        mission__kind=RequestKind.VIBRANT_ARREST, completed_at__gte=month_ago
    ).aggregate(n=Sum("arrests"))["n"]
    captiva = dict(
        Request.objects.filter(operation__code="CAPTIVA")
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert 2_500 <= Request.objects.count() <= 4_000
    assert 0.10 <= curfew_breach_rate() <= 0.22  # 60 in 375
    assert 350 <= vibrant_arrests <= 650  # "just under 500 arrests a month"
    # Captiva's quarter (54 firearms warrants, 63 other warrants, 139 visits) at 60/91 of it.
    assert 30 <= captiva[RequestKind.WARRANT_FIREARMS] <= 42
    assert 35 <= captiva[RequestKind.WARRANT_OTHER] + captiva[RequestKind.WARRANT_DRUGS] <= 50
    assert 80 <= captiva[RequestKind.CAPTIVA_VISIT] <= 105
    assert TrmMeeting.objects.filter(status=TrmMeeting.Status.CLOSED).count() == 59


@pytest.mark.parametrize("hour", [6, 11, 23])
def test_the_current_period_has_work_under_way_at_any_hour(reference_data, mission_user, supervisor, hour):
    """At 6 a.m. the current period is nearly over; it still shows missions allocated or started,
    as it does mid-morning and late at night."""
    moment = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    with time_machine.travel(moment, tick=False):
        tasking.demo.build_demo_activity(StringIO(), days=3)
        current = services.period_for(timezone.now())
    still_open = Mission.objects.filter(
        period=current, state__in=[Mission.State.ALLOCATED, Mission.State.IN_PROGRESS]
    )
    assert still_open.count() >= 3
    assert still_open.filter(state=Mission.State.IN_PROGRESS).exists()
