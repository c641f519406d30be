"""On PostgreSQL the usual outcome is one statement, and a statement is a transaction of its own:
outside a caller's transaction it is sent without BEGIN and COMMIT, and is committed when it
returns. Anything else still runs in a transaction of its own and leaves nothing half-written."""

import pytest
from django.db import connection

from operations.exceptions import Conflict
from tasking import services
from tasking.models import Mission, Outcome
from tasking.services import outcome_statement
from tests.postgres_helpers import other_connection

from .factories import mission_make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
S = Mission.State


def seen_from_another_connection(mission):
    with other_connection() as other:
        return other.execute(
            "SELECT m.state, count(o.id) FROM tasking_mission m "
            "LEFT JOIN tasking_outcome o ON o.mission_id = m.id WHERE m.id = %s GROUP BY m.state",
            [mission.pk],
        ).fetchone()


def test_the_usual_outcome_is_committed_by_its_one_statement(mission_user, reference_data, monkeypatch):
    mission = mission_make(mission_user, S.IN_PROGRESS)
    in_transaction, real = [], outcome_statement.fetch_prepared

    def spy(*args, **kwargs):
        in_transaction.append((connection.in_atomic_block, connection.connection.autocommit))
        return real(*args, **kwargs)

    monkeypatch.setattr(outcome_statement, "fetch_prepared", spy)
    outcome = services.mission_log_outcome(
        actor=mission_user, mission=Mission(pk=mission.pk), result="arrested", arrests=1
    )
    assert in_transaction == [(False, True)]
    assert seen_from_another_connection(mission) == (S.COMPLETED, 1)
    assert Outcome.objects.get(mission=mission).pk == outcome.pk


def test_a_refused_outcome_still_writes_nothing(mission_user, reference_data):
    mission = mission_make(mission_user, S.IN_PROGRESS)
    with pytest.raises(Conflict):
        services.mission_log_outcome(
            actor=mission_user, mission=Mission(pk=mission.pk), result="arrested", arrests=1,
            expected_version=mission.version - 1,
        )  # fmt: skip
    assert seen_from_another_connection(mission) == (S.IN_PROGRESS, 0)
