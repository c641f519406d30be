"""Concurrent allocations on PostgreSQL never exceed a resource's capacity.

In a module of its own: its threads need committed data, which the module-wide transaction that
other capacity tests share (reference_data_once) would hide from them.
"""

import threading
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from operations.exceptions import Conflict
from operations.models import Resource
from operations.roles import Role
from tasking import services
from tasking.models import Mission

from .factories import request_approve, request_make

S = Mission.State
DAY = date.today() + timedelta(days=7)  # a week ahead: within the allocation horizon


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_exceed_capacity(reference_data, django_user_model):
    # A transaction=True test may follow another that flushed the roles migration's groups.
    group, _ = Group.objects.get_or_create(name=Role.MISSION_SUPPORT.label)
    actor = django_user_model.objects.create_user(username="racer", password="pw")
    actor.groups.add(group)
    resource = Resource.objects.get(code="HHVT")
    Resource.objects.filter(pk=resource.pk).update(capacity_per_period=3)
    resource.refresh_from_db()
    period = services.period_for_day(DAY)
    missions = [request_approve(actor, request_make(actor)) for _ in range(12)]
    barrier = threading.Barrier(len(missions))
    results = []
    lock = threading.Lock()

    def allocate_one(mission):
        try:
            barrier.wait(timeout=10)
            services.mission_allocate(actor=actor, mission=mission, resource=resource, period=period)
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # anything else is a bug the assertion below will show
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=allocate_one, args=(mission,)) for mission in missions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["conflict"] * 9 + ["ok"] * 3
    allocated = Mission.objects.filter(resource=resource, period=period, state=S.ALLOCATED)
    assert allocated.count() == 3
    assert Mission.objects.filter(state=S.PENDING).count() == 9
