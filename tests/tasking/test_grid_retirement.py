"""A hot grid's patrol history outlives it: a grid with scheduled patrols (and their flagged gaps)
or visits cannot be deleted — not through the API, not through the service, not by the database —
and the refusal says to retire it instead (``active_to``). A retired grid keeps its history and gets
no new patrols; a grid with no history may still be deleted, and that is audited."""

from datetime import date, timedelta

import pytest
from django.db.models import ProtectedError

from operations.exceptions import Conflict
from operations.models import AuditEntry, Event
from tasking import services
from tasking.models import HotGrid, PatrolVisit, PatrolWindow, ScheduledPatrol
from tasking.services.hot_grids import hot_grid_delete

from .patrol_helpers import (
    DAY,
    START,
    grid_make,
    local,
    patrol_api_clock,  # noqa: F401
    patrol_reference,  # noqa: F401
    schedule,
    visit_log,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference", "patrol_api_clock")]


@pytest.fixture
def grid_with_gaps(supervisor):
    """A Vibrant grid scheduled on 10 and 11 June, never patrolled: both gaps flagged."""
    grid = grid_make(supervisor, code="HG-GAPS", operation="VIBRANT")
    schedule(DAY)
    schedule(DAY + timedelta(days=1))
    flagged = services.patrol_gaps_detect(now=local(2026, 6, 12, 8, 0))
    assert len(flagged) == 2
    return grid


def history(grid):
    patrols = ScheduledPatrol.objects.filter(grid_id=grid.pk)
    return (
        sorted(patrols.values_list("pk", "starts_at", "gap_flagged_at")),
        PatrolVisit.objects.filter(grid_id=grid.pk).count(),
    )


def test_deleting_a_grid_with_flagged_gaps_through_the_api_is_a_409_saying_to_retire_it(
    api, supervisor, grid_with_gaps
):
    before = history(grid_with_gaps)
    events, deletes = (
        Event.objects.count(),
        AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count(),
    )

    response = api.as_user(supervisor).delete(f"/api/hot-grids/{grid_with_gaps.pk}/")

    assert response.status_code == 409, response.data
    assert response.data["code"] == "conflict"
    assert "HG-GAPS has 2 scheduled patrols" in response.data["detail"]
    assert "Retire the grid instead" in response.data["detail"] and "active_to" in response.data["detail"]
    assert HotGrid.objects.filter(pk=grid_with_gaps.pk).exists()
    assert history(grid_with_gaps) == before and len(before[0]) == 2
    assert PatrolWindow.objects.filter(grid=grid_with_gaps).count() == 1
    assert Event.objects.count() == events
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).count() == deletes


def test_the_delete_service_refuses_a_grid_with_visits_only_and_names_them(supervisor):
    grid = grid_make(supervisor, code="HG-VISITED", operation="VIBRANT", windows=[])
    visit_log(grid, START)
    assert not ScheduledPatrol.objects.filter(grid=grid).exists()

    with pytest.raises(Conflict, match=r"HG-VISITED has 1 visit: .* Retire the grid instead"):
        hot_grid_delete(actor=supervisor, grid=grid)

    assert HotGrid.objects.filter(pk=grid.pk).exists()
    assert PatrolVisit.objects.filter(grid=grid).count() == 1


def test_the_database_refuses_to_delete_a_grid_that_has_scheduled_patrols(grid_with_gaps):
    with pytest.raises(ProtectedError):
        HotGrid.objects.get(pk=grid_with_gaps.pk).delete()
    assert ScheduledPatrol.objects.filter(grid=grid_with_gaps).count() == 2


def test_a_retired_grid_keeps_its_patrols_and_gaps_and_gets_no_new_ones(api, supervisor, grid_with_gaps):
    before = history(grid_with_gaps)

    response = api.as_user(supervisor).patch(
        f"/api/hot-grids/{grid_with_gaps.pk}/", {"active_to": "2026-06-11"}, format="json"
    )
    schedule(date(2026, 6, 12))

    assert response.status_code == 200, response.data
    assert HotGrid.objects.get(pk=grid_with_gaps.pk).active_to == date(2026, 6, 11)
    assert history(grid_with_gaps) == before
    compliance = api.get(f"/api/hot-grids/{grid_with_gaps.pk}/compliance/").data
    assert (compliance["scheduled"], compliance["compliant"]) == (2, 0)


def test_a_grid_with_no_history_is_deleted_with_its_windows_and_the_deletion_is_audited(api, supervisor):
    grid = grid_make(supervisor, code="HG-UNUSED", active_from=date(2026, 7, 1))
    schedule(date(2026, 6, 12))  # before it is active: nothing scheduled for it
    pk = grid.pk

    response = api.as_user(supervisor).delete(f"/api/hot-grids/{pk}/")

    assert response.status_code == 204
    assert not HotGrid.objects.filter(pk=pk).exists()
    assert not PatrolWindow.objects.filter(grid_id=pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE, object_type="tasking.hotgrid")
    assert (entry.object_id, entry.actor) == (str(pk), supervisor)
    assert "HG-UNUSED" in entry.object_repr
