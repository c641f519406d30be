"""What every Mission Support screen shares: role flags, and one place where the services' errors
become answers (field errors, a conflict message, or a 403 page)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from operations.exceptions import Conflict, Forbidden
from operations.permissions import RoleRequiredMixin
from operations.roles import Role, has_role


def add_service_errors(form, exc):
    """Put a service's ValidationError on the form: on the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                if target is None and field != "__all__":
                    message = f"{field.replace('_', ' ').capitalize()}: {message}"
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def safe_next(request, fallback):
    """The page to go back to: a same-site ``next`` if given, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class ScreenMixin(RoleRequiredMixin):
    """Role declarations plus service error mapping for a Mission Support screen.

    A service's Forbidden is a 403 page with its message; a Conflict (illegal move, stale version,
    full resource, closed meeting) is an error message and a redirect back to where the user was;
    a ValidationError is turned into form errors by the view that holds the form (``form_error``).
    """

    read_role = Role.VIEWER
    write_role = Role.MISSION_SUPPORT

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except Forbidden as exc:
            return render(request, "tasking/forbidden.html", {"message": exc.message}, status=403)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(self.conflict_url())

    def conflict_url(self):
        return safe_next(self.request, self.request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_write"] = has_role(user, self.write_role)
        context["can_supervise"] = has_role(user, Role.SUPERVISOR)
        context["is_mission_support"] = has_role(user, Role.MISSION_SUPPORT)
        return context


def deadline_info(due_by, now=None):
    """How long is left before a deadline, and whether it is at risk or overdue (for the CSS)."""
    if due_by is None:
        return {"label": "no deadline", "state": "none"}
    now = now or timezone.now()
    seconds = (due_by - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    hours, mins = divmod(minutes, 60)
    days, hours_in_day = divmod(hours, 24)
    span = f"{days} d {hours_in_day} h" if days else f"{hours} h {mins:02d} m"
    if seconds <= 0:
        return {"label": f"overdue by {span}", "state": "overdue"}
    at_risk = seconds <= timedelta(hours=settings.TASKING_AT_RISK_HOURS).total_seconds()
    return {"label": f"{span} left", "state": "at-risk" if at_risk else "ok"}


COMPONENT_PARTS = [
    ("threat_risk_harm", "Threat, risk and harm", 50),
    ("harm_weight", "Offence harm weight", 20),
    ("tactical_priority", "Tactical priority alignment", 15),
    ("deadline", "Time to deadline", 15),
]


def component_rows(components):
    """The priority score's parts as table rows: what each is worth and why."""
    rows = []
    for key, label, most in COMPONENT_PARTS:
        part = (components or {}).get(key) or {}
        if key == "threat_risk_harm":
            scores = part.get("scores") or []
            why = "T {} · R {} · H {}".format(*scores) if len(scores) == 3 else ""
            if part.get("provisional"):
                why += " (provisional: 3 each until assessed)"
        elif key == "harm_weight":
            group = part.get("offence_group")
            why = f"{group}: weight {part.get('weight')}" if group else "no offence group"
        elif key == "tactical_priority":
            why = "; ".join(part.get("priorities") or []) or "no tactical priority in force matches"
        else:
            left = part.get("hours_left")
            why = f"{left} h left" if left is not None else "no deadline"
        rows.append({"label": label, "points": part.get("points", "0"), "most": most, "why": why})
    return rows


class ServiceFormMixin(ScreenMixin):
    """A form whose valid input is handed to one service call (``perform``); POST/redirect/GET."""

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        message = self.success_message_for(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.success_url_for(result))

    def perform(self, form):
        raise NotImplementedError

    def success_message_for(self, result):
        return ""

    def success_url_for(self, result):
        return self.request.path
