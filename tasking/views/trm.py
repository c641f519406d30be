"""The TRM: the list of meetings, opening one, and the meeting page whose agenda builds itself."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, ListView, TemplateView

from operations.models import Resource
from operations.security import audit_personal_data_list

from .. import selectors, services
from ..agenda import trm_agenda
from ..forms_trm import DecisionForm, MeetingOpenForm, MeetingUpdateForm, ReopenForm
from ..models import Request, TrmMeeting
from ..services.trm import DECISION_MAX_LENGTH
from .base import ScreenMixin, ServiceFormMixin, deadline_info

# The meeting page lists at most this many missions not completed (the oldest first) and deadlines
# (the soonest first), as the TRM pack does: the time to build it stays the same however much history
# there is. The counts stay whole, and ``?page=`` lists the next missions not completed.
ROWS_SHOWN = 50


def page_asked(request):
    """The page of missions not completed asked for in ``?page=`` (1 when absent or not a number)."""
    try:
        return max(1, int(request.GET.get("page", 1)))
    except (TypeError, ValueError):
        return 1


class TrmListView(ScreenMixin, ListView):
    template_name = "tasking/trm_list.html"
    context_object_name = "meetings"
    paginate_by = 30

    def get_queryset(self):
        return selectors.trm_meeting_list().order_by("-date")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context["today"] = today
        context["today_meeting"] = TrmMeeting.objects.filter(date=today).first()
        context["open_form"] = MeetingOpenForm(initial={"date": today})
        context["tab"] = "trm"
        return context


class TrmOpenView(ServiceFormMixin, FormView):
    """Open the meeting for a date (today by default); opening it twice just goes to it."""

    http_method_names = ["post"]
    form_class = MeetingOpenForm

    def form_invalid(self, form):
        # The form lives on the meetings list: its error goes there as a message. A date that is
        # no date gets the format; one the app does not cover says which dates it does.
        refused = [e for e in form.errors.as_data().get("date", []) if e.code == "date_out_of_range"]
        message = refused[0].messages[0] if refused else "Give the meeting date as YYYY-MM-DD."
        messages.error(self.request, message)
        return redirect("tasking:trm-list")

    def perform(self, form):
        return services.trm_meeting_open(actor=self.request.user, date=form.cleaned_data["date"])

    def success_message_for(self, meeting):
        return f"{meeting} is open."

    def success_url_for(self, meeting):
        return reverse("tasking:trm-detail", args=[meeting.date.isoformat()])


class TrmDetailView(ScreenMixin, TemplateView):
    """The meeting page: the agenda for the period under review, decisions, attendees, lock state."""

    template_name = "tasking/trm_detail.html"
    bound_forms = None

    @cached_property
    def meeting(self):
        try:
            day = date.fromisoformat(self.kwargs["date"])
        except ValueError as exc:
            raise Http404("Give the meeting date as YYYY-MM-DD.") from exc
        return get_object_or_404(selectors.trm_meeting_list(), date=day)

    def meeting_url(self):
        return reverse("tasking:trm-detail", args=[self.meeting.date.isoformat()])

    def conflict_url(self):
        return self.meeting_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.meeting
        agenda = trm_agenda(meeting, rows=ROWS_SHOWN)
        paging = self.not_completed_paging(agenda)
        audit_personal_data_list(self.request, Request, [m.request_id for m in agenda["curfew_breaches"]])
        now = timezone.now()
        for row in agenda["deadlines"]:
            row.deadline = deadline_info(row.due_by, now)
        for row in agenda["new_requests"]:
            row.deadline = deadline_info(row.due_by, now)
        editable = not meeting.is_closed and context["can_write"]
        usage = (
            services.resource_usage(meeting.period, Resource.objects.filter(active=True)) if editable else []
        )
        forms = {}
        if editable:
            forms["decision"] = DecisionForm(auto_id="decision_%s")
            forms["update"] = MeetingUpdateForm(
                initial={"attendees": meeting.attendees, "summary": meeting.summary}, auto_id="update_%s"
            )
            for form in forms.values():
                for field in form.fields.values():
                    field.widget.attrs.pop("autofocus", None)
        if meeting.is_closed and context["can_supervise"]:
            forms["reopen"] = ReopenForm(auto_id="reopen_%s")
        forms.update(self.bound_forms or {})
        context.update(
            meeting=meeting,
            agenda=agenda,
            editable=editable,
            forms=forms,
            resource_choices=[(r.pk, f"{r} ({capacity - used} free)") for r, used, capacity in usage],
            carry_error=self.carry_error(agenda["not_completed"] if editable else []),
            decision_max_length=DECISION_MAX_LENGTH,
            paging=paging,
            rows_shown=ROWS_SHOWN,
            tab="trm",
        )
        return context

    def not_completed_paging(self, agenda):
        """Put the asked page of missions not completed in ``agenda`` (the agenda holds the first);
        a page past the last shows the last. Returns what the template needs to say where it is."""
        total = agenda["not_completed_total"]
        pages = max(1, -(-total // ROWS_SHOWN))
        page = min(page_asked(self.request), pages)
        if page > 1:
            agenda["not_completed"] = selectors.missions_not_completed_page(
                (page - 1) * ROWS_SHOWN, ROWS_SHOWN, before=self.meeting.date
            )
        first = (page - 1) * ROWS_SHOWN + 1
        return {
            "page": page, "pages": pages, "first": first, "last": first + len(agenda["not_completed"]) - 1,
            "cut": total > ROWS_SHOWN, "query": f"?page={page}" if page > 1 else "",
            "previous": page - 1 if page > 1 else None, "next": page + 1 if page < pages else None,
        }  # fmt: skip

    def carry_error(self, rows):
        """Why a carry-over or cancel was refused: shown in the mission's row when the page lists
        it with its forms, else above the list (a mission someone has just decided, or one that
        was never waiting for the meeting)."""
        error = getattr(self, "_carry_error", None)
        if error is not None:
            error["in_row"] = any(m.pk == error["mission"] for m in rows)
        return error
