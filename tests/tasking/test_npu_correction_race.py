"""An outcome logged while a Supervisor corrects the mission's NPU, on PostgreSQL: the outcome
waits for the correction, then lands in the corrected NPU. It is never told that a mission which
exists was not found.

In a module of its own: its threads need committed data, which the module-wide transaction that
other tasking tests share (reference_data_once) would hide from them.
"""

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

from operations.models import Area
from operations.roles import Role
from tasking import services
from tasking.models import Mission, Outcome

from .factories import mission_make


def waiting_on_a_lock():
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_outcome_waiting_on_an_npu_correction_lands_in_the_corrected_npu(
    reference_data, django_user_model
):
    group, _ = Group.objects.get_or_create(name=Role.SUPERVISOR.label)
    supervisor = django_user_model.objects.create_user(username="race-supervisor", password="pw")
    supervisor.groups.add(group)
    mission = mission_make(supervisor, Mission.State.IN_PROGRESS, area="BE")
    corrected, release = threading.Event(), threading.Event()
    results = {}

    def correct():
        try:
            with transaction.atomic():
                services.request_area_correct(
                    actor=supervisor,
                    request=mission.request,
                    area=Area.objects.get(code="BW"),
                    reason="wrong NPU",
                )
                corrected.set()
                release.wait(timeout=20)  # hold the locks until the outcome is waiting on them
            results["correct"] = "ok"
        except Exception as exc:  # anything else is a bug the assertion below will show
            results["correct"] = repr(exc)
        finally:
            connection.close()

    def log_outcome():
        try:
            services.mission_log_outcome(
                actor=supervisor, mission=Mission(pk=mission.pk), result="arrested", arrests=1
            )
            results["outcome"] = "ok"
        except Exception as exc:
            results["outcome"] = repr(exc)
        finally:
            connection.close()

    first = threading.Thread(target=correct)
    first.start()
    assert corrected.wait(timeout=20)
    second = threading.Thread(target=log_outcome)
    second.start()
    deadline = time.monotonic() + 20
    while not waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert results == {"correct": "ok", "outcome": "ok"}
    outcome = Outcome.objects.get(mission_id=mission.pk)
    assert outcome.area.code == "BW"
    assert Mission.objects.get(pk=mission.pk).state == Mission.State.COMPLETED
