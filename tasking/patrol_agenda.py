"""The TRM agenda's "Hot-grid gaps" section: the review period's scheduled patrols whose arrival
deadline passed with no compliant visit, by NPU, each with a button to raise cover."""

from django.utils import timezone

from .agenda import agenda_section
from .models import HotGrid, ScheduledPatrol


@agenda_section
def hot_grid_gaps(meeting, review_period):
    gaps = list(
        ScheduledPatrol.objects.filter(
            period=review_period, compliant_visit__isnull=True, arrive_by__lt=timezone.now()
        )
        .select_related("grid", "grid__area", "grid__operation", "resource", "cover_request")
        .order_by("grid__area__code", "starts_at", "grid__code")
    )
    groups = {}
    for patrol in gaps:
        groups.setdefault(patrol.grid.area_id, {"area": patrol.grid.area, "patrols": []})
        groups[patrol.grid.area_id]["patrols"].append(patrol)
    day = review_period.day
    return {
        "title": f"Patrols missed on {day:%a} {day.day} {day:%b}: {len(gaps)} gap{'s' * (len(gaps) != 1)}",
        "template": "tasking/patrols/agenda_gaps.html",
        "items": list(groups.values()),
        "no_grids": not gaps and not HotGrid.objects.exists(),
    }
