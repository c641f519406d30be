"""A small world for the security tests: one user per role and one of each object, made once per module.

Everything is made through the services, like the application makes it. The world lives in a
transaction held open for the module; each test runs in a savepoint inside it and rolls back its
own changes, so a test that deletes or changes something never disturbs the next one.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from operations.models import Area, Operation
from operations.roles import Role
from tasking import services
from tasking.models import ScheduledPatrol
from tests.conftest import make_user
from tests.tasking.factories import mission_make, request_make
from tests.tasking.patrol_helpers import grid_make, schedule, visit_log

ROLES = {
    "viewer": Role.VIEWER,
    "mission_support": Role.MISSION_SUPPORT,
    "supervisor": Role.SUPERVISOR,
    "administrator": Role.ADMINISTRATOR,
}


@dataclass
class World:
    users: dict
    request: object
    missions: dict
    meeting: object
    threat_item: object
    target: object
    grid: object
    patrol: object
    visit: object
    extra: dict = field(default_factory=dict)


def world_build():
    from django.contrib.auth import get_user_model

    from operations.reference import reference_data_load

    reference_data_load()
    user_model = get_user_model()
    users = {name: make_user(user_model, f"sec-{name}", role) for name, role in ROLES.items()}
    ms, supervisor = users["mission_support"], users["supervisor"]
    request = request_make(ms, subject_reference="N2000001", subject_name="Jordan Example")
    missions = {
        state: mission_make(supervisor, state, subject_reference=f"N30000{n}")
        for n, state in enumerate(["pending", "allocated", "in_progress", "completed"])
    }
    today = timezone.localdate()
    meeting = services.trm_meeting_open(actor=ms, date=today)
    threat_item = services.threat_item_save(
        actor=ms, category="firearms", area=Area.objects.get(code="BW"), title="Shots fired series",
        owner="DI Khan", risk_rating="high",
    )  # fmt: skip
    target = services.operation_target_save(
        actor=ms, operation=Operation.objects.get(code="VIBRANT"), area=Area.objects.get(code="BW"),
        subject_reference="N1000004", subject_name="Sam Sample", rank=1, reason="Top-10 robbery suspect.",
    )  # fmt: skip
    grid = grid_make(supervisor, code="HG-SEC", operation="GUARDIAN")
    day = date(2026, 6, 11)
    schedule(day)
    patrol = ScheduledPatrol.objects.filter(grid=grid).first()
    visit = visit_log(grid, patrol.starts_at + timedelta(minutes=5), actor=ms)
    # Indicator values come from the engine, which runs after commit; reconcile computes them now.
    from performance.reconcile import indicators_reconcile

    indicators_reconcile(repair=True)
    return World(
        users=users, request=request, missions=missions, meeting=meeting, threat_item=threat_item,
        target=target, grid=grid, patrol=patrol, visit=visit,
    )  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield world_build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
