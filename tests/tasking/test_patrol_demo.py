"""The patrol demo: randomised Guardian hotspots, Vibrant grids, schedule and visits (7 days, fast)."""

import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import Max, Sum
from django.utils import timezone

from operations.demo import demo_builders
from operations.models import Event
from tasking import patrol_stats
from tasking.models import HotGrid, PatrolVisit, ScheduledPatrol
from tasking.patrol_demo import build_patrol_demo, centres, shares

NPUS = {"BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"}


@pytest.fixture
def demo(reference_data, supervisor, mission_user):
    out = io.StringIO()
    build_patrol_demo(out, days=7)
    return out.getvalue()


def test_registered_with_seed_demo():
    assert build_patrol_demo in demo_builders


def test_centres_file_is_the_derived_one():
    rows = centres()
    assert Counter(row["operation"] for row in rows) == {"GUARDIAN": 57, "VIBRANT": 24}
    assert {row["area_code"] for row in rows} == NPUS
    assert len({row["code"] for row in rows}) == 81
    assert all(row["name"].startswith("Hotspot near ") and "police.uk" in row["source"] for row in rows)


def test_shares_sum_exactly():
    assert sum(shares([8, 7, 6, 25, 1], Decimal("19.00"))) == Decimal("19.00")
    assert sum(shares([3] * 57, Decimal("18.40"))) == Decimal("18.40")


def test_grids_arms_shares_and_rerun(demo):
    assert "Patrol demo created" in demo
    guardian = HotGrid.objects.filter(operation__code="GUARDIAN", code__startswith="GDN-")
    assert guardian.count() == 57
    assert HotGrid.objects.filter(operation__code="VIBRANT", code__startswith="VIB-").count() == 24
    arms = Counter(guardian.values_list("area__code", "trial_arm"))
    assert {code for code, _ in arms} == NPUS
    for npu in NPUS:
        treated, control = arms[(npu, "treatment")], arms[(npu, "control")]
        assert treated >= 1 and control >= 1, npu
        assert abs(treated - control) <= 1, npu
    totals = guardian.aggregate(crime=Sum("crime_share"), harm=Sum("harm_share"))
    assert abs(totals["crime"] - Decimal("19.00")) <= Decimal("0.05")
    assert abs(totals["harm"] - Decimal("18.40")) <= Decimal("0.05")
    assert not HotGrid.objects.filter(operation__code="VIBRANT", trial_arm__gt="").exists()

    # A second run creates nothing.
    before = (HotGrid.objects.count(), ScheduledPatrol.objects.count(), PatrolVisit.objects.count())
    out = io.StringIO()
    build_patrol_demo(out, days=7)
    assert "Patrol demo already present" in out.getvalue()
    assert (HotGrid.objects.count(), ScheduledPatrol.objects.count(), PatrolVisit.objects.count()) == before


def test_schedule_compliance_and_visits(demo):
    now = timezone.now()
    assert not ScheduledPatrol.objects.filter(grid__trial_arm=HotGrid.Arm.CONTROL).exists()
    treated = ScheduledPatrol.objects.filter(grid__trial_arm=HotGrid.Arm.TREATMENT)
    assert treated.exists()
    due = patrol_stats.compliance_total(treated.filter(arrive_by__lt=now))
    assert due["scheduled"] > 100
    assert Decimal(60) <= due["compliance_pct"] <= Decimal(90)
    assert ScheduledPatrol.objects.filter(grid__operation__code="VIBRANT").exists()
    assert PatrolVisit.objects.exists()
    latest = PatrolVisit.objects.aggregate(arrived=Max("arrived_at"), left=Max("left_at"))
    assert latest["arrived"] <= now and latest["left"] <= now
    visits = PatrolVisit.objects.all()
    assert {v.resource.code for v in visits.select_related("resource")} >= {"GTF", "NPU-BW"}
    effective = visits.filter(dwell_minutes__gte=15).count() / visits.count()
    assert 0.45 <= effective <= 0.75
    # Gaps were announced once each, and every logged visit emitted its event.
    gaps = ScheduledPatrol.objects.filter(arrive_by__lt=now, compliant_visit__isnull=True)
    assert gaps.exists() and not gaps.filter(gap_flagged_at__isnull=True).exists()
    assert Event.objects.filter(type="patrol.gap").count() == gaps.count()
    assert Event.objects.filter(type="patrol.visit_logged").count() == visits.count()


@pytest.mark.django_db
def test_skipped_without_reference_data():
    out = io.StringIO()
    build_patrol_demo(out, days=7)
    assert "skipped" in out.getvalue()
    assert not HotGrid.objects.exists()
