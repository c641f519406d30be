"""The cost of an event against the size of history: draining one outcome's buckets takes as many
queries over two thousand missions of history as over ten."""

import random
from datetime import datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from operations.models import Area, Resource
from performance.dirty import indicators_drain
from performance.models import DirtyBucket
from performance.reconcile import indicators_reconcile
from tasking.models import Mission, MissionTransition, Outcome, Request
from tasking.services import period_for_day

from .conftest import DAY, LONDON

pytestmark = pytest.mark.django_db


def history_build(count, today, actor):
    """``count`` completed BE missions spread over the two years before ``today``, inserted in bulk
    (requests, missions, their transitions and outcomes), then the values reconciled to them."""
    be = Area.objects.get(code="BE")
    rng = random.Random(count)
    moments = [
        datetime.combine(
            today - timedelta(days=1 + rng.randrange(730)), time(rng.randrange(8, 20)), tzinfo=LONDON
        )
        for _ in range(count)
    ]
    resource, period = Resource.objects.get(code="OSU"), period_for_day(today)
    requests = Request.objects.bulk_create(
        Request(kind="npu_arrest", state="approved", area=be,
                requested_by="history", received_at=moments[i] - timedelta(hours=2))
        for i in range(count)
    )  # fmt: skip
    missions = Mission.objects.bulk_create(
        Mission(request=request, kind="npu_arrest", area=request.area, operation=request.operation,
                state="completed", finished_at=moments[i], resource=resource, period=period,
                created_at=moments[i] - timedelta(hours=2))
        for i, request in enumerate(requests)
    )  # fmt: skip
    steps = [
        ("", "pending", 2),
        ("pending", "allocated", 1),
        ("allocated", "in_progress", 0.5),
        ("in_progress", "completed", 0),
    ]
    MissionTransition.objects.bulk_create(
        MissionTransition.of(mission, from_state=a, to_state=b, at=moments[i] - timedelta(hours=h))
        for i, mission in enumerate(missions)
        for a, b, h in steps
    )  # fmt: skip
    Outcome.objects.bulk_create(
        Outcome.of(mission, result="arrested", arrests=1 + i % 3, completed_at=moments[i],
                logged_by=actor)
        for i, mission in enumerate(missions)
    )  # fmt: skip
    report = indicators_reconcile(repair=True)
    assert report["differences"]  # the history had no values: the reconcile seeded them


def drain_queries_for_one_outcome(desk, django_capture_on_commit_callbacks):
    """Queries of draining one outcome's buckets (after a first outcome on the same buckets, so
    both histories start with the same buckets stored)."""
    counts = []
    for _ in range(2):
        with django_capture_on_commit_callbacks() as event_callbacks:
            desk.complete(area="BE", arrests=2)  # on the very series the history fills
        with django_capture_on_commit_callbacks():
            for callback in event_callbacks:
                callback()
        assert DirtyBucket.objects.exists()
        with CaptureQueriesContext(connection) as queries:
            indicators_drain()
        counts.append(len(queries))
    return counts[-1]


@pytest.mark.parametrize("sizes", [(10, 2000)])
def test_the_cost_of_an_event_does_not_grow_with_the_size_of_history(
    desk, at_day, django_capture_on_commit_callbacks, sizes, record_property
):
    measured = {}
    for size in sizes:
        sid = transaction.savepoint()
        history_build(size, DAY, desk.actor)
        assert Mission.objects.count() == size
        measured[size] = drain_queries_for_one_outcome(desk, django_capture_on_commit_callbacks)
        assert indicators_reconcile(repair=False)["differences"] == []
        transaction.savepoint_rollback(sid)
    record_property("drain_queries", measured)
    print(f"drain queries by missions of history: {measured}")
    small, large = sizes
    assert measured[small] == measured[large]
    assert measured[small] < 200
