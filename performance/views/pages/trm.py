"""The TRM pack: the meeting's agenda as a page to read and print (acting happens on the TRM page)."""

from datetime import date, timedelta

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import RedirectView

from operations.dates import day_in_range, day_out_of_range_message
from operations.permissions import RoleRequiredMixin
from operations.roles import Role
from operations.security import audit_personal_data_list
from tasking.agenda import periods_for, trm_agenda
from tasking.models import Request, TrmMeeting
from tasking.views.base import deadline_info

from .base import DashboardPage

GAPS_TEMPLATE = "tasking/patrols/agenda_gaps.html"

# A printed pack lists at most this many missions not completed and deadlines, and this many missions
# of each resource: the time to build it stays the same however much history there is.
ROWS_SHOWN = 50
MISSIONS_SHOWN_PER_RESOURCE = 20


def agenda_read_only(day):
    """(meeting, agenda, opened) for the meeting of ``day``, reading only.

    A meeting not opened yet stands in unsaved, planning its period (unsaved too if nothing has
    created it): the pack shows what the meeting would review and the database is left as it was.
    The lists that grow with the history are cut for print; the counts stay whole.
    """
    meeting = TrmMeeting.objects.select_related("period", "chair").filter(date=day).first()
    planned, review = periods_for(day)
    opened = meeting is not None
    if not opened:
        meeting = TrmMeeting(date=day, period=planned)
    agenda = trm_agenda(meeting, review, rows=ROWS_SHOWN, rows_per_resource=MISSIONS_SHOWN_PER_RESOURCE)
    return meeting, agenda, opened


class TrmPackView(DashboardPage):
    template_name = "performance/pages/trm_pack.html"
    section = "trm"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            day = date.fromisoformat(self.kwargs["date"])
        except ValueError as exc:
            raise Http404("Give the meeting date as YYYY-MM-DD.") from exc
        if not day_in_range(day):
            raise Http404(day_out_of_range_message(day))
        meeting, agenda, opened = agenda_read_only(day)
        # The curfew breaches name their subjects and addresses, as on the TRM page.
        audit_personal_data_list(self.request, Request, [m.request_id for m in agenda["curfew_breaches"]])
        now = timezone.now()
        for row in [*agenda["deadlines"], *agenda["new_requests"]]:
            row.deadline = deadline_info(row.due_by, now)
        gaps, other_sections = [], []
        for section in agenda["hot_grid_sections"]:
            (gaps if section.get("template") == GAPS_TEMPLATE else other_sections).append(section)
        gap_count = sum(len(group["patrols"]) for section in gaps for group in section["items"])
        counts = [
            ("missions", "Missions reviewed", agenda["reviewed_count"]),
            ("not-completed", "Not completed", agenda["not_completed_total"]),
            ("deadlines", "Deadlines at risk or overdue", agenda["deadlines_total"]),
            ("breaches", "Curfew breaches", len(agenda["curfew_breaches"])),
            ("new-requests", "New requests", agenda["new_requests_total"]),
            ("threats", "Open threat items", len(agenda["threat_items"])),
            ("hot-grids", "Hot-grid gaps", gap_count),
            ("decisions", "Decisions", len(agenda["decisions"])),
        ]
        context.update(
            day=day, meeting=meeting, opened=opened, agenda=agenda, counts=counts, gap_sections=gaps,
            other_sections=other_sections, attendees=[a for a in meeting.attendees.splitlines() if a.strip()],
            previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1), printed_at=now,
        )  # fmt: skip
        return context


class TrmPackLatestView(RoleRequiredMixin, RedirectView):
    """Today's TRM pack."""

    read_role = Role.VIEWER
    http_method_names = ["get", "head", "options"]

    def get_redirect_url(self, *args, **kwargs):
        return reverse("performance:trm-pack", args=[timezone.localdate().isoformat()])
